from courses.management.commands._class_import import ClassImportCommand
from courses.scores import import_course_scores


class Command(ClassImportCommand):
    help = ("Import a class's scores (Số CCCD | Họ và tên | one column per assessment code, 0–10); every row is "
            "checked first.")
    runner = staticmethod(import_course_scores)
