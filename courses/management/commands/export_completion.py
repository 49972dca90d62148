from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.services import audit_record
from courses.completion_list import completion_xlsx
from courses.models import CourseClass


class Command(BaseCommand):
    help = "Write a class's completion list (the list the certificate decision is issued from) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("--class", dest="class_id", type=int, required=True, help="Id of the class.")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")

    def handle(self, *args, class_id: int, out: str, **options):
        course_class = CourseClass.objects.filter(pk=class_id).select_related("programme__institution").first()
        if course_class is None:
            self.stderr.write(_("No class has the id {id}.").format(id=class_id))
            raise SystemExit(1)
        data, rows = completion_xlsx(course_class)
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            self.stderr.write(_("File: {message}").format(
                message=_("cannot write {path}: {error}").format(path=out, error=exc.strerror or exc)))
            raise SystemExit(1) from exc
        audit_record(actor=None, action="class.export_completion", obj=course_class,
                     details={"rows": rows, "file": out})
        self.stdout.write(f"rows={rows}")
