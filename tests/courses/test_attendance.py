"""Attendance (issue 18): the sign-in sheet (held sessions need a mark, future ones may be empty, a faulty sheet is
refused whole naming each row and column), the lecturer's phone page, and every mark saying who set it and how."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditLog
from courses.attendance import import_attendance, session_header, session_held
from courses.models import Attendance
from tests.courses.conftest import DAYS, at
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db


def sheet(world, marks: dict[int, list[str]], extra_rows=()) -> bytes:
    headers = [session_header(s) for s in world.sessions]
    columns = ["Số CCCD", "Họ và tên", *headers]
    rows = [{"Số CCCD": e.person.cccd, "Họ và tên": e.person.full_name,
             **dict(zip(headers, marks.get(n, [""] * 4), strict=True))} for n, e in enumerate(world.learners)]
    return xlsx_bytes([*rows, *extra_rows], columns=columns)


def test_a_session_is_held_once_its_half_day_is_over():
    morning, afternoon = type("S", (), {"date": DAYS[0], "half": "am"}), type("S", (), {"date": DAYS[0], "half": "pm"})
    assert not session_held(morning, at(DAYS[0], 11, 59)) and session_held(morning, at(DAYS[0], 12))
    assert not session_held(afternoon, at(DAYS[0], 23, 59)) and session_held(afternoon, at(DAYS[1], 0))


def test_future_sessions_may_stay_empty_and_held_ones_are_written(world):
    full = ["x", "x", "P", "k"]
    with time_machine.travel(at(DAYS[1], 9), tick=False):  # day 1 held, day 2 to come
        data = sheet(world, {0: ["x", "P", "", ""], 1: ["K", "x", "", ""], 2: ["x", "x", "x", ""]})
        result = import_attendance(data, course_class=world.course_class, actor=world.head, dry_run=False)
    assert result.ok and result.created == 7
    with time_machine.travel(at(DAYS[1], 18), tick=False):  # the last afternoon is still "to come": K is allowed
        result = import_attendance(sheet(world, {0: full, 1: full, 2: full}), course_class=world.course_class,
                                   actor=world.head, dry_run=False)
    assert result.ok and (result.created, result.updated, result.unchanged) == (5, 3, 4)
    mark = Attendance.objects.get(enrolment=world.learners[0], session=world.sessions[3])
    assert (mark.mark, mark.how, mark.set_by) == ("K", "sheet", world.head)


def test_a_faulty_sheet_is_refused_whole_naming_each_row_and_column(world):
    with time_machine.travel(at(DAYS[1] + dt.timedelta(days=1), 8), tick=False):  # every session held
        data = sheet(world, {0: ["x", "x", "x", ""], 1: ["x", "y", "x", "x"], 2: ["x", "x", "x", "x"]},
                     extra_rows=[{"Số CCCD": "087199999999", "Họ và tên": "Người Lạ"}])
        result = import_attendance(data, course_class=world.course_class, actor=world.head, dry_run=False)
    assert [(p.row, p.column) for p in result.problems] == [
        (2, session_header(world.sessions[3])), (3, session_header(world.sessions[1])), (5, "Số CCCD")]
    assert Attendance.objects.count() == 0


def test_the_sign_in_template_lists_the_learners_and_the_sessions(world, client):
    client.force_login(world.head)
    response = client.get(reverse("signin_template", args=[world.course_class.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Số CCCD", "Họ và tên", "01/03/2027 Sáng", "01/03/2027 Chiều", "02/03/2027 Sáng",
                       "02/03/2027 Chiều")
    assert {r[0] for r in rows[1:]} == {e.person.cccd for e in world.learners}


def test_the_lecturer_marks_a_session_on_the_phone_page(world, client):
    client.force_login(world.lecturer)
    session = world.sessions[0]
    url = reverse("session_attendance", args=[session.pk])
    assert client.get(url).status_code == 200
    client.post(url, {f"mark-{world.learners[0].pk}": "x", f"mark-{world.learners[1].pk}": "P"})
    marks = {a.enrolment_id: (a.mark, a.how, a.set_by_id) for a in Attendance.objects.filter(session=session)}
    assert marks == {world.learners[0].pk: ("x", "page", world.lecturer.pk),
                     world.learners[1].pk: ("P", "page", world.lecturer.pk)}
    assert AuditLog.objects.filter(action="class.attendance_mark").count() == 1


def test_one_tap_marks_everyone_not_marked_yet_present(world, client):
    client.force_login(world.lecturer)
    session = world.sessions[1]
    client.post(reverse("session_attendance", args=[session.pk]),
                {f"mark-{world.learners[0].pk}": "K", "action": "rest_present"})
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark"))
    assert marks == {world.learners[0].pk: "K", world.learners[1].pk: "x", world.learners[2].pk: "x"}
