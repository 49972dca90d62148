"""The exam engine's public interface: what courses and contests build their tests and entries on.

Everything here is keyword-only and returns frozen dataclasses, never model instances; hosts keep their own records
linked one-to-one to an attempt by its id. The rules are exam day's (docs/exam-day.md): the server owns the
deadline; answers are saved by client counters, over the websocket (``/ws/attempt/<id>/``, the group commit) with the
HTTP fallback, and nothing acknowledged is ever lost; one device holds a paper, named by a pass the server issues.

A host:

1. registers its purpose once, when its app is ready: ``host_register(Host(purpose=…, page_url=…, result_url=…,
   on_finish=…))``; ``on_finish(attempt_id=…)`` runs after the finish commits, whoever finished the attempt;
2. draws a paper from a blueprint (``paper_draw``) and opens the attempt with its window (``attempt_open``): the
   deadline is the earlier of start + time limit and the window's close; the response that opens it carries the
   device pass (``device_attach``);
3. shows the paper with ``paper_page`` (its template includes ``exams/_paper.html`` and loads ``PAPER_SCRIPT``);
   the page saves, flags and submits through the engine's own endpoints, which send the candidate back to the
   host's pages;
4. reads ``attempt_get`` / ``attempt_result``, or finishes with ``attempt_finish``;
5. gives one attempt more time with ``attempt_extend`` (audited), shows a finished one question by question with
   ``attempt_review`` (the answer given, the correct one, the explanation), and deletes its old finished attempts of
   a purpose with ``attempts_purge`` (never an exam's).

A hosted paper is drawn only from a blueprint of a bank its authors opened to training (``Bank.for_training``;
``blueprint_choices`` lists them): a bank holds exam questions that must stay secret until then.

Exam sittings are the engine's first host (purpose ``EXAM``), with the room code, admission, pauses and
invigilation of exams/examday/services/entering.py and exams/examday/services/attempts.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.examday import devicepass
from exams.examday.hosts import Host, host_for, host_register, host_unregister
from exams.examday.models import EXAM_PURPOSE, Attempt, AttemptItem
from exams.examday.paper_page import paper_page_context
from exams.examday.services import attempts as attempt_services
from exams.examday.services import saves
from exams.examday.services.entering import attempt_items_create
from exams.examday.services.notify import attempt_group, attempt_state_message, notify_after_commit
from exams.papers.models import Blueprint, PaperSet
from exams.papers.services import paper_draw_one

__all__ = [
    "EXAM", "PAPER_SCRIPT", "AttemptInfo", "BlueprintChoice", "DrawnPaper", "Host", "ItemResult", "Refusal",
    "Result", "Review", "ReviewChoice", "ReviewItem", "Saved", "answer_save", "attempt_extend", "attempt_finish",
    "attempt_get", "attempt_open", "attempt_result", "attempt_review", "attempts_purge", "blueprint_choices",
    "device_attach", "device_from", "device_new", "host_register", "host_unregister", "paper_draw", "paper_page",
]

EXAM = EXAM_PURPOSE
PAPER_SCRIPT = "js/exam.js"  # the client every paper page loads (a static path)
Refusal = attempt_services.ExamDayError  # .code (stable, for programs) and .message (for people)


@dataclass(frozen=True)
class DrawnPaper:
    id: int
    questions: int
    total_points: Decimal


@dataclass(frozen=True)
class AttemptInfo:
    id: int
    owner_id: int
    purpose: str
    paper_id: int
    status: str  # open, submitted, expired, voided
    started_at: dt.datetime
    clock_start: dt.datetime
    deadline: dt.datetime
    finished_at: dt.datetime | None
    score: Decimal | None
    correct_count: int | None

    @property
    def is_finished(self) -> bool:
        return self.status != Attempt.Status.OPEN


@dataclass(frozen=True)
class Saved:
    """An acknowledged save (``duplicate``: the value was held already) or a ``conflict`` (not stored: number above
    ``stored_seq`` and send again)."""
    item: int
    seq: int
    duplicate: bool
    conflict: bool
    stored_seq: int


@dataclass(frozen=True)
class ItemResult:
    position: int
    points: Decimal
    score: Decimal | None  # None: marked by hand (an essay)
    answer: object


@dataclass(frozen=True)
class Result:
    attempt: AttemptInfo
    total_points: Decimal
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class BlueprintChoice:
    """A blueprint a hosted paper may be drawn from (its bank is open to training)."""
    id: int
    name: str
    bank_name: str
    questions: int


@dataclass(frozen=True)
class ReviewChoice:
    id: int
    letter: str  # as the paper showed it (A, B, C … in the paper's order)
    text: str  # sanitised HTML, as stored
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class ReviewItem:
    position: int
    kind: str  # single, multiple, true_false, short, essay
    text: str  # the question, sanitised HTML as stored
    choices: tuple[ReviewChoice, ...]  # in the paper's order; empty for a written answer
    answer_text: str  # a short or essay answer as given ("" for choices or no answer)
    accepted: tuple[str, ...]  # a short answer's accepted answers
    points: Decimal
    score: Decimal | None  # None: marked by hand (an essay)
    explanation: str  # sanitised HTML, as stored ("" when the author wrote none)

    @property
    def number(self) -> int:
        return self.position + 1


@dataclass(frozen=True)
class Review:
    attempt: AttemptInfo
    total_points: Decimal
    items: tuple[ReviewItem, ...]


def _info(attempt: Attempt) -> AttemptInfo:
    return AttemptInfo(id=attempt.pk, owner_id=attempt.owner_id, purpose=attempt.purpose, paper_id=attempt.paper_id,
                       status=attempt.status, started_at=attempt.started_at, clock_start=attempt.clock_start,
                       deadline=attempt.deadline, finished_at=attempt.finished_at, score=attempt.score,
                       correct_count=attempt.correct_count)


def _hosted(purpose: str) -> Host:
    host = host_for(purpose)
    if purpose == EXAM or host is None:
        raise ValueError(f"no host registered for purpose {purpose!r} (exam attempts start in the exam room)")
    return host


def _attempt(attempt_id: int, owner_id: int | None) -> Attempt:
    attempt = Attempt.objects.select_related("room_session").filter(pk=attempt_id).first()
    if attempt is None or (owner_id is not None and attempt.owner_id != owner_id):
        raise Refusal("not_yours", _("This paper is not yours."))
    return attempt


# --- devices ----------------------------------------------------------------------------------------------------

def device_new() -> str:
    """A device token the server issues (never one the browser chose)."""
    return devicepass.new_device()


def device_attach(response, device: str) -> None:
    """Give the browser its signed, HttpOnly device pass (on the response that opened the attempt)."""
    devicepass.attach(response, device)


def device_from(request) -> str:
    """The device this browser's pass names; "" without a (valid) pass."""
    return devicepass.device_from(request.COOKIES)


