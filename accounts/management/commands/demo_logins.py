from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.demo import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print where to log in and the demo accounts with this install's demo password."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options):
        if settings.IS_PRODUCTION:
            raise CommandError(_("There are no demo accounts in production."), returncode=1)
        self.stdout.write("")
        self.stdout.write(_("Platform: {url}").format(url=url))
        self.stdout.write(_("Log in at: {url}accounts/login/").format(url=url))
        self.stdout.write(_("Demo password (every account): {password}").format(password=settings.DEMO_PASSWORD))
        for username, role, *_rest in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<20} {role.label}")
        self.stdout.write("")
