from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.import_flow import run_import_command
from exams.management.commands._common import object_or_exit
from exams.results.importing import import_scores
from exams.sessions.models import Exam


class Command(BaseCommand):
    help = "Import scores of subjects not sat on the platform; validates every row before writing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--exam", type=int, required=True, help="Id of the exam session.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, write nothing.")
        parser.add_argument("--correction", action="store_true",
                            help="After approval: correct scores (then compute_results --new-version).")

    def handle(self, *args, file: str, exam: int, dry_run: bool, correction: bool, **options):
        session = object_or_exit(Exam, exam, _("No exam has the id {id}.").format(id=exam))
        result = run_import_command(self, file=file, run=import_scores, dry_run=dry_run, exam=session, actor=None,
                                    correction=correction)
        self.stdout.write(result.summary)
