"""Exam day: one function owns each state change of a room or an attempt (DESIGN.md §3).

Rules that hold everywhere: the server owns time (``now`` is read once per operation); a save is accepted
until deadline + grace and never during a pause; saves are idempotent by (attempt, item, client seq);
finishing is compare-and-set; notifications leave only after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.dbgate import write_gate
from exams.importing.base import CHOICE_KINDS, KIND_ESSAY, KIND_MULTIPLE, KIND_SHORT
from exams.models import (
    Admission,
    AnswerEvent,
    Attempt,
    AttemptItem,
    Paper,
    PaperItem,
    Penalty,
    Registration,
    RoomEvent,
    RoomSession,
    Sitting,
)
from exams.scoring import item_score

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


# --- notifications (after commit only) -------------------------------------------------------------------

def attempt_group(attempt_id: int) -> str:
    return f"attempt-{attempt_id}"


def console_group(room_session_id: int) -> str:
    return f"console-{room_session_id}"


def room_group(room_session_id: int) -> str:
    """Every open exam page of a room: for what happens to the whole room (an extension, a pause)."""
    return f"room-{room_session_id}"


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def _notify_after_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: _send(group, message))


def _attempt_state(attempt: Attempt, room_session: RoomSession) -> dict:
    return {"type": "attempt.state", "status": attempt.status, "deadline": attempt.deadline.isoformat(),
            "paused": room_session.paused_since is not None}


def _notify_room_state(room_session: RoomSession, attempts: list[Attempt], *, paused: bool) -> None:
    """One message for the whole room instead of one per candidate; each page takes its own deadline from it.

    The deadlines travel as one JSON text: the in-memory channel layer deep-copies a message for every socket,
    and a string is copied for free."""
    deadlines = json.dumps({str(attempt.pk): attempt.deadline.isoformat() for attempt in attempts})
    _notify_after_commit(room_group(room_session.pk), {"type": "room.state", "status": OPEN, "paused": paused,
                                                       "deadlines": deadlines})


# --- rooms ---------------------------------------------------------------------------------------------------

def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _late_entry_end(sitting: Sitting) -> dt.datetime:
    return sitting.starts_at + dt.timedelta(minutes=sitting.subject.late_entry_minutes)


def room_open(*, sitting: Sitting, room, actor: User) -> RoomSession:
    """Open the room for the sitting: a 6-digit code valid until the late-entry window closes."""
    with transaction.atomic():
        session, created = RoomSession.objects.get_or_create(
            sitting=sitting, room=room,
            defaults={"code": _new_code(), "code_valid_until": _late_entry_end(sitting), "opened_by": actor},
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


def _deadline(attempt: Attempt, room_session: RoomSession) -> dt.datetime:
    paused = max(0, room_session.paused_total_s - attempt.pause_base_s)
    return attempt.clock_start + dt.timedelta(seconds=attempt.duration_s + attempt.extension_s + paused)


def _recompute_deadlines(room_session: RoomSession) -> list[Attempt]:
    """Every open attempt's deadline from the formula, written with one statement (executemany: a CASE over a
    room of attempts costs the ORM a hundred milliseconds, and a room-wide extension waits for it)."""
    attempts = list(Attempt.objects.filter(room_session=room_session, status=OPEN).only(
        "pk", "status", "clock_start", "duration_s", "extension_s", "pause_base_s", "deadline", "room_session_id"))
    for attempt in attempts:
        attempt.deadline = _deadline(attempt, room_session)
    if attempts:
        meta, qn = Attempt._meta, connection.ops.quote_name
        deadline_field = meta.get_field("deadline")
        sql = (f"UPDATE {qn(meta.db_table)} SET {qn(deadline_field.column)} = %s "  # noqa: S608 - quoted model names
               f"WHERE {qn(meta.pk.column)} = %s")
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(deadline_field.get_db_prep_save(a.deadline, connection), a.pk)
                                     for a in attempts])
    return attempts


def room_pause(*, room_session: RoomSession, actor: User, reason: str) -> RoomSession:
    """Stop everyone's clock (an outage). Saves are refused until the room resumes."""
    now = timezone.now()
    with transaction.atomic():
        changed = RoomSession.objects.filter(pk=room_session.pk, paused_since__isnull=True).update(paused_since=now)
        if not changed:
            raise ExamDayError("already_paused", _("The room is already paused."))
        RoomEvent.objects.create(room_session=room_session, kind=RoomEvent.Kind.PAUSED, actor=actor, reason=reason)
        audit_record(actor=actor, action="room.pause", obj=room_session, details={"reason": reason})
        _notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
        _notify_room_state(room_session, list(Attempt.objects.filter(room_session=room_session, status=OPEN)
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
        _notify_room_state(locked, _recompute_deadlines(locked), paused=False)
        RoomEvent.objects.create(room_session=locked, kind=RoomEvent.Kind.RESUMED, actor=actor, reason=reason)
        audit_record(actor=actor, action="room.resume", obj=locked, details={"reason": reason})
        _notify_after_commit(console_group(locked.pk), {"type": "console.changed"})
    return locked


def extend(*, room_session: RoomSession, minutes: int, reason: str, actor: User,
           attempt: Attempt | None = None) -> list[Attempt]:
    """More time for one candidate or for every open attempt in the room (and the room's close)."""
    if not 0 < minutes <= 240:
        raise ExamDayError("bad_minutes", _("Give between 1 and 240 minutes."))
    if not reason.strip():
        raise ExamDayError("no_reason", _("Give a reason."))
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
            _notify_room_state(room_session, updated, paused=room_session.paused_since is not None)
        for target in updated:
            if attempt is not None and target.pk == attempt.pk:
                _notify_after_commit(attempt_group(target.pk), _attempt_state(target, room_session))
        RoomEvent.objects.create(room_session=room_session, attempt=attempt, kind=RoomEvent.Kind.EXTENDED,
                                 actor=actor, reason=reason, details={"minutes": minutes})
        audit_record(actor=actor, action="attempt.extend" if attempt else "room.extend",
                     obj=attempt or room_session, details={"minutes": minutes, "reason": reason})
        _notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
    return [a for a in updated if attempt is None or a.pk == attempt.pk]


# --- entering and starting -----------------------------------------------------------------------------------

@dataclass
class Entry:
    admission: Admission
    attempt: Attempt | None  # None while the invigilator has not admitted the candidate


def room_enter(*, registration: Registration, sitting: Sitting, code: str, device: str) -> Entry:
    """The candidate typed the room code: checks the window, the room and the code, then starts (or resumes)."""
    now = timezone.now()
    subject = sitting.subject
    if registration.exemption_for(subject):
        raise ExamDayError("exempt", _("You are exempt from this subject."))
    if Penalty.objects.filter(registration=registration, kind=Penalty.Kind.SUSPENSION).exists():
        raise ExamDayError("suspended", _("You were suspended from this exam."))
    room_session = RoomSession.objects.filter(sitting=sitting, room=registration.room_id).select_related(
        "sitting__subject__exam").first()
    if room_session is None:
        raise ExamDayError("room_closed", _("Your room is not open yet; wait for the invigilator."))
    existing = Attempt.objects.filter(registration=registration, sitting=sitting).first()
    if existing is not None:
        return Entry(admission=Admission.objects.get(registration=registration, room_session=room_session),
                     attempt=attempt_resume(attempt=existing, device=device))
    if now < sitting.opens_at or now > _late_entry_end(sitting):
        raise ExamDayError("window", _("The time to enter this sitting has passed or not come yet."))
    if now > room_session.code_valid_until or not secrets.compare_digest(room_session.code, (code or "").strip()):
        raise ExamDayError("bad_code", _("The room code is wrong."))
    # One transaction for the admission and the start: one commit (one fsync) per candidate at the start spike.
    with busy_as_refusal(), write_gate(), transaction.atomic():
        admission, created = Admission.objects.get_or_create(registration=registration, room_session=room_session)
        if created:
            RoomEvent.objects.create(room_session=room_session, registration=registration,
                                     kind=RoomEvent.Kind.ENTERED)
        attempt, started = None, False
        if not subject.exam.admit_needs_invigilator or admission.admitted_at is not None:
            attempt, started = _attempt_start(admission=admission, device=device)
        if created and not started:  # a start tells the console itself: one notification, not two
            _notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
        return Entry(admission=admission, attempt=attempt)


def admit(*, admission: Admission, actor: User, reason: str = "") -> Admission:
    with transaction.atomic():
        Admission.objects.filter(pk=admission.pk, admitted_at__isnull=True).update(admitted_by=actor,
                                                                                   admitted_at=timezone.now())
        RoomEvent.objects.create(room_session=admission.room_session, registration=admission.registration,
                                 kind=RoomEvent.Kind.ADMITTED, actor=actor, reason=reason)
        audit_record(actor=actor, action="room.admit", obj=admission.registration, details={"reason": reason})
        _notify_after_commit(console_group(admission.room_session_id), {"type": "console.changed"})
    admission.refresh_from_db()
    return admission


def attempt_start(*, admission: Admission, device: str) -> Attempt:
    """Create the attempt from the candidate's sealed paper; the clock starts at the sitting start (fixed)
    or now (individual)."""
    return _attempt_start(admission=admission, device=device)[0]


def _attempt_start(*, admission: Admission, device: str) -> tuple[Attempt, bool]:
    """``attempt_start``, also telling whether this call created the attempt (False: resumed)."""
    now = timezone.now()
    room_session = admission.room_session
    sitting = room_session.sitting
    registration = admission.registration
    # The paper and its set in one query; the set alone only to explain a missing paper.
    paper = (Paper.objects.select_related("paper_set").filter(
        paper_set_id=sitting.paper_set_id, candidate_ref=registration.candidate_number).first()
        if sitting.paper_set_id else None)
    paper_set = paper.paper_set if paper is not None else sitting.paper_set
    if paper_set is None or not paper_set.is_sealed:
        raise ExamDayError("no_paper", _("The papers of this sitting are not sealed yet; tell the invigilator."))
    if paper is None:
        raise ExamDayError("no_paper", _("There is no paper for your candidate number; tell the invigilator."))
    subject = sitting.subject
    clock_start = sitting.starts_at if subject.timing == subject.Timing.FIXED else now
    duration_s = subject.duration_minutes * 60
    with transaction.atomic(savepoint=False):  # inside room_enter's transaction: a failure undoes the entry too
        room_session = RoomSession.objects.select_for_update().get(pk=room_session.pk)
        attempt, created = Attempt.objects.get_or_create(
            registration=registration, sitting=sitting,
            defaults={"room_session": room_session, "paper": paper, "clock_start": clock_start,
                      "duration_s": duration_s, "pause_base_s": room_session.paused_total_s,
                      "deadline": clock_start + dt.timedelta(seconds=duration_s), "device": device, "last_seen": now},
        )
        if created:
            AttemptItem.objects.bulk_create([
                AttemptItem(attempt=attempt, paper_item_id=item_id, position=position)
                for item_id, position in PaperItem.objects.filter(paper_id=paper.pk).order_by("position")
                .values_list("pk", "position")
            ])
            RoomEvent.objects.create(room_session=room_session, attempt=attempt, registration=registration,
                                     kind=RoomEvent.Kind.STARTED)
            _notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
    if not created:
        return attempt_resume(attempt=attempt, device=device), False
    return attempt, True


def attempt_resume(*, attempt: Attempt, device: str) -> Attempt:
    """A reload on the same device resumes; another device is refused until the invigilator releases it."""
    if attempt.device and attempt.device != device:
        raise ExamDayError("other_device", _("This paper is open on another machine. Ask the invigilator to move it."))
    if not attempt.device:
        Attempt.objects.filter(pk=attempt.pk, device="").update(device=device)
        attempt.device = device
    return attempt


def release(*, attempt: Attempt, actor: User, reason: str) -> Attempt:
    """Let the candidate continue on another machine (the next device that opens the paper takes it)."""
    with transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(device="")
        RoomEvent.objects.create(room_session_id=attempt.room_session_id, attempt=attempt,
                                 registration_id=attempt.registration_id, kind=RoomEvent.Kind.RELEASED, actor=actor,
                                 reason=reason)
        audit_record(actor=actor, action="attempt.release", obj=attempt, details={"reason": reason})
        _notify_after_commit(attempt_group(attempt.pk), {"type": "attempt.released"})
        _notify_after_commit(console_group(attempt.room_session_id), {"type": "console.changed"})
    attempt.device = ""
    return attempt


# --- saving ------------------------------------------------------------------------------------------------------

@dataclass
class SaveResult:
    position: int
    seq: int
    duplicate: bool = False


def _clean_answer(value, *, kind: str, choice_ids: set[int]):
    """The stored form of an answer, or ExamDayError when it does not fit the question."""
    if value is None:
        return None
    if kind in CHOICE_KINDS:
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ExamDayError("bad_answer", _("The answer is not valid for this question."))
        chosen = sorted(set(value))
        if not set(chosen) <= choice_ids or (kind != KIND_MULTIPLE and len(chosen) > 1):
            raise ExamDayError("bad_answer", _("The answer is not valid for this question."))
        return chosen
    if kind in (KIND_SHORT, KIND_ESSAY):
        if not isinstance(value, str) or len(value) > settings.EXAM_MAX_TEXT_ANSWER:
            raise ExamDayError("bad_answer", _("The answer is too long or not text."))
        return value
    raise ExamDayError("bad_answer", _("The answer is not valid for this question."))


@dataclass(slots=True)
class _SaveTarget:
    """What a save is checked against: its item and its attempt as stored (one row of one query)."""
    item_id: int
    attempt_id: int
    owner_id: int
    status: str
    device: str
    paused: bool
    deadline: dt.datetime
    clock_start: dt.datetime
    last_seen: dt.datetime | None
    kind: str
    choice_order: list
    client_seq: int


MAX_POSITION = 2**31

_TARGET_COLUMNS = ("attempt_id", "position", "pk", "attempt__registration__person_id", "attempt__status",
                   "attempt__device", "attempt__room_session__paused_since", "attempt__deadline",
                   "attempt__clock_start", "attempt__last_seen", "paper_item__question__kind",
                   "paper_item__choice_order", "client_seq")


def _save_targets(keys: set[tuple[int, int]]) -> dict[tuple[int, int], _SaveTarget]:
    """The items (attempt, position) of a batch with their attempts' state, in one query (two on PostgreSQL,
    where the attempt rows are locked first, in a fixed order, so a save and a finish never interleave)."""
    # A position no paper can have is simply not found (and refused as such); it never reaches the database,
    # where a number past 64 bits would fail the statement of the whole batch.
    keys = {(attempt_id, position) for attempt_id, position in keys if 0 <= position < MAX_POSITION}
    if not keys:
        return {}
    attempt_ids = sorted({attempt_id for attempt_id, _position in keys})
    if connection.features.has_select_for_update:
        list(Attempt.objects.select_for_update().filter(pk__in=attempt_ids).order_by("pk").values_list("pk"))
    # The (attempt, position) pairs as one row-value condition: building one ORM condition per pair costs more
    # than the whole query. Identifiers come from the model and are quoted; every value is a parameter.
    meta, qn = AttemptItem._meta, connection.ops.quote_name
    pair = f"({qn(meta.db_table)}.{qn('attempt_id')}, {qn(meta.db_table)}.{qn('position')})"
    pairs = RawSQL(f"{pair} IN (VALUES {', '.join(['(%s, %s)'] * len(keys))})",  # noqa: S611
                   [value for key in keys for value in key], output_field=BooleanField())
    rows = AttemptItem.objects.filter(pairs, attempt_id__in=attempt_ids).order_by().values_list(*_TARGET_COLUMNS)
    targets = {}
    for row in rows:
        (attempt_id, position, item_id, owner_id, status, device, paused_since, deadline, clock_start, last_seen,
         kind, choice_order, client_seq) = row
        targets[attempt_id, position] = _SaveTarget(
            item_id=item_id, attempt_id=attempt_id, owner_id=owner_id, status=status, device=device,
            paused=paused_since is not None, deadline=deadline, clock_start=clock_start, last_seen=last_seen,
            kind=kind, choice_order=choice_order, client_seq=client_seq)
    return targets


def _check_save(target: _SaveTarget | None, *, attempt_id: int, user_id: int, device: str, value,
                now: dt.datetime):
    """Every rule a save must pass, in order; returns the answer to store or raises the refusal."""
    if target is None or target.owner_id != user_id:
        mine = target is None and Attempt.objects.filter(pk=attempt_id, registration__person_id=user_id).exists()
        raise (ExamDayError("bad_item", _("This question is not in your paper.")) if mine
               else ExamDayError("not_yours", _("This paper is not yours.")))
    if target.status != OPEN:
        raise ExamDayError("finished", _("The paper is already finished; the answer was not saved."))
    if target.device and target.device != device:
        raise ExamDayError("other_device", _("This paper is open on another machine; the answer was not saved."))
    if target.paused:
        raise ExamDayError("paused", _("The exam room is paused."))
    if now > target.deadline + grace():
        raise ExamDayError("too_late", _("Time is up; the answer was not saved."))
    if now < target.clock_start:
        raise ExamDayError("not_started", _("The sitting has not started yet."))
    return _clean_answer(value, kind=target.kind, choice_ids=set(target.choice_order))


def _valid_message(seq, position) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and 0 < seq < 2**53 and isinstance(position, int)


def _store_items(updates: dict[int, tuple], now: dt.datetime) -> None:
    """One UPDATE statement for every applied save (executemany), each guarded by its client seq."""
    if not updates:
        return
    meta = AttemptItem._meta
    qn = connection.ops.quote_name
    answer_field, seq_field = meta.get_field("answer"), meta.get_field("client_seq")
    answered_field, pk_field = meta.get_field("answered_at"), meta.pk
    # Identifiers come from the model and are quoted; every value is a parameter.
    sets = f"{qn(answer_field.column)} = %s, {qn(seq_field.column)} = %s, {qn(answered_field.column)} = %s"
    guard = f"{qn(pk_field.column)} = %s AND {qn(seq_field.column)} < %s"
    sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {guard}"  # noqa: S608
    answered_at = answered_field.get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(answer_field.get_db_prep_save(answer, connection), seq, answered_at, item_id, seq)
                                 for item_id, (answer, seq) in updates.items()])


