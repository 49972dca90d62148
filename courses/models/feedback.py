"""Anonymous feedback after a module (docs/courses.md, "Feedback"). Two tables that share nothing but the module: one
says that a learner has given their feedback (so they give it once), the other holds the ratings with no learner, no
time and a random key, so no page, export or ordering can link a rating to who gave it."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models.classes import CourseClass, Enrolment, Module


class FeedbackGiven(models.Model):
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="feedback_given")
    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="+")
    lecturer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lecturer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("feedback given")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module", "lecturer"], name="feedback_once_per_lecturer",
                                    condition=models.Q(lecturer__isnull=False)),
            models.UniqueConstraint(fields=["enrolment", "module"], name="feedback_once_per_module",
                                    condition=models.Q(lecturer__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}/{self.lecturer_id or '-'}"


class FeedbackRating(models.Model):
    id = models.UUIDField(_("key"), primary_key=True, default=uuid.uuid4, editable=False)
    course_class = models.ForeignKey(CourseClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                     related_name="feedback")
    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="+")
    lecturer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lecturer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("feedback rating")
        constraints = [models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="feedback_stars")]

    def __str__(self) -> str:
        return "★" * self.stars
