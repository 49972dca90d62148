"""The course manager's catalogue pages: the programmes, a new one from a preset, a programme's shape."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from courses import selectors
from courses.forms import InstitutionForm, ModuleFormSet, ProgrammeCreateForm, ProgrammeForm
from courses.models import Institution, Module, Programme
from courses.services import institution_save, programme_create, programme_update

MANAGE = "courses.manage_catalogue"


def _require(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def programme_list(request):
    _require(request)
    form = ProgrammeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(preset_slug=form.cleaned_data["preset"], code=form.cleaned_data["code"] or None,
                                         actor=request.user)
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, _("The programme %(code)s is created from its preset; its module titles are "
                                        "samples to replace.") % {"code": programme.code})
            return redirect("programme_detail", pk=programme.pk)
    return render(request, "courses/programme_list.html", {"programmes": selectors.programme_list(), "form": form})


@login_required
def programme_detail(request, pk: int):
    _require(request)
    try:
        programme = selectors.programme_detail(pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    return render(request, "courses/programme_detail.html", {
        "programme": programme, "total_periods": selectors.total_periods(programme)})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk: int):
    """The programme's own fields and its modules' titles and periods (the sample titles replaced here)."""
    _require(request)
    programme = get_object_or_404(Programme, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    modules = ModuleFormSet(request.POST or None, prefix="modules",
                            queryset=Module.objects.filter(part__programme=programme).select_related("part")
                            .order_by("part__order", "order"))
    if request.method == "POST" and form.is_valid() and modules.is_valid():
        changed = [m.instance for m in modules.forms if m.has_changed()]
        programme_update(programme=form.instance, modules=changed, changed=form.changed_data, actor=request.user)
        messages.success(request, _("The programme %(code)s is saved.") % {"code": programme.code})
        return redirect("programme_detail", pk=programme.pk)
    return render(request, "courses/programme_form.html", {"programme": programme, "form": form, "modules": modules})


@login_required
@require_http_methods(["GET", "POST"])
def institution_list(request):
    """The training institutions, as data: their letterheads, signers and certificate series."""
    _require(request)
    editing = get_object_or_404(Institution, pk=request.GET["edit"]) if request.GET.get("edit") else None
    form = InstitutionForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        institution = institution_save(institution=form.instance, actor=request.user)
        messages.success(request, _("Saved: %(name)s.") % {"name": institution.name})
        return redirect("institution_list")
    return render(request, "courses/institution_list.html", {
        "institutions": Institution.objects.all(), "form": form, "editing": editing})
