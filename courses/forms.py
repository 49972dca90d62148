from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Institution, Module, Programme
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
