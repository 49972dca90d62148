from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import (
    Assessment,
    Attendance,
    ClassStaff,
    CourseClass,
    Discipline,
    Enrolment,
    Institution,
    Module,
    Programme,
    Session,
)
from courses.presets import PRESETS


class ProgrammeCreateForm(forms.Form):
    preset = forms.ChoiceField(label=_("Programme preset"), choices=[(s, p.name) for s, p in PRESETS.items()])
    code = forms.CharField(label=_("Code (empty: the preset's)"), max_length=32, required=False)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "letterhead_line_1", "letterhead_line_2", "place_name", "signer_title", "signer_name",
                  "serial_prefix", "form_offset_x_mm", "form_offset_y_mm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("form_offset_x_mm", "form_offset_y_mm"):  # empty: no shift (most printers need none)
            self.fields[name].required = False

    def _offset(self, name: str) -> Decimal:
        value = self.cleaned_data.get(name)
        return Decimal(0) if value is None else value

    def clean_form_offset_x_mm(self) -> Decimal:
        return self._offset("form_offset_x_mm")

    def clean_form_offset_y_mm(self) -> Decimal:
        return self._offset("form_offset_y_mm")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "institution", "legal_basis", "attendance_threshold", "target_position"]


class ModuleForm(forms.ModelForm):
    """A module's title and periods (its code and kind follow from its place in the programme)."""

    class Meta:
        model = Module
        fields = ["title", "periods"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the table's header names the columns; a screen reader names each cell
            field.widget.attrs["aria-label"] = f"{self.instance.code} – {field.label}"


ModuleFormSet = forms.modelformset_factory(Module, form=ModuleForm, extra=0)


class AssessmentForm(forms.ModelForm):
    """An assessment's name, weight, pass mark, retakes and which try counts (its code names it in score sheets)."""

    class Meta:
        model = Assessment
        fields = ["name", "weight", "pass_mark", "retakes", "counts"]
        localized_fields = ["weight", "pass_mark"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pass_mark"].validators.append(MaxValueValidator(Decimal(10)))
        self.fields["retakes"].max_value = 5
        self.fields["retakes"].validators.append(MaxValueValidator(5))
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{self.instance.code} – {field.label}"


AssessmentFormSet = forms.modelformset_factory(Assessment, form=AssessmentForm, extra=0)


DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class ClassForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    name = forms.CharField(label=_("Class name (e.g. K60)"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    venue = forms.CharField(label=_("Venue"), max_length=255, required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=CourseClass.Mode.choices)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        newest = {}
        for programme in Programme.objects.order_by("code", "-version"):
            newest.setdefault(programme.code, programme.pk)
        self.fields["programme"].queryset = Programme.objects.filter(pk__in=newest.values()).order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The class must end on or after the day it starts."))
        return data


class ClassStaffForm(forms.Form):
    # Only a lecturer (the staff role, with its second factor) heads or teaches a class.
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.filter(
        is_active=True, groups__name="lecturer").order_by("full_name"), widget=forms.Select(attrs={"data-filter": _(
            "Type to filter the list")}))
    role = forms.ChoiceField(label=_("Role in the class"), choices=ClassStaff.Role.choices)


class _ClassForm(forms.Form):
    """A form about one class's learners (and sessions, assessments)."""

    enrolment = forms.ModelChoiceField(label=_("Learner"), queryset=Enrolment.objects.none())

    def __init__(self, *args, course_class: CourseClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = course_class.enrolments.select_related("person").order_by(
            "person__full_name")
        self.fields["enrolment"].label_from_instance = lambda e: f"{e.person.full_name} ({e.person.cccd_masked})"


class DisciplineForm(_ClassForm):
    level = forms.ChoiceField(label=_("Level"), choices=Discipline.Level.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_INPUT, input_formats=["%d/%m/%Y", "%Y-%m-%d"])


class _CorrectionForm(_ClassForm):
    reason = forms.CharField(label=_("Why it is corrected"), max_length=500, min_length=5)


class AttendanceCorrectionForm(_CorrectionForm):
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none())
    mark = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Mark.choices)
    field_order = ["enrolment", "session", "mark", "reason"]

    def __init__(self, *args, course_class: CourseClass, **kwargs):
        super().__init__(*args, course_class=course_class, **kwargs)
        self.fields["session"].queryset = course_class.sessions.order_by("date", "half")


class ScoreCorrectionForm(_CorrectionForm):
    assessment = forms.ModelChoiceField(label=_("Assessment"), queryset=Assessment.objects.none())
    attempt = forms.IntegerField(label=_("Try"), min_value=1, max_value=9, initial=1)
    value = forms.DecimalField(label=_("Score (empty when excused)"), min_value=0, max_value=10, decimal_places=2,
                               required=False, localize=True)
    excused = forms.BooleanField(label=_("Excused from this try"), required=False)
    field_order = ["enrolment", "assessment", "attempt", "value", "excused", "reason"]

    def __init__(self, *args, course_class: CourseClass, **kwargs):
        super().__init__(*args, course_class=course_class, **kwargs)
        self.fields["assessment"].queryset = course_class.programme.assessments.order_by("order")
