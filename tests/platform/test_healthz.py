import pytest
from django.test import override_settings


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

    from exam_platform import views

    def refuse():
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "_check_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "kind": response.json()["database"]["kind"],
                                           "error": "OperationalError"}
