from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from courses.models import ClassStaff, CourseClass, Institution, Module, Programme
from courses.presets import PRESETS


class ProgrammeCreateForm(forms.Form):
    preset = forms.ChoiceField(label=_("Programme preset"), choices=[(s, p.name) for s, p in PRESETS.items()])
    code = forms.CharField(label=_("Code (empty: the preset's)"), max_length=32, required=False)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "letterhead_line_1", "letterhead_line_2", "signer_title", "signer_name", "serial_prefix"]


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
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.filter(is_active=True).exclude(
        groups__name="candidate").order_by("full_name"), widget=forms.Select(attrs={"data-filter": _(
            "Type to filter the list")}))
    role = forms.ChoiceField(label=_("Role in the class"), choices=ClassStaff.Role.choices)
