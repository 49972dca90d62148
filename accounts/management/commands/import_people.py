from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.import_flow import run_import_command
from accounts.imports import import_people


class Command(BaseCommand):
    help = "Import people (HR register) from an Excel file; validates every row before writing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, write nothing.")
        parser.add_argument(
            "--create-missing-units",
            action="store_true",
            help="Create units given as a path (“child / parent”) under their stated parent.",
        )

    def handle(self, *args, file: str, dry_run: bool, create_missing_units: bool, **options):
        result = run_import_command(self, file=file, run=import_people, dry_run=dry_run, actor=None,
                                    create_missing_units=create_missing_units)
        for label in result.units_created:
            self.stdout.write(_("Unit to create: {label}").format(label=label) if dry_run
                              else _("Unit created: {label}").format(label=label))
        self.stdout.write(result.summary)