# --- papers and attempts ----------------------------------------------------------------------------------------

def blueprint_choices() -> tuple[BlueprintChoice, ...]:
    """The blueprints a hosted paper may be drawn from: those of banks open to training, by bank and name."""
    rows = (Blueprint.objects.filter(bank__for_training=True).annotate(questions=Sum("rows__count"))
            .order_by("bank__name", "name", "pk").values_list("pk", "name", "bank__name", "questions"))
    return tuple(BlueprintChoice(id=pk, name=name, bank_name=bank_name, questions=questions or 0)
                 for pk, name, bank_name, questions in rows)


def paper_draw(*, blueprint_id: int, purpose: str, owner_ref: str, seed: str) -> DrawnPaper:
    """Draw one paper from a blueprint for a hosted attempt, sealed at once (the same seed, the same paper). Refused
    when the blueprint's bank is not open to training, or cannot fill the blueprint."""
    _hosted(purpose)
    blueprint = Blueprint.objects.select_related("bank").filter(pk=blueprint_id).first()
    if blueprint is None:
        raise Refusal("no_blueprint", _("The blueprint of this test no longer exists."))
    if not blueprint.bank.for_training:
        raise Refusal("not_training", _("The question bank of this blueprint is not open to training courses."))
    try:
        paper = paper_draw_one(blueprint=blueprint, purpose=purpose, owner_ref=owner_ref, seed=seed)
    except ValidationError as exc:
        raise Refusal("cannot_draw", exc.messages[0]) from exc
    return DrawnPaper(id=paper.pk, questions=paper.items.count(), total_points=paper.total_points)


