from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exams.importing.service import DEFAULT_TOPIC, FORMATS, format_for, import_questions
from exams.management.commands._common import user_or_exit


class Command(BaseCommand):
    help = ("Import questions into a bank (created if absent) from Excel, Aiken or GIFT; all or nothing "
            "(but see --skip-unsupported).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--bank", required=True, help="Bank name (unique); created if absent.")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the extension (.xlsx → excel).")
        parser.add_argument("--topic", default=DEFAULT_TOPIC, help="Topic for Aiken, and GIFT without $CATEGORY.")
        parser.add_argument("--strict-topics", action="store_true", help="A topic missing from the bank is an error.")
        parser.add_argument("--as", dest="as_user", help="Login name of the importer (recorded as the writer).")
        parser.add_argument("--skip-unsupported", action="store_true",
                            help="Import the rest of a file holding questions of kinds we do not store (GIFT matching, "
                                 "numerical, missing word, description, partial-credit short answer); each skipped "
                                 "question is listed as a warning.")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, bank, format, topic, strict_topics, as_user, skip_unsupported, dry_run, **options):
        fmt = format_for(file, format)
        if fmt is None:
            raise CommandError(_("Give --format for a file that is not .xlsx."), returncode=2)
        path = Path(file)
        if not path.is_file():
            self.stderr.write(_("File: {message}").format(message=_("the file {path} does not exist.").format(path=file)))
            raise SystemExit(1)
        actor = user_or_exit(as_user)
        result = import_questions(path.read_bytes(), bank_name=bank, fmt=fmt, actor=actor, topic=topic,
                                  strict_topics=strict_topics, skip_unsupported=skip_unsupported, dry_run=dry_run,
                                  file_name=path.name)
        for problem in [*result.problems, *result.warnings]:
            self.stderr.write(str(problem))
        if result.problems:
            raise SystemExit(1)
        for name in result.topics_created:
            self.stdout.write(_("Topic to create: {name}").format(name=name) if dry_run
                              else _("Topic created: {name}").format(name=name))
        self.stdout.write(f"bank={result.bank.pk if result.bank else 'new'} created={result.created}")
