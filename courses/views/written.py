"""Written work's pages (docs/courses.md, "Written work"): the class's assignments (the class head or the course
manager sets them and their rubric), each assignment's learners and the grading of their latest upload (the class's
lecturers too), the learner's own page with the upload, and the file behind a permission check."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import Assessment, Assignment, CourseClass, Enrolment, Submission
from courses.uploads import WRITTEN, check_upload, serve_private
from courses.views.common import class_for
from courses.written import (
    WRITTEN_KINDS,
    assignment_create,
    assignment_delete,
    assignment_update,
    grade_save,
    submission_upload,
)
from courses.written_selectors import (
    assignment_roster,
    class_assignments,
    learner_assignment,
    learner_uploads,
    submission_history,
)

GRADE = "courses.grade_work"
RUN = "courses.run_class"
LEARN = "courses.learn"
DEADLINE_FORMATS = ["%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
RUBRIC_LINES = 6  # rows of the rubric's form: at least this many, and two empty ones past the last line


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of written work"), choices=Assignment.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title of the assignment"), max_length=255)
    instructions = forms.CharField(label=gettext_lazy("Instructions for the learners"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateTimeField(label=gettext_lazy("Deadline (dd/mm/yyyy hh:mm)"), input_formats=DEADLINE_FORMATS,
                                   widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M",
                                                              attrs={"placeholder": "dd/mm/yyyy hh:mm"}))
    assessment = forms.ModelChoiceField(label=gettext_lazy("The grade is the score of"), required=False,
                                        queryset=Assessment.objects.none(),
                                        empty_label=gettext_lazy("— no assessment (the grade stays here) —"))

    def __init__(self, *args, course_class: CourseClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = course_class.programme.assessments.filter(
            kind__in=WRITTEN_KINDS).order_by("order")


class CriterionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Criterion"), max_length=255, required=False)
    points = forms.DecimalField(label=gettext_lazy("Points"), max_digits=4, decimal_places=2, required=False,
                                localize=True)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=0)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Your work (PDF or Word .docx)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}))

    def clean_file(self):
        return check_upload(self.cleaned_data.get("file"), kinds=WRITTEN,
                            max_bytes=settings.COURSE_WRITTEN_MAX_BYTES)


def _shown(value) -> str:
    return localize(value) if isinstance(value, Decimal) else str(value)


def _assignment_of(course_class: CourseClass, pk: int) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("assessment"), pk=pk, course_class=course_class)


# --- the staff's pages ------------------------------------------------------------------------------------------

@login_required
def written_list(request, pk: int):
    """The class's written assignments with how many learners handed in, late and graded."""
    course_class = class_for(request, pk, GRADE)
    return render(request, "courses/written_list.html", {
        "course_class": course_class, "rows": class_assignments(course_class),
        "can_run": request.user.has_perm(RUN, course_class)})


def _rubric(request, lines) -> tuple[forms.BaseFormSet, list[tuple[str, object]] | None]:
    """The rubric's formset, bound on a POST, and its filled lines (None while a line is not valid)."""
    if request.method == "POST":
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if not formset.is_valid():
            return formset, None
        filled = [(f.cleaned_data.get("name", ""), f.cleaned_data.get("points")) for f in formset
                  if f.cleaned_data.get("name") or f.cleaned_data.get("points") is not None]
        return formset, filled
    initial = [{"name": name, "points": points} for name, points in lines]
    initial += [{}] * max(2, RUBRIC_LINES - len(initial))
    return CriterionFormSet(initial=initial, prefix="criteria"), None


