"""A class's pages: its overview (schedule, staff), its learners and their import, closing it."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.class_records import class_close, enrolment_remove
from courses.exports import learner_template_xlsx
from courses.forms import ClassStaffForm
from courses.learners import import_learners
from courses.models import Enrolment
from courses.schedule import import_schedule
from courses.services import class_staff_add
from courses.views.common import class_for, flow, import_page, upload_ready

MANAGE = "courses.manage_catalogue"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHEDULE_IMPORT = flow("schedule_import")
LEARNER_IMPORT = flow("learner_import")


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def class_detail(request, pk: int):
    """The class: its dates, schedule (each session's attendance), head and lecturers; the course manager assigns
    them and imports the schedule here."""
    course_class = class_for(request, pk, "courses.view_class")
    manager = request.user.has_perm(MANAGE)
    form = ClassStaffForm(request.POST or None) if manager else None
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        if form.is_valid():
            class_staff_add(course_class=course_class, user=form.cleaned_data["user"],
                            role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, _("Saved."))
            return redirect("class_detail", pk=pk)
    return _class_page(request, course_class, form, {})


@login_required
@require_POST
def class_schedule(request, pk: int):
    """The schedule import of a class: check the file (every row), then confirm (all or nothing)."""
    course_class = class_for(request, pk, MANAGE)
    response, context = import_page(request, course_class=course_class, import_flow=SCHEDULE_IMPORT,
                                    runner=import_schedule, back="class_detail")
    return response or _class_page(request, course_class, ClassStaffForm(), context)


def _class_page(request, course_class, staff_form, import_context: dict):
    return render(request, "courses/class_detail.html", {
        "course_class": course_class, "form": staff_form, **upload_ready(import_context),
        "can_run": request.user.has_perm("courses.run_class", course_class),
        "can_issue": request.user.has_perm("courses.issue_certificates", course_class),
        "learner_count": course_class.enrolments.count(),
        "staff": course_class.staff.select_related("user").order_by("role", "user__full_name"),
        "sessions": course_class.sessions.select_related("module", "lecturer").order_by("date", "half")})


@login_required
@require_http_methods(["GET", "POST"])
def class_learners(request, pk: int):
    """The class's learners, and the import of its list (the course manager)."""
    course_class = class_for(request, pk, "courses.view_class")
    context = {}
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            raise PermissionDenied
        response, context = import_page(request, course_class=course_class, import_flow=LEARNER_IMPORT,
                                        runner=import_learners, back="class_learners")
        if response is not None:
            return response
    return render(request, "courses/class_learners.html", {
        "course_class": course_class, "manager": request.user.has_perm(MANAGE), **upload_ready(context),
        "can_run": request.user.has_perm("courses.run_class", course_class),
        "enrolments": course_class.enrolments.select_related("person__unit__parent").order_by("list_order", "pk")})


@login_required
def learner_template(request, pk: int):
    course_class = class_for(request, pk, MANAGE)
    return xlsx_response(learner_template_xlsx(), f"hoc-vien-{course_class.pk}.xlsx")


@login_required
@require_POST
def learner_remove(request, pk: int, enrolment: int):
    course_class = class_for(request, pk, MANAGE)
    found = get_object_or_404(Enrolment.objects.select_related("person"), pk=enrolment, course_class=course_class)
    try:
        enrolment_remove(enrolment=found, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(name)s is no longer on the class's list.") % {"name": found.person.full_name})
    return redirect("class_learners", pk=pk)


@login_required
@require_POST
def class_close_view(request, pk: int):
    course_class = class_for(request, pk, "courses.run_class")
    try:
        class_close(course_class=course_class, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The class is closed: its marks and scores now change only through a "
                                    "correction."))
    return redirect("class_completion", pk=pk)
