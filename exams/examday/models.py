"""Exam day: open rooms, admissions, attempts with their answers, and everything that happens in the room."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.papers.models import Paper, PaperItem
from exams.sessions.models import Registration, Room, Sitting


class RoomSession(models.Model):
    """A room opened for a sitting by its invigilator; holds the room code and the pauses."""

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="room_sessions")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="room_sessions")
    code = models.CharField(_("room code"), max_length=6)
    code_valid_until = models.DateTimeField(_("code valid until"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total_s = models.PositiveIntegerField(_("seconds paused"), default=0)
    extension_s = models.PositiveIntegerField(_("room-wide extension (seconds)"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "room"], name="room_session_once_per_sitting")]

    def __str__(self) -> str:
        return f"{self.sitting} · {self.room}"


class Admission(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="admissions")
    room_session = models.ForeignKey(RoomSession, on_delete=models.PROTECT, related_name="admissions")
    entered_at = models.DateTimeField(default=timezone.now)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    admitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "room_session"], name="admission_once")]

    def __str__(self) -> str:
        return f"{self.registration} @ {self.room_session}"


EXAM_PURPOSE = "exam"  # an attempt at an exam sitting; course tests and contest entries name their own purposes


class Attempt(models.Model):
    """One person's timed paper: the engine's unit (exams/engine.py). The server owns its deadline
    (docs/exam-day.md). An exam attempt (``purpose`` "exam") belongs to a registration, a sitting and the room
    session it was started in; a hosted one (a course test, a contest entry) has none of the three, its host keeping
    its own record linked one-to-one to the attempt."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Finished by the deadline")
        VOIDED = "voided", _("Voided")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts")
    purpose = models.CharField(_("purpose"), max_length=32, default=EXAM_PURPOSE)
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="attempts")
    sitting = models.ForeignKey(Sitting, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts")
    room_session = models.ForeignKey(RoomSession, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="attempts")
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    clock_start = models.DateTimeField(_("clock starts at"))
    duration_s = models.PositiveIntegerField(_("duration (seconds)"))
    extension_s = models.PositiveIntegerField(_("extension (seconds)"), default=0)
    pause_base_s = models.PositiveIntegerField(default=0, help_text="room pause seconds already past at the start")
    deadline = models.DateTimeField(_("deadline"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)
    correct_count = models.PositiveIntegerField(_("correct answers"), null=True, blank=True)
    device = models.CharField(_("active device"), max_length=64, blank=True)
    # How many times a device has taken this paper (the start is 1; each machine that takes it after a release adds
    # one). The page numbers its saves from ``device_epoch * 2**32`` (exams/examday/devicepass.py): a later machine's saves
    # are always above an earlier one's, so a save left unsent on a machine the candidate left never overwrites
    # what they answered on the next.
    device_epoch = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "sitting"], name="attempt_one_per_candidate_and_sitting"),
            # One exam attempt per paper: two late candidates can never take the same spare.
            models.UniqueConstraint(fields=["paper"], condition=models.Q(purpose=EXAM_PURPOSE),
                                    name="attempt_one_per_exam_paper"),
            models.CheckConstraint(condition=models.Q(deadline__gt=models.F("clock_start")),
                                   name="attempt_deadline_after_start"),
            models.CheckConstraint(
                condition=(models.Q(purpose=EXAM_PURPOSE, registration__isnull=False, sitting__isnull=False,
                                    room_session__isnull=False)
                           | (~models.Q(purpose=EXAM_PURPOSE) & models.Q(registration__isnull=True,
                                                                         sitting__isnull=True,
                                                                         room_session__isnull=True))),
                name="attempt_exam_has_its_session"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_overdue_idx")]

    def __str__(self) -> str:
        if self.registration_id is None:
            return f"{self.purpose} #{self.pk}"
        return f"{self.registration.candidate_number} · {self.sitting}"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.OPEN


class AttemptItem(models.Model):
    """The current answer to one item of the paper (the history is in AnswerEvent)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    paper_item = models.ForeignKey(PaperItem, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    answer = models.JSONField(null=True, blank=True)
    client_seq = models.PositiveBigIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"


class AnswerEvent(models.Model):
    """Every save as it arrived: server time, client sequence number and time, device (append-only)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answer_events")
    position = models.PositiveIntegerField()
    client_seq = models.PositiveBigIntegerField()
    client_time = models.CharField(max_length=40, blank=True)
    server_time = models.DateTimeField(default=timezone.now)
    device = models.CharField(max_length=64, blank=True)
    transport = models.CharField(max_length=8, default="ws")
    answer = models.JSONField(null=True, blank=True)
    applied = models.BooleanField(default=True)

    class Meta:
        ordering = ["attempt", "server_time", "pk"]
        indexes = [models.Index(fields=["attempt", "position", "client_seq"], name="answer_event_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position} seq {self.client_seq}"


class RoomEvent(models.Model):
    """What happened in the room: focus loss, disconnections, admissions, extensions, pauses, penalties,
    incidents. Invigilator actions carry a reason and are also in the audit log."""

    class Kind(models.TextChoices):
        FOCUS_LOST = "focus_lost", _("Focus lost")
        PAGE_HIDDEN = "page_hidden", _("Page hidden")
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Connection dropped")
        ENTERED = "entered", _("Entered the code")
        ADMITTED = "admitted", _("Admitted")
        STARTED = "started", _("Started")
        RELEASED = "released", _("Released to another machine")
        EXTENDED = "extended", _("Time extended")
        PAUSED = "paused", _("Room paused")
        RESUMED = "resumed", _("Room resumed")
        PENALTY = "penalty", _("Penalty")
        INCIDENT = "incident", _("Incident (minutes)")
        FINISHED = "finished", _("Finished")

    room_session = models.ForeignKey(RoomSession, on_delete=models.CASCADE, related_name="events")
    attempt = models.ForeignKey(Attempt, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%H:%M:%S}"


class Penalty(models.Model):
    """A penalty recorded in the room (docs/rules.md, "Penalties and absence", rule 7); results apply it."""

    class Kind(models.TextChoices):
        REPRIMAND = "reprimand", _("Reprimand (khiển trách)")
        WARNING = "warning", _("Warning (cảnh cáo)")
        SUSPENSION = "suspension", _("Suspended from the exam (đình chỉ thi)")
        CANCELLATION = "cancellation", _("Result cancelled (hủy kết quả)")

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="penalties")
    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(_("penalty"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.registration}"
