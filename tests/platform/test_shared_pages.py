"""Pages shared by anonymous readers (exam_platform/shared_pages.py): kept only when the view marks them and they set
no cookie, answered from memory for their seconds, never for a request with a session or pending messages, one per
language; the mark never leaves the server. With the contest's public page, the page that uses it."""
from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator
from django.test import Client
from django.urls import reverse

from exam_platform import shared_pages
from exam_platform.shared_pages import SharedPageCache


class Inner:
    """Django's place: counts its calls, answers with what the test says."""

    def __init__(self, headers=((b"x-shared-seconds", b"5"),), status=200):
        self.calls, self.headers, self.status = 0, list(headers), status

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"text/html"), *self.headers]})
        await send({"type": "http.response.body", "body": f"trang {self.calls}".encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b"."})


async def get(app, path="/contests/1/public/", cookie: str | None = None):
    headers = [(b"host", b"thi.example.vn")] + ([(b"cookie", cookie.encode())] if cookie else [])
    response = await HttpCommunicator(app, "GET", path, headers=headers).get_response()
    return response["body"].decode(), dict(response["headers"])


@pytest.mark.asyncio
async def test_a_marked_page_is_answered_from_memory_until_it_ages(monkeypatch):
    inner = Inner()
    app = SharedPageCache(inner)
    clock = [1000.0]
    monkeypatch.setattr(shared_pages.time, "monotonic", lambda: clock[0])
    first, headers = await get(app)
    again, headers_again = await get(app)
    assert (first, again, inner.calls) == ("trang 1.", "trang 1.", 1)
    assert b"x-shared-seconds" not in headers and b"x-shared-seconds" not in headers_again
    clock[0] += 4.9
    assert (await get(app))[0] == "trang 1."
    clock[0] += 0.2  # past its five seconds: the next reader refreshes it
    assert (await get(app))[0] == "trang 2." and (await get(app))[0] == "trang 2."
    key = next(iter(app.pages))
    clock[0] += 10
    app.refreshing.add(key)  # another reader is refreshing it: the previous bytes meanwhile
    assert (await get(app))[0] == "trang 2." and inner.calls == 2


@pytest.mark.asyncio
async def test_never_for_a_session_pending_messages_or_another_language():
    inner = Inner()
    app = SharedPageCache(inner)
    await get(app)
    for cookie in ("sessionid=abc", "messages=xyz", "a=b; sessionid=abc"):
        assert (await get(app, cookie=cookie))[0] != "trang 1."
    calls = inner.calls
    assert (await get(app, cookie="django_language=en"))[0] == f"trang {calls + 1}."  # English: its own page
    assert (await get(app, cookie="django_language=en"))[0] == f"trang {calls + 1}."
    assert (await get(app, path="/contests/2/public/"))[0] == f"trang {calls + 2}."


@pytest.mark.asyncio
async def test_not_kept_unmarked_with_a_cookie_or_not_a_200():
    for inner in (Inner(headers=()), Inner(headers=[(b"x-shared-seconds", b"5"), (b"set-cookie", b"csrftoken=1")]),
                  Inner(status=404)):
        app = SharedPageCache(inner)
        await get(app)
        await get(app)
        assert inner.calls == 2 and not app.pages


@pytest.mark.django_db
def test_the_anonymous_public_page_is_shared_without_a_token_and_the_language_switch_needs_none(contest_page, make_user):
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(contest_page)
    assert page["X-Shared-Seconds"] == "5"
    assert "csrfmiddlewaretoken" not in page.content.decode() and "csrftoken" not in page.cookies
    switched = anonymous.post(reverse("set_language"), {"language": "en", "next": contest_page})
    assert switched.status_code == 302 and switched.cookies["django_language"].value == "en"
    signed_in = Client()
    signed_in.force_login(make_user())
    mine = signed_in.get(contest_page)
    assert "X-Shared-Seconds" not in mine and "csrfmiddlewaretoken" in mine.content.decode()


@pytest.fixture
def contest_page(db):
    from contests.models import Contest

    return reverse("contest_public", args=[Contest.objects.create(name="Hội thi", organiser="Sở Nội vụ").pk])
