"""The course manager's lesson pages: a module's lessons, a lesson's text, files and video, its preview."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from courses.lesson_forms import LessonFileForm, LessonForm, LessonVideoForm
from courses.lessons import (
    LessonError,
    lesson_create,
    lesson_delete,
    lesson_file_add,
    lesson_file_remove,
    lesson_move,
    lesson_text_for_editing,
    lesson_update,
    lesson_video_set,
)
from courses.models import Lesson, LessonFile, Module
from courses.uploads import serve_private

MANAGE = "courses.manage_catalogue"
# The lesson page's two uploads: the form that checks the file, the service that stores it, what is said after.
UPLOADS = {"file": (LessonFileForm, lesson_file_add, gettext_lazy("The file is attached.")),
           "video": (LessonVideoForm, lesson_video_set, gettext_lazy("The video is uploaded."))}


def _require_manager(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


def _lesson(request, pk: int) -> Lesson:
    _require_manager(request)
    return get_object_or_404(Lesson.objects.select_related("module__part__programme"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def module_lessons(request, pk: int):
    _require_manager(request)
    module = get_object_or_404(Module.objects.select_related("part__programme"), pk=pk)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lesson = lesson_create(module=module, fields=form.cleaned_data, actor=request.user)
        messages.success(request, _("The lesson is added."))
        return redirect("lesson_edit", pk=lesson.pk)
    lessons = module.lessons.order_by("order").prefetch_related("files")
    return render(request, "courses/module_lessons.html", {"module": module, "programme": module.part.programme,
                                                           "lessons": lessons, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request, pk: int):
    lesson = _lesson(request, pk)
    initial = {name: getattr(lesson, name) for name in ("title", "video_url", "minutes", "periods")}
    initial["body"] = lesson_text_for_editing(lesson.body)
    form = LessonForm(request.POST or None, initial=initial)
    file_form, video_form = LessonFileForm(), LessonVideoForm()
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "save" and form.is_valid():
            lesson_update(lesson=lesson, fields=form.cleaned_data, actor=request.user)
            messages.success(request, _("The lesson is saved."))
            return redirect("lesson_edit", pk=pk)
        if action in UPLOADS:
            form_class, store, done = UPLOADS[action]
            upload = form_class(request.POST, request.FILES)
            if upload.is_valid():
                store(lesson=lesson, checked=next(iter(upload.cleaned_data.values())), actor=request.user)
                messages.success(request, done)
                return redirect("lesson_edit", pk=pk)
            form = LessonForm(initial=initial)
            file_form, video_form = (upload, video_form) if action == "file" else (file_form, upload)
        if action == "video_remove":
            lesson_video_set(lesson=lesson, checked=None, actor=request.user)
            messages.success(request, _("The video file is taken off."))
            return redirect("lesson_edit", pk=pk)
    return render(request, "courses/lesson_edit.html", {
        "lesson": lesson, "module": lesson.module, "programme": lesson.module.part.programme, "form": form,
        "file_form": file_form, "video_form": video_form, "files": lesson.files.all(),
        "opened": lesson.progress.count()})


@login_required
@require_POST
def lesson_delete_view(request, pk: int):
    lesson = _lesson(request, pk)
    module_pk = lesson.module_id
    try:
        lesson_delete(lesson=lesson, actor=request.user)
    except LessonError as exc:
        messages.error(request, str(exc))
        return redirect("lesson_edit", pk=pk)
    messages.success(request, _("The lesson is deleted."))
    return redirect("module_lessons", pk=module_pk)


@login_required
@require_POST
def lesson_move_view(request, pk: int):
    lesson = _lesson(request, pk)
    lesson_move(lesson=lesson, step=-1 if request.POST.get("direction") == "up" else 1, actor=request.user)
    return redirect("module_lessons", pk=lesson.module_id)


@login_required
@require_POST
def lesson_file_remove_view(request, pk: int, file: int):
    lesson = _lesson(request, pk)
    attached = get_object_or_404(LessonFile, pk=file, lesson=lesson)
    lesson_file_remove(attached=attached, actor=request.user)
    messages.success(request, _("The file is removed."))
    return redirect("lesson_edit", pk=pk)


@login_required
def lesson_preview(request, pk: int):
    lesson = _lesson(request, pk)
    return render(request, "courses/lesson_page.html", {
        "lesson": lesson, "module": lesson.module, "files": lesson.files.all(), "preview": True,
        "file_url_name": "lesson_file", "video_url_name": "lesson_video"})


@login_required
def lesson_file(request, pk: int, file: int):
    lesson = _lesson(request, pk)
    attached = get_object_or_404(LessonFile, pk=file, lesson=lesson)
    return serve_private(attached.file, name=attached.name, content_type=attached.content_type,
                         inline=attached.content_type == "application/pdf")


@login_required
def lesson_video(request, pk: int):
    lesson = _lesson(request, pk)
    if not lesson.video_file:
        raise Http404
    return serve_private(lesson.video_file, name=f"video-{lesson.pk}", content_type=lesson.video_type)
