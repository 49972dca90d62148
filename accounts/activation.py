"""Activation codes: how a person gets a permanent password without anyone else knowing it.

People come from HR imports and exam registrations without a password. HR issues a code from the person's page: a
printed slip (the code shown once), or, where outgoing mail works (``OUTGOING_MAIL_ENABLED``) and the person has an
email, a link sent to them. The code is stored hashed, works once and only for ``ACTIVATION_CODE_DAYS`` days, and a
new code voids the previous one. The person enters their login name (or CCCD) and the code on the public page, or
opens the link, and chooses a password (Django's validators); then they sign in normally. The same code is the
proof allauth's "set password" page asks for (accounts.forms.ActivationSetPasswordForm).

A code also serves a person who forgot their password and has no email: HR hands them a new one. With the enrolment
purpose the same mechanism gives a staff member's first authenticator its second proof (accounts/enrolment.py); a
code of one purpose never serves the other.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import limits
from accounts.models import ActivationCode, User
from accounts.services import audit_record
from accounts.sockets import sockets_close

# Read off paper and typed by people of every age: no 0/O, no 1/I/L.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PRINTED_LENGTH = 12  # about 59 bits: with the limits below, guessing is hopeless
LINK_LENGTH = 32  # nobody types a link's code
# Wrong codes per person (or per login name that matches nobody) and address: the lock lifts after the window. Keyed
# by the address too, so that a stranger typing someone's login name or CCCD locks only their own address, never the
# person (accounts/limits.py); with codes of about 59 bits the address cap below is what keeps guessing hopeless.
KEY_FAILURES = 5
KEY_WINDOW_S = 15 * 60
# Tries per address and minute, right or wrong: an exam room of 200 behind one NAT address activating together
# stays well below; only a script reaches it.
ADDRESS_TRIES = 300
ADDRESS_WINDOW_S = 60


class ActivationError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Issued:
    record: ActivationCode
    code: str  # in clear: shown once on the slip, or put in the emailed link, never stored

    @property
    def printable(self) -> str:
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))


def normalize_code(text: str) -> str:
    return "".join(text.split()).replace("-", "").upper()[:64]


def email_activation_available(person: User) -> bool:
    return bool(settings.OUTGOING_MAIL_ENABLED and person.email)


def person_for_login(login: str) -> User | None:
    """The active person with this login name (any case) or this CCCD."""
    text = (login or "").strip()
    if not text:
        return None
    people = User.objects.filter(is_active=True)
    if len(text) == 12 and text.isascii() and text.isdigit():
        return people.filter(cccd=text).first()
    return people.filter(username__iexact=text).first()


def live_code(person: User, purpose: str = ActivationCode.Purpose.ACTIVATION) -> ActivationCode | None:
    """The person's code of ``purpose`` that still works (for HR's page: never the code itself)."""
    return ActivationCode.objects.filter(person=person, purpose=purpose, used_at__isnull=True, voided_at__isnull=True,
                                         expires_at__gt=timezone.now()).first()


# --- issuing ------------------------------------------------------------------------------------------------------

def activation_code_issue(*, person: User, actor: User, channel: str = ActivationCode.Channel.PRINTED,
                          ip: str | None = None, purpose: str = ActivationCode.Purpose.ACTIVATION,
                          length: int | None = None, lifetime: dt.timedelta | None = None) -> Issued:
    """A new code of ``purpose`` for ``person``, voiding any earlier one of that purpose. Audited (never with the
    code). ``length`` and ``lifetime`` default to the channel's (a typed code or a link) and ACTIVATION_CODE_DAYS."""
    length = length or (LINK_LENGTH if channel == ActivationCode.Channel.EMAIL else PRINTED_LENGTH)
    code = "".join(secrets.choice(ALPHABET) for _n in range(length))
    now = timezone.now()
    with transaction.atomic():
        voided = ActivationCode.objects.filter(person=person, purpose=purpose, used_at__isnull=True,
                                               voided_at__isnull=True).update(voided_at=now)
        record = ActivationCode.objects.create(
            person=person, code_hash=make_password(code), channel=channel, purpose=purpose, issued_by=actor,
            issued_at=now, expires_at=now + (lifetime or dt.timedelta(days=settings.ACTIVATION_CODE_DAYS)))
        audit_record(actor=actor, action=f"person.{purpose}_code", obj=person, ip=ip,
                     details={"channel": channel, "code_id": record.pk, "expires_at": record.expires_at.isoformat(),
                              "voided": voided})
    return Issued(record, code)


