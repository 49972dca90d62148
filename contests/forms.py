"""The organisers' forms (a contest, a group of participants, a round and a round's settings for one group) and
the participant's joining form, whose fields the sign-up also asks (contests/signup.py)."""
from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from contests.models import Contest, ContestGroup, Round, RoundGroup, Standing
from contests.participation import Joining
from exams import engine

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"]
DATETIME_INPUT = forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"})


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = ["name", "organiser", "rules_html", "min_age", "repeat_winners"]
        widgets = {"rules_html": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"rules_html": _("Paragraphs, lists, tables and links; anything else is removed.")}


class GroupForm(forms.ModelForm):
    class Meta:
        model = ContestGroup
        fields = ["name", "civil_servants", "order"]

    def __init__(self, *args, form_id: str = "", **kwargs):
        """``form_id``: the form element the fields belong to when they sit in a table row's cells."""
        super().__init__(*args, **kwargs)
        if form_id:
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class RoundForm(forms.ModelForm):
    opens_at = forms.DateTimeField(label=_("Opens at"), input_formats=DATETIME_FORMATS, widget=DATETIME_INPUT)
    closes_at = forms.DateTimeField(label=_("Closes at"), input_formats=DATETIME_FORMATS, widget=DATETIME_INPUT)

    class Meta:
        model = Round
        fields = ["opens_at", "closes_at", "attempts", "counts", "prediction_rule", "prediction_all_groups"]


class RoundGroupForm(forms.ModelForm):
    """A round's questions, time and prizes for one group; the blueprints are those the engine lets a host use."""

    blueprint_id = forms.TypedChoiceField(label=_("Blueprint"), coerce=int)

    class Meta:
        model = RoundGroup
        fields = ["group", "blueprint_id", "minutes", "first_prizes", "second_prizes", "third_prizes",
                  "consolation_prizes"]

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = contest.groups.all()
        self.fields["blueprint_id"].choices = [("", "—")] + [
            (b.id, _("%(name)s (%(bank)s, %(n)s questions)") % {"name": b.name, "bank": b.bank_name, "n": b.questions})
            for b in engine.blueprint_choices()]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DecideForm(forms.Form):
    prize = forms.ChoiceField(label=_("Prize"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, standing: Standing, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Standing.Prize.choices)
        self.fields["prize"].choices = [("", _("No prize"))] + [
            (p, labels[p]) for p in standing.contested.split(",") if p]


class NumberReleaseForm(forms.Form):
    number = forms.CharField(label=_("CCCD or phone number in dispute"), max_length=20)
    reason = forms.CharField(label=_("What the check of the dispute found"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class JoinForm(forms.Form):
    """What taking part asks of a person: their group, their unit or commune, a guardian under the minimum age, the
    consent. Joining asks only this; signing up asks it with the account's fields (``add_to``)."""

    group = forms.ModelChoiceField(label=_("Group of participants"), queryset=None, empty_label=None)
    unit = forms.ModelChoiceField(label=_("Your unit (civil servants)"), required=False,
                                  queryset=OrgUnit.objects.select_related("parent").order_by("path"))
    commune = forms.CharField(label=_("Your commune or ward (others)"), max_length=255, required=False)
    guardian = forms.CharField(label=_("Under the minimum age: the parent or guardian who consents"),
                               max_length=255, required=False)
    consent = forms.BooleanField(label=_(
        "I consent to the processing of my personal data for this contest (name, date of birth, unit or commune, "
        "phone and CCCD number, seen only by the organisers; the public lists show names and units)."),
        required=False)

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = contest.groups.all()

    @classmethod
    def add_to(cls, form: forms.BaseForm, contest: Contest) -> None:
        """Give ``form`` (the sign-up) these fields, for ``contest``."""
        form.fields.update(copy.deepcopy(cls.base_fields))
        form.fields["group"].queryset = contest.groups.all()

    @property
    def joining(self) -> Joining:
        return joining_from(self.cleaned_data)


def joining_from(data: dict) -> Joining:
    """The participation a valid joining (or sign-up) form asks for."""
    return Joining(group=data["group"], unit=data.get("unit"), commune=data.get("commune", ""),
                   consent=data.get("consent", False), guardian=data.get("guardian", ""))
