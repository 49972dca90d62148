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

    sitting = models.ForeignKey(Sitting, verbose_name=_("sitting"), on_delete=models.PROTECT, related_name="room_sessions")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="room_sessions")
    code = models.CharField(_("room code"), max_length=6)
    code_valid_until = models.DateTimeField(_("code valid until"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total_s = models.PositiveIntegerField(_("seconds paused"), default=0)
    extension_s = models.PositiveIntegerField(_("room-wide extension (seconds)"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "room"], name="room_session_once_per_sitting")]

    def __str__(self) -> str:
        return f"{self.sitting} · {self.room}"


class Admission(models.Model):
    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.PROTECT,
                                     related_name="admissions")
    room_session = models.ForeignKey(RoomSession, verbose_name=_("room session"), on_delete=models.PROTECT,
                                     related_name="admissions")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("admitted by"), null=True, blank=True,
                                    on_delete=models.PROTECT,
                                    related_name="+")
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)

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

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="attempts")
    purpose = models.CharField(_("purpose"), max_length=32, default=EXAM_PURPOSE)
    registration = models.ForeignKey(Registration, verbose_name=_("registration"), null=True, blank=True,
                                     on_delete=models.PROTECT,
                                     related_name="attempts")
    sitting = models.ForeignKey(Sitting, verbose_name=_("sitting"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attempts")
    room_session = models.ForeignKey(RoomSession, verbose_name=_("room session"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="attempts")
    paper = models.ForeignKey(Paper, verbose_name=_("paper"), on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    clock_start = models.DateTimeField(_("clock starts at"))
    duration_s = models.PositiveIntegerField(_("duration (seconds)"))
    extension_s = models.PositiveIntegerField(_("extension (seconds)"), default=0)
    pause_base_s = models.PositiveIntegerField(_("pause base s"), default=0,
                                               help_text="room pause seconds already past at the start")
    deadline = models.DateTimeField(_("deadline"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)
    correct_count = models.PositiveIntegerField(_("correct answers"), null=True, blank=True)
    device = models.CharField(_("active device"), max_length=64, blank=True)
    # How many times a device has taken this paper (the start is 1; each machine that takes it after a release adds
    # one). The page numbers its saves from ``device_epoch * 2**32`` (exams/examday/devicepass.py): a later machine's saves
    # are always above an earlier one's, so a save left unsent on a machine the candidate left never overwrites
    # what they answered on the next.
    device_epoch = models.PositiveIntegerField(_("device epoch"), default=0)
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

    attempt = models.ForeignKey(Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="items")
    paper_item = models.ForeignKey(PaperItem, verbose_name=_("paper item"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("question number"))
    answer = models.JSONField(_("answer"), null=True, blank=True)
    client_seq = models.PositiveBigIntegerField(_("client seq"), default=0)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"


class AnswerEvent(models.Model):
    """Every save as it arrived: server time, client sequence number and time, device (append-only)."""

    attempt = models.ForeignKey(Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answer_events")
    position = models.PositiveIntegerField(_("question number"))
    client_seq = models.PositiveBigIntegerField(_("client seq"))
    client_time = models.CharField(_("client time"), max_length=40, blank=True)
    server_time = models.DateTimeField(_("server time"), default=timezone.now)
    device = models.CharField(_("device"), max_length=64, blank=True)
    transport = models.CharField(_("transport"), max_length=8, default="ws")
    answer = models.JSONField(_("answer"), null=True, blank=True)
    applied = models.BooleanField(_("applied"), default=True)

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

    room_session = models.ForeignKey(RoomSession, verbose_name=_("room session"), on_delete=models.CASCADE, related_name="events")
    attempt = models.ForeignKey(Attempt, verbose_name=_("attempt"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="events")
    registration = models.ForeignKey(Registration, verbose_name=_("registration"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

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

    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.PROTECT,
                                     related_name="penalties")
    sitting = models.ForeignKey(Sitting, verbose_name=_("sitting"), on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(_("penalty"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.registration}"

    @classmethod
    def label_of(cls, code: str) -> str:
        """A penalty recorded on a room event, in words (an unknown code as written)."""
        return str(cls.Kind(code).label) if code in cls.Kind.values else code
