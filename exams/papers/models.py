"""Blueprints (ma trận đề) and the papers drawn from them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.banks.models import Bank, Question, Topic


class Blueprint(models.Model):
    bank = models.ForeignKey(Bank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="blueprints")
    name = models.CharField(_("name"), max_length=200)
    scale = models.DecimalField(_("scale"), max_digits=6, decimal_places=2, default=Decimal("100"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("blueprint")
        verbose_name_plural = _("blueprints")
        constraints = [models.CheckConstraint(condition=models.Q(scale__gt=0), name="blueprint_scale_positive")]

    def __str__(self) -> str:
        return self.name


class BlueprintRow(models.Model):
    blueprint = models.ForeignKey(Blueprint, verbose_name=_("blueprint"), on_delete=models.CASCADE, related_name="rows")
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT)
    difficulty = models.CharField(_("difficulty"), max_length=8, choices=Question.Difficulty.choices)
    kind = models.CharField(_("kind (empty: any)"), max_length=16, choices=Question.Kind.choices, blank=True)
    count = models.PositiveIntegerField(_("number of questions"))
    points = models.DecimalField(_("points each"), max_digits=6, decimal_places=2, default=Decimal("1"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["blueprint", "topic", "difficulty", "kind"],
                                    name="blueprint_row_unique_cell"),
            models.CheckConstraint(condition=models.Q(count__gt=0), name="blueprint_row_count_positive"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="blueprint_row_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} / {self.get_difficulty_display()} × {self.count}"


class PaperSet(models.Model):
    """The papers of one sitting (or one exam code set), generated from a seed; sealed before use."""

    blueprint = models.ForeignKey(Blueprint, verbose_name=_("blueprint"), on_delete=models.PROTECT,
                                  related_name="paper_sets")
    name = models.CharField(_("name"), max_length=200)
    seed = models.CharField(_("seed"), max_length=64)
    variants = models.PositiveIntegerField(_("number of exam codes"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    seal_hash = models.CharField(_("seal (SHA-256)"), max_length=64, blank=True)
    # The purpose of the host (a course test, a contest entry) this set's one paper was drawn for by the engine
    # (exams/engine.py); NULL for an exam's sets, the only ones listed under their blueprint. Nullable rather than
    # defaulted: SQLite adds the column in place, where a rebuilt table would trip the sealed-paper triggers.
    hosted_for = models.CharField(_("hosted for"), max_length=32, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("paper set")
        verbose_name_plural = _("paper sets")

    def __str__(self) -> str:
        return self.name

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None


class Paper(models.Model):
    paper_set = models.ForeignKey(PaperSet, verbose_name=_("paper set"), on_delete=models.CASCADE, related_name="papers")
    candidate_ref = models.CharField(_("candidate"), max_length=64, blank=True)
    code = models.CharField(_("exam code"), max_length=16)
    position = models.PositiveIntegerField(_("order in the set"))
    total_points = models.DecimalField(_("total points"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["paper_set", "position"]
        constraints = [models.UniqueConstraint(fields=["paper_set", "position"], name="paper_unique_position")]

    def __str__(self) -> str:
        return f"{self.paper_set} · {self.code} · {self.candidate_ref}"


class PaperItem(models.Model):
    paper = models.ForeignKey(Paper, verbose_name=_("paper"), on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("question number"))
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    choice_order = models.JSONField(_("choice order"), default=list)  # choice ids in the order the candidate sees them
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [models.UniqueConstraint(fields=["paper", "position"], name="paper_item_unique_position")]

    def __str__(self) -> str:
        return f"{self.paper} · {self.position + 1}"
