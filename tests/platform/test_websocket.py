"""Websocket consumers through the full ASGI stack (origin check, session auth, URL routing)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError

from accounts.roles import Role
from accounts.services import notice_send
from exam_platform.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1")


def _session_cookie(user) -> tuple[bytes, bytes]:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())


@pytest.fixture
def candidate(make_user):
    return make_user(Role.CANDIDATE)


@pytest.mark.django_db(transaction=True)
async def test_ping_answers_with_the_server_clock(candidate):
    cookie = await sync_to_async(_session_cookie)(candidate)
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[ORIGIN, cookie])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping", "seq": 7})
    reply = await communicator.receive_json_from(timeout=2)
    assert reply["type"] == "pong" and reply["seq"] == 7 and reply["server_time"].endswith("+00:00")
    assert await communicator.receive_nothing()
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/ping/", "/ws/notices/"])
async def test_deeply_nested_or_foreign_messages_are_ignored_and_the_socket_stays_open(candidate, path):
    """64 KB of brackets raised RecursionError in the JSON decoder, which ended the consumer (issue 15)."""
    cookie = await sync_to_async(_session_cookie)(candidate)
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
    assert (await communicator.connect())[0]
    for text in ("[" * 65_536 + "]" * 65_536, "not json", "[1, 2]", '"ping"'):
        await communicator.send_to(text_data=text)
    assert await communicator.receive_nothing(timeout=0.3)
    if path == "/ws/ping/":  # still answering
        await communicator.send_json_to({"type": "ping", "seq": 8})
        assert (await communicator.receive_json_from(timeout=2))["seq"] == 8
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_anonymous_socket_is_closed():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[ORIGIN])
    connected, code = await communicator.connect()
    assert not connected and code == 4401
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_foreign_origin_is_refused(candidate):
    cookie = await sync_to_async(_session_cookie)(candidate)
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"origin", b"http://evil.example"),
                                                                            cookie])
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_staff_notice_reaches_every_connected_page_after_commit(candidate, make_user):
    author = await sync_to_async(make_user)(Role.HR_STAFF, full_name="Phạm Thị Nhân Sự")
    cookie = await sync_to_async(_session_cookie)(candidate)
    communicator = WebsocketCommunicator(application, "/ws/notices/", headers=[ORIGIN, cookie])
    assert (await communicator.connect())[0]
    await sync_to_async(notice_send)(author=author, text="Phòng thi số 3 đổi sang tầng 2")
    message = await communicator.receive_json_from(timeout=2)
    assert message["type"] == "notice"
    assert message["text"] == "Phòng thi số 3 đổi sang tầng 2" and message["author"] == "Phạm Thị Nhân Sự"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_notice_reaches_only_the_audience_its_sender_is_responsible_for(candidate, make_user):
    organiser = await sync_to_async(make_user)(Role.CONTEST_ORGANISER, full_name="Ban Tổ Chức")
    participant = await sync_to_async(make_user)(Role.PARTICIPANT, username="thi_sinh_cuoc_thi")
    pages = {}
    for name, user in (("candidate", candidate), ("participant", participant)):
        cookie = await sync_to_async(_session_cookie)(user)
        pages[name] = WebsocketCommunicator(application, "/ws/notices/", headers=[ORIGIN, cookie])
        assert (await pages[name].connect())[0]
    with pytest.raises(ValidationError):  # the organiser is not responsible for everyone signed in
        await sync_to_async(notice_send)(author=organiser, text="Gửi mọi người", audience="everyone")
    await sync_to_async(notice_send)(author=organiser, text="Tuần 3 mở lúc 8 giờ", audience=Role.PARTICIPANT.value)
    message = await pages["participant"].receive_json_from(timeout=2)
    assert message["text"] == "Tuần 3 mở lúc 8 giờ"
    assert await pages["candidate"].receive_nothing(timeout=0.3)
    for communicator in pages.values():
        await communicator.disconnect()
