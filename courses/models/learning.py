"""Lessons of a module (text, files, a video) and each learner's progress through them (docs/courses.md, "Learning
online")."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.classes import Enrolment, Module


def lesson_upload_path(instance, filename: str) -> str:
    """A random name under the lesson's folder: the stored name never comes from the uploader."""
    extension = filename[filename.rfind("."):].lower() if "." in filename else ""
    return f"lessons/{instance.lesson_folder}/{uuid.uuid4().hex}{extension}"


class Lesson(models.Model):
    """A lesson of a module: sanitised rich text, attached files, a video (a link or an uploaded file), its
    estimated minutes and the periods it stands for."""

    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"), blank=True)  # sanitised on the way in (courses.lessons)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    video_file = models.FileField(_("video file"), upload_to=lesson_upload_path, max_length=255, blank=True)
    video_size = models.PositiveBigIntegerField(_("video size"), default=0)
    video_type = models.CharField(_("video type"), max_length=32, blank=True)
    minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15, validators=[MinValueValidator(1)])
    periods = models.PositiveSmallIntegerField(_("periods"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["module", "order"]
        verbose_name = _("lesson")
        constraints = [models.UniqueConstraint(fields=["module", "order"], name="lesson_order_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def lesson_folder(self) -> str:
        return f"m{self.module_id}"


class LessonFile(models.Model):
    """A file attached to a lesson (PDF, Word, slides), checked by its first bytes and served only through a view
    that checks who may read it."""

    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=lesson_upload_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["lesson", "pk"]
        verbose_name = _("lesson file")

    def __str__(self) -> str:
        return self.name

    @property
    def lesson_folder(self) -> str:
        return f"m{self.lesson.module_id}"


class LessonProgress(models.Model):
    """One learner's progress through one lesson: when it was opened and last seen, the time spent (from the
    heartbeat), where they were (seconds into the video, or per mille of the text), when and how it was completed."""

    class Completed(models.TextChoices):
        MARKED = "marked", _("Marked done by the learner")
        VIDEO = "video", _("Video watched to the end")
        TEXT = "text", _("Text read to the end")

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="progress")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    seconds = models.PositiveIntegerField(_("time spent (seconds)"), default=0)
    position = models.PositiveIntegerField(_("where the learner is"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_how = models.CharField(_("completed how"), max_length=8, choices=Completed.choices, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="progress_once_per_lesson")]
        indexes = [models.Index(fields=["enrolment", "-last_seen_at"], name="progress_last_seen")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.lesson_id}"
