"""More time for the whole sitting: every open room at once (an outage for the whole venue)."""

import datetime as dt

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.urls import reverse

from accounts.models import AuditLog
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from exams.models import Attempt, InvigilatorAssignment, Room, RoomEvent
from tests.exams.test_exam_websockets import _connect


@pytest.fixture
def two_rooms(exam_day, make_user):
    from accounts.roles import Role

    second = Room.objects.create(exam=exam_day["exam"], name="Phòng 2", capacity=10)
    registrations = exam_day["registrations"]
    registrations[1].room = second
    registrations[1].save()
    rooms = [svc.room_open(sitting=exam_day["sitting"], room=room, actor=exam_day["invigilator"])
             for room in (exam_day["room"], second)]
    attempts = [entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=session.code,
                                    device=f"device-{n}").attempt
                for n, (registration, session) in enumerate(zip(registrations, rooms, strict=True))]
    second_invigilator = make_user(Role.INVIGILATOR, username="giamthi2", full_name="Giám Thị Hai")
    InvigilatorAssignment.objects.create(sitting=exam_day["sitting"], room=second, user=second_invigilator)
    return {**exam_day, "sessions": rooms, "attempts": attempts, "second_room": second,
            "second_invigilator": second_invigilator}


@pytest.mark.django_db
def test_every_open_room_of_the_sitting_gets_the_time_in_one_action(two_rooms):
    deadlines = [a.deadline for a in two_rooms["attempts"]]
    closes = [svc.room_close_at(s) for s in two_rooms["sessions"]]
    updated = svc.extend_sitting(sitting=two_rooms["sitting"], minutes=7, reason="Mất điện toàn điểm thi",
                                 actor=two_rooms["invigilator"])
    assert len(updated) == 2
    for attempt, before in zip(two_rooms["attempts"], deadlines, strict=True):
        assert Attempt.objects.get(pk=attempt.pk).deadline == before + dt.timedelta(minutes=7)
    for session, before in zip(two_rooms["sessions"], closes, strict=True):
        session.refresh_from_db()
        assert svc.room_close_at(session) == before + dt.timedelta(minutes=7)
    # Each room's record shows it; the audit log has the one action.
    assert RoomEvent.objects.filter(kind="extended", reason="Mất điện toàn điểm thi").count() == 2
    audit = AuditLog.objects.get(action="sitting.extend")
    assert audit.details["rooms"] == 2 and audit.details["attempts"] == 2 and audit.details["minutes"] == 7
    assert not AuditLog.objects.filter(action="room.extend").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("minutes, reason, code", [(0, "Lý do", "bad_minutes"), (241, "Lý do", "bad_minutes"),
                                                   (5, "  ", "no_reason")])
def test_a_bad_extension_is_refused_and_changes_nothing(two_rooms, minutes, reason, code):
    deadlines = [a.deadline for a in two_rooms["attempts"]]
    with pytest.raises(svc.ExamDayError) as caught:
        svc.extend_sitting(sitting=two_rooms["sitting"], minutes=minutes, reason=reason,
                           actor=two_rooms["invigilator"])
    assert caught.value.code == code
    assert [Attempt.objects.get(pk=a.pk).deadline for a in two_rooms["attempts"]] == deadlines
    assert not RoomEvent.objects.filter(kind="extended").exists()


@pytest.mark.django_db
def test_only_someone_who_may_act_in_every_open_room_extends_the_sitting(client, two_rooms):
    url = reverse("sitting_extend", args=[two_rooms["sitting"].pk])
    console = reverse("room_console", args=[two_rooms["sitting"].pk, two_rooms["room"].pk])
    data = {"minutes": 5, "reason": "Sự cố mạng", "room": two_rooms["room"].pk}
    client.force_login(two_rooms["invigilator"])  # assigned to room 1 only
    assert 'id="sitting-extend-form"' not in client.get(console).content.decode()
    assert client.post(url, data).status_code == 403
    assert not RoomEvent.objects.filter(kind="extended").exists()
    InvigilatorAssignment.objects.create(sitting=two_rooms["sitting"], room=two_rooms["second_room"],
                                         user=two_rooms["invigilator"])
    assert 'id="sitting-extend-form"' in client.get(console).content.decode()
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == console
    assert "2 thí sinh được thêm giờ." in response.content.decode()
    assert RoomEvent.objects.filter(kind="extended").count() == 2


@pytest.mark.django_db
def test_a_bad_form_gives_a_message_and_changes_nothing(client, two_rooms):
    InvigilatorAssignment.objects.create(sitting=two_rooms["sitting"], room=two_rooms["second_room"],
                                         user=two_rooms["invigilator"])
    client.force_login(two_rooms["invigilator"])
    response = client.post(reverse("sitting_extend", args=[two_rooms["sitting"].pk]),
                           {"minutes": "abc", "reason": ""}, follow=True)
    assert "Hãy nhập từ 1 đến 240 phút và lý do." in response.content.decode()
    assert not RoomEvent.objects.filter(kind="extended").exists()


@pytest.mark.django_db(transaction=True)
async def test_pages_in_every_room_see_the_new_deadline_without_a_reload(two_rooms):
    with time_machine.travel(two_rooms["now"] + dt.timedelta(minutes=15), tick=False):
        pages = []
        for n, attempt in enumerate(two_rooms["attempts"]):
            ws = await _connect(two_rooms["candidates"][n], f"/ws/attempt/{attempt.pk}/", device=f"device-{n}")
            await ws.receive_json_from(timeout=3)
            pages.append(ws)
        await sync_to_async(svc.extend_sitting)(sitting=two_rooms["sitting"], minutes=10, reason="Mất điện",
                                                actor=two_rooms["invigilator"])
        for n, ws in enumerate(pages):
            state = await ws.receive_json_from(timeout=3)
            expected = two_rooms["attempts"][n].deadline + dt.timedelta(minutes=10)
            assert state["type"] == "state" and dt.datetime.fromisoformat(state["deadline"]) == expected
            await ws.disconnect()


@pytest.mark.django_db
def test_the_extension_costs_the_same_statements_however_many_rooms(two_rooms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            svc.extend_sitting(sitting=two_rooms["sitting"], minutes=1, reason="Sự cố", actor=two_rooms["invigilator"])
        return len(captured)

    two = statements()
    third = Room.objects.create(exam=two_rooms["exam"], name="Phòng 3", capacity=10)
    svc.room_open(sitting=two_rooms["sitting"], room=third, actor=two_rooms["invigilator"])
    assert statements() == two <= 12
    assert RoomEvent.objects.filter(kind="extended", room_session__room=third).count() == 1


@pytest.mark.django_db
def test_with_one_room_open_the_console_offers_only_the_rooms_own_extension(client, exam_day):
    svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    client.force_login(exam_day["invigilator"])
    page = client.get(reverse("room_console", args=[exam_day["sitting"].pk, exam_day["room"].pk])).content.decode()
    assert 'id="action-form"' in page and 'id="sitting-extend-form"' not in page
