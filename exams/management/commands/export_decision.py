from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.services import audit_record
from exams.management.commands._common import object_or_exit
from exams.management.commands.export_annex import write_or_exit
from exams.results.decision import decision_docx
from exams.results.exports import version_for_export
from exams.results.services import ResultsError
from exams.sessions.models import Exam


class Command(BaseCommand):
    help = "Write the draft decision recognising the results, with its winners list (.docx)."

    def add_arguments(self, parser):
        parser.add_argument("--exam", type=int, required=True, help="Id of the exam session.")
        parser.add_argument("--out", required=True, help="The .docx file to write.")

    def handle(self, *args, exam: int, out: str, **options):
        session = object_or_exit(Exam, exam, _("No exam has the id {id}.").format(id=exam))
        try:
            version = version_for_export(session)
            data, rows = decision_docx(version)
        except ResultsError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise SystemExit(1) from exc
        write_or_exit(self, out, data)
        audit_record(actor=None, action="results.export_decision", obj=session,
                     details={"version": version.number, "rows": rows, "file": out})
        self.stdout.write(f"rows={rows}")
