"""The exam-room login is a candidate session, not the person's account (exams/candidate/room_scope.py): a staff member who
sits an exam reaches that exam's candidate pages and nothing else, over HTTP and websockets, until the appeal
window closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog, Notice, User
from accounts.roles import Role
from exam_platform.access import Verdict, access_verdict
from exam_platform.asgi import application
from exams.candidate import room_scope
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from exams.marking.selectors import appeal_deadline
from exams.models import AttemptItem, CandidateResult, Registration, ResultVersion, Sitting
from exams.sessions.services import exam_create
from tests.platform.test_websocket import ORIGIN

DEVICE = "device-x"


@pytest.fixture
def staff_candidate(exam_day, province):
    """Candidate CV0001 of the exam day is an HR officer of the province (a staff member with HR pages), also
    registered in a second, later exam."""
    person = exam_day["candidates"][0]
    person.groups.add(Group.objects.get(name=Role.HR_STAFF))
    User.objects.filter(pk=person.pk).update(hr_scope=province)
    other = exam_create(preset_slug="sat-hach-noi-bo", name="Sát hạch năm sau", actor=None)
    Registration.objects.create(exam=other, person=person, candidate_number="SH0001")
    return {**exam_day, "person": person, "registration": exam_day["registrations"][0], "other_exam": other}


@pytest.fixture
def room(exam_day):
    return svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])


def exam_room_login(client, number: str = "CV0001", password: str = "pw"):
    response = client.post(reverse("exam_login"), {"candidate_number": number, "password": password})
    assert response.status_code == 302 and response.url == reverse("my_exams")
    return response


def enter_room(client, world, room) -> int:
    """The room code on this browser: the attempt starts, the browser gets its device pass."""
    response = client.post(reverse("sitting_enter", args=[world["sitting"].pk]), {"code": room.code})
    assert response.status_code == 302
    return int(response.url.rstrip("/").rsplit("/", 1)[-1])


def single_choice(attempt_id: int) -> tuple[int, int]:
    item = AttemptItem.objects.select_related("paper_item__question").filter(
        attempt_id=attempt_id, paper_item__question__kind="single").order_by("position").first()
    return item.position, item.paper_item.choice_order[1]


@pytest.mark.django_db
def test_an_hr_officer_sitting_the_exam_reaches_the_paper_and_saves(client, staff_candidate, room):
    exam_room_login(client)
    page = client.get(reverse("my_exams")).content.decode()
    assert "CV0001" in page and "SH0001" not in page  # only the registration it signed in to
    assert 'class="main-nav"' in page and reverse("dashboard") not in page and "/ws/notices/" not in page
    attempt_id = enter_room(client, staff_candidate, room)
    with time_machine.travel(staff_candidate["now"] + dt.timedelta(minutes=15), tick=False):
        assert client.get(reverse("attempt_page", args=[attempt_id])).status_code == 200
        position, choice = single_choice(attempt_id)
        saved = client.post(reverse("attempt_save", args=[attempt_id]),
                            {"item": position, "seq": 1, "value": [choice]}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["type"] == "ack"
    assert AttemptItem.objects.get(attempt_id=attempt_id, position=position).answer == [choice]


REFUSED_PAGES = [
    ("people_list", None), ("audit_list", None), ("exam_export_login_slips", "exam"), ("exam_results", "exam"),
    ("exam_candidates", "exam"), ("dashboard", None), ("my_profile", None), ("account_set_password", None),
    ("account_change_password", None), ("account_email", None), ("mfa_index", None), ("mfa_activate_totp", None),
    ("account_login", None), ("activate", None), ("my_result", "other_exam"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arg"), REFUSED_PAGES, ids=[name for name, _arg in REFUSED_PAGES])
def test_the_exam_room_session_is_sent_back_from_every_staff_and_account_page(client, staff_candidate, name, arg):
    url = reverse(name, args=[staff_candidate[arg].pk] if arg else [])
    client.force_login(staff_candidate["person"])  # the same person with a full session reaches the staff pages
    assert client.get(reverse("people_list")).status_code == 200
    client.logout()
    exam_room_login(client)
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("my_exams")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Đăng nhập phòng thi chỉ mở các trang của kỳ thi bạn đang dự. Muốn làm việc khác, hãy đăng xuất rồi đăng "
        "nhập bằng tài khoản của bạn."]
    assert not AuditLog.objects.filter(action__startswith="export.").exists()


@pytest.mark.django_db
def test_changes_outside_the_scope_are_refused_and_change_nothing(client, staff_candidate):
    person = staff_candidate["person"]
    password_before = User.objects.get(pk=person.pk).password
    exam_room_login(client)
    assert client.post(reverse("notice_send"), {"text": "Xin chào"}).status_code == 403
    assert client.post(reverse("account_change_password"), {"oldpassword": "pw-Secret-123", "password1": "Mk-moi-2026!x",
                                                            "password2": "Mk-moi-2026!x"}).status_code == 403
    assert client.post(reverse("account_email"), {"action_add": "", "email": "x@example.org"}).status_code == 403
    assert client.post(reverse("person_activation_code", args=[person.pk])).status_code == 403
    assert not Notice.objects.exists() and User.objects.get(pk=person.pk).password == password_before
    assert not person.emailaddress_set.exists() and not person.activation_codes.exists()
    assert client.get(reverse("home")).url == reverse("my_exams")  # the home page is the exam page, silently


@pytest.mark.django_db
def test_another_candidates_attempt_and_sitting_of_another_exam_are_out_of_reach(client, staff_candidate, room):
    other = Client()
    exam_room_login(other, "CV0002")
    other_attempt = enter_room(other, staff_candidate, room)
    exam_room_login(client)
    assert client.get(reverse("attempt_page", args=[other_attempt])).url == reverse("my_exams")
    assert client.post(reverse("attempt_save", args=[other_attempt]), {"item": 0, "seq": 1, "value": None},
                       content_type="application/json").status_code == 403
    later = Sitting.objects.create(subject=staff_candidate["other_exam"].subjects.first(),
                                   starts_at=timezone.now() + dt.timedelta(days=30),
                                   ends_at=timezone.now() + dt.timedelta(days=30, hours=1),
                                   opens_at=timezone.now() + dt.timedelta(days=29))
    assert client.get(reverse("sitting_enter", args=[later.pk])).url == reverse("my_exams")
    assert client.get(reverse("sitting_enter", args=[staff_candidate["sitting"].pk])).status_code == 200


@pytest.mark.django_db
def test_signing_in_at_the_exam_room_ends_an_earlier_full_session_in_that_browser(client, staff_candidate):
    client.force_login(staff_candidate["person"])
    assert client.get(reverse("people_list")).status_code == 200
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": 0, "type": "totp"}]
    session.save()
    exam_room_login(client)
    assert "account_authentication_methods" not in client.session  # nothing of the full session is left
    assert client.get(reverse("people_list")).url == reverse("my_exams")
    assert room_scope.scoped_registration_id(client.session) == staff_candidate["registration"].pk


def _publish(exam, registration, *, at: dt.datetime) -> ResultVersion:
    exam.status = "published"
    exam.save()
    version = ResultVersion.objects.create(exam=exam, number=1, status="published", candidates=1, passed=1,
                                           published_at=at)
    CandidateResult.objects.create(version=version, registration=registration, outcome="passed", passed=True,
                                   ranking_score=Decimal("80"), rank=1)
    return version


@pytest.mark.django_db
@pytest.mark.parametrize("appeals", [True, False], ids=["with appeals", "without appeals"])
def test_the_result_stays_reachable_until_the_appeal_window_closes_then_the_session_ends(client, staff_candidate,
                                                                                       appeals):
    exam, registration = staff_candidate["exam"], staff_candidate["registration"]
    exam.subjects.update(appeals_allowed=appeals)
    exam_room_login(client)
    published = staff_candidate["sitting"].ends_at + dt.timedelta(days=20)
    _publish(exam, registration, at=published)
    closes = appeal_deadline(exam)
    assert closes > published + dt.timedelta(days=exam.appeal_days)
    with time_machine.travel(closes - dt.timedelta(minutes=1), tick=False):
        assert client.get(reverse("my_result", args=[exam.pk])).status_code == 200
        assert client.get(reverse("my_result_notice", args=[exam.pk])).status_code == 200
        assert client.get(reverse("people_list")).url == reverse("my_exams")
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        response = client.get(reverse("my_result", args=[exam.pk]))
        assert response.status_code == 302 and response.url == reverse("account_login")
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("my_exams")).url.startswith(reverse("account_login"))
    assert AuditLog.objects.filter(action="auth.logout", actor=staff_candidate["person"]).exists()


@pytest.mark.django_db
def test_results_never_published_end_the_session_at_the_longest_wait(client, staff_candidate):
    exam_room_login(client)
    closes = Sitting.objects.filter(subject__exam=staff_candidate["exam"]).latest("ends_at").ends_at
    longest = closes + dt.timedelta(days=settings.EXAM_ROOM_SESSION_MAX_DAYS)
    assert client.session.get_expiry_date() == longest  # the session itself expires then
    with time_machine.travel(longest - dt.timedelta(minutes=1), tick=False):
        assert client.get(reverse("my_exams")).status_code == 200
        assert client.get(reverse("my_result", args=[staff_candidate["exam"].pk])).status_code == 404  # reached
    with time_machine.travel(longest + dt.timedelta(minutes=1), tick=False):
        assert client.get(reverse("my_exams")).url.startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_gate_reads_nothing_on_the_exam_day_path(client, staff_candidate, room):
    """The scope is in the session, the sitting in the exam-day cache, the attempt's registration learnt from the
    room-code page's redirect: deciding costs no query on the code page, the paper, its saves and its socket."""
    exam_room_login(client)
    client.get(reverse("sitting_enter", args=[staff_candidate["sitting"].pk]))
    attempt_id = enter_room(client, staff_candidate, room)
    session = client.session
    session.load()
    person = staff_candidate["person"]
    routes = [("sitting_enter", {"sitting_id": staff_candidate["sitting"].pk}), ("attempt_page", {"pk": attempt_id}),
              ("attempt_save", {"pk": attempt_id}), ("attempt_state", {"pk": attempt_id}),
              ("attempt_flag", {"pk": attempt_id}), ("ws_attempt", {"attempt_id": attempt_id})]
    with CaptureQueriesContext(connection) as captured:
        verdicts = [access_verdict(user=person, session=session, route=route, kwargs=kwargs) for route, kwargs in routes]
    assert verdicts == [Verdict.ALLOW] * len(routes) and len(captured) == 0


