"""Exam day: one function owns each state change of a room or an attempt (docs/operations.md, "The exam engine").

Rules that hold everywhere: the server owns time (``now`` is read once per operation); a save is accepted
until deadline + grace and never during a pause; saves are idempotent by (attempt, item, client seq);
finishing is compare-and-set; notifications leave only after the transaction commits.
"""
from __future__ import annotations

import datetime as dt
import secrets
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.banks.scoring import item_score
from exams.banks.selectors import choice_ids_by_question
from exams.common.sql import Names
from exams.examday.hosts import host_for
from exams.examday.models import Attempt, AttemptItem, Penalty, RoomEvent, RoomSession
from exams.examday.services.notify import (
    attempt_group,
    attempt_state_message,
    console_group,
    notify_after_commit,
    notify_all_after_commit,
    notify_room_state,
    room_state_message,
)
from exams.sessions.models import Registration, Sitting
from exams.sessions.readiness import sitting_gaps

OPEN = Attempt.Status.OPEN


LAST_SEEN_RESOLUTION = dt.timedelta(seconds=5)  # the console shows seconds; no write on every save


class ExamDayError(Exception):
    """A refusal with a message for the candidate or invigilator; nothing was changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@contextmanager
def busy_as_refusal():
    """"database is locked" never reaches a user: it becomes a refusal the page can retry."""
    try:
        yield
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise ExamDayError("busy", _("The system is busy; try again in a few seconds.")) from exc


def grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS)


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def late_entry_end(sitting: Sitting) -> dt.datetime:
    return sitting.starts_at + dt.timedelta(minutes=sitting.subject.late_entry_minutes)


def room_open(*, sitting: Sitting, room, actor: User) -> RoomSession:
    """Open the room for the sitting: a 6-digit code valid until the late-entry window closes. Refused while the
    sitting's papers are missing (exams/sessions/readiness.py)."""
    gaps = sitting_gaps(sitting, papers_only=True)
    if gaps:
        raise ExamDayError("not_ready", " ".join(gap.text for gap in gaps))
    with transaction.atomic():
        session, created = RoomSession.objects.get_or_create(
            sitting=sitting, room=room,
            defaults={"code": _new_code(), "code_valid_until": late_entry_end(sitting), "opened_by": actor},
        )
        if created:
            audit_record(actor=actor, action="room.open", obj=session)
            RoomEvent.objects.create(room_session=session, kind=RoomEvent.Kind.RESUMED, actor=actor,
                                     reason=_("Room opened"))
    return session


def room_code_regenerate(*, room_session: RoomSession, actor: User) -> RoomSession:
    with transaction.atomic():
        RoomSession.objects.filter(pk=room_session.pk).update(code=_new_code())
        audit_record(actor=actor, action="room.new_code", obj=room_session)
    room_session.refresh_from_db()
    return room_session


def room_close_at(room_session: RoomSession) -> dt.datetime:
    """The sitting's close in this room, moved by the room's extensions and pauses."""
    paused = room_session.paused_total_s
    if room_session.paused_since:
        paused += int((timezone.now() - room_session.paused_since).total_seconds())
    return room_session.sitting.ends_at + dt.timedelta(seconds=room_session.extension_s + paused)


def attempt_deadline(attempt: Attempt, *, paused_total_s: int) -> dt.datetime:
    """deadline = clock start + duration + extensions + the room's pauses since the attempt's pause base (the
    room's pauses so far when it started, or 0 with fixed timing: see entering.starting_clock)."""
    paused = max(0, paused_total_s - attempt.pause_base_s)
    return attempt.clock_start + dt.timedelta(seconds=attempt.duration_s + attempt.extension_s + paused)


def _deadline(attempt: Attempt, room_session: RoomSession) -> dt.datetime:
    return attempt_deadline(attempt, paused_total_s=room_session.paused_total_s)


def _recompute_deadlines(room_session: RoomSession) -> list[Attempt]:
    """Every open attempt's deadline from the formula, written with one statement."""
    return _recompute_deadlines_of([room_session])[room_session.pk]


