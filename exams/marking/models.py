"""Written subjects (docs/rules.md, "Written subjects", "Appeals"): anonymised scripts, double marking, appeals,
and the item-analysis flags sent back to the question board.

A marker reaches a script only through its secret code (số phách); the mapping from code to candidate is read
by the council secretary and the anonymisation board alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.examday.models import Attempt
from exams.sessions.models import Registration, Subject


class Script(models.Model):
    """One candidate's written paper in one subject, answered on the computer or scanned from paper."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Answered on the computer")
        PAPER = "paper", _("Paper, scanned")

    class Status(models.TextChoices):
        MARKING = "marking", _("Being marked")
        THIRD = "third", _("Waiting for a third marking")
        MARKED = "marked", _("Marked")

    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.PROTECT,
                                     related_name="scripts")
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="scripts")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    attempt = models.OneToOneField(Attempt, verbose_name=_("attempt"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="script")
    code = models.CharField(_("secret code (số phách)"), max_length=12)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.MARKING)
    final_score = models.DecimalField(_("final score"), max_digits=8, decimal_places=4, null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), default=timezone.now)
    anonymised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("anonymised by"), null=True, blank=True,
                                      on_delete=models.PROTECT,
                                      related_name="+")

    class Meta:
        ordering = ["subject", "code"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "subject"], name="script_once_per_subject"),
            models.UniqueConstraint(fields=["subject", "code"], name="script_code_unique_in_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject.code} · {self.code}"  # never the candidate: this is what a marker may see


def scan_path(instance: ScriptScan, filename: str) -> str:
    return f"scans/{instance.script.subject_id}/{instance.sha256}{instance.extension}"


class ScriptScan(models.Model):
    """A scanned page or PDF of a paper script (size- and type-checked on upload, stored outside static)."""

    script = models.ForeignKey(Script, verbose_name=_("script"), on_delete=models.CASCADE, related_name="scans")
    file = models.FileField(_("file"), upload_to=scan_path, max_length=255)
    content_type = models.CharField(_("content type"), max_length=64)
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["script", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.script} #{self.order}"


class Appeal(models.Model):
    """A request for re-marking (phúc khảo) of one written subject after publication."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        REMARKING = "remarking", _("Being re-marked")
        DECIDED = "decided", _("Re-marked")

    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.PROTECT,
                                     related_name="appeals")
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="appeals")
    script = models.ForeignKey(Script, verbose_name=_("script"), on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("reason"), blank=True)
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=0, default=0)
    fee_paid = models.BooleanField(_("fee paid"), default=False)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.FILED)
    score_before = models.DecimalField(_("score before"), max_digits=8, decimal_places=4, null=True, blank=True)
    score_after = models.DecimalField(_("score after re-marking"), max_digits=8, decimal_places=4, null=True,
                                      blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        constraints = [models.UniqueConstraint(fields=["registration", "subject"], name="appeal_once_per_subject")]

    def __str__(self) -> str:
        return f"{self.script} · {self.get_status_display()}"


class Marking(models.Model):
    """One marker's mark on one script: first, second, third, or a re-marking for an appeal. A marker sees
    the script's code and answer, never the other marks of the same round until both are in."""

    class Round(models.TextChoices):
        FIRST = "first", _("First marking")
        SECOND = "second", _("Second marking")
        THIRD = "third", _("Third marking")
        APPEAL_FIRST = "appeal_first", _("Re-marking 1")
        APPEAL_SECOND = "appeal_second", _("Re-marking 2")
        APPEAL_THIRD = "appeal_third", _("Re-marking 3")

    script = models.ForeignKey(Script, verbose_name=_("script"), on_delete=models.CASCADE, related_name="markings")
    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="markings")
    round = models.CharField(_("round"), max_length=16, choices=Round.choices)
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marker"), on_delete=models.PROTECT,
                               related_name="markings")
    mark = models.DecimalField(_("mark"), max_digits=8, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)

    class Meta:
        ordering = ["script", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["script", "round"], name="marking_one_per_round"),
            models.UniqueConstraint(fields=["script", "marker"], condition=models.Q(appeal__isnull=True),
                                    name="marking_marker_once_per_script"),
            models.UniqueConstraint(fields=["script", "marker", "appeal"], condition=models.Q(appeal__isnull=False),
                                    name="marking_marker_once_per_appeal"),
        ]
        indexes = [models.Index(fields=["marker", "marked_at"], name="marking_marker_todo_idx")]

    def __str__(self) -> str:
        return f"{self.script} · {self.get_round_display()}"
