"""Pages whose bytes are the same for every anonymous reader (a contest's public page), answered from this process's
memory for a few seconds before Django is entered: no thread hand-over, no middleware, no template. It is what a
reverse proxy's micro-cache does, kept in the platform so that the embedded mode (one daphne, no proxy) has it too
(docs/operations.md, "Pages shared by anonymous readers").

A view opts a response in with :func:`share_with_anonymous_readers`. A response is kept only when it is a 200 with
that mark and sets no cookie, for a GET that carried no session and no pending messages; its key is the host, the path
and query, and the chosen language. When it ages, the next request refreshes it through Django while the others keep
getting the previous bytes. The mark never leaves the server.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http.cookie import parse_cookie

MARK = b"x-shared-seconds"
MAX_PAGES = 256  # each a few tens of kB: the oldest goes first


def share_with_anonymous_readers(response, seconds: int):
    """Let the ASGI layer answer the next anonymous readers of this page with these bytes for ``seconds``. Only for a
    page with nothing of its reader in it: no CSRF token, no message, no name."""
    response[MARK.decode()] = str(int(seconds))
    return response


@dataclass
class _Page:
    fresh_until: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class SharedPageCache:
    """ASGI middleware in front of Django's HTTP handler (exam_platform/asgi.py)."""

    def __init__(self, app):
        self.app = app
        self.pages: OrderedDict[tuple, _Page] = OrderedDict()
        self.refreshing: set[tuple] = set()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self._through(scope, receive, send, key=None)
        headers = dict(scope.get("headers") or [])
        cookies = parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))  # read as Django reads them
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return await self._through(scope, receive, send, key=None)
        key = (headers.get(b"host", b""), scope["path"], scope.get("query_string", b""),
               cookies.get(settings.LANGUAGE_COOKIE_NAME, ""))
        page = self.pages.get(key)
        if page is not None and (page.fresh_until > time.monotonic() or key in self.refreshing):
            return await _replay(page, send)
        self.refreshing.add(key)
        try:
            return await self._through(scope, receive, send, key=key)
        finally:
            self.refreshing.discard(key)

    async def _through(self, scope, receive, send, *, key):
        """Django's answer, passed on without the mark; kept when it may be shared."""
        held: dict = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != MARK]
                seconds = next((v for n, v in message.get("headers", []) if n.lower() == MARK), None)
                shareable = (key is not None and seconds is not None and message["status"] == 200
                             and not any(n.lower() == b"set-cookie" for n, _v in headers))
                if shareable:
                    held.update(status=200, headers=headers, seconds=int(seconds), body=[])
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and held:
                held["body"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, _Page(time.monotonic() + held["seconds"], held["status"], held["headers"],
                                          b"".join(held["body"])))
            await send(message)

        return await self.app(scope, receive, watch)

    def _keep(self, key, page: _Page) -> None:
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > MAX_PAGES:
            self.pages.popitem(last=False)


async def _replay(page: _Page, send) -> None:
    await send({"type": "http.response.start", "status": page.status, "headers": page.headers})
    await send({"type": "http.response.body", "body": page.body})
