"""The learners import (issue 18): identity by CCCD, unknown people added to the register with their origin and
seen by HR in scope, a learner already in the class unchanged, every problem named before anything is written."""
from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from courses.learners import LEARNER_COLUMNS, import_learners
from courses.models import Enrolment
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db


def row(n: int, **overrides) -> dict:
    values = dict(zip(LEARNER_COLUMNS, [str(n), f"Phạm Văn Học {chr(64 + n)}", "15/03/1985", "Nam",
                                        f"0871900000{n:02d}", "", "Chuyên viên", "Chuyên viên", ""], strict=True))
    values.update(overrides)
    return values


def test_unknown_people_are_added_marked_with_the_class_and_known_ones_enrolled(world, province, hr_user, client):
    known = world.learners[0].person
    data = xlsx_bytes([row(1, **{"Đơn vị": province.name}), row(2, **{"Email": "hoc2@example.org"}),
                       row(3, **{"Họ và tên": known.full_name, "Số CCCD": known.cccd, "Ngày sinh": "01/01/1985"})],
                      columns=LEARNER_COLUMNS)
    result = import_learners(data, course_class=world.course_class, actor=None, dry_run=False)
    assert result.ok and (result.created, result.unchanged, result.people_created) == (2, 1, 2)
    added = User.objects.get(cccd="087190000001")
    assert added.origin == "Danh sách học viên lớp K60 (QLNN-CV)" and added.unit == province
    assert not added.has_usable_password()
    assert User.objects.get(cccd="087190000002").email == "hoc2@example.org"
    assert Enrolment.objects.filter(course_class=world.course_class).count() == 5
    again = import_learners(data, course_class=world.course_class, actor=None, dry_run=False)
    assert (again.created, again.unchanged, again.people_created) == (0, 3, 0)
    client.force_login(hr_user)  # HR of the province sees the person the class's list added, and where from
    page = client.get(reverse("person_detail", args=[added.pk])).content.decode()
    assert "Danh sách học viên lớp K60 (QLNN-CV)" in page


def test_a_faulty_list_is_refused_whole_naming_each_row(world):
    known = world.learners[0].person
    data = xlsx_bytes([row(1), row(2, **{"Số CCCD": "087190000001"}), row(3, **{"Ngày sinh": "31/02/1985"}),
                       row(4, **{"Số CCCD": known.cccd}), row(5, **{"Email": "khong-phai-email"})],
                      columns=LEARNER_COLUMNS)
    result = import_learners(data, course_class=world.course_class, actor=None, dry_run=False)
    assert {(p.row, p.column) for p in result.problems} == {
        (3, "Số CCCD"), (4, "Ngày sinh"), (5, "Số CCCD"), (6, "Email")}
    assert Enrolment.objects.count() == 3 and not User.objects.filter(cccd="087190000001").exists()


def test_the_capacity_and_a_closed_class_refuse_the_list(world):
    world.course_class.capacity = 4
    world.course_class.save()
    result = import_learners(xlsx_bytes([row(1), row(2)], columns=LEARNER_COLUMNS), course_class=world.course_class,
                             actor=None, dry_run=False)
    assert not result.ok and "4" in result.problems[0].message and Enrolment.objects.count() == 3
    world.course_class.closed_at = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    world.course_class.save()
    result = import_learners(xlsx_bytes([row(1)], columns=LEARNER_COLUMNS), course_class=world.course_class,
                             actor=None, dry_run=False)
    assert not result.ok and Enrolment.objects.count() == 3


def test_the_command_follows_the_contract(world, tmp_path):
    path = tmp_path / "hv.xlsx"
    path.write_bytes(xlsx_bytes([row(1)], columns=LEARNER_COLUMNS))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        call_command("import_learners", str(path), "--class", str(world.course_class.pk), "--dry-run")
    assert out.getvalue().strip() == "created=1 updated=0 unchanged=0 people_created=1"
    assert Enrolment.objects.count() == 3
    path.write_bytes(xlsx_bytes([row(1, **{"Số CCCD": "12"})], columns=LEARNER_COLUMNS))
    with pytest.raises(SystemExit) as exit_info, redirect_stderr(err):
        call_command("import_learners", str(path), "--class", str(world.course_class.pk))
    assert exit_info.value.code == 1 and "Dòng 2, cột «Số CCCD»" in err.getvalue()


def test_the_page_imports_in_two_steps_and_a_learner_without_records_can_be_taken_off(world, client):
    client.force_login(world.manager)
    url = reverse("class_learners", args=[world.course_class.pk])
    upload = io.BytesIO(xlsx_bytes([row(1)], columns=LEARNER_COLUMNS))
    upload.name = "hv.xlsx"
    checked = client.post(url, {"action": "check", "file": upload})
    token = checked.context["token"]
    assert Enrolment.objects.count() == 3
    client.post(url, {"action": "confirm", "token": token})
    assert Enrolment.objects.count() == 4
    added = Enrolment.objects.get(person__cccd="087190000001")
    client.post(reverse("learner_remove", args=[world.course_class.pk, added.pk]))
    assert Enrolment.objects.count() == 3


def test_learners_template_has_the_columns(world, client):
    from openpyxl import load_workbook
    client.force_login(world.manager)
    response = client.get(reverse("learner_template", args=[world.course_class.pk]))
    header = [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows(max_row=1))]
    assert header == LEARNER_COLUMNS


def test_only_lecturers_can_be_assigned_to_a_class(world, client, make_user):
    client.force_login(world.manager)
    other = make_user(Role.HR_STAFF, username="nhan_su")
    response = client.post(reverse("class_detail", args=[world.course_class.pk]), {"user": other.pk, "role": "head"})
    assert response.status_code == 200 and not world.course_class.staff.filter(user=other).exists()