def _recompute_deadlines_of(room_sessions: list[RoomSession]) -> dict[int, list[Attempt]]:
    """The open attempts of these rooms (by room session) with their deadlines recomputed: one read and one
    UPDATE statement (executemany: a CASE over a room of attempts costs the ORM a hundred milliseconds, and a
    room-wide extension waits for it), whatever the number of rooms."""
    by_room = {room_session.pk: room_session for room_session in room_sessions}
    attempts = list(Attempt.objects.filter(room_session__in=list(by_room), status=OPEN).only(
        "pk", "status", "clock_start", "duration_s", "extension_s", "pause_base_s", "deadline", "room_session_id"))
    grouped: dict[int, list[Attempt]] = {pk: [] for pk in by_room}
    for attempt in attempts:
        attempt.deadline = _deadline(attempt, by_room[attempt.room_session_id])
        grouped[attempt.room_session_id].append(attempt)
    if attempts:
        names, deadline_field = Names(Attempt), Attempt._meta.get_field("deadline")
        sql = f"UPDATE {names.table} SET {names.deadline} = %s WHERE {names.pk} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(deadline_field.get_db_prep_save(a.deadline, connection), a.pk)
                                     for a in attempts])
    return grouped


def room_pause(*, room_session: RoomSession, actor: User, reason: str) -> RoomSession:
    """Stop everyone's clock (an outage). Saves are refused until the room resumes."""
    now = timezone.now()
    with transaction.atomic():
        changed = RoomSession.objects.filter(pk=room_session.pk, paused_since__isnull=True).update(paused_since=now)
        if not changed:
            raise ExamDayError("already_paused", _("The room is already paused."))
        RoomEvent.objects.create(room_session=room_session, kind=RoomEvent.Kind.PAUSED, actor=actor, reason=reason)
        audit_record(actor=actor, action="room.pause", obj=room_session, details={"reason": reason})
        notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
        notify_room_state(room_session, list(Attempt.objects.filter(room_session=room_session, status=OPEN)
                                              .only("pk", "deadline")), paused=True)
    room_session.refresh_from_db()
    return room_session


def room_resume(*, room_session: RoomSession, actor: User, reason: str = "") -> RoomSession:
    now = timezone.now()
    with transaction.atomic():
        locked = RoomSession.objects.select_for_update().get(pk=room_session.pk)
        if locked.paused_since is None:
            raise ExamDayError("not_paused", _("The room is not paused."))
        locked.paused_total_s += int((now - locked.paused_since).total_seconds())
        locked.paused_since = None
        locked.save(update_fields=["paused_total_s", "paused_since"])
        notify_room_state(locked, _recompute_deadlines(locked), paused=False)
        RoomEvent.objects.create(room_session=locked, kind=RoomEvent.Kind.RESUMED, actor=actor, reason=reason)
        audit_record(actor=actor, action="room.resume", obj=locked, details={"reason": reason})
        notify_after_commit(console_group(locked.pk), {"type": "console.changed"})
    return locked


def check_extension(minutes: int, reason: str) -> None:
    """An extension's own checks (a room's, a sitting's, one candidate's or a hosted attempt's): 1–240 minutes and a
    reason."""
    if not 0 < minutes <= 240:
        raise ExamDayError("bad_minutes", _("Give between 1 and 240 minutes."))
    if not reason.strip():
        raise ExamDayError("no_reason", _("Give a reason."))


def extend_sitting(*, sitting: Sitting, minutes: int, reason: str, actor: User) -> list[Attempt]:
    """More time for every open attempt in every open room of the sitting (an outage for the whole venue): one
    transaction of a fixed number of statements whatever the number of rooms, one message per room, an extension
    event in each room's record, one audit record."""
    check_extension(minutes, reason)
    seconds = minutes * 60
    with transaction.atomic():
        room_sessions = list(RoomSession.objects.select_for_update().filter(sitting=sitting).order_by("pk"))
        if not room_sessions:
            raise ExamDayError("room_closed", _("No room of this sitting is open."))
        RoomSession.objects.filter(pk__in=[r.pk for r in room_sessions]).update(
            extension_s=F("extension_s") + seconds)
        Attempt.objects.filter(room_session__in=room_sessions, status=OPEN).update(
            extension_s=F("extension_s") + seconds)
        updated = _recompute_deadlines_of(room_sessions)  # the deadline formula reads the rooms' pauses only
        notify_all_after_commit([
            *(room_state_message(room_session, updated[room_session.pk], paused=room_session.paused_since is not None)
              for room_session in room_sessions),
            *((console_group(room_session.pk), {"type": "console.changed"}) for room_session in room_sessions)])
        RoomEvent.objects.bulk_create([
            RoomEvent(room_session=room_session, kind=RoomEvent.Kind.EXTENDED, actor=actor, reason=reason,
                      details={"minutes": minutes, "sitting": True}) for room_session in room_sessions])
        attempts = [attempt for room_attempts in updated.values() for attempt in room_attempts]
        audit_record(actor=actor, action="sitting.extend", obj=sitting,
                     details={"minutes": minutes, "reason": reason, "rooms": len(room_sessions),
                              "attempts": len(attempts)})
    return attempts


