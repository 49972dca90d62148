"""Each learner's progress through the lessons (docs/courses.md, "Lessons and progress").

A lesson page counts the time it is open and visible with a light heartbeat: over the websocket
(``/ws/learn/<class>/``, courses/consumers.py) every ``COURSE_HEARTBEAT_SECONDS``, or by the HTTP fallback when the
socket is down. A beat adds the time since the previous beat of the same lesson, never more than the beat's period and
its slack (a machine asleep counts nothing). Beats from every socket of a process queue up and are written by one
statement per batch (an upsert of each lesson's row, in one transaction: the group commit), the batch gathered for
``COURSE_HEARTBEAT_GATHER_SECONDS`` after its first beat; a beat is acknowledged once its batch has committed. A
lesson is completed once: marked by the learner, or the video or the text followed to the end; the first way is the
one recorded.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from courses.models import Enrolment, Lesson, LessonProgress
from exam_platform.dbgate import write_gate

logger = logging.getLogger(__name__)
COMPLETIONS = {choice.value for choice in LessonProgress.Completed}
MAX_POSITION = 10 ** 7


@dataclass(frozen=True)
class Beat:
    enrolment_id: int
    lesson_id: int
    seconds: int  # to add
    position: int
    at: dt.datetime
    completed: str = ""  # "video" or "text" when followed to the end, "marked" when the learner says so


def beat_allowance() -> int:
    """The most one beat adds: the period and a slack for a slow network."""
    return settings.COURSE_HEARTBEAT_SECONDS + settings.COURSE_HEARTBEAT_SLACK_SECONDS


def elapsed_since(previous: dt.datetime | None, now: dt.datetime) -> int:
    """Seconds to count since the previous beat of the same lesson: none without one, none after a gap longer than
    the allowance (the page was asleep or closed: that time was not spent on it)."""
    if previous is None:
        return 0
    seconds = int((now - previous).total_seconds())
    return seconds if 0 < seconds <= beat_allowance() else 0


def position_of(value) -> int:
    try:
        return max(0, min(int(value), MAX_POSITION))
    except (TypeError, ValueError):
        return 0


def _upsert_sql() -> str:
    """Insert the lesson's row or add to it: the time adds up, the position and last seen are the beat's, the first
    completion stays. The table name is quoted by the backend; every value is a parameter."""
    table = connection.ops.quote_name(LessonProgress._meta.db_table)
    return (f"INSERT INTO {table} (enrolment_id, lesson_id, opened_at, last_seen_at, seconds, position, "  # noqa: S608
            "completed_at, completed_how) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (enrolment_id, lesson_id) DO UPDATE SET "
            f"seconds = {table}.seconds + excluded.seconds, position = excluded.position, "
            "last_seen_at = excluded.last_seen_at, "
            f"completed_how = CASE WHEN {table}.completed_at IS NULL THEN excluded.completed_how "
            f"ELSE {table}.completed_how END, "
            f"completed_at = COALESCE({table}.completed_at, excluded.completed_at)")


def beats_apply(beats: list[Beat]) -> int:
    """Write a batch of beats: one upsert per beat in one statement (executemany), in one transaction."""
    if not beats:
        return 0
    adapt = connection.ops.adapt_datetimefield_value
    rows = [(b.enrolment_id, b.lesson_id, adapt(b.at), adapt(b.at), b.seconds, b.position,
             adapt(b.at) if b.completed else None, b.completed) for b in beats]
    with write_gate(), transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), rows)
    return len(beats)


# --- the HTTP page's side ----------------------------------------------------------------------------------------

def lesson_open(*, enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """The learner opens the lesson: its row (opened now the first time), seen now."""
    now = timezone.now()
    progress, created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson,
                                                             defaults={"opened_at": now, "last_seen_at": now})
    if not created:
        LessonProgress.objects.filter(pk=progress.pk).update(last_seen_at=now)
        progress.last_seen_at = now
    return progress


def beat_http(*, enrolment: Enrolment, lesson: Lesson, position, completed: str = "") -> LessonProgress:
    """The fallback's beat: the time since the row was last seen (one read more than the socket's beat)."""
    now = timezone.now()
    previous = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).values_list(
        "last_seen_at", flat=True).first()
    beats_apply([Beat(enrolment_id=enrolment.pk, lesson_id=lesson.pk, seconds=elapsed_since(previous, now),
                      position=position_of(position), at=now,
                      completed=completed if completed in COMPLETIONS else "")])
    return LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)


def lesson_mark_done(*, enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    return beat_http(enrolment=enrolment, lesson=lesson, position=0, completed=LessonProgress.Completed.MARKED)


# --- the socket's side: the group commit -------------------------------------------------------------------------

@dataclass
class _Pending:
    beat: Beat
    future: asyncio.Future = field(repr=False)


# The batches are written on a thread of their own: the consumers' shared database thread also serves every paper
# socket's connect and exam day's saves, and a beat must not queue behind a class's start spike (bench `courses`,
# part 3). On SQLite its connection lives as long as the thread (stale ones closed before each batch); on PostgreSQL
# it goes back to the pool after each batch, so the thread never holds a server connection while idle.
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lesson-beats")


def _apply_on_writer(beats: list[Beat]) -> int:
    close_old_connections()
    try:
        return beats_apply(beats)
    finally:
        if connection.vendor != "sqlite":
            connection.close()


class BeatBatcher:
    """Beats of every socket of this process: one worker writes what has queued in one transaction and only then
    releases their acknowledgements (nothing acknowledged before it is stored)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    async def beat(self, beat: Beat) -> bool:
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(_Pending(beat, future))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self._run())
        return await future

    async def _run(self) -> None:
        limit = max(1, settings.COURSE_HEARTBEAT_BATCH)
        gather = settings.COURSE_HEARTBEAT_GATHER_SECONDS
        while True:
            batch = [await self.queue.get()]
            if gather:  # beats are not answers: a moment's wait lets one commit carry many of them
                await asyncio.sleep(gather)
            while len(batch) < limit and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await asyncio.get_running_loop().run_in_executor(_writer, _apply_on_writer, [p.beat for p in batch])
                stored = True
            except Exception:  # noqa: BLE001 - the batch rolled back: not acknowledged, the pages send again
                logger.exception("lesson heartbeats not stored (%s)", len(batch))
                stored = False
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_result(stored)


_batchers: dict[int, BeatBatcher] = {}


def batcher() -> BeatBatcher:
    """The batcher of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _batchers.get(id(loop))
    if found is None or found.worker is not None and found.worker.get_loop() is not loop:
        found = _batchers[id(loop)] = BeatBatcher()
    return found
