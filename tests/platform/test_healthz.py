import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.db import connections
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from exam_platform import views
from exam_platform.lanes import LaneASGIHandler


@pytest.mark.django_db
def test_healthz_reports_kind_and_state_of_each_backend(client, settings):
    scale_out = bool(settings.DATABASE_URL)  # the suite runs in both modes (see .ci/run)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "kind": "postgresql" if scale_out else "sqlite"}
    assert body["cache"] == {"ok": True, "kind": "redis" if scale_out else "locmem"}
    assert body["channel_layer"] == {"ok": True, "kind": "channels_redis" if scale_out else "in_memory"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(client):
    dead_redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=dead_redis):  # Django rebuilds the cache handler on this change
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["cache"]["ok"] is False and body["cache"]["kind"] == "redis"
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_channel_layer_is_down(client):
    dead = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}}
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=dead):
        channel_layers.backends.clear()
        response = client.get("/healthz")
    channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["channel_layer"] == {"ok": False, "kind": "channels_redis",
                                                "error": response.json()["channel_layer"]["error"]}


def test_livez_answers_without_touching_anything(client):
    assert client.get("/livez").content == b"ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError

    from exam_platform import health

    def refuse():
        raise OperationalError("database is locked")

    monkeypatch.setattr(health, "check_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "kind": response.json()["database"]["kind"],
                                           "error": "OperationalError"}


entered = threading.Semaphore(0)
release = threading.Event()


def stuck(request):
    entered.release()
    release.wait(timeout=10)  # a huge upload, a lock: holds its lane until released
    return HttpResponse("done")


urlpatterns = [path("healthz", views.healthz), path("stuck/", stuck)]


async def _get(application, url: str, timeout: float = 5) -> tuple[int, bytes]:
    communicator = HttpCommunicator(application, "GET", url, headers=[(b"host", b"testserver")])
    communicator.scope["client"] = ("127.0.0.1", 50000)  # a probe on the machine itself: it reads the details
    response = await communicator.get_response(timeout=timeout)
    return response["status"], response["body"]


def _close(application: LaneASGIHandler) -> None:
    for lane in [*application.lanes, application.health_lane]:
        lane.executor.submit(connections.close_all).result()
        lane.executor.shutdown()


@pytest.mark.django_db(transaction=True)
async def test_healthz_is_503_while_every_lane_is_stuck_and_200_once_they_move(settings):
    settings.ROOT_URLCONF = __name__
    settings.HEALTHZ_LANE_BUSY_SECONDS = 0
    application = LaneASGIHandler(lanes=2)
    release.clear()
    stuck_requests = [asyncio.ensure_future(_get(application, "/stuck/", timeout=15)) for _ in application.lanes]
    try:
        for _ in application.lanes:
            assert await asyncio.to_thread(entered.acquire, timeout=5)  # every lane is inside the view
        status, body = await _get(application, "/healthz")  # not queued behind them: it has its own thread
        lanes = json.loads(body)["lanes"]
        assert status == 503 and json.loads(body)["status"] == "error"
        assert lanes["ok"] is False and lanes["busy"] >= 2 and lanes["oldest_seconds"] >= 0
        assert json.loads(body)["database"]["ok"] is True  # the lanes are the failing check
    finally:
        release.set()
    assert [await request for request in stuck_requests] == [(200, b"done")] * 2
    status, body = await _get(application, "/healthz")
    assert status == 200 and json.loads(body)["lanes"]["ok"] is True
    await sync_to_async(_close)(application)


@pytest.mark.django_db(transaction=True)
async def test_one_free_lane_keeps_healthz_at_200(settings):
    settings.ROOT_URLCONF = __name__
    settings.HEALTHZ_LANE_BUSY_SECONDS = 0
    application = LaneASGIHandler(lanes=2)
    release.clear()
    stuck_request = asyncio.ensure_future(_get(application, "/stuck/", timeout=15))
    try:
        assert await asyncio.to_thread(entered.acquire, timeout=5)
        status, body = await _get(application, "/healthz")
        assert status == 200 and json.loads(body)["lanes"]["ok"] is True and json.loads(body)["lanes"]["busy"] >= 1
    finally:
        release.set()
    assert await stuck_request == (200, b"done")
    await sync_to_async(_close)(application)
