"""Forms of exam sessions (HR and council pages)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exams.sessions.models import (
    CouncilMember,
    Exam,
    InvigilatorAssignment,
    Quota,
    Registration,
    Room,
    Sitting,
    Subject,
)
from exams.sessions.presets import PRESETS
from exams.sessions.reference import EXEMPTIONS, FOREIGN_LANGUAGE, IT
from exams.sessions.services import prefixes_in_use

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"]
FILTER_HINT = _("Type to filter the list")  # site.js puts a search box before such a picker


class ExamCreateForm(forms.Form):
    preset = forms.ChoiceField(label=_("Preset"), choices=[(slug, p.name) for slug, p in PRESETS.items()])
    name = forms.CharField(label=_("Name"), max_length=255)
    quota = forms.IntegerField(label=_("Quota (empty: not set)"), required=False, min_value=0)
    cutoff = forms.DateField(label=_("Eligibility cut-off date"),
                             help_text=_("The date at which service years and the retirement exemption are counted."),
                             widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    prefix = forms.CharField(label=_("Candidate number prefix (empty: the preset's)"), required=False, max_length=8)

    def clean_prefix(self):
        return self.cleaned_data["prefix"].strip().upper()


TIE_BREAK_CHOICES = [
    ("", "—"), ("female", _("Female")), ("minority", _("Ethnic minority")), ("older", _("Older")),
    ("longer_service", _("Longer service")),
]
TIE_BREAK_STEPS = 4


class ExamForm(forms.ModelForm):
    """The exam's settings. The tie-break chain is chosen step by step from a list (never typed as codes)."""

    class Meta:
        model = Exam
        fields = ["name", "target_rank", "selects_winners", "quota", "quota_scope", "cutoff", "reprimand_rate", "warning_rate",
                  "show_score_at_end", "print_result_slip", "number_prefix", "admit_needs_invigilator",
                  "one_question_per_screen", "appeal_days", "appeal_fee", "marker_not_own_unit"]
        widgets = {"cutoff": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chain = list(self.instance.tie_break or [])
        for step in range(1, TIE_BREAK_STEPS + 1):
            self.fields[f"tie_break_{step}"] = forms.ChoiceField(
                label=_("Tie-break, step %(n)s") % {"n": step}, choices=TIE_BREAK_CHOICES, required=False)
            self.initial.setdefault(f"tie_break_{step}", chain[step - 1] if step <= len(chain) else "")

    def clean(self):
        data = super().clean()
        chain = [data[f"tie_break_{step}"] for step in range(1, TIE_BREAK_STEPS + 1) if data.get(f"tie_break_{step}")]
        if len(set(chain)) != len(chain):
            self.add_error("tie_break_1", _("Each criterion may be used once in the chain."))
        else:
            self.instance.tie_break = chain
        for field in ("reprimand_rate", "warning_rate"):
            value = data.get(field)
            if value is not None and not 0 <= value <= 1:
                self.add_error(field, _("A share between 0 and 1, e.g. 0.20."))
        return data

    def clean_number_prefix(self):
        prefix = self.cleaned_data["number_prefix"].strip().upper()
        if prefix != self.instance.number_prefix and self.instance.registrations.exists():
            raise forms.ValidationError(_("The candidates already have their numbers: the prefix cannot change."))
        if prefix in prefixes_in_use(exclude=self.instance):
            raise forms.ValidationError(_("Another exam in use numbers its candidates %(prefix)s…: choose another "
                                          "prefix.") % {"prefix": prefix})
        return prefix


class SubjectForm(forms.ModelForm):
    """A subject's rules, checked against each other; once the exam is scheduled they change only as a correction
    with its reason (kept in the audit log)."""

    correction_reason = forms.CharField(label=_("Reason for the correction"), required=False, max_length=500,
                                        help_text=_("Required once the exam is scheduled; kept in the audit log."))

    class Meta:
        model = Subject
        fields = ["code", "name", "format", "question_count", "duration_minutes", "blueprint", "scale", "pass_rule",
                  "is_gate", "exemptible", "ranks", "timing", "late_entry_minutes", "order", "mark_step",
                  "third_marking_gap", "third_marking_rule", "appeals_allowed"]

    FROZEN = Subject.FROZEN_WHEN_SCHEDULED

    @property
    def frozen(self) -> bool:
        return self.instance.exam.status not in (Exam.Status.DRAFT, Exam.Status.REGISTRATION)

    def clean(self):
        data = super().clean()
        if data.get("scale") is not None and data["scale"] <= 0:
            self.add_error("scale", _("The scale must be greater than 0."))
        if data.get("duration_minutes") is not None and data["duration_minutes"] <= 0:
            self.add_error("duration_minutes", _("The time allowed must be greater than 0 minutes."))
        blueprint, count = data.get("blueprint"), data.get("question_count")
        if blueprint is not None:
            drawn = sum(row.count for row in blueprint.rows.all())
            if count != drawn:
                self.add_error("question_count", _("The blueprint %(name)s draws %(drawn)s questions: the subject's "
                                                   "question count must be the same.")
                               % {"name": blueprint.name, "drawn": drawn})
        if data.get("format") == Subject.Format.COMPUTER and not count:
            self.add_error("question_count", _("A subject sat on the computer needs its number of questions."))
        if self.frozen and set(self.changed_data) & self.FROZEN and not (data.get("correction_reason") or "").strip():
            self.add_error("correction_reason", _("The exam is scheduled: say why the subject's rules change."))
        return data


class CouncilForm(forms.ModelForm):
    """Appoint a person to a seat; appointing them again on the same board changes their position."""

    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.filter(is_active=True).exclude(
        groups__name="candidate").order_by("full_name"), widget=forms.Select(attrs={"data-filter": FILTER_HINT}))

    class Meta:
        model = CouncilMember
        fields = ["user", "board", "position"]

    def __init__(self, *args, exam: Exam | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exam = exam

    def clean(self):
        data = super().clean()
        user, board, position = data.get("user"), data.get("board"), data.get("position")
        if self.exam is None or not (user and board and position):
            return data
        others = CouncilMember.objects.filter(exam=self.exam).exclude(user=user, board=board)
        P = CouncilMember.Position
        if position in (P.CHAIR, P.HEAD) and others.filter(board=board, position__in=[P.CHAIR, P.HEAD]).exists():
            holder = others.filter(board=board, position__in=[P.CHAIR, P.HEAD]).select_related("user").first()
            self.add_error("position", _("%(board)s already has a chair or head: %(name)s.")
                           % {"board": CouncilMember.Board(board).label, "name": holder.user.full_name})
        if position == P.SECRETARY and others.filter(position=P.SECRETARY).exists():
            holder = others.filter(position=P.SECRETARY).select_related("user").first()
            self.add_error("position", _("The exam already has a secretary: %(name)s.") % {"name": holder.user.full_name})
        return data

    def validate_unique(self):
        """The checks above say it in words; the constraints stay the last word (exams.sessions.services)."""


class RoomForm(forms.ModelForm):
    capacity = forms.IntegerField(label=_("Capacity (machines)"), min_value=1, max_value=1000)

    class Meta:
        model = Room
        fields = ["name", "location", "capacity"]

    def __init__(self, *args, exam: Exam | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exam = exam or (self.instance.exam if self.instance.exam_id else None)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self.exam is not None and self.exam.rooms.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The exam already has a room named “%(name)s”.") % {"name": name})
        return name


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
        if self.instance.pk and self.instance.opens_at:
            self.initial["opens_minutes"] = int((self.instance.starts_at - self.instance.opens_at).total_seconds() // 60)
            for name in ("starts_at", "ends_at"):
                self.initial[name] = timezone.localtime(getattr(self.instance, name)).strftime("%d/%m/%Y %H:%M")

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The sitting must end after it starts."))
        if data.get("starts_at") and data.get("opens_minutes") is not None:
            self.instance.opens_at = data["starts_at"] - timezone.timedelta(minutes=data["opens_minutes"])
        return data


class InvigilatorForm(forms.ModelForm):
    user = forms.ModelChoiceField(label=_("Invigilator"), queryset=User.objects.filter(
        groups__name="invigilator", is_active=True).order_by("full_name"),
        widget=forms.Select(attrs={"data-filter": FILTER_HINT}))

    class Meta:
        model = InvigilatorAssignment
        fields = ["sitting", "room", "user", "role"]

    def __init__(self, *args, exam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sitting"].queryset = Sitting.objects.filter(subject__exam=exam).select_related("subject")
        self.fields["room"].queryset = exam.rooms.all()

    def clean(self):
        data = super().clean()
        sitting, room, user = data.get("sitting"), data.get("room"), data.get("user")
        if sitting and room and user and InvigilatorAssignment.objects.filter(
                sitting=sitting, room=room, user=user).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("%(name)s is already assigned to %(room)s for this sitting.")
                                        % {"name": user.full_name, "room": room.name})
        return data

    def validate_unique(self):
        """Said in words by clean(); the constraint stays the last word."""


class RegistrationForm(forms.ModelForm):
    """What HR corrects on one registration by hand: the exemptions and the note (the rest is re-imported)."""

    exempt_foreign_language = forms.ChoiceField(label=_("Foreign-language exemption"), required=False, choices=[
        ("", "—"), *((code, label) for code, (label, kind) in EXEMPTIONS.items() if kind == FOREIGN_LANGUAGE)])
    exempt_it = forms.ChoiceField(label=_("Exempt from the IT test"), required=False, choices=[
        ("", "—"), *((code, label) for code, (label, kind) in EXEMPTIONS.items() if kind == IT)])

    class Meta:
        model = Registration
        fields = ["exempt_foreign_language", "exempt_it", "note"]


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