def saves_apply(saves: list[dict]) -> list[SaveResult | ExamDayError]:
    """Check and store a list of saves inside the caller's transaction; one result (or refusal) per save.

    Each dict holds ``answer_save``'s arguments. The state is read once for the whole list, every save is checked
    by the same rules in arrival order (a later save of the same item sees an earlier one), and the accepted ones
    are written with one INSERT of answer events, one UPDATE statement for the items and at most one for
    ``last_seen``. Idempotent: a replay or an older ``seq`` is recorded but never overwrites a newer answer.
    """
    now = timezone.now()
    results: list = [None] * len(saves)
    valid = []
    for n, save in enumerate(saves):
        if _valid_message(save.get("seq"), save.get("position")):
            valid.append(n)
        else:
            results[n] = ExamDayError("bad_message", _("The message is not valid."))
    targets = _save_targets({(saves[n]["attempt_id"], saves[n]["position"]) for n in valid})
    events, updates, seen = [], {}, set()
    for n in valid:
        save = saves[n]
        attempt_id, position, seq, device = save["attempt_id"], save["position"], save["seq"], save["device"]
        target = targets.get((attempt_id, position))
        try:
            answer = _check_save(target, attempt_id=attempt_id, user_id=save["user_id"], device=device,
                                 value=save.get("value"), now=now)
        except ExamDayError as exc:
            results[n] = exc
            continue
        duplicate = seq <= target.client_seq
        events.append(AnswerEvent(attempt_id=attempt_id, position=position, client_seq=seq,
                                  client_time=str(save.get("client_time", ""))[:40], server_time=now,
                                  device=device[:64], transport=save.get("transport", "ws"), answer=answer,
                                  applied=not duplicate))
        if not duplicate:
            target.client_seq = seq
            updates[target.item_id] = (answer, seq)
        if target.last_seen is None or now - target.last_seen > LAST_SEEN_RESOLUTION:
            seen.add(attempt_id)
        results[n] = SaveResult(position=position, seq=seq, duplicate=duplicate)
    if events:
        AnswerEvent.objects.bulk_create(events)
    _store_items(updates, now)
    if seen:
        Attempt.objects.filter(pk__in=seen).update(last_seen=now)
    return results