def attempt_open(*, owner_id: int, purpose: str, paper_id: int, time_limit_s: int,
                 window_closes_at: dt.datetime | None, device: str) -> AttemptInfo:
    """Open a hosted attempt now on ``device``: deadline = min(now + time limit, the window's close)."""
    _hosted(purpose)
    now = timezone.now()
    if time_limit_s <= 0:
        raise ValueError("time_limit_s must be positive")
    if not device:
        raise Refusal("no_device", _("This machine has no device pass; open the test again."))
    deadline = now + dt.timedelta(seconds=time_limit_s)
    if window_closes_at is not None:
        if window_closes_at <= now:
            raise Refusal("window", _("The time to take this test has passed."))
        deadline = min(deadline, window_closes_at)
    with transaction.atomic():
        attempt = Attempt.objects.create(
            owner_id=owner_id, purpose=purpose, paper_id=paper_id, clock_start=now, started_at=now,
            duration_s=int((deadline - now).total_seconds()) or 1, deadline=deadline, device=device,
            device_epoch=1, last_seen=now)
        attempt_items_create(attempt_id=attempt.pk, paper_id=paper_id)
    return _info(attempt)


def attempt_get(*, attempt_id: int, owner_id: int | None = None) -> AttemptInfo:
    """The attempt as it stands; one past its deadline (and the grace) is finished first, as on exam day."""
    return _info(attempt_services.finish_if_overdue(_attempt(attempt_id, owner_id)))


def answer_save(*, attempt_id: int, owner_id: int, item: int, seq: int, value, device: str,
                client_time: str = "") -> Saved:
    """Save one answer (the HTTP path; pages use the websocket first). Raises Refusal."""
    result = saves.answer_save(attempt_id=attempt_id, user_id=owner_id, position=item, seq=seq, value=value,
                               device=device, client_time=client_time, transport="http")
    return Saved(item=result.position, seq=result.seq, duplicate=result.duplicate, conflict=result.conflict,
                 stored_seq=result.stored_seq)


def attempt_finish(*, attempt_id: int, owner_id: int | None = None, device: str | None = None) -> AttemptInfo:
    """Submit the attempt (once: a second call returns it as it is); the host's on_finish runs after commit. With
    ``device`` (a submit from a page), only the machine that holds the paper submits it."""
    attempt = attempt_services.finish_if_overdue(_attempt(attempt_id, owner_id))
    if attempt.status == Attempt.Status.OPEN and device is not None and device != attempt.device:
        raise Refusal("other_device", _("This paper is open on another machine."))
    if attempt.status == Attempt.Status.OPEN:
        attempt_services.attempt_finish(attempt=attempt, how=Attempt.Status.SUBMITTED)
    attempt.refresh_from_db()
    return _info(attempt)


def attempt_result(*, attempt_id: int, owner_id: int | None = None) -> Result:
    """The finished attempt's score and each item's points and answer; Refusal("not_finished") before that."""
    info = attempt_get(attempt_id=attempt_id, owner_id=owner_id)
    if not info.is_finished:
        raise Refusal("not_finished", _("The paper is not finished yet."))
    items = tuple(ItemResult(position=position, points=points, score=score, answer=answer)
                  for position, points, score, answer in AttemptItem.objects.filter(attempt_id=attempt_id).order_by(
                      "position").values_list("position", "paper_item__points", "score", "answer"))
    return Result(attempt=info, total_points=sum((item.points for item in items), Decimal("0")), items=items)


def attempt_extend(*, attempt_id: int, minutes: int, reason: str, actor: User) -> AttemptInfo:
    """More time for one open hosted attempt (1–240 minutes, with a reason: exam day's checks): the deadline moves
    by as much, the paper's page is told its new deadline after commit, and the audit log keeps who, how long and
    why. Refusal("finished") once the attempt is over (past its deadline and the grace, it is finished first)."""
    attempt_services.check_extension(minutes, reason)
    attempt = _attempt(attempt_id, None)
    _hosted(attempt.purpose)  # an exam's candidate is given time in the room (exams/examday/services/attempts.py)
    attempt = attempt_services.finish_if_overdue(attempt)
    with transaction.atomic():
        changed = Attempt.objects.filter(pk=attempt.pk, status=Attempt.Status.OPEN).update(
            extension_s=F("extension_s") + minutes * 60)
        if not changed:
            raise Refusal("finished", _("The paper is already finished."))
        attempt.refresh_from_db()
        attempt.deadline = attempt_services.attempt_deadline(attempt, paused_total_s=0)  # a hosted attempt: no room
        Attempt.objects.filter(pk=attempt.pk).update(deadline=attempt.deadline)
        notify_after_commit(attempt_group(attempt.pk), attempt_state_message(attempt, None))
        audit_record(actor=actor, action="attempt.extend", obj=attempt,
                     details={"minutes": minutes, "reason": reason.strip(), "purpose": attempt.purpose})
    return _info(attempt)


