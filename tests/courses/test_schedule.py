"""The schedule import (issue 18): every row checked first and named; one session per date and half-day."""
from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from courses.models import Session
from courses.schedule import SCHEDULE_COLUMNS, import_schedule
from courses.services import class_create, programme_create
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_class():
    programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    return class_create(programme=programme, name="K60", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 31),
                        actor=None)


def row(day: str, half: str = "Sáng", code: str = "CD01", periods: str = "4", lecturer: str = "") -> dict:
    return dict(zip(SCHEDULE_COLUMNS, [day, half, code, periods, lecturer], strict=True))


def test_a_good_schedule_is_written_and_a_second_import_updates_by_half_day(course_class, make_user):
    make_user(username="gv_an", full_name="Giảng Viên An")
    data = xlsx_bytes([row("01/03/2027"), row("01/03/2027", "Chiều", "CD02", lecturer="gv_an")],
                      columns=SCHEDULE_COLUMNS)
    result = import_schedule(data, course_class=course_class, actor=None, dry_run=False)
    assert result.ok and (result.created, result.applied) == (2, True)
    afternoon = Session.objects.get(course_class=course_class, half="pm")
    assert (afternoon.module.code, afternoon.periods, afternoon.lecturer.username) == ("CD02", 4, "gv_an")
    again = import_schedule(xlsx_bytes([row("01/03/2027", periods="5")], columns=SCHEDULE_COLUMNS),
                            course_class=course_class, actor=None, dry_run=False)
    assert (again.created, again.updated) == (0, 1) and Session.objects.count() == 2
    assert [s.get_half_display() for s in course_class.sessions.all()] == ["Sáng", "Chiều"]  # the day in order


def test_a_faulty_schedule_is_refused_whole_naming_each_row_and_column(course_class):
    data = xlsx_bytes([row("01/03/2027"), row("01/03/2027"), row("05/04/2027"), row("02/03/2027", "Tối"),
                       row("03/03/2027", code="CD99"), row("04/03/2027", periods="0"),
                       row("05/03/2027", lecturer="khong_co")], columns=SCHEDULE_COLUMNS)
    result = import_schedule(data, course_class=course_class, actor=None, dry_run=False)
    assert {(p.row, p.column) for p in result.problems} == {
        (3, "Buổi"), (4, "Ngày"), (5, "Buổi"), (6, "Mã chuyên đề"), (7, "Số tiết"), (8, "Giảng viên")}
    assert "dòng 2" in next(p.message for p in result.problems if p.row == 3)
    assert Session.objects.count() == 0


def test_the_command_checks_with_dry_run_and_reports_the_counts(course_class, tmp_path):
    path = tmp_path / "lich.xlsx"
    path.write_bytes(xlsx_bytes([row("01/03/2027")], columns=SCHEDULE_COLUMNS))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        call_command("import_schedule", str(path), "--class", str(course_class.pk), "--dry-run", stdout=out,
                     stderr=err)
    assert out.getvalue().strip().splitlines()[-1] == "created=1 updated=0 unchanged=0" and not Session.objects.exists()


def test_the_schedule_is_imported_on_the_class_page(client, make_user, course_class):
    client.force_login(make_user(Role.COURSE_MANAGER, username="ql_lop"))
    url = reverse("class_schedule", args=[course_class.pk])
    upload = io.BytesIO(xlsx_bytes([row("01/03/2027")], columns=SCHEDULE_COLUMNS))
    upload.name = "lich.xlsx"
    checked = client.post(url, {"action": "check", "file": upload})
    assert "thêm mới 1 dòng" in checked.content.decode()
    token = checked.context["token"]
    done = client.post(url, {"action": "confirm", "token": token})
    assert done.status_code == 302 and Session.objects.filter(course_class=course_class).count() == 1
    page = client.get(reverse("class_detail", args=[course_class.pk])).content.decode()
    assert "01/03/2027" in page and "CD01" in page
