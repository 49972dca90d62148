"""Exam day: saving answers (docs/exam-day.md). One rule function checks every save, whether it arrives in a
websocket batch (``saves_apply``, called by ``exams.examday.batching``) or alone over HTTP (``answer_save``): accepted until
deadline + grace, never during a pause, only from the device that holds the paper, idempotent by (attempt, item,
client seq); a replay or an older seq never overwrites a newer answer, and is acknowledged only when exactly its
value is what the item holds (otherwise it is a conflict, never an acknowledgement).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.banks.importing.base import CHOICE_KINDS, KIND_ESSAY, KIND_MULTIPLE, KIND_SHORT
from exams.common.sql import Names
from exams.examday.models import AnswerEvent, Attempt, AttemptItem, RoomEvent
from exams.examday.services.attempts import LAST_SEEN_RESOLUTION, OPEN, ExamDayError, grace
from exams.examday.services.entering import device_check
from exams.examday.services.notify import console_group, send


@dataclass
class SaveResult:
    """``duplicate``: exactly this value was already stored under this or a later counter (acknowledged).
    ``conflict``: the counter is at or below the stored one but the value differs, so nothing was stored and the
    save is not acknowledged; ``stored_seq`` tells the page where to continue numbering."""
    position: int
    seq: int
    duplicate: bool = False
    conflict: bool = False
    stored_seq: int = 0


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
    answer: object


MAX_POSITION = 2**31

_TARGET_COLUMNS = ("attempt_id", "position", "pk", "attempt__owner_id", "attempt__status",
                   "attempt__device", "attempt__room_session__paused_since", "attempt__deadline",
                   "attempt__clock_start", "attempt__last_seen", "paper_item__question__kind",
                   "paper_item__choice_order", "client_seq", "answer")


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
    item = Names(AttemptItem)
    pair = f"({item.table}.{item.attempt}, {item.table}.{item.position})"
    pairs = RawSQL(f"{pair} IN (VALUES {', '.join(['(%s, %s)'] * len(keys))})",  # noqa: S611
                   [value for key in keys for value in key], output_field=BooleanField())
    rows = AttemptItem.objects.filter(pairs, attempt_id__in=attempt_ids).order_by().values_list(*_TARGET_COLUMNS)
    targets = {}
    for row in rows:
        (attempt_id, position, item_id, owner_id, status, device, paused_since, deadline, clock_start, last_seen,
         kind, choice_order, client_seq, answer) = row
        targets[attempt_id, position] = _SaveTarget(
            item_id=item_id, attempt_id=attempt_id, owner_id=owner_id, status=status, device=device,
            paused=paused_since is not None, deadline=deadline, clock_start=clock_start, last_seen=last_seen,
            kind=kind, choice_order=choice_order, client_seq=client_seq, answer=answer)
    return targets


def _check_save(target: _SaveTarget | None, *, attempt_id: int, user_id: int, device: str, value,
                now: dt.datetime):
    """Every rule a save must pass, in order; returns the answer to store or raises the refusal."""
    if target is None or target.owner_id != user_id:
        mine = target is None and Attempt.objects.filter(pk=attempt_id, owner_id=user_id).exists()
        raise (ExamDayError("bad_item", _("This question is not in your paper.")) if mine
               else ExamDayError("not_yours", _("This paper is not yours.")))
    if target.status != OPEN:
        raise ExamDayError("finished", _("The paper is already finished; the answer was not saved."))
    device_check(holder=target.device, device=device)
    if target.paused:
        raise ExamDayError("paused", _("The exam room is paused."))
    if now > target.deadline + grace():
        raise ExamDayError("too_late", _("Time is up; the answer was not saved."))
    if now < target.clock_start:
        raise ExamDayError("not_started", _("The sitting has not started yet."))
    return _clean_answer(value, kind=target.kind, choice_ids=set(target.choice_order))


class SaveAllowance:
    """A token bucket per attempt: ``EXAM_SAVE_RATE`` saves a second sustained, bursts of ``EXAM_SAVE_BURST`` (a page
    that reconnects sends its whole queue at once). One socket once wrote 512 saves a second, each an answer-event
    row; a page never needs more than a few. Kept in this process's memory, by the server's clock: in the scale-out
    mode a paper's socket lives on one process, and its HTTP saves may spread the allowance over several."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[int, tuple[float, float]] = {}  # attempt -> (tokens, at)

    def take(self, attempt_id: int, now: dt.datetime) -> bool:
        rate, burst = settings.EXAM_SAVE_RATE, settings.EXAM_SAVE_BURST
        at = now.timestamp()
        with self._lock:
            tokens, last = self._buckets.get(attempt_id, (burst, at))
            tokens = min(burst, tokens + max(0.0, at - last) * rate)
            if tokens < 1:
                self._buckets[attempt_id] = (tokens, at)
                return False
            self._buckets[attempt_id] = (tokens - 1, at)
            if len(self._buckets) > 50_000:  # forget the full ones: they are as good as new
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] + (at - v[1]) * rate < burst}
            return True

    def forget(self) -> None:
        with self._lock:
            self._buckets.clear()


save_allowance = SaveAllowance()


def _valid_message(seq, position) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and 0 < seq < 2**53 and isinstance(position, int)


def _store_items(updates: dict[int, tuple], now: dt.datetime) -> None:
    """One UPDATE statement for every applied save (executemany), each guarded by its client seq."""
    if not updates:
        return
    item, meta = Names(AttemptItem), AttemptItem._meta
    answer_field, answered_field = meta.get_field("answer"), meta.get_field("answered_at")
    # The same value under a newer counter keeps its answered_at (given when it was first stored): NULL → kept.
    sql = (f"UPDATE {item.table} SET {item.answer} = %s, {item.client_seq} = %s, "  # noqa: S608
           f"{item.answered_at} = COALESCE(%s, {item.answered_at}) WHERE {item.pk} = %s AND {item.client_seq} < %s")
    answered_at = answered_field.get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(answer_field.get_db_prep_save(answer, connection), seq,
                                  None if same else answered_at, item_id, seq)
                                 for item_id, (answer, seq, same) in updates.items()])


