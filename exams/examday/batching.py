"""Group commit for answer saves arriving over websockets (docs/operations.md, "Durability").

Saves from every socket of this process queue up; one worker applies whatever has queued (up to
``EXAM_SAVE_BATCH``) in a single transaction and only after that transaction commits are the acknowledgements
released. With SQLite in ``synchronous=FULL`` this turns one fsync per save into one per batch; nothing is
acknowledged before it is durable.

The batch is checked and written as a whole (``saves.saves_apply``: one read, one INSERT of answer events,
one UPDATE statement for the items), with the same rules as a single save. Should a statement of the batch fail
(a database error, not a refusal), the batch is applied again one save at a time, each in its own savepoint, so
one bad save never holds back the others.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from exam_platform.dbgate import write_gate
from exams.examday.services import attempts as svc
from exams.examday.services import saves

logger = logging.getLogger(__name__)


@dataclass
class _Pending:
    kwargs: dict
    future: asyncio.Future = field(repr=False)


def _retry_later() -> svc.ExamDayError:
    return svc.ExamDayError("retry", _("The answer could not be saved yet; it will be sent again."))


class SaveBatcher:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    async def save(self, **kwargs) -> saves.SaveResult:
        """Queue one save; returns once its transaction has committed (or raises its ExamDayError)."""
        future = asyncio.get_running_loop().create_future()
        await self.queue.put(_Pending(kwargs, future))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self._run())
        result = await future
        if isinstance(result, svc.ExamDayError):
            raise result
        return result

    async def _run(self) -> None:
        limit = max(1, settings.EXAM_SAVE_BATCH)
        while True:
            batch = [await self.queue.get()]
            while len(batch) < limit and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                results = await database_sync_to_async(_apply)([p.kwargs for p in batch])
            except Exception:  # noqa: BLE001 - the whole batch rolled back: nothing acknowledged, clients resend
                results = [_retry_later()] * len(batch)
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)


def _apply(batch: list[dict]) -> list:
    """Apply a batch in one transaction; the results are in the batch's order (a SaveResult or a refusal)."""
    try:
        with write_gate(), transaction.atomic():
            return saves.saves_apply(batch)
    except Exception as exc:  # noqa: BLE001 - nothing of the batch was stored; see below
        if len(batch) == 1 or isinstance(exc, DatabaseError) and "locked" in str(exc):
            raise
    # A statement of the batch failed: nothing of it was stored. Apply each save on its own, so that only the
    # save at fault is asked to come again (and is logged), never the whole room's.
    results = []
    with write_gate(), transaction.atomic():
        for kwargs in batch:
            try:
                with transaction.atomic():
                    results.extend(saves.saves_apply([kwargs]))
            except Exception:  # noqa: BLE001
                logger.exception("answer save failed: attempt %s item %s seq %s", kwargs.get("attempt_id"),
                                 kwargs.get("position"), kwargs.get("seq"))
                results.append(_retry_later())
    return results


_batchers: dict[int, SaveBatcher] = {}


def batcher() -> SaveBatcher:
    """The batcher of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _batchers.get(id(loop))
    if found is None or found.worker is not None and found.worker.get_loop() is not loop:
        found = _batchers[id(loop)] = SaveBatcher()
    return found
