"""Entries on the exam engine (docs/contests.md, "Entries"): starting one (the window, the attempts allowed, one
entry at a time whatever the tabs or phones), the prediction given before the final submit, and what a finished
entry keeps for the ranking (server times to the millisecond, questions answered, correct answers)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import roles_of
from accounts.roles import Role
from contests.models import Entry, Participant, Round, RoundGroup
from exams import engine

PURPOSE = "contest"
# Those who make or run the contest do not take it (docs/contests.md, "Who may take part").
BARRED_ROLES = {Role.CONTEST_ORGANISER.value, Role.QUESTION_AUTHOR.value}


def entry_start(*, contest_round: Round, participant: Participant, device: str) -> Entry:
    """The participant's open entry of the round (the same one from any tab or phone), or a new one: its paper drawn
    for them (seeded), its deadline the earlier of start + the group's time limit and the round's close."""
    now = timezone.now()
    if participant.contest_id != contest_round.contest_id:
        raise ValidationError(_("You have not joined this contest."), code="not_joined")
    if BARRED_ROLES & set(roles_of(participant.person)):
        raise ValidationError(_("Organisers and question writers of the contest do not take part in it."),
                              code="barred")
    if contest_round.status != Round.Status.SCHEDULED or now >= contest_round.closes_at:
        raise ValidationError(_("This round has closed."), code="closed")
    if now < contest_round.opens_at:
        raise ValidationError(_("This round opens at %(time)s.") % {
            "time": timezone.localtime(contest_round.opens_at).strftime("%H:%M %d/%m/%Y")}, code="not_open")
    with transaction.atomic():
        Participant.objects.select_for_update().filter(pk=participant.pk).first()  # two tabs: one at a time
        entries = list(Entry.objects.filter(round=contest_round, participant=participant).order_by("number"))
        for entry in entries:
            if entry.status == Entry.Status.OPEN:
                info = engine.attempt_get(attempt_id=entry.attempt_id)
                if not info.is_finished:
                    return entry
                entry_record(attempt_id=entry.attempt_id)
        if len(entries) >= contest_round.attempts:
            raise ValidationError(_("You have used every entry this round allows."), code="attempts")
        setting = RoundGroup.objects.filter(round=contest_round, group_id=participant.group_id).first()
        if setting is None:
            raise ValidationError(_("This round has no questions for your group yet."), code="no_questions")
        number = len(entries) + 1
        try:
            paper = engine.paper_draw(blueprint_id=setting.blueprint_id, purpose=PURPOSE,
                                      owner_ref=f"contest:{contest_round.pk}:{participant.pk}:{number}",
                                      seed=f"contest-{contest_round.pk}-{participant.pk}-{number}")
            info = engine.attempt_open(owner_id=participant.person_id, purpose=PURPOSE, paper_id=paper.id,
                                       time_limit_s=setting.minutes * 60, window_closes_at=contest_round.closes_at,
                                       device=device)
        except engine.Refusal as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from refusal
        return Entry.objects.create(round=contest_round, participant=participant, number=number, attempt_id=info.id,
                                    started_at=info.started_at, deadline=info.deadline, questions=paper.questions)


def entry_submit(*, entry: Entry, prediction: int | None, owner_id: int, device: str | None = None) -> Entry:
    """The final submit: the prediction kept first (it may be left empty, and is ranked after every given one),
    then the attempt finished and recorded. A second submit changes nothing. From a page, ``device`` is the
    browser's pass: only the phone that holds the paper submits it."""
    if prediction is not None and prediction < 0:
        raise ValidationError(_("The prediction is a whole number, zero or more."), code="prediction")
    if entry.participant.person_id != owner_id:  # an entry's participant never changes
        raise ValidationError(_("This entry is not yours."), code="not_yours")
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != Entry.Status.OPEN:
            return locked
        try:
            engine.attempt_finish(attempt_id=locked.attempt_id, owner_id=owner_id, device=device)
        except engine.Refusal as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from refusal
        locked.prediction = prediction
        locked.save(update_fields=["prediction"])
        entry_record(attempt_id=entry.attempt_id)  # in the same transaction: the engine's on_finish finds it done
    return Entry.objects.get(pk=entry.pk)


def entry_record(*, attempt_id: int) -> None:
    """What the ranking reads, from the engine's finished attempt (the engine's on_finish, the submit, the closing:
    whichever comes first; the others find the entry recorded). Time taken runs from the server's start to the
    finish, never past the deadline."""
    if not Entry.objects.filter(attempt_id=attempt_id, status=Entry.Status.OPEN).exists():
        return  # recorded already: no write transaction taken for nothing
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(attempt_id=attempt_id, status=Entry.Status.OPEN).first()
        if entry is None:
            return
        try:  # an attempt past its deadline is finished by reading it
            result = engine.attempt_result(attempt_id=attempt_id)
        except engine.Refusal as refusal:
            if refusal.code == "not_finished":
                return
            raise
        info = result.attempt
        finished = min(info.finished_at or info.deadline, info.deadline)
        entry.status = Entry.Status.SUBMITTED if info.status == "submitted" else Entry.Status.EXPIRED
        entry.submitted_at = finished
        entry.time_taken_ms = max(0, round((finished - info.started_at).total_seconds() * 1000))
        entry.questions = len(result.items)
        entry.answered = sum(1 for item in result.items if item.answer not in (None, "", [], {}))
        entry.correct = sum(1 for item in result.items if item.score is not None and item.points > 0
                            and item.score >= item.points)
        entry.save(update_fields=["status", "submitted_at", "time_taken_ms", "questions", "answered", "correct"])


def host_register() -> None:
    """Called once when the app is ready: the engine sends a participant's paper and result to our pages and tells
    us each finish (``entry_record``)."""
    engine.host_register(engine.Host(purpose=PURPOSE, page_url=_page_url, result_url=_result_url,
                                     on_finish=lambda attempt_id: entry_record(attempt_id=attempt_id)))


def _page_url(attempt_id: int) -> str:
    return reverse("contest_entry", args=[Entry.objects.values_list("pk", flat=True).get(attempt_id=attempt_id)])


def _result_url(attempt_id: int) -> str:
    return reverse("contest_entry_result",
                   args=[Entry.objects.values_list("pk", flat=True).get(attempt_id=attempt_id)])
