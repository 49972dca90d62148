"""The forms of the qualifications pages: HR's record of a qualification obtained elsewhere, its removal, and the
configuration (the kinds, each rank's required certificate). The services check again and say what is wrong."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import QualificationKind, RankRequirement

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class OutsideQualificationForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Kind of certificate or diploma"), queryset=QualificationKind.objects.none(),
                                  empty_label="—")
    number = forms.CharField(label=_("Number of the certificate or diploma"), max_length=64)
    issuer = forms.CharField(label=_("Issued by (institution)"), max_length=255)
    issued_on = forms.DateField(label=_("Date of issue (dd/mm/yyyy)"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    scan = forms.FileField(label=_("Scan of the paper (PDF, JPEG or PNG)"), required=False,
                           widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def __init__(self, *args, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = QualificationKind.objects.order_by("name")
        limit = settings.QUALIFICATION_SCAN_MAX_BYTES // (1024 * 1024)
        self.fields["scan"].help_text = (
            _("Only to replace the scan kept; at most %(mb)s MB.") if replacing else _("At most %(mb)s MB.")
        ) % {"mb": limit}


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class KindForm(forms.Form):
    name = forms.CharField(label=_("Name of the kind"), max_length=255)


class RequirementForm(forms.Form):
    """One rank's requirement; the kinds are read once for every rank's form (``kinds``)."""

    kind = forms.TypedChoiceField(label=_("Required certificate"), required=False, coerce=int, empty_value=None)
    equivalents = forms.TypedMultipleChoiceField(label=_("Also accepted as equivalent"), required=False, coerce=int,
                                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, kinds: list[QualificationKind], requirement: RankRequirement | None = None, **kwargs):
        if requirement is not None:
            kwargs.setdefault("initial", {"kind": requirement.kind_id,
                                          "equivalents": [k.pk for k in requirement.equivalents.all()]})
        super().__init__(*args, **kwargs)
        self.kinds = {kind.pk: kind for kind in kinds}
        choices = [(kind.pk, kind.name) for kind in kinds]
        self.fields["kind"].choices = [("", _("— no certificate required —")), *choices]
        self.fields["equivalents"].choices = choices

    def chosen(self) -> tuple[QualificationKind | None, list[QualificationKind]]:
        data = self.cleaned_data
        kind = self.kinds.get(data["kind"]) if data.get("kind") else None
        return kind, [self.kinds[pk] for pk in data.get("equivalents") or () if pk in self.kinds]
