"""Question banks: bank → topic → question (versioned) → choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.banks.importing import base


class Bank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("question authors"),
                                     related_name="question_banks", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A bank holds exam questions that must stay secret: a course's tests (exams/engine.py) draw only from a bank its
    # authors opened to training.
    for_training = models.BooleanField(_("open to training courses"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    bank = models.ForeignKey(Bank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="topic_unique_name_in_bank")]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One version of a question. Editing a question already used in a paper creates a new version
    (same ``lineage``); only ``is_current`` versions are listed and drawn."""

    class Kind(models.TextChoices):
        SINGLE = base.KIND_SINGLE, _("Single choice")
        MULTIPLE = base.KIND_MULTIPLE, _("Multiple choice")
        TRUE_FALSE = base.KIND_TRUE_FALSE, _("True / false")
        SHORT = base.KIND_SHORT, _("Short answer")
        ESSAY = base.KIND_ESSAY, _("Essay")

    class Difficulty(models.TextChoices):
        EASY = base.DIFFICULTY_EASY, _("Easy")
        MEDIUM = base.DIFFICULTY_MEDIUM, _("Medium")
        HARD = base.DIFFICULTY_HARD, _("Hard")

    class Level(models.TextChoices):
        RECOGNITION = base.LEVEL_RECOGNITION, _("Recognition")
        COMPREHENSION = base.LEVEL_COMPREHENSION, _("Comprehension")
        APPLICATION = base.LEVEL_APPLICATION, _("Application")

    class Scoring(models.TextChoices):
        ALL_OR_NOTHING = base.SCORING_ALL_OR_NOTHING, _("All or nothing")
        PARTIAL = base.SCORING_PARTIAL, _("Partial credit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    bank = models.ForeignKey(Bank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="questions")
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("question text"))
    search_text = models.TextField(_("search text"), editable=False, default="")
    dedup_key = models.CharField(_("dedup key"), max_length=64, editable=False, db_index=True, default="")
    explanation = models.TextField(_("explanation"), blank=True)
    difficulty = models.CharField(_("difficulty"), max_length=8, choices=Difficulty.choices,
                                  default=Difficulty.MEDIUM)
    level = models.CharField(_("cognitive level"), max_length=16, choices=Level.choices, default=Level.RECOGNITION)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True, db_index=True)
    scoring = models.CharField(_("scoring"), max_length=16, choices=Scoring.choices, default=Scoring.ALL_OR_NOTHING)
    keep_choice_order = models.BooleanField(_("keep choice order"), default=False)
    accent_insensitive = models.BooleanField(_("ignore accents in answers"), default=False)
    accepted_answers = models.JSONField(_("accepted answers"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written or imported by"),
                               on_delete=models.PROTECT, related_name="+")
    imported = models.BooleanField(_("imported"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    lineage = models.ForeignKey("self", verbose_name=_("first version"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True, db_index=True)
    frozen = models.BooleanField(_("used in a paper"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("author")),
                name="question_not_approved_by_its_author",
            ),
            models.UniqueConstraint(fields=["lineage", "version"], name="question_unique_version"),
        ]
        indexes = [models.Index(fields=["bank", "is_current", "status", "topic", "difficulty"],
                                name="question_draw_idx")]

    def __str__(self) -> str:
        return f"#{self.lineage_id or self.pk} v{self.version}"

    @property
    def is_choice(self) -> bool:
        return self.kind in base.CHOICE_KINDS


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("order of the choice"))
    text = models.TextField(_("text"))
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "position"], name="choice_unique_position")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def letter(self) -> str:
        return "ABCDEFGHIJ"[self.position]


class ItemReview(models.Model):
    """A question flagged by item analysis (negative or near-zero discrimination) for the question board."""

    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="reviews")
    exam = models.ForeignKey("exams.Exam", verbose_name=_("exam"), on_delete=models.CASCADE, related_name="item_reviews")
    subject = models.ForeignKey("exams.Subject", verbose_name=_("subject"), on_delete=models.CASCADE, related_name="+")
    facility = models.DecimalField(_("facility index"), max_digits=6, decimal_places=4)
    discrimination = models.DecimalField(_("discrimination index"), max_digits=6, decimal_places=4)
    answered = models.PositiveIntegerField(_("candidates"))
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.PROTECT,
                                    related_name="+")
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ["resolved_at", "discrimination"]
        constraints = [models.UniqueConstraint(fields=["question", "subject"], name="item_review_once")]

    def __str__(self) -> str:
        return f"{self.question_id} D={self.discrimination}"
