"""The filter of HR's qualification report: a unit of the user's scope and, optionally, a kind of qualification."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, QualificationKind


class QualificationReportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False,
                                  empty_label=_("All units of my scope"),
                                  widget=forms.Select(attrs={"data-filter": _("Type to filter the list")}))
    kind = forms.ModelChoiceField(label=_("Kind of qualification"), queryset=QualificationKind.objects.all(),
                                  required=False, empty_label=_("All kinds"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
