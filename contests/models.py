"""The CCHC knowledge contest (docs/contests.md): a contest with its groups of participants, its rounds (a window, and
per group a blueprint, a question count and a time limit), the participants who joined, their entries (each the
host's record of one engine attempt, linked by its id) and, once a round closes, its stored ranking."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from contests import ranking


class Contest(models.Model):
    name = models.CharField(_("name"), max_length=255)
    organiser = models.CharField(_("organising body"), max_length=255)
    rules_html = models.TextField(_("rules"), blank=True, default="")  # sanitised when saved (contests.html)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=16,
                                               validators=[MinValueValidator(6), MaxValueValidator(100)])
    repeat_winners = models.BooleanField(
        _("a person may win more than once"), default=False,
        help_text=_("Unticked: one who has won a prize in an earlier round is passed over, and the prize goes on."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self) -> str:
        return self.name


class ContestGroup(models.Model):
    """A group of participants with its own questions and prizes (cán bộ, công chức, viên chức; nhân dân; …)."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=120)
    civil_servants = models.BooleanField(
        _("for civil servants"), default=False,
        help_text=_("Its participants choose their unit from the unit tree; the others write their commune or ward."))
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["contest", "order", "pk"]
        verbose_name = _("group of participants")
        verbose_name_plural = _("groups of participants")
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contest_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")  # open or not by its window: the clock says which
        RANKED = "ranked", _("Closed and ranked")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    class Counts(models.TextChoices):
        BEST = ranking.BEST, _("the best entry")
        LAST = ranking.LAST, _("the last entry")

    class Prediction(models.TextChoices):
        VALID_ENTRIES = ranking.VALID_ENTRIES, _("the number of valid entries")
        PARTICIPANTS = ranking.PARTICIPANTS, _("the number of participants")
        FULLY_CORRECT = ranking.FULLY_CORRECT, _("the number of fully correct entries")

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round number"), validators=[MinValueValidator(1)])
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    attempts = models.PositiveSmallIntegerField(_("entries allowed per person"), default=1,
                                                validators=[MinValueValidator(1), MaxValueValidator(10)])
    counts = models.CharField(_("when more than one entry, the one that counts"), max_length=8,
                              choices=Counts.choices, default=Counts.BEST)
    prediction_rule = models.CharField(_("the prediction asks for"), max_length=16, choices=Prediction.choices,
                                       default=Prediction.VALID_ENTRIES)
    prediction_all_groups = models.BooleanField(_("counted over every group"), default=False,
                                                help_text=_("Unticked: in the participant's own group."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    ranked_at = models.DateTimeField(_("ranked at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["contest", "number"]
        verbose_name = _("contest round")
        verbose_name_plural = _("contest rounds")
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="contest_round_number_unique"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="round_window"),
        ]

    def __str__(self) -> str:
        return _("%(contest)s – round %(number)s") % {"contest": self.contest, "number": self.number}

    def phase(self, now=None) -> str:
        """Where the round stands by the clock: "upcoming", "open", "over" (its window ended, not yet closed) or
        "closed" (ranked, approved or published)."""
        now = now or timezone.now()
        if self.status != self.Status.SCHEDULED:
            return "closed"
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "over"

    def is_open(self, now=None) -> bool:
        return self.phase(now) == "open"


class RoundGroup(models.Model):
    """A round for one group: its questions (a blueprint of a bank open to hosted tests), its time, its prizes, and
    once closed the prediction's actual value."""

    round = models.ForeignKey(Round, verbose_name=_("contest round"), on_delete=models.CASCADE, related_name="groups")
    group = models.ForeignKey(ContestGroup, verbose_name=_("group of participants"), on_delete=models.PROTECT,
                              related_name="+")
    blueprint_id = models.PositiveIntegerField(_("blueprint"))  # exams.engine.blueprint_choices()
    minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"),
                                               validators=[MinValueValidator(10), MaxValueValidator(30)])
    first_prizes = models.PositiveSmallIntegerField(_("first prizes"), default=1)
    second_prizes = models.PositiveSmallIntegerField(_("second prizes"), default=2)
    third_prizes = models.PositiveSmallIntegerField(_("third prizes"), default=3)
    consolation_prizes = models.PositiveSmallIntegerField(_("consolation prizes"), default=10)
    actual = models.PositiveIntegerField(_("actual value of the prediction"), null=True, blank=True)

    class Meta:
        ordering = ["round", "group__order"]
        verbose_name = _("round of a group")
        constraints = [models.UniqueConstraint(fields=["round", "group"], name="round_group_unique")]

    def __str__(self) -> str:
        return f"{self.round} – {self.group}"

    def prizes(self) -> list[tuple[str, int]]:
        return [(Standing.Prize.FIRST, self.first_prizes), (Standing.Prize.SECOND, self.second_prizes),
                (Standing.Prize.THIRD, self.third_prizes), (Standing.Prize.CONSOLATION, self.consolation_prizes)]


class Participant(models.Model):
    """A person who joined a contest, with what the sign-up asked (kept as given: the published lists need it)."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE,
                                related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="contest_entries")
    group = models.ForeignKey(ContestGroup, verbose_name=_("group of participants"), on_delete=models.PROTECT,
                              related_name="participants")
    full_name = models.CharField(_("full name"), max_length=255)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    unit_name = models.CharField(_("unit or commune"), max_length=255)  # snapshot, or the commune as written
    consent_at = models.DateTimeField(_("consented to the processing of personal data at"))
    guardian = models.CharField(_("guardian who consented"), max_length=255, blank=True, default="")
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        ordering = ["contest", "full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["contest", "person"], name="participant_once_per_contest")]

    def __str__(self) -> str:
        return self.full_name


def entry_valid(*, voided_at, questions: int, answered: int) -> bool:
    """A finished entry counts only when every question is answered and it is not void (docs/contests.md)."""
    return voided_at is None and questions > 0 and answered == questions


class Entry(models.Model):
    """One try at a round: the engine's attempt, and when finished what the ranking reads (server times)."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Time ran out")

    round = models.ForeignKey(Round, verbose_name=_("contest round"), on_delete=models.CASCADE, related_name="entries")
    participant = models.ForeignKey(Participant, verbose_name=_("participant"), on_delete=models.CASCADE,
                                    related_name="entries")
    number = models.PositiveSmallIntegerField(_("entry"), validators=[MinValueValidator(1)])
    attempt_id = models.PositiveIntegerField(_("engine attempt"), unique=True)
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    time_taken_ms = models.PositiveIntegerField(_("time taken (ms)"), null=True, blank=True)
    questions = models.PositiveSmallIntegerField(_("questions"), default=0)
    answered = models.PositiveSmallIntegerField(_("questions answered"), default=0)
    correct = models.PositiveSmallIntegerField(_("correct answers"), default=0)
    prediction = models.PositiveIntegerField(_("prediction"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["round", "participant", "number"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [models.UniqueConstraint(fields=["round", "participant", "number"], name="entry_number_unique")]
        indexes = [models.Index(fields=["round", "status"], name="entry_round_status")]

    def __str__(self) -> str:
        return f"{self.participant} – {self.round} ({self.number})"

    @property
    def valid(self) -> bool:
        return self.status != self.Status.OPEN and entry_valid(voided_at=self.voided_at, questions=self.questions,
                                                               answered=self.answered)


class Standing(models.Model):
    """A participant's place in a closed round's ranking, in their group (one row per participant: the counted
    entry), with the prize the ranking gives or the prizes a tie leaves to the organisers."""

    class Prize(models.TextChoices):
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        CONSOLATION = "consolation", _("Consolation prize")

    round = models.ForeignKey(Round, verbose_name=_("contest round"), on_delete=models.CASCADE, related_name="standings")
    group = models.ForeignKey(ContestGroup, verbose_name=_("group of participants"), on_delete=models.PROTECT,
                              related_name="+")
    participant = models.ForeignKey(Participant, verbose_name=_("participant"), on_delete=models.CASCADE,
                                    related_name="standings")
    entry = models.ForeignKey(Entry, verbose_name=_("counted entry"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    gap = models.PositiveIntegerField(_("prediction gap"), null=True, blank=True)
    prize = models.CharField(_("prize"), max_length=16, choices=Prize.choices, blank=True, default="")
    contested = models.CharField(_("prizes a tie leaves to the organisers"), max_length=64, blank=True, default="")
    passed_over = models.BooleanField(_("passed over (has won before)"), default=False)

    class Meta:
        ordering = ["round", "group", "rank", "participant_id"]
        verbose_name = _("standing")
        constraints = [models.UniqueConstraint(fields=["round", "participant"], name="standing_once_per_round")]
        indexes = [models.Index(fields=["round", "group", "rank"], name="standing_round_group_rank")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.participant}"
