"""Tests of a class on the exam engine (docs/courses.md, "Tests on the engine"): practice tests (as many tries as a
learner wants, never counted, purged after 30 days) and graded tests (a window, a time limit, the assessment's
retakes; the score lands in the class's assessment). The engine keeps the paper and the answers; a try here is the
host's record, linked one-to-one to the engine's attempt by its id."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.classes import Assessment, CourseClass, Enrolment, Module


class CourseTest(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", _("Practice test")
        GRADED = "graded", _("Graded test")

    course_class = models.ForeignKey(CourseClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                     related_name="tests")
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    title = models.CharField(_("title"), max_length=255)
    module = models.ForeignKey(Module, verbose_name=_("module"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    blueprint_id = models.PositiveIntegerField(_("blueprint"))  # exams.engine.blueprint_choices()
    minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), validators=[MinValueValidator(1)])
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["course_class", "mode", "title"]
        verbose_name = _("course test")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mode="practice", assessment__isnull=True)
                | models.Q(mode="graded", assessment__isnull=False, opens_at__isnull=False, closes_at__isnull=False),
                name="course_test_shape"),
            models.CheckConstraint(condition=models.Q(opens_at__isnull=True) | models.Q(closes_at__gt=models.F(
                "opens_at")), name="course_test_window"),
        ]

    def __str__(self) -> str:
        return self.title


class TestTry(models.Model):
    """One learner's try at a course test: the engine's attempt, its number, and (when finished) its score on the
    10-point scale. Practice tries count toward nothing."""

    __test__ = False  # not a pytest class, whatever its name

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Time ran out")

    course_test = models.ForeignKey(CourseTest, verbose_name=_("course test"), on_delete=models.CASCADE,
                                    related_name="tries")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="test_tries")
    number = models.PositiveSmallIntegerField(_("try"), validators=[MinValueValidator(1)])
    attempt_id = models.PositiveIntegerField(_("engine attempt"), unique=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["course_test", "enrolment", "number"]
        verbose_name = _("test try")
        constraints = [models.UniqueConstraint(fields=["course_test", "enrolment", "number"],
                                               name="test_try_number_unique")]

    def __str__(self) -> str:
        return f"{self.course_test_id}/{self.enrolment_id}#{self.number}"
