"""Correcting what was set up (issue 17): rooms, sittings, council seats, invigilators and registrations are
edited and removed while that is safe, locked with a reason when not; a database refusal is a Vietnamese form
error, never a server error."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from accounts.roles import Role
from exams.models import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, RoomSession, Sitting
from exams.sessions import corrections
from exams.sessions.services import council_add

pytestmark = pytest.mark.django_db


def _open(world, room=None) -> RoomSession:
    return RoomSession.objects.create(sitting=world["sitting"], room=room or world["room"], code="123456",
                                      code_valid_until=timezone.now() + dt.timedelta(minutes=30),
                                      opened_by=world["hr"])


def _status(exam: Exam, status: str) -> None:
    Exam.objects.filter(pk=exam.pk).update(status=status)
    exam.refresh_from_db()


@pytest.fixture
def hr_client(client, sitting_world):
    client.force_login(sitting_world["hr"])
    return client


# --- rooms ---------------------------------------------------------------------------------------------------------

def test_a_room_is_renamed_and_its_capacity_never_drops_below_its_candidates(sitting_world, hr_client):
    room = sitting_world["room"]
    response = hr_client.post(reverse("room_edit", args=[room.pk]), {"name": "Phòng máy 1", "location": "Tầng 2",
                                                                     "capacity": "3"})
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Phòng máy 1", 3)
    assert AuditLog.objects.filter(action="exam.room_edit").exists()
    response = hr_client.post(reverse("room_edit", args=[room.pk]), {"name": "Phòng máy 1", "capacity": "2"})
    assert "3 thí sinh đã được xếp vào phòng này" in response.content.decode()
    room.refresh_from_db()
    assert room.capacity == 3


def test_a_duplicate_room_name_or_a_zero_capacity_is_a_vietnamese_message_not_a_500(sitting_world, hr_client):
    exam = sitting_world["exam"]
    response = hr_client.post(reverse("exam_room_add", args=[exam.pk]), {"name": "phòng 1", "capacity": "5"},
                              follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Kỳ thi đã có phòng thi tên" in page
    response = hr_client.post(reverse("exam_room_add", args=[exam.pk]), {"name": "Phòng 9", "capacity": "0"},
                              follow=True)
    page = response.content.decode()
    assert "room_capacity_positive" not in page and "Constraint" not in page
    assert "lớn hơn hoặc bằng với 1" in page
    assert exam.rooms.count() == 1


def test_a_room_with_candidates_is_not_removed_an_empty_one_is_and_an_opened_one_is_locked(sitting_world, hr_client):
    room = sitting_world["room"]
    hr_client.post(reverse("room_remove", args=[room.pk]))
    assert Room.objects.filter(pk=room.pk).exists()
    spare = Room.objects.create(exam=sitting_world["exam"], name="Phòng dự phòng", capacity=5)
    hr_client.post(reverse("room_remove", args=[spare.pk]))
    assert not Room.objects.filter(pk=spare.pk).exists()
    _open(sitting_world)
    assert "đã được mở" in corrections.room_lock(room)
    response = hr_client.get(reverse("room_edit", args=[room.pk]))
    assert 'id="locked"' in response.content.decode()
    with pytest.raises(ValidationError):
        corrections.room_update(room=room, changed=["name"], actor=sitting_world["hr"])


# --- sittings ------------------------------------------------------------------------------------------------------

def test_a_sitting_moves_before_it_opens_and_not_after(sitting_world, hr_client):
    sitting = sitting_world["sitting"]
    response = hr_client.post(reverse("sitting_edit", args=[sitting.pk]), {
        "subject": sitting.subject_id, "starts_at": "10/01/2027 08:00", "ends_at": "10/01/2027 09:00",
        "opens_minutes": "30"})
    assert response.status_code == 302
    sitting.refresh_from_db()
    assert timezone.localtime(sitting.starts_at).strftime("%d/%m/%Y %H:%M") == "10/01/2027 08:00"
    assert timezone.localtime(sitting.opens_at).strftime("%H:%M") == "07:30"
    _open(sitting_world)
    response = hr_client.post(reverse("sitting_edit", args=[sitting.pk]), {
        "subject": sitting.subject_id, "starts_at": "11/01/2027 08:00", "ends_at": "11/01/2027 09:00",
        "opens_minutes": "30"}, follow=True)
    assert "chỉ thay đổi bằng cách gia hạn" in response.content.decode()
    sitting.refresh_from_db()
    assert timezone.localtime(sitting.starts_at).day == 10


def test_a_sitting_is_removed_until_a_room_opens(sitting_world, hr_client):
    sitting = sitting_world["sitting"]
    _open(sitting_world)
    hr_client.post(reverse("sitting_remove", args=[sitting.pk]))
    assert Sitting.objects.filter(pk=sitting.pk).exists()
    RoomSession.objects.all().delete()
    hr_client.post(reverse("sitting_remove", args=[sitting.pk]))
    assert not Sitting.objects.filter(pk=sitting.pk).exists()
    assert AuditLog.objects.filter(action="exam.sitting_remove").exists()


# --- council -------------------------------------------------------------------------------------------------------

def test_a_council_seat_is_removed_until_the_results_are_approved(sitting_world, hr_client, make_user):
    exam = sitting_world["exam"]
    person = make_user(Role.HR_STAFF, username="ct", full_name="Chủ Tịch")
    member = council_add(exam=exam, user=person, board="council", position="chair", actor=sitting_world["hr"])
    _status(exam, Exam.Status.APPROVED)
    hr_client.post(reverse("council_remove", args=[member.pk]))
    assert CouncilMember.objects.filter(pk=member.pk).exists()
    _status(exam, Exam.Status.REGISTRATION)
    hr_client.post(reverse("council_remove", args=[member.pk]))
    assert not CouncilMember.objects.filter(pk=member.pk).exists()


def test_the_secretary_stays_once_marking_starts(sitting_world, make_user):
    exam = sitting_world["exam"]
    person = make_user(Role.HR_STAFF, username="tk", full_name="Thư Ký")
    member = council_add(exam=exam, user=person, board="council", position="secretary", actor=sitting_world["hr"])
    _status(exam, Exam.Status.MARKING)
    assert "thư ký" in corrections.council_remove_lock(member).lower()


def test_a_second_chair_is_a_form_error_naming_the_first(sitting_world, hr_client, make_user):
    exam = sitting_world["exam"]
    first = make_user(Role.HR_STAFF, username="ct1", full_name="Chủ Tịch Một")
    second = make_user(Role.HR_STAFF, username="ct2", full_name="Chủ Tịch Hai")
    council_add(exam=exam, user=first, board="council", position="chair", actor=sitting_world["hr"])
    response = hr_client.post(reverse("exam_council_add", args=[exam.pk]),
                              {"user": second.pk, "board": "council", "position": "chair"}, follow=True)
    assert "Chủ Tịch Một" in response.content.decode()
    assert not CouncilMember.objects.filter(user=second).exists()


# --- invigilators --------------------------------------------------------------------------------------------------

def test_an_open_room_never_loses_its_last_invigilator(sitting_world, hr_client, make_user):
    one = make_user(Role.INVIGILATOR, username="gt1", full_name="Giám Thị Một")
    two = make_user(Role.INVIGILATOR, username="gt2", full_name="Giám Thị Hai")
    first = InvigilatorAssignment.objects.create(sitting=sitting_world["sitting"], room=sitting_world["room"], user=one)
    _open(sitting_world)
    hr_client.post(reverse("invigilator_remove", args=[first.pk]))
    assert InvigilatorAssignment.objects.filter(pk=first.pk).exists()
    InvigilatorAssignment.objects.create(sitting=sitting_world["sitting"], room=sitting_world["room"], user=two)
    hr_client.post(reverse("invigilator_remove", args=[first.pk]))
    assert not InvigilatorAssignment.objects.filter(pk=first.pk).exists()


def test_a_duplicate_invigilator_is_said_in_vietnamese(sitting_world, hr_client, make_user):
    one = make_user(Role.INVIGILATOR, username="gt1", full_name="Giám Thị Một")
    data = {"sitting": sitting_world["sitting"].pk, "room": sitting_world["room"].pk, "user": one.pk,
            "role": "room"}
    hr_client.post(reverse("exam_invigilator_add", args=[sitting_world["exam"].pk]), data)
    response = hr_client.post(reverse("exam_invigilator_add", args=[sitting_world["exam"].pk]), data, follow=True)
    page = response.content.decode()
    assert "Giám Thị Một đã được phân công vào Phòng 1" in page
    assert InvigilatorAssignment.objects.count() == 1


# --- registrations -------------------------------------------------------------------------------------------------

def test_a_candidate_is_withdrawn_with_a_reason_before_the_exam_starts(sitting_world, hr_client):
    registration = sitting_world["registrations"][0]
    response = hr_client.post(reverse("registration_withdraw", args=[registration.pk]), {"reason": "Nghỉ việc"})
    assert response.status_code == 302
    assert not Registration.objects.filter(pk=registration.pk).exists()
    record = AuditLog.objects.get(action="exam.registration_withdraw")
    assert record.details["reason"] == "Nghỉ việc" and record.details["number"] == "CV0001"


def test_a_candidate_is_not_withdrawn_once_the_exam_has_started(sitting_world, hr_client):
    registration = sitting_world["registrations"][0]
    _status(sitting_world["exam"], Exam.Status.RUNNING)
    response = hr_client.post(reverse("registration_withdraw", args=[registration.pk]), follow=True)
    assert "vắng thi" in response.content.decode()
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_exemptions_are_corrected_on_the_registration_page(sitting_world, hr_client):
    registration = sitting_world["registrations"][0]
    response = hr_client.post(reverse("registration_edit", args=[registration.pk]),
                              {"exempt_foreign_language": "NN_DTTS", "exempt_it": "", "note": "Theo công văn"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.exempt_foreign_language == "NN_DTTS"


@pytest.mark.parametrize("name", ["room_edit", "sitting_edit", "registration_edit"])
def test_only_hr_reaches_the_correction_pages(sitting_world, client, make_user, name):
    target = {"room_edit": sitting_world["room"], "sitting_edit": sitting_world["sitting"],
              "registration_edit": sitting_world["registrations"][0]}[name]
    client.force_login(make_user(Role.INVIGILATOR, username="gt", full_name="Giám Thị"))
    assert client.get(reverse(name, args=[target.pk])).status_code == 403
    client.force_login(sitting_world["registrations"][0].person)
    assert client.get(reverse(name, args=[target.pk])).status_code == 403
