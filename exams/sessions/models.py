"""Exam sessions (kỳ thi): subjects, council and boards, registrations, rooms and sittings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Rank
from exams.papers.models import Blueprint
from exams.sessions.presets import PRESETS


class Exam(models.Model):
    """An exam session. Its rules are data (from a preset, then edited), never code."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REGISTRATION = "registration", _("Registration")
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        MARKING = "marking", _("Marking")
        RESULTS = "results", _("Results")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    class QuotaScope(models.TextChoices):
        EXAM = "exam", _("Whole exam")
        UNIT = "unit", _("Per unit")
        TARGET_RANK = "target_rank", _("Per target rank")

    name = models.CharField(_("name"), max_length=255)
    preset = models.CharField(_("preset"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    target_rank = models.ForeignKey(Rank, verbose_name=_("target rank"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True, help_text=_("Empty: not set yet."))
    selects_winners = models.BooleanField(
        _("selects winners within a quota"), default=True,
        help_text=_("Off for checks such as kiểm định: results are then only Đạt / Không đạt."))
    quota_scope = models.CharField(_("quota applies to"), max_length=16, choices=QuotaScope.choices,
                                   default=QuotaScope.EXAM)
    cutoff = models.DateField(_("eligibility cut-off date"))
    reprimand_rate = models.DecimalField(_("deduction for a reprimand (khiển trách)"), max_digits=4, decimal_places=2,
                                         default=Decimal("0.20"))
    warning_rate = models.DecimalField(_("deduction for a warning (cảnh cáo)"), max_digits=4, decimal_places=2,
                                       default=Decimal("0.40"))
    tie_break = models.JSONField(_("tie-break chain"), default=list)
    show_score_at_end = models.BooleanField(_("show the score at the end"), default=True)
    print_result_slip = models.BooleanField(_("print a result slip"), default=True)
    number_prefix = models.CharField(_("candidate number prefix"), max_length=8)
    admit_needs_invigilator = models.BooleanField(_("the invigilator admits each candidate"), default=False)
    one_question_per_screen = models.BooleanField(_("one question per screen"), default=False)
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal window (calendar days)"), default=15,
        help_text=_("Counted from the day after publication; closes at 23:59:59 local time on the last day."))
    appeal_fee = models.DecimalField(_("appeal fee (VND)"), max_digits=12, decimal_places=0, default=0)
    marker_not_own_unit = models.BooleanField(_("markers never mark candidates of their own unit"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")

    def __str__(self) -> str:
        return self.name

    @property
    def preset_name(self) -> str:
        """The preset's name as people say it ("Thi nâng ngạch chuyên viên chính"), never its slug."""
        preset = PRESETS.get(self.preset)
        return preset.name if preset else self.preset


class Subject(models.Model):
    class Format(models.TextChoices):
        COMPUTER = "computer", _("Computer MCQ")
        WRITTEN = "written", _("Written")
        PAPER = "paper", _("Paper MCQ")
        ORAL = "oral", _("Oral / defence")

    class PassRule(models.TextChoices):
        GATE_HALF = "gate_half", _("At least half the answers correct")
        SCORE_HALF = "score_half", _("At least half the scale")
        PROJECT_PAIR = "project_pair", _("Both parts at least half, sum at least the scale")

    class Timing(models.TextChoices):
        FIXED = "fixed", _("Fixed: everyone's clock starts at the sitting start")
        INDIVIDUAL = "individual", _("Individual: the clock starts when the candidate starts")

    # What the exam day and the results rest on: frozen once the exam is scheduled, changed then only as a
    # correction with its reason. The marking rules (step, third marking, appeals) stay the council's to set.
    FROZEN_WHEN_SCHEDULED = frozenset({
        "code", "name", "format", "question_count", "duration_minutes", "blueprint", "scale", "pass_rule", "is_gate",
        "exemptible", "ranks", "timing", "late_entry_minutes"})

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="subjects")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    question_count = models.PositiveIntegerField(_("number of questions"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    blueprint = models.ForeignKey(Blueprint, verbose_name=_("blueprint"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    scale = models.DecimalField(_("scale"), max_digits=6, decimal_places=2, default=Decimal("100"))
    pass_rule = models.CharField(_("pass rule"), max_length=16, choices=PassRule.choices)
    is_gate = models.BooleanField(_("gate (pass/fail only)"), default=False)
    exemptible = models.BooleanField(_("exemptible"), default=False)
    ranks = models.BooleanField(_("counts for ranking"), default=False)
    timing = models.CharField(_("timing"), max_length=16, choices=Timing.choices, default=Timing.FIXED)
    late_entry_minutes = models.PositiveIntegerField(_("late entry (minutes)"), default=5)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    mark_step = models.DecimalField(_("marking step"), max_digits=4, decimal_places=2, default=Decimal("0.25"))
    third_marking_gap = models.DecimalField(
        _("gap that calls a third marker"), max_digits=6, decimal_places=2, default=Decimal("10"),
        help_text=_("When the two marks differ by more than this, a third marker marks."))
    class ThirdMarkingRule(models.TextChoices):
        CLOSEST_PAIR = "closest_pair", _("Mean of the two closest marks (all three when two pairs are equally close)")
        MEAN_OF_THREE = "mean_of_three", _("Mean of the three marks")
        THIRD_MARK = "third_mark", _("The third marker's mark")

    third_marking_rule = models.CharField(_("final mark after a third marking"), max_length=16,
                                          choices=ThirdMarkingRule.choices, default=ThirdMarkingRule.CLOSEST_PAIR)
    appeals_allowed = models.BooleanField(_("appeals (phúc khảo) allowed"), default=False)

    class Meta:
        ordering = ["exam", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["exam", "code"], name="subject_unique_code_in_exam")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


# Boards whose members may not see who a candidate is (marking is blind), nor the exam pages that name them.
BLIND_BOARDS = ("marking", "remarking")


class CouncilMember(models.Model):
    """A position on the exam's council or one of its boards; later permission rules check these."""

    class Board(models.TextChoices):
        COUNCIL = "council", _("Exam council")
        SUPERVISION = "supervision", _("Supervision board")
        QUESTIONS = "questions", _("Question board")
        INVIGILATION = "invigilation", _("Invigilation board")
        ANONYMISATION = "anonymisation", _("Anonymisation board")
        MARKING = "marking", _("Marking board")
        REMARKING = "remarking", _("Re-marking board")

    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SECRETARY = "secretary", _("Member and secretary")
        HEAD = "head", _("Head")
        MEMBER = "member", _("Member")

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="council")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="exam_positions")
    board = models.CharField(_("board"), max_length=16, choices=Board.choices)
    position = models.CharField(_("position"), max_length=16, choices=Position.choices)

    class Meta:
        ordering = ["exam", "board", "position"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "user", "board"], name="council_one_position_per_board"),
            models.UniqueConstraint(fields=["exam", "board"], condition=models.Q(position__in=["chair", "head"]),
                                    name="council_one_chair_or_head_per_board"),
            models.UniqueConstraint(fields=["exam"], condition=models.Q(position="secretary"),
                                    name="council_one_secretary"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_board_display()} – {self.get_position_display()}"


class Room(models.Model):
    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (machines)"))

    class Meta:
        ordering = ["exam", "name"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "name"], name="room_unique_name_in_exam"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Sitting(models.Model):
    subject = models.ForeignKey(Subject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="sittings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    opens_at = models.DateTimeField(_("room opens at"), help_text=_("Exam logins work from here."))
    paper_set = models.ForeignKey("exams.PaperSet", verbose_name=_("sealed paper set"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="sittings")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="sitting_ends_after_start"),
            models.CheckConstraint(condition=models.Q(opens_at__lte=models.F("starts_at")),
                                   name="sitting_opens_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.subject.code} {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"


class Registration(models.Model):
    """A person registered for an exam, with the snapshot of what their agency wrote."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="registrations")
    list_order = models.PositiveIntegerField(_("row in the agency's list"), default=0)
    candidate_number = models.CharField(_("candidate number"), max_length=16)
    position_text = models.CharField(_("position (as registered)"), max_length=200, blank=True)
    unit_text = models.CharField(_("unit (as registered)"), max_length=255, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rank_text = models.CharField(_("current rank (as registered)"), max_length=100, blank=True)
    rank = models.ForeignKey(Rank, verbose_name=_("rank"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_start = models.DateField(_("service start date"), null=True, blank=True)
    exempt_foreign_language = models.CharField(_("foreign-language exemption"), max_length=16, blank=True)
    exempt_it = models.CharField(_("IT exemption"), max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="registrations")
    exam_password = models.CharField(_("exam password"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["exam", "candidate_number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "person"], name="registration_one_per_person"),
            models.UniqueConstraint(fields=["exam", "candidate_number"], name="registration_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_number} {self.person}"

    def exemption_for(self, subject: Subject) -> str:
        """The exemption code that excuses this candidate from ``subject`` ("" when none applies)."""
        return self.exemption_code(subject, foreign_language=self.exempt_foreign_language, it=self.exempt_it)

    @staticmethod
    def exemption_code(subject: Subject, *, foreign_language: str, it: str) -> str:
        """The same rule on plain values (for computations that read registrations as rows)."""
        if not subject.exemptible:
            return ""
        return {"NN": foreign_language, "TH": it}.get(subject.code, "")


class InvigilatorAssignment(models.Model):
    class Role(models.TextChoices):
        ROOM = "room", _("Room invigilator")
        TECHNICIAN = "technician", _("Technician")
        CORRIDOR = "corridor", _("Corridor invigilator")

    sitting = models.ForeignKey(Sitting, verbose_name=_("sitting"), on_delete=models.CASCADE,
                                related_name="invigilators")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="invigilators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invigilator"), on_delete=models.PROTECT,
                             related_name="invigilations")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ROOM)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "room", "user"], name="invigilator_once_per_room")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.room} / {self.sitting}"


class Quota(models.Model):
    """A quota for one group when the exam's quota applies per unit or per rank group."""

    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rank = models.ForeignKey(Rank, verbose_name=_("rank"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField(_("quota"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exam", "unit"], condition=models.Q(unit__isnull=False),
                                    name="quota_once_per_unit"),
            models.UniqueConstraint(fields=["exam", "rank"], condition=models.Q(rank__isnull=False),
                                    name="quota_once_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.exam}: {self.unit or self.rank} = {self.seats}"