def extend(*, room_session: RoomSession, minutes: int, reason: str, actor: User,
           attempt: Attempt | None = None) -> list[Attempt]:
    """More time for one candidate or for every open attempt in the room (and the room's close)."""
    check_extension(minutes, reason)
    seconds = minutes * 60
    with transaction.atomic():
        targets = Attempt.objects.filter(room_session=room_session, status=OPEN)
        if attempt is not None:
            targets = targets.filter(pk=attempt.pk)
        else:
            RoomSession.objects.filter(pk=room_session.pk).update(extension_s=F("extension_s") + seconds)
        targets.update(extension_s=F("extension_s") + seconds)
        room_session.refresh_from_db()
        updated = _recompute_deadlines(room_session)
        if attempt is None:
            notify_room_state(room_session, updated, paused=room_session.paused_since is not None)
        for target in updated:
            if attempt is not None and target.pk == attempt.pk:
                notify_after_commit(attempt_group(target.pk), attempt_state_message(target, room_session))
        # The record names the candidate an extension is for (none: the whole room).
        RoomEvent.objects.create(room_session=room_session, attempt=attempt, kind=RoomEvent.Kind.EXTENDED,
                                 registration_id=attempt.registration_id if attempt else None,
                                 actor=actor, reason=reason, details={"minutes": minutes})
        audit_record(actor=actor, action="attempt.extend" if attempt else "room.extend",
                     obj=attempt or room_session, details={"minutes": minutes, "reason": reason})
        notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
    return [a for a in updated if attempt is None or a.pk == attempt.pk]


def _score(attempt: Attempt) -> tuple[Decimal, int]:
    """Mark the attempt's items: two reads (the items with their questions; the correct choices' ids) and one
    update per distinct score (a paper's items take a handful of values), not a statement per item."""
    total, correct = Decimal("0"), 0
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("paper_item__question"))
    correct_ids = choice_ids_by_question(question_id__in={item.paper_item.question_id for item in items},
                                         is_correct=True)
    marked: dict[Decimal | None, list[int]] = {}
    for item in items:
        answer = item.answer
        points = item.paper_item.points
        question = item.paper_item.question
        earned = item_score(question=question, points=points, chosen_ids=answer if isinstance(answer, list) else [],
                            text=answer if isinstance(answer, str) else "",
                            correct_ids=correct_ids.get(question.pk, []))
        marked.setdefault(earned, []).append(item.pk)
        if earned is not None:
            total += earned
            correct += int(earned == points)
    for earned, item_ids in marked.items():
        AttemptItem.objects.filter(pk__in=item_ids).update(score=earned)
    return total, correct


def attempt_finish(*, attempt: Attempt, how: str, at: dt.datetime | None = None) -> bool:
    """Finish exactly once (compare-and-set). ``how`` is submitted or expired; an expired attempt ends at its
    deadline. Returns False when someone else finished it first."""
    now = timezone.now()
    finished_at = at or (min(now, attempt.deadline) if how == Attempt.Status.EXPIRED else now)
    with transaction.atomic():
        won = Attempt.objects.filter(pk=attempt.pk, status=OPEN).update(status=how, finished_at=finished_at)
        if not won:
            return False
        attempt.refresh_from_db()
        score, correct = _score(attempt)
        Attempt.objects.filter(pk=attempt.pk).update(score=score, correct_count=correct)
        notify_after_commit(attempt_group(attempt.pk), {"type": "attempt.finished", "status": how})
        if attempt.room_session_id is not None:
            RoomEvent.objects.create(room_session_id=attempt.room_session_id, attempt=attempt,
                                     registration_id=attempt.registration_id, kind=RoomEvent.Kind.FINISHED,
                                     details={"how": how})
            notify_after_commit(console_group(attempt.room_session_id), {"type": "console.changed"})
        host = host_for(attempt.purpose)
        if host is not None and host.on_finish is not None:
            transaction.on_commit(partial(host.on_finish, attempt_id=attempt.pk), robust=True)
    return True


