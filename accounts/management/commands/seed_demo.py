from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.demo import seed_demo


class Command(BaseCommand):
    help = "Create the Đồng Tháp demo data (units, people, demo accounts). Idempotent; refused in production."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has people.")

    def handle(self, *args, if_empty: bool = False, **options):
        if settings.IS_PRODUCTION:
            self.stderr.write(_("seed_demo does not run in production."))
            raise SystemExit(1)
        if if_empty and get_user_model().objects.exists():
            self.stdout.write(_("The database already has people: demo data skipped."))
            self.stdout.write("ok")
            return
        with transaction.atomic():
            result = seed_demo()
        self.stdout.write(
            _("Organisation profile updated.") if result["profile_updated"] else _("Organisation profile unchanged.")
        )
        self.stdout.write(_("Units created: {n}").format(n=result["units_created"]))
        self.stdout.write(_("People created: {n}").format(n=result["people_created"]))
        self.stdout.write(_("Demo accounts created: {created}, updated: {updated}").format(
            created=result["accounts_created"], updated=result["accounts_updated"]))
        for line in result.get("made", []):  # what each app's seeder made, by name (the demo exams)
            self.stdout.write(line)
        self.stdout.write("ok")
