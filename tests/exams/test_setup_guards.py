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


def _register(exam, make_user, n: int, name: str):
    from exams.models import Registration

    person = make_user(username=f"ts{n}", full_name=name)
    return Registration.objects.create(exam=exam, person=person, candidate_number=f"CV{n:04d}")


def test_the_candidate_list_searches_without_accents_and_pages_by_100(client, hr_user, make_user):
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi", actor=None)
    _register(exam, make_user, 1, "Lê Văn Đức")
    for n in range(2, 131):
        _register(exam, make_user, n, f"Trần Thị Mẫu {n}")
    client.force_login(hr_user)
    url = reverse("exam_candidates", args=[exam.pk])
    found = client.get(url, {"q": "le van duc"}).context["listed"]
    assert [r.person.full_name for r in found] == ["Lê Văn Đức"]
    assert [r.candidate_number for r in client.get(url, {"q": "CV0129"}).context["listed"]] == ["CV0129"]
    first = client.get(url).context["listed"]
    assert (len(first), first.paginator.num_pages) == (100, 2)
    assert len(client.get(url, {"page": 2}).context["listed"]) == 30


def test_the_candidate_list_costs_the_same_queries_for_5_or_120_candidates(client, hr_user, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi", actor=None)
    client.force_login(hr_user)
    url = reverse("exam_candidates", args=[exam.pk])
    client.get(url)  # the first request fills the per-process caches (site profile, roles)
    counts = []
    for upto in (5, 120):
        while exam.registrations.count() < upto:
            n = exam.registrations.count() + 1
            _register(exam, make_user, n, f"Thí Sinh {n}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_each_role_sees_its_own_work_on_the_dashboard_and_a_plain_note_when_there_is_none(
        client, exam_day, make_user, author, reviewer, make_question, bank):
    client.force_login(exam_day["invigilator"])
    page = client.get(reverse("dashboard")).content.decode()
    console = reverse("room_console", args=[exam_day["sitting"].pk, exam_day["room"].pk])
    assert console in page and "Phòng 1" in page
    make_question("Câu nháp của người soạn")
    bank.authors.add(reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 câu hỏi nháp của người khác chờ bạn duyệt" in page
    client.force_login(make_user("invigilator", username="gt_moi", full_name="Giám Thị Mới"))
    page = client.get(reverse("dashboard")).content.decode()
    assert "Bạn chưa được phân công coi ca thi nào." in page and "sẽ hiển thị" not in page


def test_a_mark_reads_as_a_vietnamese_number_never_with_trailing_zeros():
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("vi"):
        text = Template("{% load exam_numbers %}{{ a|score }} {{ b|score }}").render(
            Context({"a": Decimal("75.5000"), "b": Decimal("80.0000")}))
    assert text == "75,5 80"
