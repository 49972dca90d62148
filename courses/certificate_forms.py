"""The forms of issuing and checking certificates (docs/certificates.md)."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.forms import DATE_INPUT

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_INPUT, input_formats=DATE_FORMATS, **kwargs)


class IssueForm(forms.Form):
    issued_on = _date(_("Issued on"))
    decision_number = forms.CharField(label=_("Number of the decision on issuing (if already signed)"), max_length=64,
                                      required=False)
    decision_date = _date(_("Date of the decision (if already signed)"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"issued_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if bool(data.get("decision_number", "").strip()) != bool(data.get("decision_date")):
            raise forms.ValidationError(_("Give both the decision's number and its date, or neither (the draft "
                                          "decision is then downloaded to be signed)."))
        return data


class ReplaceForm(forms.Form):
    """A reissue on correction or a completion certification for a lost certificate."""
    reason = forms.CharField(label=_("Reason"), max_length=500, min_length=5)
    issued_on = _date(_("Issued on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"issued_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, min_length=5)


class LookupForm(forms.Form):
    """A certificate found by its serial number and its holder's date of birth, both needed (the register cannot
    be listed by counting serials)."""
    serial = forms.CharField(label=_("Serial number"), max_length=64)
    birth_date = _date(_("Holder's date of birth"))

    def clean_serial(self) -> str:
        return " ".join(self.cleaned_data["serial"].split()).upper()
