"""Each board sees what its work needs of the exam's candidates (exams/rules.py, CANDIDATE_LIST_BOARDS), and the
positions that see who wrote which script are fixed once marking starts (exams.sessions.services.council_add)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from accounts.roles import Role
from exams.models import CouncilMember, InvigilatorAssignment, Registration, Room, Sitting, Subject
from exams.sessions.services import council_add, exam_create

CCCD = "087185000123"


@pytest.fixture
def world(db, make_user, hr_user):
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi 2026", actor=hr_user)
    room, other_room = (Room.objects.create(exam=exam, name=name, capacity=10) for name in ("Phòng 1", "Phòng 2"))
    person = make_user(Role.CANDIDATE, username="thisinh", full_name="Lê Thị Thí Sinh", cccd=CCCD)
    Registration.objects.create(exam=exam, person=person, candidate_number="CV0001", room=room)
    start = timezone.now() + dt.timedelta(days=1)
    sitting = Sitting.objects.create(subject=exam.subjects.get(code="KTC"), starts_at=start,
                                     ends_at=start + dt.timedelta(hours=1), opens_at=start)
    boards = {}
    for board in ("council", "supervision", "questions", "invigilation", "anonymisation"):
        user = make_user(Role.COUNCIL_MEMBER if board == "council" else Role.INVIGILATOR, username=f"ban_{board}")
        council_add(exam=exam, user=user, board=board, position="member", actor=hr_user)
        boards[board] = user
    InvigilatorAssignment.objects.create(sitting=sitting, room=room, user=boards["invigilation"])
    return {"exam": exam, "room": room, "other_room": other_room, "boards": boards, "hr": hr_user}


def _status(client, user, name, **kwargs) -> int:
    client.force_login(user)
    query = kwargs.pop("query", "")
    return client.get(reverse(name, kwargs=kwargs) + query).status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("board", "lists"), [("council", 200), ("supervision", 200), ("questions", 403),
                                              ("invigilation", 403), ("anonymisation", 403)])
def test_only_the_council_and_the_supervision_board_open_the_candidate_lists_and_results(client, world, board, lists):
    user, pk = world["boards"][board], world["exam"].pk
    assert _status(client, user, "exam_detail", pk=pk) == 200  # the exam's own page: every non-blind position
    assert _status(client, user, "exam_candidates", pk=pk) == lists
    assert _status(client, user, "exam_results", pk=pk) == lists
    assert _status(client, user, "exam_statistics", pk=pk) == 200  # candidates as a group: the item analysis
    page = client.get(reverse("exam_detail", args=[pk])).content.decode()
    assert (reverse("exam_candidates", args=[pk]) in page) is (lists == 200)


def _cccd_cells(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [cell.value for row in sheet.iter_rows() for cell in row if cell.value in (CCCD, "087******123")]


@pytest.mark.django_db
def test_the_call_in_list_masks_the_cccd_for_the_rooms_invigilator_and_gives_it_in_full_to_hr(client, world):
    pk, room = world["exam"].pk, world["room"]
    invigilator = world["boards"]["invigilation"]
    client.force_login(invigilator)
    response = client.get(reverse("exam_export_call_in", args=[pk]) + f"?room={room.pk}")
    assert response.status_code == 200 and _cccd_cells(response.content) == ["087******123"]
    assert client.get(reverse("exam_export_call_in", args=[pk]) + f"?room={world['other_room'].pk}").status_code == 403
    assert client.get(reverse("exam_export_call_in", args=[pk])).status_code == 403  # not the whole exam
    page = client.get(reverse("exam_detail", args=[pk])).content.decode()
    assert f"?room={room.pk}" in page and f"?room={world['other_room'].pk}" not in page
    client.force_login(world["hr"])
    response = client.get(reverse("exam_export_call_in", args=[pk]) + f"?room={room.pk}")
    assert _cccd_cells(response.content) == [CCCD]
    assert list(AuditLog.objects.filter(action="export.call_in").order_by("pk").values_list("details__contains",
                                                                                            flat=True)) == [
        "cccd_masked", "cccd"]


@pytest.mark.django_db
@pytest.mark.parametrize(("board", "position"), [("anonymisation", "member"), ("council", "secretary")])
def test_nobody_joins_the_positions_that_see_identities_once_marking_has_started(client, world, board, position):
    exam, hr = world["exam"], world["hr"]
    subject = Subject.objects.get(exam=exam, code="CMNV")
    exam.status = "marking"
    exam.save()
    client.force_login(hr)
    response = client.post(reverse("exam_council_add", args=[exam.pk]),
                           {"user": hr.pk, "board": board, "position": position})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Không thể thay đổi Ủy viên kiêm Thư ký và Ban phách khi việc chấm thi đã bắt đầu."]
    assert not CouncilMember.objects.filter(exam=exam, user=hr).exists()
    assert client.get(reverse("subject_mapping", args=[subject.pk])).status_code == 403
    member = world["boards"]["council"]  # nor does a member become the secretary
    client.post(reverse("exam_council_add", args=[exam.pk]), {"user": member.pk, "board": "council",
                                                               "position": "secretary"})
    assert CouncilMember.objects.get(exam=exam, user=member).position == "member"


@pytest.mark.django_db
def test_before_marking_hr_records_the_positions_the_decision_names(client, world, make_user):
    exam, hr = world["exam"], world["hr"]
    exam.status = "scheduled"
    exam.save()
    secretary = make_user(Role.COUNCIL_MEMBER, username="thuky")
    client.force_login(hr)
    client.post(reverse("exam_council_add", args=[exam.pk]), {"user": secretary.pk, "board": "council",
                                                               "position": "secretary"})
    assert CouncilMember.objects.filter(exam=exam, user=secretary, position="secretary").exists()
    exam.status = "marking"
    exam.save()
    marker = make_user(Role.MARKER, username="giamkhao")  # more markers during marking: allowed, they see codes only
    client.post(reverse("exam_council_add", args=[exam.pk]), {"user": marker.pk, "board": "marking",
                                                               "position": "member"})
    assert CouncilMember.objects.filter(exam=exam, user=marker, board="marking").exists()
