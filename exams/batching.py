"""Group commit for answer saves arriving over websockets (DESIGN.md §6).

Saves from every socket of this process queue up; one worker applies whatever has queued (up to
``EXAM_SAVE_BATCH``) in a single transaction — each save in its own savepoint, so one refusal never
spoils the others — and only after that transaction commits are the acknowledgements released. With
SQLite in ``synchronous=FULL`` this turns one fsync per save into one per batch; nothing is acknowledged
before it is durable.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from exams.dbgate import write_gate
from exams.services import attempts as svc


@dataclass
class _Pending:
    kwargs: dict
    future: asyncio.Future = field(repr=False)


class SaveBatcher:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    async def save(self, **kwargs) -> svc.SaveResult:
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
                error = svc.ExamDayError("retry", _("The answer could not be saved yet; it will be sent again."))
                results = [error] * len(batch)
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)


def _apply(batch: list[dict]) -> list:
    results = []
    with write_gate(), transaction.atomic():
        for kwargs in batch:
            try:
                results.append(svc.answer_save(**kwargs))  # its own atomic() is a savepoint here
            except svc.ExamDayError as exc:
                results.append(exc)
    return results


_batchers: dict[int, SaveBatcher] = {}


def batcher() -> SaveBatcher:
    """The batcher of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _batchers.get(id(loop))
    if found is None or found.worker is not None and found.worker.get_loop() is not loop:
        found = _batchers[id(loop)] = SaveBatcher()
    return found
