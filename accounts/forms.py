from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SetPasswordForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationProfile, OrgUnit, Rank, User
from accounts.notices import AUDIENCE_LABELS
from accounts.roles import Role
from accounts.session_life import extend_session
from accounts.spreadsheets import XLSX_MAGIC
from accounts.vietnamese import normalize_name, search_key


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False,
                                  widget=forms.Select(attrs={"data-filter": _("Type to filter the list")}))
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *User.Gender.choices])
    rank = forms.ModelChoiceField(label=_("Rank"), queryset=Rank.objects.all(), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()


class PersonForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "date_of_birth", "gender", "ethnicity", "cccd", "phone", "email", "unit",
                  "position", "rank", "rank_since", "service_start"]
        widgets = {
            "unit": forms.Select(attrs={"data-filter": _("Type to filter the list")}),
            "date_of_birth": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
            "rank_since": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
            "service_start": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["date_of_birth"].required = True
        self.fields["gender"].required = True
        if units is not None:
            self.fields["unit"].queryset = units

    def clean_full_name(self):
        name = normalize_name(self.cleaned_data["full_name"])
        if len(name.split(" ")) < 2:
            raise forms.ValidationError(_("Give the family name and the given name."))
        return name

    def clean_cccd(self):
        value = (self.cleaned_data.get("cccd") or "").strip()
        if not value:
            return None
        if not (len(value) == 12 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("The CCCD number must be exactly 12 digits."))
        return value

    def clean_email(self):
        value = (self.cleaned_data.get("email") or "").strip().lower()
        if value and User.objects.filter(email=value).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This email belongs to another person."))
        return value


def upload_size_problem(upload) -> str | None:
    """Every import's first check: a file over MAX_IMPORT_FILE_BYTES is not even read."""
    if upload.size > settings.MAX_IMPORT_FILE_BYTES:
        return _("The file is too large (at most %(mb)s MB).") % {"mb": settings.MAX_IMPORT_FILE_BYTES // 1048576}
    return None


def starts_as_workbook(upload) -> bool:
    """Whether the file begins as an .xlsx (a zip) does, whatever its name says; the file is left at its start."""
    head = upload.read(len(XLSX_MAGIC))
    upload.seek(0)
    return head == XLSX_MAGIC


class SpreadsheetUploadForm(forms.Form):
    """The upload form of a spreadsheet import (accounts.import_flow); an import's options are added fields."""

    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        too_large = upload_size_problem(upload)
        if too_large:
            raise forms.ValidationError(too_large)
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Only Excel files (.xlsx) are accepted."))
        if not starts_as_workbook(upload):
            raise forms.ValidationError(_("The file is not a real Excel workbook."))
        return upload


class PeopleImportForm(SpreadsheetUploadForm):
    create_missing_units = forms.BooleanField(
        label=_("Create missing units written as a path (“child / parent”)"), required=False
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = OrganisationProfile
        fields = ["site_name", "authority_line_1", "authority_line_2", "province_name", "place_name",
                  "home_affairs_name", "signatory_title", "signatory_deputy_title", "signatory_name"]


class UnitForm(forms.Form):
    """A new unit: a top unit (the province, on a new installation) or one under a unit the officer manages."""

    name = forms.CharField(label=_("Unit name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Parent unit (empty: a top unit)"), queryset=OrgUnit.objects.none(),
                                    required=False,
                                    widget=forms.Select(attrs={"data-filter": _("Type to filter the list")}))
    kind = forms.ChoiceField(label=_("Kind of unit"), choices=OrgUnit.Kind.choices, initial=OrgUnit.Kind.OTHER)
    code = forms.CharField(label=_("Code (optional)"), max_length=32, required=False)

    def __init__(self, *args, parents, may_add_top: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.may_add_top = may_add_top

    def clean(self):
        data = super().clean()
        name, parent = normalize_name(data.get("name") or ""), data.get("parent")
        if parent is None and not self.may_add_top:
            self.add_error("parent", _("Choose the unit it belongs to."))
        siblings = OrgUnit.objects.filter(parent=parent, search_name=search_key(name))
        if name and siblings.exists():
            self.add_error("name", _("This unit already exists there."))
        code = (data.get("code") or "").strip()
        if code and OrgUnit.objects.filter(code=code).exists():
            self.add_error("code", _("Another unit has this code."))
        data["name"], data["code"] = name, code or None
        return data


class RolesForm(forms.Form):
    """The roles a person holds, as check boxes (only those the officer may grant can be changed)."""

    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple)
    hr_scope = forms.ModelChoiceField(
        label=_("HR scope (for HR staff)"), queryset=OrgUnit.objects.none(), required=False,
        help_text=_("HR staff manage the people of this unit and the units below it."))

    def __init__(self, *args, grantable: list[str], scopes=None, **kwargs):
        """``scopes``: the units the officer may give as an HR scope (their own and below); None when they cannot
        grant the HR role, and the field is left out."""
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(role.value, role.label) for role in Role if role.value in grantable]
        if scopes is None or Role.HR_STAFF.value not in grantable:
            del self.fields["hr_scope"]
        else:
            self.fields["hr_scope"].queryset = scopes

    def clean(self):
        data = super().clean()
        if "hr_scope" in self.fields and Role.HR_STAFF.value in data.get("roles", []) and not data.get("hr_scope"):
            self.add_error("hr_scope", _("Choose the unit whose people this HR officer manages."))
        return data


class NoticeForm(forms.Form):
    text = forms.CharField(label=_("Notice"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    audience = forms.ChoiceField(label=_("Send to"), required=False)

    def __init__(self, *args, audiences: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(a, AUDIENCE_LABELS[a]) for a in audiences]

    def clean_audience(self):
        """Empty: the widest audience the sender may address."""
        return self.cleaned_data["audience"] or self.fields["audience"].choices[0][0]


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    day_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    day_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))


class _NewPasswordForm(forms.Form):
    """The password the person chooses (Django's validators run when the code is spent, with the person known)."""

    password1 = forms.CharField(label=_("New password"), strip=False,
                                help_text=lazy(password_validation.password_validators_help_text_html, str)(),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class ActivationForm(_NewPasswordForm):
    login = forms.CharField(label=_("Login name or CCCD number"), max_length=150,
                            widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    code = forms.CharField(label=_("Activation code"), max_length=64,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
    field_order = ["login", "code", "password1", "password2"]


class ActivationLinkForm(_NewPasswordForm):
    pass


class ActivationSetPasswordForm(SetPasswordForm):
    """allauth's "set password" page (settings.ACCOUNT_FORMS): a session alone is no proof, so a first password
    needs a live activation code here too, which this form spends (accounts/activation.py)."""

    code = forms.CharField(label=_("Activation code"), max_length=64,
                           help_text=_("The code on the slip HR gave you, or in the link sent to your email."))
    field_order = ["code", "password1", "password2"]

    def clean(self):
        from accounts.activation import ActivationError, activation_check

        cleaned = super().clean()
        if cleaned.get("code") and not self.has_error("password1") and not self.has_error("password2"):
            try:
                activation_check(person=self.user, code=cleaned["code"], ip=None)
            except ActivationError as exc:
                self.add_error("code", exc.message)
        return cleaned

    def save(self) -> None:
        from accounts.activation import activation_redeem

        activation_redeem(person=self.user, code=self.cleaned_data["code"], password=self.cleaned_data["password1"],
                          ip=None)


class EnrolmentActivateTOTPForm(ActivateTOTPForm):
    """allauth's TOTP activation (settings.MFA_FORMS): a staff member's first authenticator also needs an enrolment
    code (accounts/enrolment.py), spent once both codes are right. Anyone else sees allauth's form unchanged."""

    def __init__(self, *args, **kwargs):
        from accounts.activation import email_activation_available
        from accounts.enrolment import enrolment_code_required

        super().__init__(*args, **kwargs)
        self.needs_enrolment_code = enrolment_code_required(self.user)
        self.can_email_enrolment_code = email_activation_available(self.user)
        if self.needs_enrolment_code:
            self.fields["enrolment_code"] = forms.CharField(
                label=_("Enrolment code"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                help_text=_("A staff account's first authenticator needs a second proof besides the password: the "
                            "code on the slip HR gave you, or the one sent to your email."))

    def clean(self):
        from allauth.core import context

        from accounts.activation import ActivationError
        from accounts.enrolment import enrolment_code_spend
        from accounts.services import client_ip

        cleaned = super().clean()
        if self.needs_enrolment_code and cleaned.get("enrolment_code") and not self.errors:
            try:
                enrolment_code_spend(person=self.user, code=cleaned["enrolment_code"], ip=client_ip(context.request))
            except ActivationError as exc:
                self.add_error("enrolment_code", exc.message)
        return cleaned


class LoginForm(AllauthLoginForm):
    """allauth's login; then the session gets the life an app gives its person (accounts/session_life.py): a contest's
    participant stays signed in for the contest."""

    def login(self, request, redirect_url=None):
        response = super().login(request, redirect_url)
        if request.user.is_authenticated:
            extend_session(request, request.user)
        return response
