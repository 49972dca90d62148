from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.import_flow import run_import_command
from exams.management.commands._common import object_or_exit
from exams.sessions.importing import import_candidates
from exams.sessions.models import Exam


class Command(BaseCommand):
    help = "Register candidates for an exam from an Excel list; validates every row before writing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--exam", type=int, required=True, help="Id of the exam session.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, write nothing.")
        parser.add_argument("--withdraw-missing", action="store_true",
                            help="Withdraw the registered candidates the file leaves out (listed on stderr).")

    def handle(self, *args, file: str, exam: int, dry_run: bool, withdraw_missing: bool, **options):
        session = object_or_exit(Exam, exam, _("No exam has the id {id}.").format(id=exam))
        result = run_import_command(self, file=file, run=import_candidates, dry_run=dry_run, exam=session, actor=None,
                                    withdraw_missing=withdraw_missing)
        if result.left_out and not withdraw_missing:
            self.stderr.write(_("Left out of the file, still registered (--withdraw-missing withdraws them): {names}")
                              .format(names="; ".join(result.left_out)))
        self.stdout.write(result.summary)
