from courses.management.commands._class_import import ClassImportCommand
from courses.schedule import import_schedule


class Command(ClassImportCommand):
    help = "Import a class's schedule (Ngày | Buổi | Mã chuyên đề | Số tiết | Giảng viên); every row is checked first."
    runner = staticmethod(import_schedule)
