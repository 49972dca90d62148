import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exams.sessions.presets import PRESETS
from exams.sessions.services import exam_create


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("“{value}” is not a date (YYYY-MM-DD).").format(value=value), returncode=2) from None


class Command(BaseCommand):
    help = "Create an exam session from a preset; prints only the new exam's id."

    def add_arguments(self, parser):
        parser.add_argument("--preset", required=True, choices=sorted(PRESETS))
        parser.add_argument("--name", required=True)
        parser.add_argument("--quota", type=int, help="Number of places (default: not set).")
        parser.add_argument("--cutoff", type=_date, help="Eligibility cut-off date (default: today).")
        parser.add_argument("--prefix", help="Candidate number prefix (default: the preset's).")

    def handle(self, *args, preset, name, quota, cutoff, prefix, **options):
        if not name.strip():
            raise CommandError(_("The exam needs a name."), returncode=1)
        if quota is not None and quota < 0:
            raise CommandError(_("The quota cannot be negative."), returncode=1)
        exam = exam_create(preset_slug=preset, name=name, actor=None, quota=quota, cutoff=cutoff, prefix=prefix)
        self.stdout.write(str(exam.pk))
