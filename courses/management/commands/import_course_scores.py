from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.import_flow import run_import_command
from courses.models import CourseClass
from courses.scores import import_course_scores


class Command(BaseCommand):
    help = ("Import a class's scores (Số CCCD | Họ và tên | one column per assessment code, 0–10); every row is "
            "checked first.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--class", dest="class_id", type=int, required=True, help="Id of the class.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, write nothing.")

    def handle(self, *args, file: str, class_id: int, dry_run: bool, **options):
        course_class = CourseClass.objects.filter(pk=class_id).select_related("programme").first()
        if course_class is None:
            self.stderr.write(_("No class has the id {id}.").format(id=class_id))
            raise SystemExit(1)
        result = run_import_command(self, file=file, run=import_course_scores, dry_run=dry_run,
                                    course_class=course_class, actor=None)
        self.stdout.write(result.summary)