def attempt_review(*, attempt_id: int, owner_id: int | None) -> Review:
    """A finished attempt question by question: the text, the choices in the paper's order (which were chosen,
    which are correct), the answer written, the points and score, and the author's explanation.
    Refusal("not_finished") before the attempt is finished: the correct answers never reach an open paper."""
    info = attempt_get(attempt_id=attempt_id, owner_id=owner_id)
    if not info.is_finished:
        raise Refusal("not_finished", _("The paper is not finished yet."))
    items = []
    for item in (AttemptItem.objects.filter(attempt_id=attempt_id).order_by("position")
                 .select_related("paper_item__question").prefetch_related("paper_item__question__choices")):
        question = item.paper_item.question
        by_id = {choice.pk: choice for choice in question.choices.all()}
        ordered = ([by_id[pk] for pk in item.paper_item.choice_order if pk in by_id]
                   or sorted(by_id.values(), key=lambda choice: choice.position))
        chosen = set(item.answer) if isinstance(item.answer, list) else set()
        items.append(ReviewItem(
            position=item.position, kind=question.kind, text=question.text,
            choices=tuple(ReviewChoice(id=choice.pk, letter="ABCDEFGHIJ"[n], text=choice.text,
                                       chosen=choice.pk in chosen, correct=choice.is_correct)
                          for n, choice in enumerate(ordered)) if question.is_choice else (),
            answer_text=item.answer if isinstance(item.answer, str) else "",
            accepted=tuple(question.accepted_answers or ()) if question.kind == "short" else (),
            points=item.paper_item.points, score=item.score, explanation=question.explanation))
    return Review(attempt=info, total_points=sum((item.points for item in items), Decimal("0")), items=tuple(items))


PURGE_BATCH = 500


def attempts_purge(*, purpose: str, finished_before: dt.datetime) -> int:
    """Delete the finished hosted attempts of ``purpose`` finished before ``finished_before``, with their answers and
    events, and the sealed papers drawn for them (a set no other attempt uses). Never an exam's (ValueError): its
    attempts and papers are the record of the exam. Returns the number of attempts deleted."""
    if purpose == EXAM:
        raise ValueError("an exam's attempts are never purged")
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(Attempt.objects.filter(purpose=purpose, finished_at__lt=finished_before)
                         .exclude(status=Attempt.Status.OPEN).order_by("pk").values_list("pk", "paper_id")[:PURGE_BATCH])
            if not batch:
                return deleted
            Attempt.objects.filter(pk__in=[pk for pk, _paper in batch]).delete()  # items, saves, events with them
            sets = list(PaperSet.objects.filter(hosted_for=purpose, papers__in=[paper for _pk, paper in batch])
                        .exclude(papers__attempts__isnull=False).values_list("pk", flat=True).distinct())
            PaperSet.objects.filter(pk__in=sets, hosted_for=purpose).delete()  # papers and items with them
            deleted += len(batch)


def paper_page(*, attempt_id: int, owner_id: int, device: str, heading: str, reenter_url: str,
               reenter_label: str, one_per_screen: bool = False, submit_url: str = "",
               submit_fields: str = "") -> dict:
    """The context of a hosted paper page (include ``exams/_paper.html``; load ``PAPER_SCRIPT``). Raises Refusal
    when the attempt is finished (show the result) or this browser is not the device that holds it. A host that
    asks something with the final submit gives its own ``submit_url`` and the form's ``submit_fields`` (safe HTML
    it rendered); the submit then posts there instead of the engine's submit."""
    attempt = attempt_services.finish_if_overdue(_attempt(attempt_id, owner_id))
    if attempt.is_finished:
        raise Refusal("finished", _("The paper is already finished."))
    if not device or device != attempt.device:
        raise Refusal("other_device", _("This paper is open on another machine."))
    host = _hosted(attempt.purpose)
    return {**paper_page_context(attempt, one_per_screen=one_per_screen, enter_url=reenter_url,
                                 result_url=host.result_url(attempt.pk)),
            "paper_heading": heading, "reenter_label": reenter_label, "submit_url": submit_url,
            "submit_fields": submit_fields}
