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
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


@dataclass
class _Lane:
    executor: ThreadPoolExecutor
    in_flight: int = field(default=0)


class LaneASGIHandler(ASGIHandler):
    def __init__(self, lanes: int):
        # Not ASGIHandler.__init__: that builds the middleware chain for async; this one is synchronous.
        self.load_middleware(is_async=False)
        self.lanes = [_Lane(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-lane-{n}"))
                      for n in range(max(1, lanes))]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        lane = min(self.lanes, key=lambda candidate: candidate.in_flight)
        lane.in_flight += 1
        try:
            async with ThreadSensitiveContext(executor=lane.executor):
                await self.handle(scope, receive, send)
        finally:
            lane.in_flight -= 1

    async def get_response_async(self, request):
        """The whole synchronous chain (middleware and view) in one hand-over to this request's lane."""
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_lane_asgi_application() -> LaneASGIHandler:
    """``django.core.asgi.get_asgi_application`` with ``settings.HTTP_SYNC_LANES`` lanes (sets Django up first,
    as that does)."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    return LaneASGIHandler(settings.HTTP_SYNC_LANES)
