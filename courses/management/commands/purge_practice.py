from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from courses.online_tests import practice_purge


class Command(BaseCommand):
    help = ("Delete the practice tries of course tests finished more than COURSE_PRACTICE_KEEP_DAYS days ago, with "
            "their attempts, answers and papers (run daily by a timer). Graded tries are never deleted.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead of COURSE_PRACTICE_KEEP_DAYS (at least 1).")
        parser.add_argument("--dry-run", action="store_true", help="Count the tries, delete nothing.")

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        try:
            purged = practice_purge(days=days, dry_run=dry_run)
        except ValidationError as exc:
            self.stderr.write(exc.messages[0])
            raise SystemExit(1) from exc
        self.stdout.write(f"tries={purged.tries} attempts={purged.attempts}")
