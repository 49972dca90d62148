"""Results (docs/rules.md, "Results rules", "The decision and its annex"): the scores that come in, and the
versions of the computed results.

Scores are inputs: a platform attempt brings its own, everything else arrives as a ``ScoreEntry`` (imported
from Excel today, written by the marking board later). Results are snapshots: each computation writes a
``ResultVersion`` with one ``CandidateResult`` per registration and one ``SubjectResult`` per subject, so a
published version never changes — a correction makes the next version, shown beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.sessions.models import Exam, Registration, Subject


class ScoreEntry(models.Model):
    """A candidate's score in a subject that was not sat on the platform (paper, written, oral, offline)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        MARKING = "marking", _("Marking board")

    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.PROTECT,
                                     related_name="score_entries")
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="score_entries")
    correct = models.PositiveIntegerField(_("correct answers"), null=True, blank=True)
    total = models.PositiveIntegerField(_("number of questions"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.IMPORT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["registration", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "subject"], name="score_entry_once"),
            models.CheckConstraint(
                condition=(models.Q(correct__isnull=True, total__isnull=True, score__isnull=False)
                           | models.Q(correct__isnull=False, total__isnull=False, score__isnull=True)),
                name="score_entry_count_or_score"),
            models.CheckConstraint(condition=models.Q(correct__isnull=True) | models.Q(correct__lte=models.F("total")),
                                   name="score_entry_correct_le_total"),
        ]

    def __str__(self) -> str:
        return f"{self.registration} · {self.subject.code}"


class ResultVersion(models.Model):
    """One computation of an exam's results. Version 1 is recomputed freely until approved; after that a
    change opens version n + 1, which the council approves and HR publishes in its turn."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved by the council")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded by a later version")

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="result_versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(_("reason for the new version"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("computed by"), null=True, blank=True,
                                    on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT,
                                    related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, blank=True,
                                     on_delete=models.PROTECT,
                                     related_name="+")
    decision_number = models.CharField(_("decision number"), max_length=32, blank=True,
                                       help_text=_("Filled when the decision is issued; the annex shows … until then."))
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # Counters of the last computation (the command's last line, the page's summary).
    candidates = models.PositiveIntegerField(_("candidates"), default=0)
    passed = models.PositiveIntegerField(_("passed"), default=0)
    selected = models.PositiveIntegerField(_("selected"), default=0)
    ties_unresolved = models.PositiveIntegerField(_("ties unresolved"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    ties = models.JSONField(_("ties"), default=list, blank=True, help_text="unresolved ties: group, quota group, tied, places")

    class Meta:
        ordering = ["exam", "-number"]
        constraints = [models.UniqueConstraint(fields=["exam", "number"], name="result_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.exam} v{self.number}"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.PUBLISHED, self.Status.SUPERSEDED)


class CandidateResult(models.Model):
    """A registration's result in one version: the outcome (`Kết quả`), the note (`Ghi chú`) and the ranking."""

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Selected (Trúng tuyển)")
        NOT_SELECTED = "not_selected", _("Passed, outside the quota (Không trúng tuyển)")
        FAILED = "failed", _("Did not pass (Không đạt)")
        PENDING = "pending", _("Awaiting a decision (Chờ quyết định)")
        PASSED = "passed", _("Passed (Đạt)")

    version = models.ForeignKey(ResultVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="results")
    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.PROTECT,
                                     related_name="results")
    outcome = models.CharField(_("result"), max_length=16, choices=Outcome.choices)
    passed = models.BooleanField(_("passed every subject"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    ranking_score = models.DecimalField(_("ranking score"), max_digits=10, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("place among passers"), null=True, blank=True)
    quota_group = models.CharField(_("quota group"), max_length=64, blank=True)
    tie_group = models.PositiveIntegerField(_("unresolved tie group"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=32, blank=True,
                                  help_text="the tie-break link or 'council' that placed this candidate")

    class Meta:
        ordering = ["version", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "registration"], name="candidate_result_once")]
        indexes = [models.Index(fields=["version", "outcome"], name="candidate_result_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.registration} · {self.get_outcome_display()}"


class SubjectResult(models.Model):
    """One subject of a candidate's result, with the penalty applied (what the annex cell shows)."""

    candidate = models.ForeignKey(CandidateResult, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="subjects")
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="+")
    exempt = models.CharField(_("exemption"), max_length=16, blank=True)
    absent = models.BooleanField(_("absent"), default=False)
    correct = models.PositiveIntegerField(_("correct answers"), null=True, blank=True)
    raw_correct = models.PositiveIntegerField(_("correct answers before penalties"), null=True, blank=True)
    total = models.PositiveIntegerField(_("number of questions"), null=True, blank=True)
    raw_score = models.DecimalField(_("score before penalties"), max_digits=8, decimal_places=4, null=True,
                                    blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)
    penalty = models.CharField(_("penalty"), max_length=16, blank=True)
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        ordering = ["candidate", "subject__order"]
        constraints = [models.UniqueConstraint(fields=["candidate", "subject"], name="subject_result_once")]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.subject.code}"


class TieDecision(models.Model):
    """The council's decision on a tie the chain could not break: which of the tied people take the places
    left. It applies while the same people tie for the same number of places."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="tie_decisions")
    quota_group = models.CharField(_("quota group"), max_length=64, blank=True)
    tied = models.JSONField(_("tied"), help_text="sorted registration ids of the tied people")
    places = models.PositiveIntegerField(_("places"))
    chosen = models.JSONField(_("chosen"), help_text="registration ids given the places")
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.exam}: {self.chosen} of {self.tied}"