@pytest.mark.django_db
def test_the_exam_room_start_spike_keeps_its_query_counts(client, staff_candidate, room):
    """The bounds of tests/exams/test_perf_start.py, with the candidates' real session (an exam-room one)."""
    exam_room_login(client)
    url = reverse("sitting_enter", args=[staff_candidate["sitting"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as page:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as start:
        response = client.post(url, {"code": room.code})
    assert response.status_code == 302
    with time_machine.travel(staff_candidate["now"] + dt.timedelta(minutes=15), tick=False):
        client.get(response.url)
        with CaptureQueriesContext(connection) as paper:
            assert client.get(response.url).status_code == 200
    assert len(page) <= 3 and len(start) <= 13 and len(paper) <= 3


# --- websockets ----------------------------------------------------------------------------------------------------

def _signed_in_browser(world, room) -> tuple[list, int]:
    """An exam-room session that entered the room: its cookies as websocket headers, and its attempt."""
    client = Client()
    exam_room_login(client)
    attempt_id = enter_room(client, world, room)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return [ORIGIN, (b"cookie", cookie.encode())], attempt_id


async def _connect(headers, path) -> tuple[bool, int | None, WebsocketCommunicator]:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return connected, code, communicator


@pytest.mark.django_db(transaction=True)
async def test_the_exam_room_session_gets_its_paper_socket_and_no_staff_socket(staff_candidate, room):
    headers, attempt_id = await sync_to_async(_signed_in_browser)(staff_candidate, room)
    connected, _code, paper = await _connect(headers, f"/ws/attempt/{attempt_id}/")
    assert connected and (await paper.receive_json_from(timeout=3))["type"] == "state"
    await paper.disconnect()
    connected, _code, ping = await _connect(headers, "/ws/ping/")
    assert connected
    await ping.disconnect()
    other = await sync_to_async(lambda: entering.room_enter(
        registration=staff_candidate["registrations"][1], sitting=staff_candidate["sitting"], code=room.code,
        device=DEVICE).attempt.pk)()
    for path in (f"/ws/attempt/{other}/", f"/ws/console/{room.pk}/", "/ws/notices/", "/ws/learn/1/"):
        connected, code, communicator = await _connect(headers, path)
        assert (connected, code) == (False, 4403), path
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_after_the_scope_ended_is_refused_and_the_session_ends(staff_candidate, room):
    headers, _attempt_id = await sync_to_async(_signed_in_browser)(staff_candidate, room)
    exam = staff_candidate["exam"]
    await sync_to_async(_publish)(exam, staff_candidate["registration"],
                                  at=staff_candidate["sitting"].ends_at + dt.timedelta(days=1))
    closes = await sync_to_async(appeal_deadline)(exam)
    with time_machine.travel(closes - dt.timedelta(seconds=1), tick=False):
        connected, _code, communicator = await _connect(headers, "/ws/ping/")
        assert connected
        await communicator.disconnect()
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):  # long before the session's own expiry
        connected, code, communicator = await _connect(headers, "/ws/ping/")
    assert (connected, code) == (False, 4403)
    await communicator.disconnect()
    from django.contrib.sessions.models import Session

    assert not await sync_to_async(Session.objects.exists)()


def test_signing_out_of_the_exam_asks_first_and_goes_back_to_the_exam_login(client, staff_candidate):
    exam_room_login(client)
    page = client.get(reverse("my_exams")).content.decode()
    assert 'data-confirm="Thoát khỏi bài thi?' in page  # the sign-out button asks first
    assert f'name="next" value="{reverse("exam_login")}"' in page
    response = client.post(reverse("account_logout"), {"next": reverse("exam_login")})
    assert response.status_code == 302 and response["Location"] == reverse("exam_login")
