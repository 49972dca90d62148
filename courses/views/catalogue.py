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
from courses.forms import (
    AssessmentFormSet,
    ClassForm,
    InstitutionForm,
    ModuleFormSet,
    ProgrammeCreateForm,
    ProgrammeForm,
)
from courses.models import CourseClass, Institution, Module, Programme
from courses.services import (
    class_create,
    institution_save,
    programme_create,
    programme_update,
)

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
    form = ProgrammeForm(request.POST or None, instance=Programme.objects.get(pk=pk))  # a copy: the service writes
    modules = ModuleFormSet(request.POST or None, prefix="modules",
                            queryset=Module.objects.filter(part__programme=programme).select_related("part")
                            .order_by("part__order", "order"))
    assessments = AssessmentFormSet(request.POST or None, prefix="assessments",
                                    queryset=programme.assessments.order_by("order"))
    if request.method == "POST" and form.is_valid() and modules.is_valid() and assessments.is_valid():
        saved = programme_update(
            programme=programme, fields={name: form.cleaned_data[name] for name in form.changed_data},
            modules={m.instance.pk: {"title": m.cleaned_data["title"], "periods": m.cleaned_data["periods"]}
                     for m in modules.forms if m.has_changed()},
            assessments={a.instance.pk: {name: a.cleaned_data[name] for name in a.changed_data}
                         for a in assessments.forms if a.has_changed()}, actor=request.user)
        if saved.pk != programme.pk:
            messages.success(request, _("A class of version %(old)s has started: the changes make version %(new)s, "
                                        "and the running classes keep theirs.")
                             % {"old": programme.version, "new": saved.version})
        else:
            messages.success(request, _("The programme %(code)s is saved.") % {"code": programme.code})
        return redirect("programme_detail", pk=saved.pk)
    return render(request, "courses/programme_form.html", {"programme": programme, "form": form, "modules": modules,
                                                           "assessments": assessments})


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


@login_required
@require_http_methods(["GET", "POST"])
def class_list(request):
    """The classes, newest first, and a new class of a programme's newest version; a lecturer sees the classes
    they head or teach."""
    if not request.user.has_perm(MANAGE):
        if not request.user.has_perm("courses.teach"):
            raise PermissionDenied
        classes = CourseClass.objects.filter(staff__user=request.user).distinct().select_related("programme")
        return render(request, "courses/class_list.html", {"classes": classes.order_by("-starts_on", "name")})
    form = ClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course_class = class_create(programme=data["programme"], name=data["name"], starts_on=data["starts_on"],
                                        ends_on=data["ends_on"], venue=data["venue"], mode=data["mode"],
                                        capacity=data["capacity"], actor=request.user)
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("The class %(name)s is created.") % {"name": course_class.name})
            return redirect("class_detail", pk=course_class.pk)
    classes = CourseClass.objects.select_related("programme").order_by("-starts_on", "name")
    return render(request, "courses/class_list.html", {"classes": classes, "form": form})