def answer_save(*, attempt_id: int, user_id: int, position: int, seq: int, value, device: str,
                client_time: str = "", transport: str = "ws") -> SaveResult:
    """Store one answer. Acknowledge only after this returns (the transaction has committed).

    Idempotent: a replay or an older ``seq`` is acknowledged without overwriting a newer answer.
    """
    with transaction.atomic():
        result = saves_apply([{"attempt_id": attempt_id, "user_id": user_id, "position": position, "seq": seq,
                               "value": value, "device": device, "client_time": client_time,
                               "transport": transport}])[0]
    if isinstance(result, ExamDayError):
        raise result
    return result


def flag_item(*, attempt_id: int, user_id: int, position: int, flagged: bool) -> None:
    AttemptItem.objects.filter(attempt_id=attempt_id, attempt__registration__person_id=user_id,
                               position=position).update(flagged=flagged)


def record_event(*, attempt: Attempt, kind: str, details: dict | None = None) -> None:
    """Focus loss, page hide, connection changes: reported to the invigilator, never punished automatically."""
    RoomEvent.objects.create(room_session_id=attempt.room_session_id, attempt=attempt,
                             registration_id=attempt.registration_id, kind=kind, details=details or {})
    _send(console_group(attempt.room_session_id), {"type": "console.changed"})


