"""What the class imports' commands share (docs/operations.md, "Commands"): FILE --class ID [--dry-run], every row
checked first, the summary on stdout, exit 1 with every problem on stderr."""
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.import_flow import run_import_command
from courses.models import CourseClass


class ClassImportCommand(BaseCommand):
    runner = None  # the import: run(data, *, course_class, actor, dry_run, file_name) -> ImportResult

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--class", dest="class_id", type=int, required=True, help="Id of the class.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, write nothing.")

    def handle(self, *args, file: str, class_id: int, dry_run: bool, **options):
        course_class = CourseClass.objects.filter(pk=class_id).select_related("programme").first()
        if course_class is None:
            self.stderr.write(_("No class has the id {id}.").format(id=class_id))
            raise SystemExit(1)
        result = run_import_command(self, file=file, run=type(self).runner, dry_run=dry_run,
                                    course_class=course_class, actor=None)
        self.stdout.write(result.summary)
