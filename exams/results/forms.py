"""Forms of the results pages (council and HR): filters, the tie decision, publication, a new version."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import SpreadsheetUploadForm
from exams.results.models import CandidateResult
from exams.results.selectors import OUTCOME_LABELS

DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class ResultsFilterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Result"), required=False,
                                choices=[("", _("All")), *((value, OUTCOME_LABELS[value])
                                                          for value in CandidateResult.Outcome.values)])
    q = forms.CharField(label=_("Name or candidate number"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))


class ComputeForm(forms.Form):
    """Recompute the draft; after approval the same button opens a new version, which needs a reason."""

    reason = forms.CharField(label=_("Reason for the new version"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = needs_reason


class TieResolveForm(forms.Form):
    """Which of the tied candidates take the places left; the page names the tie in a plain ``group`` field."""

    chosen = forms.TypedMultipleChoiceField(label=_("Given the place(s)"), coerce=int,
                                            widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason for the decision"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tied: list[int], places: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["chosen"].choices = [(pk, pk) for pk in tied]

    def clean_chosen(self):
        chosen = self.cleaned_data["chosen"]
        if len(set(chosen)) != self.places:
            raise forms.ValidationError(_("Choose exactly %(places)s of the tied candidates.")
                                        % {"places": self.places})
        return chosen


class PublishForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=32,
                                      widget=forms.TextInput(attrs={"placeholder": "123/QĐ-UBND"}))
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE_INPUT,
                                    input_formats=["%d/%m/%Y", "%Y-%m-%d"])


class ScoreUploadForm(SpreadsheetUploadForm):
    correction = forms.BooleanField(
        label=_("These scores correct approved results (they go into a new results version)"), required=False)
