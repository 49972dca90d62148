"""Discipline, the completion list (page, workbook, command) and closing the class (issue 18): once closed, its
records change only through an audited correction."""
from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stdout
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditLog
from courses.attendance import ClassClosed, import_attendance, session_marks_save
from courses.models import Attendance, CourseClass, How, Score
from courses.scores import import_course_scores
from tests.courses.conftest import at
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db
AFTER = at(dt.date(2027, 3, 31), 16)


def _records(world):
    for enrolment in world.learners:
        for session in world.sessions:
            Attendance.objects.create(enrolment=enrolment, session=session, mark="x", how=How.PAGE)
        for code, value in (("KT1", "8"), ("KT2", "9"), ("TH", "8.5")):
            Score.objects.create(enrolment=enrolment, assessment=world.course_class.programme.assessments.get(
                code=code), value=Decimal(value), how=How.SHEET)
    Score.objects.filter(enrolment=world.learners[2], assessment__code="TH").delete()


def _rows(content: bytes):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_the_completion_list_in_the_official_style(world, client):
    _records(world)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.head)
        response = client.get(reverse("class_completion", args=[world.course_class.pk]) + "?format=xlsx")
    rows = _rows(response.content)
    header_at = next(n for n, r in enumerate(rows) if r[0] == "STT")
    assert rows[header_at] == ("STT", "Họ và tên", "Ngày sinh", "Đơn vị", "Số tiết có mặt", "Tỷ lệ chuyên cần (%)",
                               "KT1", "KT2", "TH", "Điểm trung bình", "Xếp loại", "Kết quả", "Lý do",
                               "Số hiệu chứng chỉ")
    body = rows[header_at + 1:header_at + 4]
    assert [r[1] for r in body] == ["Lê Thị An", "Trần Văn Bình", "Nguyễn Văn Cường"]  # Vietnamese order
    assert body[0][4:12] == ("16", "100,00", "8,00", "9,00", "8,50", "8,50", "Giỏi", "Đủ điều kiện")
    assert body[2][11:13] == ("Không đủ điều kiện", "Thiếu điểm TH")
    assert any(r[0] and "DANH SÁCH HỌC VIÊN" in r[0] for r in rows[:6] if r[0])
    assert AuditLog.objects.filter(action="class.export_completion").count() == 1


def test_the_export_command(world, tmp_path):
    _records(world)
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("export_completion", "--class", str(world.course_class.pk), "--out", str(tmp_path / "ds.xlsx"))
    assert out.getvalue().strip() == "rows=3" and (tmp_path / "ds.xlsx").stat().st_size > 0


def test_discipline_recorded_on_the_page_blocks_the_learner(world, client):
    _records(world)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.head)
        client.post(reverse("class_completion", args=[world.course_class.pk]), {
            "enrolment": world.learners[0].pk, "level": "warning", "reason": "Vắng không phép nhiều buổi",
            "decided_on": "20/03/2027"})
        page = client.get(reverse("class_completion", args=[world.course_class.pk])).content.decode()
    assert "Bị kỷ luật: Cảnh cáo" in page


def test_closing_freezes_the_records_and_corrections_are_audited(world, client):
    _records(world)
    with time_machine.travel(at(dt.date(2027, 3, 30), 16), tick=False):
        client.force_login(world.head)
        client.post(reverse("class_close", args=[world.course_class.pk]))  # a day early: refused
        assert CourseClass.objects.get(pk=world.course_class.pk).closed_at is None
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.head)
        client.post(reverse("class_close", args=[world.course_class.pk]))
        closed = CourseClass.objects.get(pk=world.course_class.pk)
        assert closed.closed_by == world.head
        with pytest.raises(ClassClosed):
            session_marks_save(session=world.sessions[0], marks={world.learners[0].pk: "K"}, actor=world.head)
        refused = import_course_scores(xlsx_bytes([], columns=["Số CCCD", "Họ và tên", "KT1"]), course_class=closed,
                                       actor=world.head, dry_run=False)
        assert not refused.ok
        assert not import_attendance(b"", course_class=closed, actor=world.head, dry_run=False).ok
        url = reverse("class_correction", args=[world.course_class.pk])
        client.post(url, {"kind": "score", "enrolment": world.learners[2].pk,
                          "assessment": closed.programme.assessments.get(code="TH").pk, "attempt": "1",
                          "value": "7,5", "reason": "Bỏ sót khi nhập điểm"})
        client.post(url, {"kind": "attendance", "enrolment": world.learners[0].pk, "session": world.sessions[0].pk,
                          "mark": "P", "reason": "Có giấy nghỉ ốm"})
    score = Score.objects.get(enrolment=world.learners[2], assessment__code="TH")
    assert (score.value, score.how) == (Decimal("7.50"), "correction")
    assert Attendance.objects.get(enrolment=world.learners[0], session=world.sessions[0]).mark == "P"
    corrections = list(AuditLog.objects.filter(action="class.correction").order_by("pk"))
    assert [(c.details["before"], c.details["after"], c.details["reason"]) for c in corrections] == [
        ("", "7.50", "Bỏ sót khi nhập điểm"), ("x", "P", "Có giấy nghỉ ốm")]


def test_a_correction_needs_a_closed_class_and_a_reason(world, client):
    _records(world)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(world.head)
        url = reverse("class_correction", args=[world.course_class.pk])
        client.post(url, {"kind": "attendance", "enrolment": world.learners[0].pk, "session": world.sessions[0].pk,
                          "mark": "K", "reason": "Sửa cho đúng"})
    assert Attendance.objects.get(enrolment=world.learners[0], session=world.sessions[0]).mark == "x"
