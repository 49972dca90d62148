"""Issue 17's smaller guards: candidate-number prefixes unique among the exams in use, the tie-break chain chosen
from lists, audit actions and error pages in Vietnamese, the console's wording before the start."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from exams.examday.selectors import ConsoleRow, console_rows
from exams.models import Exam, RoomSession
from exams.sessions.forms import ExamForm
from exams.sessions.services import exam_create

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC), tick=False)
def test_two_exams_in_use_never_share_a_prefix_and_a_published_one_frees_it():
    first = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Đợt 1", actor=None)
    second = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Đợt 2", actor=None)
    third = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Đợt 3", actor=None)
    assert [first.number_prefix, second.number_prefix, third.number_prefix] == ["CV", "CV27A", "CV27B"]
    with pytest.raises(ValidationError, match="CV27A"):
        exam_create(preset_slug="sat-hach-noi-bo", name="Tự đặt", actor=None, prefix="CV27A")
    Exam.objects.filter(pk=first.pk).update(status=Exam.Status.PUBLISHED)
    assert exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Đợt 4", actor=None).number_prefix == "CV"


def test_the_prefix_is_refused_on_the_exam_page_when_in_use_or_once_numbers_exist(make_user):
    exam_create(preset_slug="sat-hach-noi-bo", name="Khác", actor=None)  # holds SH
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi", actor=None)
    data = {**{k: v for k, v in ExamForm(instance=exam).initial.items() if v is not None},
            "cutoff": exam.cutoff.strftime("%d/%m/%Y"), "number_prefix": "sh"}
    form = ExamForm(data, instance=exam)
    assert not form.is_valid() and "SH" in form.errors["number_prefix"][0]


def test_the_tie_break_chain_is_chosen_step_by_step_and_never_twice():
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi", actor=None)
    base = {k: v for k, v in ExamForm(instance=exam).initial.items() if v is not None and not isinstance(v, bool)}
    base["cutoff"] = exam.cutoff.strftime("%d/%m/%Y")
    assert [base[f"tie_break_{n}"] for n in range(1, 5)] == ["female", "minority", "older", "longer_service"]
    chosen = ExamForm({**base, "tie_break_1": "older", "tie_break_2": "female", "tie_break_3": "",
                       "tie_break_4": ""}, instance=exam)
    assert chosen.is_valid(), chosen.errors
    assert chosen.instance.tie_break == ["older", "female"]
    twice = ExamForm({**base, "tie_break_1": "older", "tie_break_2": "older"}, instance=exam)
    assert not twice.is_valid() and "tie_break_1" in twice.errors


def test_audit_actions_read_in_vietnamese(client, hr_user):
    AuditLog.objects.create(actor=hr_user, actor_repr="hr", action="exam.registration_withdraw")
    client.force_login(hr_user)
    page = client.get(reverse("audit_list")).content.decode()
    assert "Rút tên thí sinh" in page and "exam.registration_withdraw" not in page


def test_a_missing_page_is_in_the_sites_layout_with_a_way_home(client, hr_user, settings):
    settings.DEBUG = False
    client.force_login(hr_user)
    response = client.get("/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404 and "Không tìm thấy trang" in page and 'href="/"' in page


def test_the_console_says_not_yet_arrived_before_the_start_and_time_as_minutes(exam_day):
    room_session = RoomSession.objects.create(sitting=exam_day["sitting"], room=exam_day["room"], code="123456",
                                              code_valid_until=timezone.now() + dt.timedelta(minutes=30),
                                              opened_by=exam_day["invigilator"])
    rows = console_rows(room_session=room_session)
    assert {r.state for r in rows} == {"not_arrived"} and rows[0].state_label == "Chưa đến"
    row = ConsoleRow(registration_id=1, candidate_number="CV0001", name="", state="in_progress", state_label="",
                     attempt_id=1, answered=0, total=5, seconds_left=605, last_seen="", drops=0, focus_losses=0,
                     penalties=[])
    assert row.time_left == "10:05"
