from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enrolment import enrolment_code_issue
from accounts.models import User
from accounts.services import system_user


class Command(BaseCommand):
    help = ("Issue a two-factor enrolment code for USERNAME (accounts/enrolment.py): the operator's way for the first "
            "staff accounts of a new installation, or a superuser, whom HR cannot issue one for. Prints code=… last.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        person = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
        if person is None:
            raise CommandError(_("No account has the login name {username}.").format(username=username), returncode=1)
        if Authenticator.objects.filter(user=person).exists():
            raise CommandError(_("{username} already has an authenticator.").format(username=person.username),
                               returncode=1)
        issued = enrolment_code_issue(person=person, actor=system_user())
        self.stdout.write(_("Valid until {time}; it works once.").format(
            time=timezone.localtime(issued.record.expires_at).strftime("%H:%M %d/%m/%Y")))
        self.stdout.write(f"code={issued.printable}")
