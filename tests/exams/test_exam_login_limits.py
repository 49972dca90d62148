"""The exam-room login's limits cannot be turned against candidates (exams/examday/services/login.py): wrong passwords
lock a candidate number only on the machine that typed them, a per-address cap stops only a runaway script, the
invigilator unlocks a number from the room console, and every window follows the server's clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from exams.examday.services import attempts as svc
from exams.models import Registration

ROOM_NAT = "203.0.113.5"  # a whole exam room behind one address
ELSEWHERE = "198.51.100.7"
LOCKED = "nhập sai quá nhiều lần"


def login(client: Client, number: str, password: str, ip: str = ROOM_NAT):
    return client.post(reverse("exam_login"), {"candidate_number": number, "password": password}, REMOTE_ADDR=ip)


def machine(ip: str = ROOM_NAT) -> Client:
    """A browser that opened the login page, as every candidate's does."""
    client = Client()
    assert client.get(reverse("exam_login"), REMOTE_ADDR=ip).status_code == 200
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def frozen(exam_day):
    with time_machine.travel(exam_day["now"], tick=False):
        yield exam_day


@pytest.mark.django_db
def test_a_wrong_password_storm_from_one_machine_does_not_stop_the_candidate_at_another(frozen):
    attacker = machine()
    for _ in range(20):
        login(attacker, "CV0001", "sai")
    scripted = Client()  # a script that never opened the page (no browser cookie) is no better off
    for _ in range(20):
        login(scripted, "CV0001", "sai")
    assert LOCKED in login(attacker, "CV0001", "pw").content.decode() and not signed_in(attacker)
    candidate = machine()  # the real candidate, at another machine behind the same address
    assert login(candidate, "CV0001", "pw").status_code == 302 and signed_in(candidate)
    from_elsewhere = machine(ELSEWHERE)
    assert login(from_elsewhere, "CV0001", "pw", ip=ELSEWHERE).status_code == 302


@pytest.mark.django_db
def test_a_lock_on_one_machine_lifts_after_its_window_by_the_servers_clock(frozen):
    own = machine()
    for _ in range(5):
        login(own, "CV0002", "sai")
    assert LOCKED in login(own, "CV0002", "pw").content.decode()
    with time_machine.travel(frozen["now"] + dt.timedelta(minutes=5, seconds=1), tick=False):
        assert login(own, "CV0002", "pw").status_code == 302


@pytest.mark.django_db
def test_a_room_of_two_hundred_behind_one_address_signs_in_and_only_a_runaway_script_is_stopped(frozen, make_user,
                                                                                                settings):
    exam, room = frozen["exam"], frozen["room"]
    room.capacity = 300
    room.save()
    for n in range(3, 203):
        Registration.objects.create(exam=exam, person=make_user(Role.CANDIDATE, username=f"phong{n}"),
                                    candidate_number=f"CV{n:04d}", room=room, exam_password=f"mk{n}")
    login(machine(), "CV0003", "typo")  # a few typos on the way, as in any room
    login(machine(), "CV0004", "typo")
    for n in range(3, 203):
        assert login(machine(), f"CV{n:04d}", f"mk{n}").status_code == 302, n
    settings.EXAM_LOGIN_ADDRESS_TRIES = 250  # the same cap, reached sooner: a script goes on trying
    script = Client()
    answers = [login(script, "CV0001", f"doan{n}").content.decode() for n in range(60)]
    assert "quá nhiều lượt thử từ mạng này" in answers[-1]
    assert login(machine(ELSEWHERE), "CV0001", "pw", ip=ELSEWHERE).status_code == 302  # other addresses unaffected


@pytest.mark.django_db
def test_the_invigilator_unlocks_a_number_from_the_room_console_audited(frozen, client):
    candidate = machine()
    for _ in range(5):
        login(candidate, "CV0001", "sai")  # the candidate's own typos, on their own machine
    assert LOCKED in login(candidate, "CV0001", "pw").content.decode()
    sitting, room = frozen["sitting"], frozen["room"]
    svc.room_open(sitting=sitting, room=room, actor=frozen["invigilator"])
    client.force_login(frozen["invigilator"])
    console = client.get(reverse("room_console", args=[sitting.pk, room.pk])).content.decode()
    assert 'value="unlock_login"' in console and "Mở khóa đăng nhập phòng thi" in console
    registration = frozen["registrations"][0]
    response = client.post(reverse("room_unlock_login", args=[sitting.pk, room.pk]),
                           {"registration": registration.pk, "reason": "Gõ nhầm"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã mở khóa đăng nhập phòng thi cho số báo "
                                                                     "danh CV0001."]
    audit = AuditLog.objects.get(action="exam.login_unlock")
    assert audit.actor == frozen["invigilator"] and audit.details == {"candidate_number": "CV0001", "reason": "Gõ nhầm"}
    assert login(candidate, "CV0001", "pw").status_code == 302 and signed_in(candidate)


@pytest.mark.django_db
def test_only_the_rooms_invigilator_unlocks_and_only_a_candidate_of_that_room(frozen, client, make_user):
    sitting, room = frozen["sitting"], frozen["room"]
    svc.room_open(sitting=sitting, room=room, actor=frozen["invigilator"])
    client.force_login(make_user(Role.INVIGILATOR, username="phong_khac"))
    url = reverse("room_unlock_login", args=[sitting.pk, room.pk])
    assert client.post(url, {"registration": frozen["registrations"][0].pk}).status_code == 403
    client.force_login(frozen["invigilator"])
    response = client.post(url, {"registration": 999999})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Hãy chọn thí sinh cho thao tác này."]
    assert not AuditLog.objects.filter(action="exam.login_unlock").exists()
