from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from exams.importing.scores import import_scores
from exams.management.commands._common import object_or_exit
from exams.models import Exam


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
        path = Path(file)
        if not path.is_file():
            self.stderr.write(_("File: {message}").format(message=_("the file {path} does not exist.").format(path=file)))
            raise SystemExit(1)
        result = import_scores(path.read_bytes(), exam=session, actor=None, dry_run=dry_run, file_name=path.name,
                               correction=correction)
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problems:
            raise SystemExit(1)
        self.stdout.write(result.summary)
