from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.import_flow import run_import_command
from exams.banks.importing.service import DEFAULT_TOPIC, FORMATS, format_for, import_questions
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
        result = run_import_command(self, file=file, run=import_questions, dry_run=dry_run, bank_name=bank, fmt=fmt,
                                    actor=user_or_exit(as_user), topic=topic, strict_topics=strict_topics,
                                    skip_unsupported=skip_unsupported)
        for name in result.topics_created:
            self.stdout.write(_("Topic to create: {name}").format(name=name) if dry_run
                              else _("Topic created: {name}").format(name=name))
        self.stdout.write(f"bank={result.bank.pk if result.bank else 'new'} created={result.created}")
