"""Forms of exam sessions (HR and council pages)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exams.sessions.models import CouncilMember, Exam, InvigilatorAssignment, Quota, Room, Sitting, Subject
from exams.sessions.presets import PRESETS

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"]


class ExamCreateForm(forms.Form):
    preset = forms.ChoiceField(label=_("Preset"), choices=[(slug, p.name) for slug, p in PRESETS.items()])
    name = forms.CharField(label=_("Name"), max_length=255)
    quota = forms.IntegerField(label=_("Quota (empty: not set)"), required=False, min_value=0)
    cutoff = forms.DateField(label=_("Eligibility cut-off date"), required=False,
                             widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    prefix = forms.CharField(label=_("Candidate number prefix (empty: the preset's)"), required=False, max_length=8)


class ExamForm(forms.ModelForm):
    tie_break = forms.CharField(label=_("Tie-break chain (in order, comma-separated)"), required=False,
                                help_text=_("female, minority, older, longer_service"))

    class Meta:
        model = Exam
        fields = ["name", "target_rank", "selects_winners", "quota", "quota_scope", "cutoff", "reprimand_rate", "warning_rate",
                  "tie_break", "show_score_at_end", "print_result_slip", "number_prefix", "admit_needs_invigilator",
                  "one_question_per_screen", "appeal_days", "appeal_fee", "marker_not_own_unit"]
        widgets = {"cutoff": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})}

    ALLOWED_TIE_BREAKS = ("female", "minority", "older", "longer_service")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["tie_break"] = ", ".join(self.instance.tie_break or [])

    def clean_tie_break(self):
        items = [i.strip() for i in (self.cleaned_data.get("tie_break") or "").split(",") if i.strip()]
        unknown = [i for i in items if i not in self.ALLOWED_TIE_BREAKS]
        if unknown or len(set(items)) != len(items):
            raise forms.ValidationError(_("Use each of female, minority, older, longer_service at most once."))
        return items

    def clean(self):
        data = super().clean()
        for field in ("reprimand_rate", "warning_rate"):
            value = data.get(field)
            if value is not None and not 0 <= value <= 1:
                self.add_error(field, _("A share between 0 and 1, e.g. 0.20."))
        return data


class SubjectForm(forms.ModelForm):
    class Meta:
        model = Subject
        fields = ["code", "name", "format", "question_count", "duration_minutes", "blueprint", "scale", "pass_rule",
                  "is_gate", "exemptible", "ranks", "timing", "late_entry_minutes", "order", "mark_step",
                  "third_marking_gap", "third_marking_rule", "appeals_allowed"]


class CouncilForm(forms.ModelForm):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.filter(is_active=True).exclude(
        groups__name="candidate").order_by("full_name"))

    class Meta:
        model = CouncilMember
        fields = ["user", "board", "position"]


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "location", "capacity"]


class SittingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), input_formats=DATETIME_FORMATS,
                                    widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), input_formats=DATETIME_FORMATS,
                                  widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))
    opens_minutes = forms.IntegerField(label=_("Room opens (minutes before the start)"), initial=30, min_value=0,
                                       max_value=240)

    class Meta:
        model = Sitting
        fields = ["subject", "starts_at", "ends_at"]

    def __init__(self, *args, exam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = exam.subjects.all()

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The sitting must end after it starts."))
        if data.get("starts_at") and data.get("opens_minutes") is not None:
            self.instance.opens_at = data["starts_at"] - timezone.timedelta(minutes=data["opens_minutes"])
        return data


class InvigilatorForm(forms.ModelForm):
    user = forms.ModelChoiceField(label=_("Invigilator"), queryset=User.objects.filter(
        groups__name="invigilator", is_active=True).order_by("full_name"))

    class Meta:
        model = InvigilatorAssignment
        fields = ["sitting", "room", "user", "role"]

    def __init__(self, *args, exam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sitting"].queryset = Sitting.objects.filter(subject__exam=exam).select_related("subject")
        self.fields["room"].queryset = exam.rooms.all()


class ExamLoginForm(forms.Form):
    candidate_number = forms.CharField(label=_("Candidate number"), max_length=16,
                                       widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Exam password"), max_length=32,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    exam = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RoomCodeForm(forms.Form):
    code = forms.CharField(label=_("Room code (6 digits, from the invigilator)"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                         "autofocus": True, "pattern": "[0-9]{6}"}))


class RoomActionForm(forms.Form):
    """The console's actions share one form; each posts it to its own view (exams.examday.views.console), using what it needs."""

    registration = forms.IntegerField(required=False)
    minutes = forms.IntegerField(required=False, min_value=1, max_value=240)
    penalty = forms.ChoiceField(required=False, choices=[("", "—"), ("reprimand", _("Reprimand (khiển trách)")),
                                                         ("warning", _("Warning (cảnh cáo)")),
                                                         ("suspension", _("Suspended from the exam (đình chỉ thi)")),
                                                         ("cancellation", _("Result cancelled (hủy kết quả)"))])
    reason = forms.CharField(required=False, max_length=2000)


class SittingExtendForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=240)
    reason = forms.CharField(max_length=2000)


class QuotaForm(forms.ModelForm):
    """One group's quota: a unit when the exam's quota applies per unit, a rank group when per rank."""

    class Meta:
        model = Quota
        fields = ["unit", "rank", "seats"]

    def __init__(self, *args, exam: Exam, **kwargs):
        super().__init__(*args, **kwargs)
        self.exam = exam
        self.instance.exam = exam
        per_unit = exam.quota_scope == Exam.QuotaScope.UNIT
        self.fields["unit"].required = per_unit
        self.fields["rank"].required = exam.quota_scope == Exam.QuotaScope.TARGET_RANK
        self.fields["rank"].label = _("Current rank of the group")
        if exam.quota_scope == Exam.QuotaScope.EXAM:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        data = super().clean()
        if self.exam.quota_scope == Exam.QuotaScope.EXAM:
            raise forms.ValidationError(_("This exam has one quota for the whole exam; set it in the exam's rules."))
        unit, rank = data.get("unit"), data.get("rank")
        if self.exam.quota_scope == Exam.QuotaScope.UNIT:
            data["rank"] = None
            if unit is not None:
                self.instance = Quota.objects.filter(exam=self.exam, unit=unit).first() or self.instance
        elif rank is not None:
            data["unit"] = None
            self.instance = Quota.objects.filter(exam=self.exam, rank=rank).first() or self.instance
        self.instance.exam = self.exam
        return data
