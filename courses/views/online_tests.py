"""Tests on the engine (docs/courses.md, "Tests on the engine"): the class's tests (its head or the course manager
sets them), a graded test's live table with the extension of one learner's time, and the learner's pages: the test's
rules and its start, the paper (the engine's), the result (with the review of a practice try)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import Assessment, CourseClass, CourseTest, Enrolment, Module, TestTry
from courses.online_test_selectors import class_tests, learner_test, live_rows, live_state
from courses.online_tests import (
    MAX_MINUTES,
    TestFields,
    extend_try,
    test_create,
    test_delete,
    test_update,
    tries_sync,
    try_start,
    try_sync,
)
from courses.views.common import class_for
from exams import engine

RUN = "courses.run_class"
LEARN = "courses.learn"
WINDOW_FORMATS = ["%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
WINDOW_INPUT = forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"})


# The kinds of test in words of their own ("Graded" alone is already a written work's state, "Đã chấm").
MODES = [(CourseTest.Mode.PRACTICE.value, gettext_lazy("Practice test")),
         (CourseTest.Mode.GRADED.value, gettext_lazy("Graded test"))]


class CourseTestForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("Kind of test"), choices=MODES)
    title = forms.CharField(label=gettext_lazy("Title of the test"), max_length=255)
    blueprint = forms.TypedChoiceField(label=gettext_lazy("Blueprint (a question bank open to training courses)"),
                                       coerce=int)
    minutes = forms.IntegerField(label=gettext_lazy("Time limit (minutes)"), min_value=1, max_value=MAX_MINUTES)
    module = forms.ModelChoiceField(label=gettext_lazy("Module practised (practice)"), queryset=Module.objects.none(),
                                    required=False)
    assessment = forms.ModelChoiceField(label=gettext_lazy("Assessment it scores (graded)"),
                                        queryset=Assessment.objects.none(), required=False)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at (graded; dd/mm/yyyy hh:mm)"), required=False,
                                   input_formats=WINDOW_FORMATS, widget=WINDOW_INPUT)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at (graded; dd/mm/yyyy hh:mm)"), required=False,
                                    input_formats=WINDOW_FORMATS, widget=WINDOW_INPUT)

    def __init__(self, *args, course_class: CourseClass, **kwargs):
        super().__init__(*args, **kwargs)
        choices = engine.blueprint_choices()
        self.fields["blueprint"].choices = [("", "—"), *[
            (c.id, _("%(bank)s – %(name)s (%(n)s questions)") % {"bank": c.bank_name, "name": c.name, "n": c.questions})
            for c in choices]]
        self.fields["module"].queryset = Module.objects.filter(part__programme=course_class.programme_id).order_by(
            "part__order", "order")
        self.fields["assessment"].queryset = course_class.programme.assessments.filter(
            kind=Assessment.Kind.TEST).order_by("order")

    def fields_value(self) -> TestFields:
        data = self.cleaned_data
        return TestFields(mode=data["mode"], title=data["title"], blueprint_id=data["blueprint"],
                          minutes=data["minutes"], module=data["module"], assessment=data["assessment"],
                          opens_at=data["opens_at"], closes_at=data["closes_at"])

    @classmethod
    def initial_of(cls, course_test: CourseTest) -> dict:
        def shown(moment):
            return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""

        return {"mode": course_test.mode, "title": course_test.title, "blueprint": course_test.blueprint_id,
                "minutes": course_test.minutes, "module": course_test.module_id,
                "assessment": course_test.assessment_id, "opens_at": shown(course_test.opens_at),
                "closes_at": shown(course_test.closes_at)}


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(label=gettext_lazy("Minutes more"), min_value=1, max_value=240)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


def _test(course_class: CourseClass, pk: int) -> CourseTest:
    return get_object_or_404(CourseTest.objects.select_related("assessment", "module", "course_class"), pk=pk,
                             course_class=course_class)


# --- the class's staff ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def class_tests_view(request, pk: int):
    """The class's tests, and a new one."""
    course_class = class_for(request, pk, RUN)
    form = CourseTestForm(request.POST or None, course_class=course_class)
    if request.method == "POST" and form.is_valid():
        try:
            course_test = test_create(course_class=course_class, fields=form.fields_value(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The test “%(title)s” is set.") % {"title": course_test.title})
            return redirect("class_tests", pk=pk)
    return render(request, "courses/tests_list.html", {
        "course_class": course_class, "can_run": True, "tests": class_tests(course_class), "form": form,
        "has_blueprints": len(form.fields["blueprint"].choices) > 1})


@login_required
@require_http_methods(["GET", "POST"])
def class_test_edit(request, pk: int, test: int):
    course_class = class_for(request, pk, RUN)
    course_test = _test(course_class, test)
    form = CourseTestForm(request.POST or None, course_class=course_class,
                          initial=CourseTestForm.initial_of(course_test))
    if request.method == "POST" and form.is_valid():
        try:
            test_update(course_test=course_test, fields=form.fields_value(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("class_tests", pk=pk)
    return render(request, "courses/tests_form.html", {
        "course_class": course_class, "can_run": True, "course_test": course_test, "form": form,
        "taken": course_test.tries.exists()})


@login_required
@require_POST
def class_test_delete(request, pk: int, test: int):
    course_class = class_for(request, pk, RUN)
    course_test = _test(course_class, test)
    try:
        test_delete(course_test=course_test, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The test “%(title)s” is deleted.") % {"title": course_test.title})
    return redirect("class_tests", pk=pk)


def _graded(course_class: CourseClass, pk: int) -> CourseTest:
    course_test = _test(course_class, pk)
    if course_test.mode != CourseTest.Mode.GRADED:  # practice tries are the learner's own: no live table
        raise Http404
    return course_test


@login_required
def class_test_live(request, pk: int, test: int):
    """A graded test as it runs: every learner and their tries, refreshed by the page every few seconds; an open
    try's time extended here."""
    course_class = class_for(request, pk, RUN)
    course_test = _graded(course_class, test)
    tries_sync(course_test=course_test)
    return render(request, "courses/tests_live.html", {
        "course_class": course_class, "can_run": True, "course_test": course_test, "rows": live_rows(course_test),
        "extend_form": ExtendForm(), "state_url": reverse("class_test_live_state", args=[pk, test]),
        "statuses": TestTry.Status})


@never_cache
@login_required
def class_test_live_state(request, pk: int, test: int):
    course_class = class_for(request, pk, RUN)
    course_test = _graded(course_class, test)
    tries_sync(course_test=course_test)  # a try past its deadline is finished and scored, as the engine does lazily
    return JsonResponse(live_state(course_test))


@login_required
@require_POST
def class_test_extend(request, pk: int, test: int, test_try: int):
    course_class = class_for(request, pk, RUN)
    course_test = _graded(course_class, test)
    found = get_object_or_404(TestTry.objects.select_related("enrolment__person", "course_test__course_class"),
                              pk=test_try, course_test=course_test)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give between 1 and 240 minutes and a reason."))
    else:
        try:
            extended = extend_try(test_try=found, minutes=form.cleaned_data["minutes"],
                                  reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("%(name)s now has until %(at)s.") % {
                "name": found.enrolment.person.full_name,
                "at": timezone.localtime(extended.deadline).strftime("%H:%M %d/%m/%Y")})
    return redirect("class_test_live", pk=pk, test=test)


# --- the learner ------------------------------------------------------------------------------------------------

def _enrolment(request, course_class: CourseClass) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("course_class"), course_class=course_class,
                             person=request.user)


def _own_try(request, pk: int, test: int, test_try: int) -> TestTry:
    course_class = class_for(request, pk, LEARN)
    found = get_object_or_404(TestTry.objects.select_related("course_test__course_class", "course_test__assessment",
                                                             "enrolment"),
                              pk=test_try, course_test_id=test, course_test__course_class=course_class)
    if found.enrolment.person_id != request.user.pk:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def learner_test_view(request, pk: int, test: int):
    """The test's rules (window, time, tries used and allowed, which try counts) and its start or continue button;
    the start sets this browser's device pass (the paper opens only on it)."""
    course_class = class_for(request, pk, LEARN)
    course_test = _test(course_class, test)
    enrolment = _enrolment(request, course_class)
    if request.method == "POST":
        device = engine.device_from(request) or engine.device_new()
        try:
            started = try_start(course_test=course_test, enrolment=enrolment, device=device)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("learner_test", pk=pk, test=test)
        response = redirect("learner_test_paper", pk=pk, test=test, test_try=started.pk)
        engine.device_attach(response, device)
        return response
    tries_sync(course_test=course_test, enrolment=enrolment)
    return render(request, "courses/tests_learner.html", {
        "course_class": course_class, "course_test": course_test, "view": learner_test(course_test, enrolment)})


@login_required
def learner_test_paper(request, pk: int, test: int, test_try: int):
    """The paper of an open try, on the device that started it (any other browser is told where it is open)."""
    found = _own_try(request, pk, test, test_try)
    course_test = found.course_test
    back = reverse("learner_test", args=[pk, test])
    try:
        context = engine.paper_page(attempt_id=found.attempt_id, owner_id=request.user.pk,
                                    device=engine.device_from(request), heading=course_test.title, reenter_url=back,
                                    reenter_label=_("Back to the test"))
    except engine.Refusal as exc:
        if exc.code == "finished":
            try_sync(found)
            return redirect("learner_test_result", pk=pk, test=test, test_try=test_try)
        return render(request, "courses/tests_paper.html", {
            "course_class": course_test.course_class, "course_test": course_test, "test_try": found,
            "refusal": exc.message, "back": back}, status=409)
    return render(request, "courses/tests_paper.html", {
        **context, "course_class": course_test.course_class, "course_test": course_test, "test_try": found,
        "paper_script": engine.PAPER_SCRIPT, "back": back})


@login_required
def learner_test_result(request, pk: int, test: int, test_try: int):
    """A finished try: its score; a practice try also question by question, with the answer given, the correct one
    and the explanation."""
    found = try_sync(_own_try(request, pk, test, test_try))
    if found.status == TestTry.Status.OPEN:
        return redirect("learner_test_paper", pk=pk, test=test, test_try=test_try)
    course_test = found.course_test
    review = None
    if course_test.mode == CourseTest.Mode.PRACTICE:
        review = engine.attempt_review(attempt_id=found.attempt_id, owner_id=request.user.pk)
    return render(request, "courses/tests_result.html", {
        "course_class": course_test.course_class, "course_test": course_test, "test_try": found, "review": review,
        "view": learner_test(course_test, found.enrolment)})
