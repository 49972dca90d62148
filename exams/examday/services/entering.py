"""Exam day: entering the room, starting an attempt from the sealed paper, and the one-device rule
(docs/exam-day.md). The start spike's path: every statement here is counted (tests/exams/test_perf_start.py)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exam_platform.dbgate import write_gate
from exams.common.sql import Names
from exams.examday.models import EXAM_PURPOSE, Admission, Attempt, AttemptItem, Penalty, RoomEvent, RoomSession
from exams.examday.services.attempts import ExamDayError, attempt_deadline, busy_as_refusal, late_entry_end
from exams.examday.services.notify import attempt_group, console_group, notify_after_commit
from exams.papers.models import Paper, PaperItem
from exams.sessions.models import Registration, Sitting
from exams.sessions.sitting_papers import SPARE_PREFIX


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
    room_session = _room_with_checks(registration=registration, sitting=sitting)
    if room_session is None:  # no room to read the checks with: the suspension is still told first
        if Penalty.objects.filter(registration=registration, kind=Penalty.Kind.SUSPENSION).exists():
            raise ExamDayError("suspended", _("You were suspended from this exam."))
        raise ExamDayError("room_closed", _("Your room is not open yet; wait for the invigilator."))
    if room_session.suspended:
        raise ExamDayError("suspended", _("You were suspended from this exam."))
    room_session.sitting = sitting  # with its subject and exam, as the caller read them
    if room_session.started is not None:
        attempt = Attempt.objects.get(pk=room_session.started)
        # Another machine takes the paper only with the room's code, at any time the room is open (the invigilator
        # who released the paper reads it out); the machine that holds the paper carries on without it.
        if attempt.device != device and not secrets.compare_digest(room_session.code, (code or "").strip()):
            raise ExamDayError("bad_code", _("The room code is wrong."))
        return Entry(admission=Admission.objects.get(registration=registration, room_session=room_session),
                     attempt=attempt_resume(attempt=attempt, device=device))
    if now < sitting.opens_at or now > late_entry_end(sitting):
        raise ExamDayError("window", _("The time to enter this sitting has passed or not come yet."))
    if now > room_session.code_valid_until or not secrets.compare_digest(room_session.code, (code or "").strip()):
        raise ExamDayError("bad_code", _("The room code is wrong."))
    # One transaction for the admission and the start: one commit (one fsync) per candidate at the start spike.
    with busy_as_refusal(), write_gate(), transaction.atomic():
        # Inserted without reading first: most candidates enter once; the one who re-enters is read afterwards.
        admission_pk = _admission_insert(registration_id=registration.pk, room_session_id=room_session.pk, at=now)
        created = admission_pk is not None
        admission = (Admission(pk=admission_pk, registration=registration, room_session=room_session, entered_at=now)
                     if created else Admission.objects.get(registration=registration, room_session=room_session))
        # The entry's event goes in with the start's (one INSERT), or alone when the candidate waits to be admitted.
        events = [RoomEvent(room_session=room_session, registration=registration, kind=RoomEvent.Kind.ENTERED,
                            at=now)] if created else []
        attempt, started = None, False
        if not subject.exam.admit_needs_invigilator or admission.admitted_at is not None:
            attempt, started = _attempt_start(admission=admission, device=device, events=events)
        if events and not started:
            RoomEvent.objects.bulk_create(events)
        if created and not started:  # a start tells the console itself: one notification, not two
            notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
        return Entry(admission=admission, attempt=attempt)


def _room_with_checks(*, registration: Registration, sitting: Sitting) -> RoomSession | None:
    """The candidate's room for the sitting, if it is open, with ``suspended`` (a đình chỉ thi on record) and
    ``started`` (the pk of the attempt already started, or None): one statement written out, the start spike's
    busiest (the ORM compiled its two subqueries on every call: a tenth of a start's CPU, py-spy at N = 2,000)."""
    rows = list(RoomSession.objects.raw(_room_with_checks_sql(connection.vendor), [
        registration.pk, Penalty.Kind.SUSPENSION.value, registration.pk, sitting.pk, sitting.pk,
        registration.room_id]))
    return rows[0] if rows else None


@lru_cache(maxsize=4)
def _room_with_checks_sql(vendor: str) -> str:
    room, penalty, attempt = Names(RoomSession), Names(Penalty), Names(Attempt)
    return (f"SELECT {room.columns()}, "  # noqa: S608 - quoted model names; the values are parameters
            f"EXISTS (SELECT 1 FROM {penalty.table} WHERE {penalty.registration} = %s AND {penalty.kind} = %s) "
            f"AS suspended, (SELECT {attempt.pk} FROM {attempt.table} WHERE {attempt.registration} = %s "
            f"AND {attempt.sitting} = %s LIMIT 1) AS started "
            f"FROM {room.table} WHERE {room.sitting} = %s AND {room.room} = %s")


def _admission_insert(*, registration_id: int, room_session_id: int, at: dt.datetime) -> int | None:
    """The new admission's pk, or None when the candidate entered this room before (the constraint holds it):
    no savepoint and no read first."""
    names = Names(Admission)
    sql = (f"INSERT INTO {names.table} ({names.registration}, {names.room_session}, {names.entered_at}) "  # noqa: S608
           f"VALUES (%s, %s, %s) ON CONFLICT ({names.registration}, {names.room_session}) DO NOTHING "
           f"RETURNING {names.pk}")
    entered_at = Admission._meta.get_field("entered_at").get_db_prep_save(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [registration_id, room_session_id, entered_at])
        row = cursor.fetchone()
    return row[0] if row else None


def admit(*, admission: Admission, actor: User, reason: str = "") -> Admission:
    with transaction.atomic():
        Admission.objects.filter(pk=admission.pk, admitted_at__isnull=True).update(admitted_by=actor,
                                                                                   admitted_at=timezone.now())
        RoomEvent.objects.create(room_session=admission.room_session, registration=admission.registration,
                                 kind=RoomEvent.Kind.ADMITTED, actor=actor, reason=reason)
        audit_record(actor=actor, action="room.admit", obj=admission.registration, details={"reason": reason})
        notify_after_commit(console_group(admission.room_session_id), {"type": "console.changed"})
    admission.refresh_from_db()
    return admission


def attempt_start(*, admission: Admission, device: str) -> Attempt:
    """Create the attempt from the candidate's sealed paper; the clock starts at the sitting start (fixed)
    or now (individual)."""
    return _attempt_start(admission=admission, device=device)[0]


def _attempt_start(*, admission: Admission, device: str,
                   events: list[RoomEvent] | None = None) -> tuple[Attempt, bool]:
    """``attempt_start``, also telling whether this call created the attempt (False: resumed). ``events`` (room
    events of the same request, not yet written) go in with the start's own event, in one INSERT."""
    now = timezone.now()
    room_session = admission.room_session
    sitting = room_session.sitting
    registration = admission.registration
    # The paper and its set in one query; the set alone only to explain a missing paper.
    # Unordered: Paper's default ordering goes through the set's, a join and a sort for one row.
    paper = (next(iter(Paper.objects.select_related("paper_set").filter(
        paper_set_id=sitting.paper_set_id, candidate_ref=registration.candidate_number).order_by()[:1]), None)
        if sitting.paper_set_id else None)
    paper_set = paper.paper_set if paper is not None else sitting.paper_set
    if paper_set is None or not paper_set.is_sealed:
        raise ExamDayError("no_paper", _("The papers of this sitting are not sealed yet; tell the invigilator."))
    if paper is None:  # added after the set was made: the first spare nobody holds
        paper = spare_paper(paper_set_id=paper_set.pk)
    if paper is None:
        raise ExamDayError("no_paper", _("There is no paper for your candidate number; tell the invigilator."))
    with transaction.atomic(savepoint=False):  # inside room_enter's transaction: a failure undoes the entry too
        # The room's clock so far, read under the room's lock: a resume or an extension cannot slip between the
        # read and the start.
        room_clock = RoomSession.objects.select_for_update().filter(pk=room_session.pk).values(
            "paused_total_s", "paused_since", "extension_s").get()
        attempt = Attempt(owner_id=registration.person_id, purpose=EXAM_PURPOSE, registration=registration,
                          sitting=sitting, room_session=room_session, paper=paper,
                          duration_s=sitting.subject.duration_minutes * 60, device=device, device_epoch=1,
                          last_seen=now)
        starting_clock(attempt, sitting=sitting, room_clock=room_clock, now=now)
        try:
            with transaction.atomic():  # a savepoint: the same candidate starting on two machines at once
                attempt.save(force_insert=True)
        except IntegrityError:
            existing = Attempt.objects.filter(registration=registration, sitting=sitting).first()
            if existing is None:  # not this candidate on another machine: someone took the same spare first
                raise ExamDayError("busy", _("Another candidate took that spare paper at the same moment; "
                                             "enter again.")) from None
            return attempt_resume(attempt=existing, device=device), False
        attempt_items_create(attempt_id=attempt.pk, paper_id=paper.pk)
        RoomEvent.objects.bulk_create([*(events or []), RoomEvent(
            room_session=room_session, attempt=attempt, registration=registration, kind=RoomEvent.Kind.STARTED,
            at=now)])
        notify_after_commit(console_group(room_session.pk), {"type": "console.changed"})
    return attempt, True


def starting_clock(attempt: Attempt, *, sitting: Sitting, room_clock: dict, now: dt.datetime) -> None:
    """Set a new attempt's clock (docs/exam-day.md, "Time"). ``room_clock`` is the room's ``paused_total_s``,
    ``paused_since`` and ``extension_s`` as read under its lock.

    - Fixed timing: everyone in a room ends together. The clock started at the sitting start for everyone, so a
      late entrant's deadline is the room's end: every pause and every room-wide extension so far counts.
    - Individual timing: the clock starts now, and a pause counts only where it overlaps the candidate's own
      attempt (the part of a pause still running that lies before now does not); room-wide extensions given
      before the start do not count either, since no time of the candidate's was lost.
    """
    if sitting.subject.timing == sitting.subject.Timing.FIXED:
        attempt.clock_start, attempt.pause_base_s, attempt.extension_s = sitting.starts_at, 0, room_clock["extension_s"]
    else:
        running = int((now - room_clock["paused_since"]).total_seconds()) if room_clock["paused_since"] else 0
        attempt.clock_start, attempt.pause_base_s, attempt.extension_s = now, room_clock["paused_total_s"] + running, 0
    attempt.deadline = attempt_deadline(attempt, paused_total_s=room_clock["paused_total_s"])


def spare_paper(*, paper_set_id: int) -> Paper | None:
    """The first spare paper of a set that no attempt holds (the set's spares: exams/sessions/sitting_papers.py)."""
    held = Attempt.objects.filter(paper__paper_set_id=paper_set_id).values("paper_id")
    return (Paper.objects.select_related("paper_set")
            .filter(paper_set_id=paper_set_id, candidate_ref__startswith=SPARE_PREFIX)
            .exclude(pk__in=held).order_by("position").first())


def attempt_items_create(*, attempt_id: int, paper_id: int) -> None:
    """The attempt's items, one per item of the paper, with one INSERT … SELECT: the start spike's heaviest write
    (reading the paper's items and ``bulk_create`` compiling every field of every row cost more than the rest of
    the start together, py-spy at N = 1,000). The rows equal ``bulk_create``'s (tested)."""
    item, paper_item = Names(AttemptItem), Names(PaperItem)
    sql = (f"INSERT INTO {item.table} ({item.attempt}, {item.paper_item}, {item.position}, "  # noqa: S608
           f"{item.client_seq}, {item.flagged}) SELECT %s, {paper_item.pk}, {paper_item.position}, %s, %s "
           f"FROM {paper_item.table} WHERE {paper_item.paper} = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id, 0, False, paper_id])


def attempt_resume(*, attempt: Attempt, device: str) -> Attempt:
    """The room code was entered again on ``device``: the device that holds the paper carries on; a free paper (the
    invigilator released it) is taken by this device, whose saves then number from the next device epoch; another
    device is refused until the invigilator releases the paper."""
    if not device:
        raise ExamDayError("no_device", _("Enter the room code on this machine to open your paper."))
    if attempt.device == device:
        return attempt
    if not attempt.device:
        # Compare-and-set: of two machines taking a free paper at once, one wins and the other is refused below.
        if Attempt.objects.filter(pk=attempt.pk, device="").update(device=device,
                                                                   device_epoch=F("device_epoch") + 1):
            attempt.refresh_from_db(fields=["device", "device_epoch"])
            return attempt
        attempt.refresh_from_db(fields=["device", "device_epoch"])
        if attempt.device == device:
            return attempt
    raise ExamDayError("other_device", _("This paper is open on another machine. Ask the invigilator to move it."))


def device_check(*, holder: str, device: str) -> None:
    """The paper page, its socket and its saves: only the device that entered the room code for this paper
    (``holder``, the attempt's device; ``device``, what the browser's pass names) reaches the live paper. Nothing
    here ever takes a paper for a device: a released paper waits for the room code."""
    if not device:
        raise ExamDayError("no_device", _("Enter the room code on this machine to open your paper."))
    if holder != device:
        raise ExamDayError("other_device",
                           _("This paper is open on another machine. Ask the invigilator to move it."))


def release(*, attempt: Attempt, actor: User, reason: str) -> Attempt:
    """Let the candidate continue on another machine (the next device that opens the paper takes it)."""
    with transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(device="")
        RoomEvent.objects.create(room_session_id=attempt.room_session_id, attempt=attempt,
                                 registration_id=attempt.registration_id, kind=RoomEvent.Kind.RELEASED, actor=actor,
                                 reason=reason)
        audit_record(actor=actor, action="attempt.release", obj=attempt, details={"reason": reason})
        notify_after_commit(attempt_group(attempt.pk), {"type": "attempt.released"})
        notify_after_commit(console_group(attempt.room_session_id), {"type": "console.changed"})
    attempt.device = ""
    return attempt
