"""/healthz names the backends and the deployment only to internal addresses and signed-in staff
(settings.HEALTHZ_DETAIL_NETWORKS); everyone else gets the status code and {"status": ...} alone."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.roles import Role
from exam_platform import health

OUTSIDE = "203.0.113.5"


def _get(client, **extra):
    response = client.get("/healthz", **extra)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_an_outside_address_gets_only_the_status(client):
    assert _get(client, REMOTE_ADDR=OUTSIDE) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_an_outside_address_still_gets_the_503(client, monkeypatch):
    def refuse():
        raise RuntimeError("down")

    monkeypatch.setattr(health, "check_database", refuse)
    assert _get(client, REMOTE_ADDR=OUTSIDE) == (503, {"status": "error"})
    status, body = _get(client, REMOTE_ADDR="10.1.2.3")  # the operator's network sees which check failed
    assert status == 503 and body["database"]["ok"] is False and body["cache"]["ok"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "172.20.0.4", "192.168.1.10"])
def test_loopback_and_private_addresses_read_the_details(client, address):
    status, body = _get(client, REMOTE_ADDR=address)
    assert status == 200 and {"database", "cache", "channel_layer", "lanes", "app_env"} <= set(body)


@pytest.mark.django_db
def test_a_forged_forwarding_header_changes_nothing_without_a_configured_proxy(client):
    assert _get(client, REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1") == (200, {"status": "ok"})
    # Behind a proxy nobody configured, the connection's loopback address is the proxy's, not the client's.
    assert _get(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE) == (200, {"status": "ok"})


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_configured_proxy_the_forwarded_address_decides(client):
    assert _get(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE) == (200, {"status": "ok"})
    assert _get(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{OUTSIDE}, 10.0.0.8")[1].keys() > {"status"}
    assert _get(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.8, {OUTSIDE}") == (200, {"status": "ok"})


@pytest.mark.django_db
def test_signed_in_staff_read_the_details_from_anywhere_and_nobody_else_does(client, make_user, hr_user):
    client.force_login(make_user(Role.CANDIDATE))
    assert _get(client, REMOTE_ADDR=OUTSIDE) == (200, {"status": "ok"})
    client.force_login(hr_user)
    assert "database" in _get(client, REMOTE_ADDR=OUTSIDE)[1]
    with override_settings(REQUIRE_STAFF_MFA=True):  # the password alone is not a staff session
        assert _get(client, REMOTE_ADDR=OUTSIDE) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_the_address_setting_is_the_operators(client, settings):
    settings.HEALTHZ_DETAIL_NETWORKS = ["203.0.113.0/24"]
    assert "database" in _get(client, REMOTE_ADDR=OUTSIDE)[1]
    assert _get(client, REMOTE_ADDR="127.0.0.1") == (200, {"status": "ok"})