def activation_link_send(*, person: User, actor: User, site_url: str, ip: str | None = None) -> ActivationCode:
    """Issue a code and email the person a link holding it (sent once the code is committed). ``site_url``: the
    scheme and host the link starts with."""
    if not email_activation_available(person):
        raise ActivationError("no_mail", _("This person has no email, or outgoing mail is not set up here."))
    with transaction.atomic():
        issued = activation_code_issue(person=person, actor=actor, channel=ActivationCode.Channel.EMAIL, ip=ip)
        link = site_url.rstrip("/") + reverse("activate_link", args=[issued.record.pk, issued.code])
        with translation.override(settings.LANGUAGE_CODE):
            context = {"person": person, "link": link, "expires_at": issued.record.expires_at}
            subject = render_to_string("accounts/email/activation_subject.txt", context).strip()
            body = render_to_string("accounts/email/activation_body.txt", context)
        transaction.on_commit(lambda: send_mail(subject, body, None, [person.email]))
    return issued.record


# --- redeeming ----------------------------------------------------------------------------------------------------

def activation_check(*, person: User | None, code: str, ip: str | None, login: str = "",
                     purpose: str = ActivationCode.Purpose.ACTIVATION) -> ActivationCode:
    """The person's live code of ``purpose`` if ``code`` is it; otherwise ActivationError, the wrong try counted
    against the person (or the login name that matched nobody) at this address, and every try against the address."""
    if ip and limits.count(f"activation-address:{ip}", ADDRESS_WINDOW_S) > ADDRESS_TRIES:
        raise ActivationError("busy", _("Too many tries from this network; wait a minute."))
    key = f"{purpose}-failures:{person.pk if person else 'login:' + login.strip().lower()[:150]}:{ip or '-'}"
    if limits.counted(key, KEY_WINDOW_S) >= KEY_FAILURES:
        raise ActivationError("locked", _("Too many wrong codes for this account; wait 15 minutes or ask HR for a "
                                          "new code."))
    record = live_code(person, purpose) if person is not None else None
    if record is None or not check_password(normalize_code(code), record.code_hash):
        if record is None:
            make_password(code)  # the same work as a real check: the time taken tells nothing
        limits.count(key, KEY_WINDOW_S)
        if purpose == ActivationCode.Purpose.ENROLMENT:
            raise ActivationError("bad_code", _("The enrolment code is wrong, or it was used, replaced or has "
                                                "expired. Ask HR for a new code."))
        raise ActivationError("bad_code", _("The login name or the activation code is wrong, or the code was used, "
                                            "replaced or has expired. Ask HR for a new code."))
    return record


def code_spend(record: ActivationCode, *, now: dt.datetime) -> None:
    """Mark a checked code used, once (compare-and-set): a second request with the same code that got there first
    wins. The caller holds the transaction the code's use belongs to."""
    spent = ActivationCode.objects.filter(pk=record.pk, used_at__isnull=True, voided_at__isnull=True,
                                          expires_at__gt=now).update(used_at=now)
    if spent != 1:
        raise ActivationError("bad_code", _("This activation code has just been used."))


def activation_redeem(*, person: User | None, code: str, password: str, ip: str | None, login: str = "") -> User:
    """Spend the code and set the password. Raises ActivationError (the code) or ValidationError (the password, which
    Django's validators refuse: the code is then still unused)."""
    record = activation_check(person=person, code=code, ip=ip, login=login)
    password_validation.validate_password(password, user=person)
    now = timezone.now()
    with transaction.atomic():
        code_spend(record, now=now)
        person.set_password(password)
        person.save(update_fields=["password"])
        audit_record(actor=person, action="account.activate", obj=person, ip=ip,
                     details={"code_id": record.pk, "channel": record.channel})
        sockets_close(user_id=person.pk)  # a new password ends every earlier session: their sockets too
    return person
