from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from exams.management.commands._common import object_or_exit
from exams.results.services import ResultsError, compute_results
from exams.sessions.models import Exam


class Command(BaseCommand):
    help = "Compute an exam's results (idempotent). After approval, --new-version opens the next version."

    def add_arguments(self, parser):
        parser.add_argument("--exam", type=int, required=True, help="Id of the exam session.")
        parser.add_argument("--new-version", action="store_true",
                            help="After approval or publication: compute a new version for the council to approve.")
        parser.add_argument("--reason", default="", help="Why a new version is needed (kept with it).")

    def handle(self, *args, exam: int, new_version: bool, reason: str, **options):
        session = object_or_exit(Exam, exam, _("No exam has the id {id}.").format(id=exam))
        try:
            computed = compute_results(exam=session, actor=None, new_version=new_version, reason=reason)
        except ResultsError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise SystemExit(1) from exc
        for warning in computed.warnings:
            self.stderr.write(_("Warning: {message}").format(message=warning))
        self.stdout.write(computed.summary)
