from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from courses.presets import PRESETS
from courses.services import programme_create


class Command(BaseCommand):
    help = "Create a training programme from a preset; prints only the new programme's id."

    def add_arguments(self, parser):
        parser.add_argument("--preset", required=True, choices=sorted(PRESETS))
        parser.add_argument("--code", help="The programme's code (default: the preset's, e.g. QLNN-CV).")

    def handle(self, *args, preset: str, code: str | None, **options):
        try:
            programme = programme_create(preset_slug=preset, code=code, actor=None)
        except ValidationError as exc:
            self.stderr.write(exc.messages[0])
            raise SystemExit(1) from exc
        self.stdout.write(str(programme.pk))