def _assignment_form(request, course_class: CourseClass, assignment: Assignment | None):
    lines = [(c.name, c.points) for c in assignment.criteria.order_by("order")] if assignment else []
    initial = {} if assignment is None else {
        "kind": assignment.kind, "title": assignment.title, "instructions": assignment.instructions,
        "deadline": assignment.deadline, "assessment": assignment.assessment_id}
    form = AssignmentForm(request.POST or None, course_class=course_class, initial=initial)
    formset, filled = _rubric(request, lines)
    if request.method == "POST" and form.is_valid() and filled is not None:
        data = form.cleaned_data
        fields = {"kind": data["kind"], "title": data["title"], "instructions": data["instructions"],
                  "assessment": data["assessment"], "deadline": data["deadline"], "criteria": filled,
                  "actor": request.user}
        try:
            if assignment is None:
                saved = assignment_create(course_class=course_class, **fields)
            else:
                saved = assignment_update(assignment=assignment, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("written_assignment", pk=course_class.pk, assignment=saved.pk)
    graded = assignment is not None and assignment.submissions.filter(grades__isnull=False).exists()
    return render(request, "courses/written_form.html", {
        "course_class": course_class, "assignment": assignment, "form": form, "formset": formset,
        "graded": graded, "can_run": True})


@login_required
@require_http_methods(["GET", "POST"])
def written_create(request, pk: int):
    return _assignment_form(request, class_for(request, pk, RUN), None)


@login_required
@require_http_methods(["GET", "POST"])
def written_edit(request, pk: int, assignment: int):
    course_class = class_for(request, pk, RUN)
    return _assignment_form(request, course_class, _assignment_of(course_class, assignment))


@login_required
@require_POST
def written_delete(request, pk: int, assignment: int):
    course_class = class_for(request, pk, RUN)
    found = _assignment_of(course_class, assignment)
    try:
        assignment_delete(assignment=found, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("written_assignment", pk=pk, assignment=found.pk)
    messages.success(request, _("The assignment is deleted."))
    return redirect("written_list", pk=pk)


@login_required
def written_assignment(request, pk: int, assignment: int):
    """One assignment: its rubric, and every learner of the class with their latest upload and its grade."""
    course_class = class_for(request, pk, GRADE)
    found = _assignment_of(course_class, assignment)
    return render(request, "courses/written_assignment.html", {
        "course_class": course_class, "assignment": found, "criteria": list(found.criteria.order_by("order")),
        "rows": assignment_roster(found), "can_run": request.user.has_perm(RUN, course_class)})


@login_required
@require_http_methods(["GET", "POST"])
def written_grade(request, pk: int, submission: int):
    """Grading one upload: the points per criterion, comments, and for a regrade its reason; the versions so far."""
    course_class = class_for(request, pk, GRADE)
    found = get_object_or_404(Submission.objects.select_related("assignment__course_class", "enrolment__person"),
                              pk=submission, assignment__course_class=course_class)
    criteria, history = submission_history(found)
    uploads = learner_uploads(found)
    latest = history[0][0] if history else None
    error = ""
    values = {str(line.criterion.pk): line.points for line in history[0][1]} if history else {}
    comment, reason = (latest.comment if latest else ""), ""
    if request.method == "POST":
        values = {str(c.pk): request.POST.get(f"points-{c.pk}", "") for c in criteria}
        comment, reason = request.POST.get("comment", ""), request.POST.get("reason", "")
        try:
            seen = int(request.POST.get("seen_version", ""))
        except ValueError:
            seen = None
        try:
            grade_save(submission=found, points=values, comment=comment, reason=reason, actor=request.user,
                       seen_version=seen)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The grade is saved."))
            return redirect("written_assignment", pk=pk, assignment=found.assignment_id)
    return render(request, "courses/written_grade.html", {
        "course_class": course_class, "assignment": found.assignment, "submission": found, "error": error,
        "rows": [(c, _shown(values.get(str(c.pk), ""))) for c in criteria], "comment": comment, "reason": reason,
        "history": history, "latest": latest, "uploads": uploads,
        "is_latest": bool(uploads) and uploads[0].pk == found.pk,
        "can_run": request.user.has_perm(RUN, course_class)})


# --- the file, for its learner and the class's staff ---------------------------------------------------------------

@login_required
def written_file(request, pk: int):
    """The uploaded file, to the learner who handed it in and to the class's lecturers, head and the course
    manager; anyone else is told it does not exist. A PDF opens in the browser; a .docx downloads."""
    found = get_object_or_404(Submission.objects.select_related("enrolment__course_class"), pk=pk)
    if found.enrolment.person_id != request.user.pk and not request.user.has_perm(GRADE, found.enrolment.course_class):
        raise Http404
    return serve_private(found.file, name=found.name, content_type=found.content_type,
                         inline=found.extension == ".pdf")


# --- the learner's page ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def learner_written(request, pk: int, assignment: int):
    """One assignment as the learner sees it: instructions, deadline, rubric, their own uploads and the upload form,
    and once graded, the grade per criterion and the comments."""
    course_class = class_for(request, pk, LEARN)
    enrolment = get_object_or_404(Enrolment, course_class=course_class, person=request.user)
    found = _assignment_of(course_class, assignment)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = submission_upload(assignment=found, enrolment=enrolment, checked=form.cleaned_data["file"],
                                      actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved.late:
                messages.warning(request, _("Handed in after the deadline: your work is marked late."))
            else:
                messages.success(request, _("Handed in."))
            return redirect("learner_written", pk=pk, assignment=found.pk)
    view = learner_assignment(found, enrolment)
    closed = course_class.closed_at is not None
    return render(request, "courses/written_learner.html", {
        "course_class": course_class, "assignment": found, "view": view, "form": form,
        "can_upload": not closed and (view.latest is None or view.grade is None),
        "closed": closed, "max_mb": settings.COURSE_WRITTEN_MAX_BYTES // (1024 * 1024),
        "rubric_total": sum((c.points for c in view.criteria), Decimal(0))})
