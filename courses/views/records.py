"""The class head's records: scores and their import, discipline, the completion list, closing and corrections."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.class_records import (
    attendance_correct,
    completion_exported,
    discipline_add,
    discipline_remove,
    score_correct,
)
from courses.completion_list import class_outcomes, completion_xlsx
from courses.exports import scores_template_xlsx
from courses.forms import AttendanceCorrectionForm, DisciplineForm, ScoreCorrectionForm
from courses.models import Discipline
from courses.scores import import_course_scores
from courses.views.classes import xlsx_response
from courses.views.common import class_for, flow, import_page, upload_ready

RUN = "courses.run_class"
SCORES_IMPORT = flow("scores_import")


@login_required
@require_http_methods(["GET", "POST"])
def class_scores(request, pk: int):
    course_class = class_for(request, pk, RUN)
    context = {}
    if request.method == "POST":
        response, context = import_page(request, course_class=course_class, import_flow=SCORES_IMPORT,
                                        runner=import_course_scores, back="class_scores")
        if response is not None:
            return response
    requirements, rows = class_outcomes(course_class)
    return render(request, "courses/class_scores.html", {
        "course_class": course_class, "requirements": requirements, **upload_ready(context), "can_run": True,
        "assessments": course_class.programme.assessments.order_by("order"),
        "rows": [(row, [row.outcome.scores[r.code] for r in requirements]) for row in rows]})


@login_required
def scores_template(request, pk: int):
    course_class = class_for(request, pk, RUN)
    return xlsx_response(scores_template_xlsx(course_class), f"diem-{course_class.pk}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def class_completion(request, pk: int):
    """Who completes the class and why not; discipline recorded here; the list's workbook; closing; once closed,
    the audited corrections."""
    course_class = class_for(request, pk, RUN)
    if request.GET.get("format") == "xlsx":
        data, rows = completion_xlsx(course_class)
        completion_exported(course_class=course_class, rows=rows, actor=request.user)
        return xlsx_response(data, f"danh-sach-hoan-thanh-{course_class.pk}.xlsx")
    discipline = DisciplineForm(request.POST or None, course_class=course_class)
    if request.method == "POST" and discipline.is_valid():
        data = discipline.cleaned_data
        try:
            discipline_add(enrolment=data["enrolment"], level=data["level"], reason=data["reason"],
                           decided_on=data["decided_on"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The disciplinary measure is recorded."))
        return redirect("class_completion", pk=pk)
    return _completion_page(request, course_class, discipline=discipline)


def _completion_page(request, course_class, *, discipline=None, attendance_form=None, score_form=None):
    requirements, rows = class_outcomes(course_class)
    closed = course_class.closed_at is not None
    return render(request, "courses/class_completion.html", {
        "course_class": course_class, "requirements": requirements, "closed": closed, "can_run": True,
        "can_issue": request.user.has_perm("courses.issue_certificates", course_class),
        "rows": [(row, [row.outcome.scores[r.code] for r in requirements]) for row in rows],
        "completed": sum(row.outcome.completed for row in rows),
        "measures": Discipline.objects.filter(enrolment__course_class=course_class)
        .select_related("enrolment__person").order_by("decided_on", "pk"),
        "discipline_form": None if closed else discipline or DisciplineForm(course_class=course_class),
        "attendance_form": (attendance_form or AttendanceCorrectionForm(course_class=course_class)) if closed else None,
        "score_form": (score_form or ScoreCorrectionForm(course_class=course_class)) if closed else None})


@login_required
@require_POST
def discipline_delete(request, pk: int, measure: int):
    course_class = class_for(request, pk, RUN)
    found = get_object_or_404(Discipline, pk=measure, enrolment__course_class=course_class)
    try:
        discipline_remove(discipline=found, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The disciplinary measure is removed."))
    return redirect("class_completion", pk=pk)


@login_required
@require_POST
def class_correction(request, pk: int):
    """A closed class's mark or score corrected, with its reason (kept in the audit log)."""
    course_class = class_for(request, pk, RUN)
    kind = request.POST.get("kind")
    form_class = ScoreCorrectionForm if kind == "score" else AttendanceCorrectionForm
    form = form_class(request.POST, course_class=course_class)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "score":
                score_correct(enrolment=data["enrolment"], assessment=data["assessment"], attempt=data["attempt"],
                              value=data["value"], excused=data["excused"], reason=data["reason"],
                              actor=request.user)
            else:
                attendance_correct(enrolment=data["enrolment"], session=data["session"], mark=data["mark"],
                                   reason=data["reason"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Corrected; the correction and its reason are in the audit log."))
            return redirect("class_completion", pk=pk)
    return _completion_page(request, course_class, **({"score_form": form} if kind == "score"
                                                       else {"attendance_form": form}))
