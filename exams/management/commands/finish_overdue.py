from django.core.management.base import BaseCommand

from exams.examday.services.attempts import finish_overdue


class Command(BaseCommand):
    help = "Finish every open attempt past its deadline + grace or its room's close (run by a timer)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, finish nothing.")

    def handle(self, *args, dry_run: bool, **options):
        self.stdout.write(f"finished={finish_overdue(dry_run=dry_run)}")
