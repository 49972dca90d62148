import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from courses.models import Programme
from courses.services import class_create


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


class Command(BaseCommand):
    help = "Create a training class of a programme's newest version; prints only the new class's id."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, help="The programme's code, e.g. QLNN-CV.")
        parser.add_argument("--name", required=True, help="The class's name, e.g. K60.")
        parser.add_argument("--start", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--end", required=True, type=_date, help="YYYY-MM-DD")

    def handle(self, *args, programme: str, name: str, start: dt.date, end: dt.date, **options):
        found = Programme.objects.filter(code=programme.strip().upper()).order_by("-version").first()
        if found is None:
            self.stderr.write(_("No programme has the code {code}.").format(code=programme))
            raise SystemExit(1)
        try:
            course_class = class_create(programme=found, name=name, starts_on=start, ends_on=end, actor=None)
        except ValidationError as exc:
            self.stderr.write(exc.messages[0])
            raise SystemExit(1) from exc
        self.stdout.write(str(course_class.pk))
