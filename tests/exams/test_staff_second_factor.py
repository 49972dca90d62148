"""The staff's second factor is passed in each session, on every staff page and staff socket (accounts/two_factor.py);
a staff member's exam-room session is a candidate session and is not asked for it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.enrolment import enrolment_code_issue
from accounts.roles import Role
from exam_platform.asgi import application
from exams.examday.services import attempts as svc
from tests.platform.test_websocket import ORIGIN

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Ho_Chi_Minh


def totp_code(secret: str, *, step: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(NOW.timestamp()) // 30 + step))


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _next_of(response) -> str:
    return response.url.split("?", 1)[0]


@pytest.fixture(autouse=True)
def _staff_mfa_on(settings):
    settings.REQUIRE_STAFF_MFA = True


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A code belongs to a 30-second window: on a running clock the window can turn between the code and the post."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_a_session_without_the_second_factor_is_sent_to_verify_it_even_with_totp_set_up(client, hr_user):
    secret = with_totp(hr_user)
    client.force_login(hr_user)  # a password alone, in effect
    response = client.get(reverse("people_list"))
    assert response.status_code == 302 and _next_of(response) == reverse("mfa_reauthenticate")
    assert "next=%2Fpeople%2F" in response.url
    for name in ("audit_list", "dashboard", "mfa_generate_recovery_codes", "mfa_view_recovery_codes",
                 "account_email"):  # nothing that would stand in for the factor either
        assert _next_of(client.get(reverse(name))) == reverse("mfa_reauthenticate"), name
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("people_list")).status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth announces the activation on commit, inside the request
def test_staff_without_totp_set_it_up_and_activating_it_counts_for_the_session(client, hr_user):
    client.force_login(hr_user)
    response = client.get(reverse("people_list"))
    assert _next_of(response) == reverse("mfa_activate_totp")
    client.post(reverse("account_reauthenticate"), {"password": "pw-Secret-123"})  # what allauth asks first
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    enrolment = enrolment_code_issue(person=hr_user, actor=hr_user).code  # the second proof (accounts/enrolment.py)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret), "enrolment_code": enrolment})
    assert response.status_code == 302
    assert client.get(reverse("people_list")).status_code == 200
    other = Client()  # another browser with the password only: asked for the code
    other.force_login(hr_user)
    assert _next_of(other.get(reverse("people_list"))) == reverse("mfa_reauthenticate")


@pytest.mark.django_db
def test_a_staff_members_exam_room_session_is_not_asked_but_reaches_only_the_candidate_pages(client, exam_day):
    person = exam_day["candidates"][0]
    person.groups.add(Group.objects.get(name=Role.HR_STAFF))
    with_totp(person)
    client.post(reverse("exam_login"), {"candidate_number": "CV0001", "password": "pw"})
    assert client.get(reverse("my_exams")).status_code == 200
    assert client.get(reverse("sitting_enter", args=[exam_day["sitting"].pk])).status_code == 200
    assert client.get(reverse("people_list")).url == reverse("my_exams")
    assert client.get(reverse("mfa_reauthenticate")).url == reverse("my_exams")


# --- websockets ----------------------------------------------------------------------------------------------------

def _browser_cookie(user, secret: str | None) -> tuple[bytes, bytes]:
    """A browser signed in with the password (and the TOTP code when ``secret`` is given) through allauth."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.username, "password": "pw-Secret-123"})
    assert response.url == reverse("mfa_authenticate")
    if secret:
        client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    else:
        client.force_login(user)  # the same user, the login's second step never taken
    return (b"cookie", "; ".join(f"{k}={m.value}" for k, m in client.cookies.items()).encode())


async def _opens(cookie, path: str) -> tuple[bool, int | None]:
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
    connected, code = await communicator.connect()
    await communicator.disconnect()
    return connected, code


@pytest.mark.django_db(transaction=True)
async def test_the_console_and_notices_sockets_need_the_second_factor_of_the_session(exam_day):
    invigilator = exam_day["invigilator"]
    secret = await sync_to_async(with_totp)(invigilator)
    await sync_to_async(invigilator.set_password)("pw-Secret-123")
    await sync_to_async(invigilator.save)()
    room = await sync_to_async(svc.room_open)(sitting=exam_day["sitting"], room=exam_day["room"], actor=invigilator)
    password_only = await sync_to_async(_browser_cookie)(invigilator, None)
    for path in (f"/ws/console/{room.pk}/", "/ws/notices/"):
        assert await _opens(password_only, path) == (False, 4403), path
    assert (await _opens(password_only, "/ws/ping/"))[0]
    with_factor = await sync_to_async(_browser_cookie)(invigilator, secret)
    for path in (f"/ws/console/{room.pk}/", "/ws/notices/"):
        assert (await _opens(with_factor, path))[0], path
