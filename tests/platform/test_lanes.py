"""Requests run on a few long-lived threads ("lanes", exam_platform/lanes.py), each keeping its database connection,
and a slow request holds up only its own lane."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.db import connection, connections
from django.http import HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import path

from exam_platform.lanes import LaneASGIHandler

entered = threading.Semaphore(0)
release = threading.Event()


def where(request):
    connection.ensure_connection()
    return JsonResponse({"thread": threading.current_thread().name, "connection": id(connection.connection)})


def slow(request):
    entered.release()
    release.wait(timeout=10)  # an export, say: holds its lane until released
    return HttpResponse("slow")


async def async_view(request):
    await asyncio.sleep(0)
    return HttpResponse("async")


urlpatterns = [path("where/", where), path("slow/", slow), path("async/", async_view)]


async def _get(application, url: str, timeout: float = 5) -> tuple[int, bytes]:
    communicator = HttpCommunicator(application, "GET", url, headers=[(b"host", b"testserver")])
    response = await communicator.get_response(timeout=timeout)
    return response["status"], response["body"]


@pytest.fixture
def lanes_urls():
    with override_settings(ROOT_URLCONF=__name__):
        yield


def _close(application: LaneASGIHandler) -> None:
    """Let each lane's thread give its database connection back, then stop the lanes (test clean-up)."""
    for lane in application.lanes:
        lane.executor.submit(connections.close_all).result()
        lane.executor.shutdown()


@pytest.mark.django_db(transaction=True)
async def test_requests_share_a_long_lived_lane_thread_and_its_database_connection(lanes_urls):
    application = LaneASGIHandler(lanes=1)
    try:
        seen = [json.loads(body) for status, body in [await _get(application, "/where/") for _ in range(3)]
                if status == 200]
    finally:
        await sync_to_async(_close)(application)
    assert len(seen) == 3
    assert {page["thread"] for page in seen} == {"http-lane-0_0"}  # stock Django: a new thread for each request
    if connection.vendor == "sqlite":  # the embedded mode keeps its connection; PostgreSQL's pool lends one per request
        assert len({page["connection"] for page in seen}) == 1


@pytest.mark.django_db(transaction=True)
async def test_a_slow_request_holds_up_only_its_own_lane(lanes_urls):
    application = LaneASGIHandler(lanes=2)
    release.clear()
    slow_request = asyncio.ensure_future(_get(application, "/slow/", timeout=15))
    try:
        assert await asyncio.to_thread(entered.acquire, timeout=5)  # the slow request holds its lane now
        status, body = await _get(application, "/where/")  # served by the other lane meanwhile
        assert status == 200 and b"http-lane-1" in body
        assert not slow_request.done()
    finally:
        release.set()
    assert await slow_request == (200, b"slow")
    await sync_to_async(_close)(application)


@pytest.mark.django_db(transaction=True)
async def test_async_views_still_work_behind_the_synchronous_middleware_chain(lanes_urls):
    application = LaneASGIHandler(lanes=1)
    assert await _get(application, "/async/") == (200, b"async")
    await sync_to_async(_close)(application)


def test_the_platform_serves_http_through_the_lanes():
    from exam_platform.asgi import django_asgi_app

    assert isinstance(django_asgi_app, LaneASGIHandler)
    assert len(django_asgi_app.lanes) >= 1
