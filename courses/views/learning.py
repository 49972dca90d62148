"""The learner's pages: their classes, a class's home (continue, modules and lessons with progress, schedule and
attendance, scores, what stands between them and the certificate), a lesson, its files and video, the heartbeat's
HTTP fallback and "done"."""
from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from courses.feedback_selectors import learner_feedback_panel
from courses.learning_selectors import class_home, lesson_neighbours, my_enrolments
from courses.models import Certificate, Enrolment, Lesson, LessonFile
from courses.online_test_selectors import learner_tests_panel
from courses.progress import COMPLETIONS, beat_http, lesson_mark_done, lesson_open
from courses.uploads import serve_private
from courses.written_selectors import learner_written_panel

LEARN = "courses.learn"


def _enrolment(request, pk: int) -> Enrolment:
    enrolment = Enrolment.objects.select_related("course_class__programme__institution").filter(
        course_class_id=pk, person=request.user).first()
    if enrolment is None or not request.user.has_perm(LEARN, enrolment.course_class):
        raise PermissionDenied
    return enrolment


def _lesson(enrolment: Enrolment, lesson_pk: int) -> Lesson:
    return get_object_or_404(Lesson.objects.select_related("module__part"), pk=lesson_pk,
                             module__part__programme_id=enrolment.course_class.programme_id)


@login_required
def learn_home(request):
    enrolments = list(my_enrolments(request.user))
    if len(enrolments) == 1:
        return redirect("learn_class", pk=enrolments[0].course_class_id)
    return render(request, "courses/learn/home.html", {"enrolments": enrolments})


@login_required
def learn_class(request, pk: int):
    enrolment = _enrolment(request, pk)
    return render(request, "courses/learn/class.html", {
        "enrolment": enrolment, "course_class": enrolment.course_class, **class_home(enrolment),
        "certificate": Certificate.objects.filter(enrolment=enrolment, status=Certificate.Status.VALID).first(),
        **_panels(enrolment)})


def _panels(enrolment: Enrolment) -> dict:
    """The other parts of the class page: the tests, the written work, the feedback (each its own selector)."""
    return {"tests_panel": learner_tests_panel(enrolment), "written_panel": learner_written_panel(enrolment),
            "feedback_panel": learner_feedback_panel(enrolment)}


@login_required
def learn_lesson(request, pk: int, lesson: int):
    enrolment = _enrolment(request, pk)
    found = _lesson(enrolment, lesson)
    progress = lesson_open(enrolment=enrolment, lesson=found)
    previous, following = lesson_neighbours(found, enrolment.course_class.programme_id)
    return render(request, "courses/lesson_page.html", {
        "lesson": found, "module": found.module, "files": found.files.all(), "progress": progress,
        "course_class": enrolment.course_class, "previous": previous, "following": following,
        "file_url_name": "learn_lesson_file", "video_url_name": "learn_lesson_video",
        "beat_period": settings.COURSE_HEARTBEAT_SECONDS})


@login_required
@require_POST
def learn_lesson_beat(request, pk: int, lesson: int):
    """The heartbeat's HTTP fallback: {"position": n, "end": "video"|"text"|""}."""
    enrolment = _enrolment(request, pk)
    found = _lesson(enrolment, lesson)
    content = {}
    if request.content_type == "application/json":
        try:
            content = json.loads(request.body or b"{}")
        except ValueError:
            content = {}
    if not isinstance(content, dict):
        content = {}
    end = content.get("end") if content.get("end") in COMPLETIONS else ""
    progress = beat_http(enrolment=enrolment, lesson=found, position=content.get("position"), completed=end)
    return JsonResponse({"type": "ok", "seconds": progress.seconds, "done": progress.completed_at is not None})


@login_required
@require_POST
def learn_lesson_done(request, pk: int, lesson: int):
    enrolment = _enrolment(request, pk)
    found = _lesson(enrolment, lesson)
    lesson_mark_done(enrolment=enrolment, lesson=found)
    _previous, following = lesson_neighbours(found, enrolment.course_class.programme_id)
    if following is not None and request.POST.get("next"):
        return redirect("learn_lesson", pk=pk, lesson=following.pk)
    return redirect("learn_lesson", pk=pk, lesson=found.pk)


@login_required
def learn_lesson_file(request, pk: int, lesson: int, file: int):
    enrolment = _enrolment(request, pk)
    found = _lesson(enrolment, lesson)
    attached = get_object_or_404(LessonFile, pk=file, lesson=found)
    return serve_private(attached.file, name=attached.name, content_type=attached.content_type,
                         inline=attached.content_type == "application/pdf")


@login_required
def learn_lesson_video(request, pk: int, lesson: int):
    enrolment = _enrolment(request, pk)
    found = _lesson(enrolment, lesson)
    if not found.video_file:
        raise Http404
    return serve_private(found.video_file, name=f"video-{found.pk}", content_type=found.video_type)
