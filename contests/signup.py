"""Signing up for a contest (docs/contests.md, "Signing up"): the one place where people make their own accounts.

The form is allauth's sign-up form with the person's particulars, their group and place, their consent and a captcha
drawn here (django-simple-captcha); allauth's view, opened for this request only, checks the per-address limit, and
the account adapter (accounts/adapter.py) saves the person marked as signed up, out of HR's people register. A CCCD,
phone number or email already used by any account is refused with one message that says nothing of that account.
An organiser who has checked a dispute releases a number (audited), and its rightful holder signs up with it."""
from __future__ import annotations

import datetime as dt

from allauth.account.forms import SignupForm
from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import cells
from accounts.models import User, mask_cccd
from accounts.services import audit_record, client_ip
from accounts.vietnamese import normalize_name
from contests.forms import JoinForm, joining_from
from contests.models import Contest, Participant, Round
from contests.participation import Joining, check_joining, participant_join

# One message for a taken CCCD, phone or email, whoever holds it: it names no account and no other detail.
TAKEN = gettext_lazy(
    "This CCCD number, phone number or email is already used by an account. If the account is yours, sign in "
    "(someone in the people register who never had a password activates their account with the code HR gives); if "
    "it is not, ask the organisers to check it.")


def identity_taken(*, cccd: str, phone: str, email: str = "") -> bool:
    condition = Q(cccd=cccd) | Q(username__iexact=cccd) | Q(phone=phone)
    if email:
        condition |= Q(email__iexact=email)
    return User.objects.filter(condition).exists()


def signup_open(contest: Contest) -> bool:
    """A contest takes sign-ups once it has a group, until its last round closes."""
    if not contest.groups.exists():
        return False
    last = contest.rounds.aggregate(last=Max("closes_at"))["last"]
    return last is None or last > timezone.now()


class ContestSignupForm(SignupForm):
    """allauth's sign-up (email optional, password twice) with the contest's particulars. The login name is the CCCD
    number."""

    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    date_of_birth = forms.DateField(label=gettext_lazy("Date of birth"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                    widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}))
    gender = forms.ChoiceField(label=gettext_lazy("Gender"), choices=User.Gender.choices)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    cccd = forms.CharField(label=gettext_lazy("CCCD number (12 digits): your login name"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}))
    captcha = CaptchaField(label=gettext_lazy("Type the characters in the picture"), error_messages={
        "invalid": gettext_lazy("The characters do not match the picture: type the new ones.")})

    field_order = ["full_name", "date_of_birth", "gender", "phone", "cccd", "email", "group", "unit", "commune",
                   "guardian", "password1", "password2", "consent", "captcha"]

    def __init__(self, *args, contest: Contest, **kwargs):
        self.contest = contest
        super().__init__(*args, **kwargs)
        self.fields.pop("username", None)  # the CCCD number is the login name
        JoinForm.add_to(self, contest)
        self.order_fields(self.field_order)
        self.fields["email"].label = _("Email (optional)")

    def clean_full_name(self) -> str:
        words = normalize_name(self.cleaned_data["full_name"]).split(" ")
        if len(words) < 2:
            raise ValidationError(_("Give the family name and the given name."))
        return " ".join(word[:1].upper() + word[1:].lower() for word in words)  # as typed on a phone: "lê thị dân"

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate() or born.year < 1900:
            raise ValidationError(_("Check the date of birth."))
        return born

    def clean_phone(self) -> str:
        try:
            return cells.phone(self.cleaned_data["phone"])
        except cells.CellError as exc:
            raise ValidationError(str(exc)) from None

    def clean_cccd(self) -> str:
        value = self.cleaned_data["cccd"].strip()
        if not (len(value) == 12 and value.isascii() and value.isdigit()):
            raise ValidationError(_("The CCCD number must be exactly 12 digits."))
        return value

    def validate_unique_email(self, value: str) -> str:
        return value  # a taken email is refused with the CCCD and the phone (clean), in the same words

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["username"] = cleaned.get("cccd")
        if "captcha" in self.errors:
            return cleaned  # nothing is said about the numbers before the captcha is solved
        if cleaned.get("cccd") and cleaned.get("phone") and identity_taken(
                cccd=cleaned["cccd"], phone=cleaned["phone"], email=cleaned.get("email") or ""):
            self.add_error(None, TAKEN)
        if cleaned.get("group") and cleaned.get("date_of_birth"):
            try:
                check_joining(contest=self.contest, born=cleaned["date_of_birth"], joining=self.joining)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    @property
    def joining(self) -> Joining:
        return joining_from(self.cleaned_data)

    def try_save(self, request):
        """The account and its participation, together; two sign-ups racing with one number: the second
        is told the number is taken."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            self.add_error(None, TAKEN)
            return None, None

    def signup(self, request, user) -> None:
        """allauth's hook, once the account is saved."""
        participant_join(contest=self.contest, person=user, joining=self.joining)
        audit_record(actor=user, action="contest.signup", obj=user, ip=client_ip(request),
                     details={"contest": self.contest.pk})


def participant_session_until(user) -> dt.datetime | None:
    """A participant stays signed in until a week after the last round of their contests closes (at most
    CONTEST_SESSION_MAX_DAYS from now): registered with accounts.session_life."""
    last = Round.objects.filter(contest__participants__person=user).aggregate(last=Max("closes_at"))["last"]
    if last is None:
        if not Participant.objects.filter(person=user).exists():
            return None
        last = timezone.now()  # joined a contest whose rounds are not set yet
    cap = timezone.now() + dt.timedelta(days=settings.CONTEST_SESSION_MAX_DAYS)
    return min(last + dt.timedelta(days=7), cap)


def number_holder(number: str) -> User | None:
    """The account a CCCD or phone number is used by (for the organisers' release page)."""
    number = "".join(number.split())
    if not number:
        return None
    # a signed-up account first: a number the register also holds (HR added it later) is disputed with that account
    return User.objects.filter(Q(cccd=number) | Q(phone=number)).order_by("-self_registered", "pk").first()


def number_release(*, number: str, actor: User, reason: str, ip: str | None = None) -> User:
    """Take a disputed CCCD or phone number off the signed-up account that uses it, so its rightful holder can sign
    up; the account keeps its entries and loses the number (and its login name, when that was the CCCD). A number
    of the people register is HR's to correct, never released here."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Write why the number is released (what the check of the dispute found)."))
    holder = number_holder(number)
    if holder is None:
        raise ValidationError(_("No account uses this number."))
    if not holder.self_registered:
        raise ValidationError(_("This number belongs to a person of the people register: HR corrects it there."))
    number = "".join(number.split())
    released = {}
    if holder.cccd == number:
        released["cccd"] = mask_cccd(holder.cccd)
        holder.cccd = None
        if holder.username == number:
            holder.username = f"ts{holder.pk}"
    if holder.phone == number:
        released["phone"] = f"{number[:3]}****{number[-3:]}"
        holder.phone = ""
    with transaction.atomic():
        holder.save(update_fields=["cccd", "username", "phone"])
        audit_record(actor=actor, action="contest.number_release", obj=holder, ip=ip,
                     details={**released, "reason": reason[:500]})
    return holder
