"""Written work (thu hoạch, tiểu luận, đề án): the assignment with its deadline and rubric, the learner's uploads,
and the lecturer's grades, each regrade a new version (docs/courses.md, "Written work")."""
from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.classes import Assessment, CourseClass, Enrolment


def submission_path(instance, filename: str) -> str:
    """A random name under the assignment's folder: the stored name never comes from the learner."""
    return f"written/{instance.assignment_id}/{uuid.uuid4().hex}{instance.extension}"


class Assignment(models.Model):
    class Kind(models.TextChoices):
        REFLECTION = "reflection", _("Reflection paper (thu hoạch)")
        ESSAY = "essay", _("Essay (tiểu luận)")
        PROJECT = "project", _("Project (đề án)")

    course_class = models.ForeignKey(CourseClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                     related_name="assignments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"), blank=True)
    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(_("deadline"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["course_class", "deadline", "pk"]
        verbose_name = _("written assignment")

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """A line of the assignment's rubric: what is assessed and the points it is worth (the lines add up to 10)."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE,
                                   related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("criterion"), max_length=255)
    points = models.DecimalField(_("points"), max_digits=4, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal(10))])

    class Meta:
        ordering = ["assignment", "order"]
        verbose_name = _("rubric criterion")
        constraints = [models.UniqueConstraint(fields=["assignment", "order"], name="criterion_order_unique")]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One upload of the learner's work; the latest one is the one graded. ``late``: uploaded after the deadline."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE,
                                   related_name="submissions")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="submissions")
    file = models.FileField(_("file"), upload_to=submission_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("extension"), max_length=8)
    content_type = models.CharField(_("content type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["assignment", "enrolment", "-uploaded_at", "-pk"]
        verbose_name = _("submission")

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    """A grade of a submission: the points per criterion, the total on the 10-point scale, comments. A regrade is a
    new version with its reason; earlier versions stay."""

    submission = models.ForeignKey(Submission, verbose_name=_("submission"), on_delete=models.CASCADE,
                                   related_name="grades")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    points = models.JSONField(_("points per criterion"), default=dict)
    total = models.DecimalField(_("grade"), max_digits=4, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))])
    comment = models.TextField(_("comments"), blank=True)
    reason = models.CharField(_("reason for the regrade"), max_length=500, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("graded by"), on_delete=models.PROTECT,
                                  related_name="+")
    graded_at = models.DateTimeField(_("graded at"), default=timezone.now)

    class Meta:
        ordering = ["submission", "-version"]
        verbose_name = _("grade")
        constraints = [models.UniqueConstraint(fields=["submission", "version"], name="grade_version_unique"),
                       models.CheckConstraint(condition=models.Q(total__gte=0, total__lte=10), name="grade_range")]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.version}: {self.total}"
