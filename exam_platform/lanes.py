"""Django's ASGI handler with its synchronous work on a few long-lived threads ("lanes").

Stock ``ASGIHandler`` runs every request's synchronous code (middleware, views, the ORM) on a thread created for
that request alone. At an exam's start spike that meant, per request: a thread started and joined, a new
database connection (SQLite re-runs its PRAGMAs), and a hundred threads taking turns on the GIL five
milliseconds at a time, so that every request in flight finished only when all of them did (measured with
py-spy at N = 400: thread start/stop and connection set-up took a tenth of the server's time, and the start
POST's median equalled a whole start cycle).

Here each request runs in one of ``lanes`` single-thread executors, the least busy one, through asgiref's
``ThreadSensitiveContext(executor=…)``: threads and their database connections live as long as the process,
requests queue in arrival order, and a slow request (an export) holds up only its own lane. The websocket
consumers are not affected: their database calls keep asgiref's one shared thread.

The middleware chain is also built synchronous and entered once per request. Stock, it is built for async, and
since our own middleware is synchronous every request went thread → event loop → thread before reaching the
view (three hand-overs instead of one). Async views still work: Django runs them with ``async_to_sync``.

Each lane records when its running request's synchronous chain started (two attribute writes, in the lane's own
thread), and ``/healthz`` runs on a thread of its own, never queued behind the lanes: so it can say that every lane
has been stuck on one request (a huge upload, a lock) while ``/livez`` still answers (:func:`lanes_report`).
"""

from __future__ import annotations

import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

HEALTH_PATH = "/healthz"

# Which lane the current thread serves: set once per thread when it starts (the executor's initializer).
_thread = threading.local()
# The live handlers, for /healthz (one in a server; tests build their own).
_handlers: weakref.WeakSet[LaneASGIHandler] = weakref.WeakSet()


@dataclass(eq=False)
class _Lane:
    name: str
    executor: ThreadPoolExecutor = field(init=False)
    in_flight: int = field(default=0)
    # time.monotonic() when the request now in this lane's thread entered the synchronous chain; None when idle.
    # Written only by the lane's own thread, read by /healthz: a float or None swaps atomically, no lock needed.
    running_since: float | None = field(default=None)

    def __post_init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.name,
                                           initializer=_bind_thread, initargs=(self,))


def _bind_thread(lane: _Lane) -> None:
    _thread.lane = lane


class LaneASGIHandler(ASGIHandler):
    def __init__(self, lanes: int):
        # Not ASGIHandler.__init__: that builds the middleware chain for async; this one is synchronous.
        self.load_middleware(is_async=False)
        self.lanes = [_Lane(f"http-lane-{n}") for n in range(max(1, lanes))]
        # /healthz's own thread (and database connection): outside the lanes, so it answers while they are stuck.
        self.health_lane = _Lane("http-health")
        _handlers.add(self)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        lane = self.health_lane if scope["path"] == HEALTH_PATH else min(self.lanes, key=lambda c: c.in_flight)
        lane.in_flight += 1
        try:
            async with ThreadSensitiveContext(executor=lane.executor):
                await self.handle(scope, receive, send)
        finally:
            lane.in_flight -= 1

    async def get_response_async(self, request):
        """The whole synchronous chain (middleware and view) in one hand-over to this request's lane."""
        return await sync_to_async(self._get_response_timed, thread_sensitive=True)(request)

    def _get_response_timed(self, request):
        """``get_response`` in the lane's thread, with the lane marked busy since now for /healthz."""
        lane = _thread.lane
        lane.running_since = time.monotonic()
        try:
            return self.get_response(request)
        finally:
            lane.running_since = None


def lanes_report(*, busy_seconds: float) -> dict:
    """For /healthz: ``ok`` is false when every lane of a handler has been running one request for longer than
    ``busy_seconds``; ``oldest_seconds`` says for how long the longest-running one has been at it."""
    now = time.monotonic()
    report = {"ok": True, "lanes": 0, "busy": 0, "oldest_seconds": 0.0}
    for handler in list(_handlers):
        ages = [now - started for lane in handler.lanes if (started := lane.running_since) is not None]
        report["lanes"] += len(handler.lanes)
        report["busy"] += len(ages)
        report["oldest_seconds"] = round(max([report["oldest_seconds"], *ages]), 1)
        if len(ages) == len(handler.lanes) and min(ages) > busy_seconds:
            report["ok"] = False
    return report


def get_lane_asgi_application() -> LaneASGIHandler:
    """``django.core.asgi.get_asgi_application`` with ``settings.HTTP_SYNC_LANES`` lanes (sets Django up first,
    as that does)."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    return LaneASGIHandler(settings.HTTP_SYNC_LANES)
