from courses.attendance import import_attendance
from courses.management.commands._class_import import ClassImportCommand


class Command(ClassImportCommand):
    help = ("Import a class's sign-in sheet (Số CCCD | Họ và tên | one column per session: x, P or K); every row is "
            "checked first.")
    runner = staticmethod(import_attendance)
