"""A socket lives no longer than the sign-in it was opened with (accounts/sockets.py): signing out closes that
session's sockets, every kind of them, and leaves the person's other sessions alone; a new password closes the other
sessions' sockets."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from exam_platform.asgi import application
from exams.examday import devicepass
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from tests.platform.test_websocket import ORIGIN

DEVICE = "device-a"
CLOSED = {"type": "websocket.close", "code": 4401}


def _browser(user) -> tuple[Client, list]:
    """A signed-in browser: its client (to sign out through the page) and its cookies as websocket headers."""
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return client, [ORIGIN, (b"cookie", cookie.encode())]


async def _open(headers, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    assert connected, path
    return communicator


def _sign_out(client: Client) -> None:
    assert client.post(reverse("account_logout")).status_code == 302


@pytest.mark.django_db(transaction=True)
async def test_signing_out_closes_that_sessions_sockets_and_no_other_sessions(make_user):
    person = await sync_to_async(make_user)(Role.HR_STAFF)
    office, office_headers = await sync_to_async(_browser)(person)
    _home, home_headers = await sync_to_async(_browser)(person)  # the same person, another browser
    ping, notices = await _open(office_headers, "/ws/ping/"), await _open(office_headers, "/ws/notices/")
    elsewhere = await _open(home_headers, "/ws/notices/")
    await sync_to_async(_sign_out)(office)
    assert await ping.receive_output(timeout=2) == CLOSED
    assert await notices.receive_output(timeout=2) == CLOSED
    assert await elsewhere.receive_nothing(timeout=0.3)
    await elsewhere.send_json_to({"type": "anything"})  # still open: it takes messages
    assert await elsewhere.receive_nothing(timeout=0.1)
    for communicator in (ping, notices, elsewhere):
        await communicator.disconnect()
    again = WebsocketCommunicator(application, "/ws/notices/", headers=office_headers)
    assert await again.connect() == (False, 4401)  # and the signed-out cookie opens nothing new
    await again.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_paper_and_the_console_close_when_their_sessions_sign_out(exam_day):
    room = await sync_to_async(svc.room_open)(sitting=exam_day["sitting"], room=exam_day["room"],
                                              actor=exam_day["invigilator"])
    attempt = await sync_to_async(lambda: entering.room_enter(
        registration=exam_day["registrations"][0], sitting=exam_day["sitting"], code=room.code,
        device=DEVICE).attempt)()
    candidate, headers = await sync_to_async(_browser)(exam_day["candidates"][0])
    headers = [ORIGIN, (b"cookie", headers[1][1] + f"; {devicepass.COOKIE}={devicepass.sign(DEVICE)}".encode())]
    paper = await _open(headers, f"/ws/attempt/{attempt.pk}/")
    assert (await paper.receive_json_from(timeout=2))["type"] == "state"
    invigilator, console_headers = await sync_to_async(_browser)(exam_day["invigilator"])
    console = await _open(console_headers, f"/ws/console/{room.pk}/")
    assert (await console.receive_json_from(timeout=2))["type"] == "snapshot"
    await sync_to_async(_sign_out)(candidate)
    assert await paper.receive_output(timeout=2) == CLOSED
    await sync_to_async(_sign_out)(invigilator)
    assert await console.receive_output(timeout=2) == CLOSED
    await paper.disconnect()
    await console.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_new_password_closes_the_other_sessions_sockets_and_keeps_its_own(make_user):
    person = await sync_to_async(make_user)(Role.CANDIDATE)
    own, own_headers = await sync_to_async(_browser)(person)
    _stolen, stolen_headers = await sync_to_async(_browser)(person)
    mine, theirs = await _open(own_headers, "/ws/notices/"), await _open(stolen_headers, "/ws/notices/")

    def change_password() -> None:
        response = own.post(reverse("account_change_password"), {
            "oldpassword": "pw-Secret-123", "password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"})
        assert response.status_code == 302

    await sync_to_async(change_password)()
    assert await theirs.receive_output(timeout=2) == CLOSED
    assert await mine.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()
