"""The console's actions, one view each: what each one writes, and the refusals the invigilator reads."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from exams.models import Admission, Attempt, Penalty, RoomEvent, RoomSession

ACTIONS = ["room_open", "room_new_code", "room_pause", "room_resume", "room_extend", "room_admit", "room_release",
           "room_penalty", "room_incident", "room_unlock_login"]
DONE = "Đã thực hiện."


@pytest.fixture
def console(client, exam_day):
    """The room's invigilator at the console; ``post(name, data)`` posts one action and returns its messages."""
    client.force_login(exam_day["invigilator"])
    args = [exam_day["sitting"].pk, exam_day["room"].pk]

    def post(name: str, data: dict | None = None) -> list[str]:
        response = client.post(reverse(name, args=args), data or {})
        assert response.status_code == 302 and response["Location"] == reverse("room_console", args=args)
        said = [str(m) for m in get_messages(response.wsgi_request)]
        client.get(response["Location"])  # the console shows them, once
        return said

    return post


@pytest.fixture
def started(exam_day):
    """The room open and the first candidate writing."""
    session = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                                  code=session.code, device="may-1").attempt
    return session, attempt


@pytest.mark.django_db
def test_the_console_points_each_action_at_its_own_view(client, exam_day, started):
    client.force_login(exam_day["invigilator"])
    args = [exam_day["sitting"].pk, exam_day["room"].pk]
    page = client.get(reverse("room_console", args=args)).content.decode()
    for name in ACTIONS[1:]:
        assert f'"{reverse(name, args=args)}"' in page, name
    assert 'type="submit" disabled' in page  # until console.js has aimed the form at the chosen action


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACTIONS)
def test_only_the_rooms_invigilator_acts_and_only_by_post(client, exam_day, started, make_user, name):
    args = [exam_day["sitting"].pk, exam_day["room"].pk]
    client.force_login(make_user(Role.INVIGILATOR, username="phong_khac"))
    assert client.post(reverse(name, args=args), {"reason": "x"}).status_code == 403
    client.force_login(exam_day["invigilator"])
    assert client.get(reverse(name, args=args)).status_code == 405
    assert not RoomEvent.objects.filter(actor__username="phong_khac").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["room_new_code", "room_pause", "room_resume", "room_extend", "room_admit",
                                  "room_release", "room_penalty", "room_incident"])
def test_an_action_on_a_room_not_yet_open_is_refused(console, exam_day, name):
    registration = exam_day["registrations"][0]
    data = {"registration": registration.pk, "reason": "Lý do", "minutes": 5, "penalty": "reprimand"}
    assert console(name, data) == ["Hãy mở phòng thi trước."]
    assert not RoomSession.objects.exists() and not RoomEvent.objects.exists() and not Penalty.objects.exists()


@pytest.mark.django_db
def test_opening_then_a_new_code(console, exam_day):
    assert console("room_open") == [DONE]
    session = RoomSession.objects.get(sitting=exam_day["sitting"], room=exam_day["room"])
    assert console("room_new_code") == [DONE]
    assert AuditLog.objects.filter(action="room.new_code").count() == 1
    assert RoomSession.objects.get(pk=session.pk).opened_by == exam_day["invigilator"]


@pytest.mark.django_db
def test_pause_and_resume_stop_and_start_the_rooms_clock(console, started):
    session, _attempt = started
    assert console("room_pause", {"reason": "Mất điện"}) == [DONE]
    assert RoomSession.objects.get(pk=session.pk).paused_since is not None
    assert console("room_pause", {"reason": "Lần nữa"}) == ["Phòng thi đang tạm dừng rồi."]
    assert console("room_resume", {"reason": "Có điện"}) == [DONE]
    assert RoomSession.objects.get(pk=session.pk).paused_since is None
    assert list(RoomEvent.objects.filter(kind__in=["paused", "resumed"], reason__in=["Mất điện", "Có điện"])
                .values_list("kind", flat=True).order_by("pk")) == ["paused", "resumed"]


@pytest.mark.django_db
def test_extending_one_candidate_leaves_the_rest_of_the_room(console, exam_day, started):
    session, attempt = started
    deadline = attempt.deadline
    data = {"registration": exam_day["registrations"][0].pk, "minutes": 5, "reason": "Máy chậm"}
    assert console("room_extend", data) == [DONE]
    assert Attempt.objects.get(pk=attempt.pk).deadline > deadline
    assert RoomSession.objects.get(pk=session.pk).extension_s == 0
    assert console("room_extend", {"minutes": 5}) == ["Hãy ghi lý do."]


@pytest.mark.django_db
def test_admitting_needs_a_candidate_who_entered_the_code(console, exam_day):
    exam_day["exam"].admit_needs_invigilator = True
    exam_day["exam"].save()
    session = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    first, second = exam_day["registrations"]
    assert console("room_admit", {"reason": "Đúng người"}) == ["Hãy chọn thí sinh cho thao tác này."]
    assert console("room_admit", {"registration": second.pk}) == ["Thí sinh chưa nhập mã phòng thi."]
    entering.room_enter(registration=first, sitting=exam_day["sitting"], code=session.code, device="may-1")
    assert console("room_admit", {"registration": first.pk, "reason": "Đúng người"}) == [DONE]
    assert Admission.objects.get(registration=first).admitted_by == exam_day["invigilator"]


@pytest.mark.django_db
def test_releasing_moves_the_paper_off_its_machine(console, exam_day, started):
    _session, attempt = started
    assert console("room_release", {"registration": exam_day["registrations"][1].pk}) == [
        "Hãy chọn thí sinh cho thao tác này."]  # the second candidate has no paper yet
    assert console("room_release", {"registration": exam_day["registrations"][0].pk, "reason": "Máy treo"}) == [DONE]
    assert Attempt.objects.get(pk=attempt.pk).device == ""


@pytest.mark.django_db
def test_a_penalty_needs_a_candidate_and_its_kind(console, exam_day, started):
    registration = exam_day["registrations"][0]
    assert console("room_penalty", {"registration": registration.pk, "reason": "Quay cóp"}) == [
        "Hãy chọn thí sinh cho thao tác này."]
    assert console("room_penalty", {"penalty": "reprimand", "reason": "Quay cóp"}) == [
        "Hãy chọn thí sinh cho thao tác này."]
    assert console("room_penalty", {"registration": registration.pk, "penalty": "reprimand",
                                    "reason": "Quay cóp"}) == [DONE]
    assert Penalty.objects.get().kind == "reprimand"


@pytest.mark.django_db
def test_a_form_the_console_never_sends_is_not_valid(console, started):
    assert console("room_extend", {"minutes": 999, "reason": "x"}) == ["Thao tác không hợp lệ."]
    assert not RoomEvent.objects.filter(kind="extended").exists()


@pytest.mark.django_db
def test_the_timeline_of_an_attempt_is_a_recorded_download(client, exam_day, started):
    _session, attempt = started
    client.force_login(exam_day["invigilator"])
    response = client.get(reverse("attempt_timeline", args=[attempt.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8" and response.content.startswith(b"\xef\xbb\xbftime,")
    record = AuditLog.objects.get(action="export.attempt_timeline")
    assert record.actor == exam_day["invigilator"] and record.object_id == str(attempt.pk)
