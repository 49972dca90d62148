from courses.learners import import_learners
from courses.management.commands._class_import import ClassImportCommand


class Command(ClassImportCommand):
    help = ("Import a class's learners (STT | Họ và tên | Ngày sinh | Giới tính | Số CCCD | Đơn vị | Chức vụ | Ngạch | "
            "Email); every row is checked first.")
    runner = staticmethod(import_learners)
