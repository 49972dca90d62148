"""A staff member's first authenticator needs a second proof besides the password.

With ``REQUIRE_STAFF_MFA`` a staff account without an authenticator is sent to set one up after its password. If
the password alone were enough there, whoever learned it (a note on a desk, a phishing page) would bind their own
authenticator app and hold the account, its owner locked out of the second factor. So the first enrolment also asks
for an enrolment code: one HR prints (an activation code with the enrolment purpose, accounts/activation.py: the
same single-use, hashed, limited mechanism) or, where outgoing mail works and the person has an email, one the
person has sent to that email from the set-up page. The code is spent with the activation (accounts.forms
.EnrolmentActivateTOTPForm, allauth's TOTP activation form through settings.MFA_FORMS).
"""

from __future__ import annotations

import datetime as dt

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import limits
from accounts.activation import (
    ActivationError,
    Issued,
    activation_check,
    activation_code_issue,
    code_spend,
    email_activation_available,
)
from accounts.models import ActivationCode, User
from accounts.permissions import is_staff_member
from accounts.services import audit_record

ENROLMENT = ActivationCode.Purpose.ENROLMENT
EMAILED_LENGTH = 8  # typed from a mail a minute old: short, and it lives only EMAILED_LIFETIME
EMAILED_LIFETIME = dt.timedelta(minutes=30)
EMAILS_PER_WINDOW = 3  # per person: enough for a mail that went astray, not a way to flood the person's inbox
EMAIL_WINDOW_S = 15 * 60


def enrolment_code_required(user: User) -> bool:
    """Does setting up this person's first authenticator need an enrolment code?"""
    return bool(settings.REQUIRE_STAFF_MFA and user.is_authenticated and is_staff_member(user)
                and not Authenticator.objects.filter(user=user).exists())


def enrolment_code_issue(*, person: User, actor: User, ip: str | None = None) -> Issued:
    """HR's printed enrolment code (the slip shows it once), voiding any earlier one. Audited."""
    return activation_code_issue(person=person, actor=actor, ip=ip, purpose=ENROLMENT)


def enrolment_code_email(*, person: User, ip: str | None = None) -> ActivationCode:
    """Send the person, at their email, a short enrolment code (once committed). Refused without outgoing mail or an
    email, and after EMAILS_PER_WINDOW sends in a window."""
    if not email_activation_available(person):
        raise ActivationError("no_mail", _("You have no email here, or outgoing mail is not set up: ask HR for an "
                                           "enrolment code."))
    if limits.count(f"enrolment-email:{person.pk}", EMAIL_WINDOW_S) > EMAILS_PER_WINDOW:
        raise ActivationError("busy", _("An enrolment code was sent several times already; wait 15 minutes."))
    with transaction.atomic():
        issued = activation_code_issue(person=person, actor=person, channel=ActivationCode.Channel.EMAIL, ip=ip,
                                       purpose=ENROLMENT, length=EMAILED_LENGTH, lifetime=EMAILED_LIFETIME)
        with translation.override(settings.LANGUAGE_CODE):
            context = {"person": person, "code": issued.printable, "expires_at": issued.record.expires_at}
            subject = render_to_string("accounts/email/enrolment_subject.txt", context).strip()
            body = render_to_string("accounts/email/enrolment_body.txt", context)
        transaction.on_commit(lambda: send_mail(subject, body, None, [person.email]))
    return issued.record


def enrolment_code_spend(*, person: User, code: str, ip: str | None) -> ActivationCode:
    """Check the person's live enrolment code and spend it (raises ActivationError; wrong tries count as activation
    codes' do: per person and address, and per address). Audited."""
    record = activation_check(person=person, code=code, ip=ip, purpose=ENROLMENT)
    now = timezone.now()
    with transaction.atomic():
        code_spend(record, now=now)
        audit_record(actor=person, action="account.enrolment_code_used", obj=person, ip=ip,
                     details={"code_id": record.pk, "channel": record.channel})
    return record