# --- finishing ----------------------------------------------------------------------------------------------------

def _score(attempt: Attempt) -> tuple[Decimal, int]:
    total, correct = Decimal("0"), 0
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("paper_item__question")
                 .prefetch_related("paper_item__question__choices"))
    for item in items:
        answer = item.answer
        points = item.paper_item.points
        question = item.paper_item.question
        earned = item_score(question=question, points=points, chosen_ids=answer if isinstance(answer, list) else [],
                            text=answer if isinstance(answer, str) else "")
        item.score = earned
        if earned is not None:
            total += earned
            correct += int(earned == points)
    AttemptItem.objects.bulk_update(items, ["score"])
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
        RoomEvent.objects.create(room_session_id=attempt.room_session_id, attempt=attempt,
                                 registration_id=attempt.registration_id, kind=RoomEvent.Kind.FINISHED,
                                 details={"how": how})
        _notify_after_commit(attempt_group(attempt.pk), {"type": "attempt.finished", "status": how})
        _notify_after_commit(console_group(attempt.room_session_id), {"type": "console.changed"})
    return True


def finish_if_overdue(attempt: Attempt) -> Attempt:
    """The lazy finish: any request that touches an attempt past deadline + grace (or past the room's close)
    finishes it first."""
    if attempt.status == OPEN:
        room_session = attempt.room_session
        if room_session.paused_since is None:
            now = timezone.now()
            close = room_close_at(room_session)
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
    for attempt in candidates:
        close = room_close_at(attempt.room_session)
        if now > attempt.deadline + grace() or now > close + grace():
            if dry_run:
                finished += 1
            elif attempt_finish(attempt=attempt, how=Attempt.Status.EXPIRED, at=min(attempt.deadline, close)):
                finished += 1
    return finished


# --- penalties and incidents ---------------------------------------------------------------------------------------

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
                _notify_after_commit(attempt_group(attempt.pk), {"type": "attempt.finished", "status": "voided"})
        if room_session is not None:
            RoomEvent.objects.create(room_session=room_session, registration=registration,
                                     kind=RoomEvent.Kind.PENALTY, actor=actor, reason=reason,
                                     details={"penalty": kind})
            _notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
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
        _notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
    return event
