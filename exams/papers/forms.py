"""Forms of the blueprint and paper-set pages."""
from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from exams.papers.models import Blueprint, BlueprintRow


class BlueprintForm(forms.ModelForm):
    class Meta:
        model = Blueprint
        fields = ["name", "scale"]


class BlueprintRowForm(forms.ModelForm):
    class Meta:
        model = BlueprintRow
        fields = ["topic", "difficulty", "kind", "count", "points"]

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = bank.topics.all()
        for field in self.fields.values():  # the table's header names the columns; a screen reader names each cell
            field.widget.attrs.setdefault("aria-label", capfirst(field.label))


class BlueprintRowFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Remove")


class PaperSetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    seed = forms.CharField(label=_("Seed"), max_length=64, help_text=_("The same seed always draws the same papers."))
    candidates = forms.CharField(label=_("Candidates (one per line: candidate number or name)"),
                                 widget=forms.Textarea(attrs={"rows": 6}))
    variants = forms.IntegerField(label=_("Number of exam codes (empty: one paper per candidate)"), required=False,
                                  min_value=1, max_value=99)

    def candidate_refs(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["candidates"].splitlines() if line.strip()]