_EVENT_FIELDS = ("attempt", "position", "client_seq", "client_time", "server_time", "device", "transport", "answer",
                 "applied")


def _store_events(rows: list[tuple]) -> None:
    """One INSERT statement (executemany) for a batch's answer events, each value prepared by its model field as
    ``bulk_create`` would (bulk_create itself compiled every field of every row: a third of a batch's time at
    N = 2,000, py-spy)."""
    if not rows:
        return
    meta, qn = AnswerEvent._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in _EVENT_FIELDS]
    # Identifiers come from the model and are quoted; every value is a parameter.
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(field.column) for field in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[field.get_db_prep_save(value, connection) for field, value in zip(fields, row,
                                                                                                 strict=True)]
                                 for row in rows])


def saves_apply(saves: list[dict]) -> list[SaveResult | ExamDayError]:
    """Check and store a list of saves inside the caller's transaction; one result (or refusal) per save.

    Each dict holds ``answer_save``'s arguments. The state is read once for the whole list, every save is checked
    by the same rules in arrival order (a later save of the same item sees an earlier one), and the accepted ones
    are written with one INSERT of answer events, one UPDATE statement for the items and at most one for
    ``last_seen``. Idempotent: a replay or an older ``seq`` is recorded but never overwrites a newer answer; it is
    a duplicate (acknowledged) when its value is the stored one, a conflict (not acknowledged) when it is not.
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
        # Only the paper's owner spends its allowance: nobody can use it up for someone else.
        if target is not None and target.owner_id == save["user_id"] and not save_allowance.take(attempt_id, now):
            results[n] = ExamDayError("slow_down", _("Answers are arriving too fast; they will be sent again."))
            continue
        try:
            answer = _check_save(target, attempt_id=attempt_id, user_id=save["user_id"], device=device,
                                 value=save.get("value"), now=now)
        except ExamDayError as exc:
            results[n] = exc
            continue
        # A counter at or below the stored one is a replay, acknowledged only when exactly this value is what the
        # item holds; otherwise it came from a page that numbered afresh (another machine, cleared storage) and is
        # a conflict the page resolves by numbering above ``stored_seq``. Either way the arrival is recorded.
        stale = seq <= target.client_seq
        conflict = stale and answer != target.answer
        if not stale and answer == target.answer:
            # The value the item holds already, under a newer counter (a page sending the same essay again): no
            # answer-event row (floods of identical saves cost no rows), but the counter moves up, so an older save
            # arriving late can never overwrite what this acknowledgement promised.
            target.client_seq = seq
            same = updates.get(target.item_id, (None, None, True))[2]  # a change earlier in this batch stays one
            updates[target.item_id] = (answer, seq, same)
            results[n] = SaveResult(position=position, seq=seq, duplicate=True, stored_seq=seq)
            continue
        client_time = save.get("client_time")
        events.append((attempt_id, position, seq, client_time[:40] if isinstance(client_time, str) else "", now,
                       device[:64], save.get("transport", "ws"), answer, not stale))
        if not stale:
            target.client_seq, target.answer = seq, answer
            updates[target.item_id] = (answer, seq, False)
        if target.last_seen is None or now - target.last_seen > LAST_SEEN_RESOLUTION:
            seen.add(attempt_id)
        results[n] = SaveResult(position=position, seq=seq, duplicate=stale and not conflict, conflict=conflict,
                                stored_seq=target.client_seq)
    _store_events(events)
    _store_items(updates, now)
    if seen:
        Attempt.objects.filter(pk__in=seen).update(last_seen=now)
    return results


def answer_save(*, attempt_id: int, user_id: int, position: int, seq: int, value, device: str,
                client_time: str = "", transport: str = "ws") -> SaveResult:
    """Store one answer. Acknowledge only after this returns (the transaction has committed), and only a result
    that is not a conflict.

    Idempotent: a replay or an older ``seq`` never overwrites a newer answer.
    """
    with transaction.atomic():
        result = saves_apply([{"attempt_id": attempt_id, "user_id": user_id, "position": position, "seq": seq,
                               "value": value, "device": device, "client_time": client_time,
                               "transport": transport}])[0]
    if isinstance(result, ExamDayError):
        raise result
    return result


def flag_item(*, attempt_id: int, user_id: int, device: str, position, flagged: bool) -> bool:
    """Mark a question for review (or not) on the open paper, from the device that holds it; False when nothing was
    stored (the page keeps the flag and sends it again)."""
    if not device or not isinstance(position, int) or not 0 <= position < MAX_POSITION:
        return False
    return bool(AttemptItem.objects.filter(
        attempt_id=attempt_id, attempt__owner_id=user_id, attempt__device=device,
        attempt__status=OPEN, position=position).update(flagged=flagged))


def record_event(*, attempt: Attempt, kind: str, details: dict | None = None) -> None:
    """Focus loss, page hide, connection changes: reported to the invigilator, never punished automatically. A hosted
    attempt has no room and no invigilator: nothing is recorded."""
    if attempt.room_session_id is None:
        return
    RoomEvent.objects.create(room_session_id=attempt.room_session_id, attempt=attempt,
                             registration_id=attempt.registration_id, kind=kind, details=details or {})
    send(console_group(attempt.room_session_id), {"type": "console.changed"})