def finish_if_overdue(attempt: Attempt) -> Attempt:
    """The lazy finish: any request that touches an attempt past deadline + grace (or past the room's close)
    finishes it first."""
    if attempt.status == OPEN:
        room_session = attempt.room_session
        if room_session is None or room_session.paused_since is None:
            now = timezone.now()
            close = room_close_at(room_session) if room_session is not None else attempt.deadline
            if now > attempt.deadline + grace() or now > close + grace():
                attempt_finish(attempt=attempt, how=Attempt.Status.EXPIRED, at=min(attempt.deadline, close))
                attempt.refresh_from_db()
    return attempt


def finish_after_refusal(*, attempt_id: int, code: str) -> None:
    """A save refused because time is up finishes the attempt at once (the lazy finish), whatever the transport."""
    if code in ("too_late", "finished"):
        attempt = Attempt.objects.select_related("room_session").filter(pk=attempt_id).first()
        if attempt is not None:
            finish_if_overdue(attempt)


def finish_overdue(*, dry_run: bool = False) -> int:
    """Finish every open attempt past deadline + grace or its room's close (safe beside lazy finishes)."""
    now = timezone.now()
    finished = 0
    candidates = Attempt.objects.filter(status=OPEN, room_session__paused_since__isnull=True).select_related(
        "room_session__sitting")
    for attempt in candidates:  # a hosted attempt has no room (and no pause): its deadline is its close
        close = room_close_at(attempt.room_session) if attempt.room_session_id else attempt.deadline
        if now > attempt.deadline + grace() or now > close + grace():
            if dry_run:
                finished += 1
            elif attempt_finish(attempt=attempt, how=Attempt.Status.EXPIRED, at=min(attempt.deadline, close)):
                finished += 1
    return finished


def penalty_record(*, registration: Registration, sitting: Sitting, kind: str, reason: str, actor: User) -> Penalty:
    """Record a penalty; đình chỉ thi voids the running attempt and bars later subjects."""
    if not reason.strip():
        raise ExamDayError("no_reason", _("Give a reason."))
    with transaction.atomic():
        penalty = Penalty.objects.create(registration=registration, sitting=sitting, kind=kind, reason=reason, by=actor)
        room_session = RoomSession.objects.filter(sitting=sitting, room=registration.room_id).first()
        if kind == Penalty.Kind.SUSPENSION:
            attempt = Attempt.objects.filter(registration=registration, sitting=sitting).first()
            if attempt is not None:
                Attempt.objects.filter(pk=attempt.pk, status=OPEN).update(status=Attempt.Status.VOIDED,
                                                                          finished_at=timezone.now())
                notify_after_commit(attempt_group(attempt.pk), {"type": "attempt.finished", "status": "voided"})
        if room_session is not None:
            RoomEvent.objects.create(room_session=room_session, registration=registration,
                                     kind=RoomEvent.Kind.PENALTY, actor=actor, reason=reason,
                                     details={"penalty": kind})
            notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
        audit_record(actor=actor, action="penalty.record", obj=registration, details={"kind": kind, "reason": reason})
    return penalty


def incident_record(*, room_session: RoomSession, text: str, actor: User,
                    registration: Registration | None = None) -> RoomEvent:
    if not text.strip():
        raise ExamDayError("no_reason", _("Write what happened."))
    with transaction.atomic():
        event = RoomEvent.objects.create(room_session=room_session, registration=registration,
                                         kind=RoomEvent.Kind.INCIDENT, actor=actor, reason=text)
        audit_record(actor=actor, action="room.incident", obj=room_session, details={"text": text})
        notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
    return event
