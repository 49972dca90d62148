from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.services import audit_record
from exams.management.commands._common import object_or_exit
from exams.results.exports import annex_xlsx, version_for_export
from exams.results.selectors import LISTS
from exams.results.services import ResultsError
from exams.sessions.models import Exam


class Command(BaseCommand):
    help = "Write one list of the annex to the decision (.xlsx) from the exam's newest results version."

    def add_arguments(self, parser):
        parser.add_argument("--exam", type=int, required=True, help="Id of the exam session.")
        parser.add_argument("--list", dest="list_kind", required=True, choices=LISTS, help="Which list.")
        parser.add_argument("--out", required=True, help="The .xlsx file to write.")

    def handle(self, *args, exam: int, list_kind: str, out: str, **options):
        session = object_or_exit(Exam, exam, _("No exam has the id {id}.").format(id=exam))
        try:
            version = version_for_export(session)
            data, rows = annex_xlsx(version, list_kind)
        except ResultsError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise SystemExit(1) from exc
        write_or_exit(self, out, data)
        audit_record(actor=None, action="results.export_annex", obj=session,
                     details={"version": version.number, "list": list_kind, "rows": rows, "file": out})
        self.stdout.write(f"rows={rows}")


def write_or_exit(command: BaseCommand, out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        command.stderr.write(_("File: {message}").format(
            message=_("cannot write {path}: {error}").format(path=out, error=exc.strerror or exc)))
        raise SystemExit(1) from exc
