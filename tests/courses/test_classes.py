"""Classes of a programme (issue 18): created on the page or by command, staffed; a programme edited once a class of
its version has started becomes a new version, and the running class keeps its own."""
from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from courses.models import ClassStaff, CourseClass, Institution, Module, Programme
from courses.services import class_create, programme_create, programme_update

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def programme():
    return programme_create(preset_slug="qlnn-chuyen-vien", actor=None)


def _first_module(programme):
    return Module.objects.get(part__programme=programme, code="CD01")


@time_machine.travel(TODAY, tick=False)
def test_editing_a_programme_before_its_classes_start_changes_it_in_place(programme):
    class_create(programme=programme, name="K61", starts_on=dt.date(2027, 4, 1), ends_on=dt.date(2027, 4, 30),
                 actor=None)
    saved = programme_update(programme=programme, fields={"legal_basis": "Quyết định 9"},
                             modules={_first_module(programme).pk: {"title": "Nhà nước pháp quyền", "periods": 8}},
                             actor=None)
    assert saved.pk == programme.pk and Programme.objects.count() == 1
    assert _first_module(programme).title == "Nhà nước pháp quyền"


@time_machine.travel(TODAY, tick=False)
def test_editing_a_programme_once_a_class_has_started_makes_a_new_version_and_the_class_keeps_its_own(programme):
    running = class_create(programme=programme, name="K60", starts_on=dt.date(2027, 3, 1),
                           ends_on=dt.date(2027, 3, 31), actor=None)
    before = _first_module(programme).title
    saved = programme_update(programme=programme, fields={"attendance_threshold": 90},
                             modules={_first_module(programme).pk: {"title": "Nhà nước pháp quyền", "periods": 10}},
                             actor=None)
    assert (saved.code, saved.version) == ("QLNN-CV", 2)
    assert _first_module(programme).title == before and _first_module(saved).title == "Nhà nước pháp quyền"
    assert Module.objects.filter(part__programme=saved).count() == Module.objects.filter(
        part__programme=programme).count()
    assert list(saved.assessments.values_list("code", "part__order")) == [("KT1", 1), ("KT2", 2), ("TH", None)]
    running.refresh_from_db()
    programme.refresh_from_db()
    assert running.programme_id == programme.pk and programme.attendance_threshold == 80
    assert saved.attendance_threshold == 90
    later = class_create(programme=programme, name="K62", starts_on=dt.date(2027, 6, 1),
                         ends_on=dt.date(2027, 6, 30), actor=None)
    assert later.programme_id == saved.pk  # a new class takes the newest version
    assert AuditLog.objects.get(action="programme.edit").details["new_version"] is True


@time_machine.travel(TODAY, tick=False)
def test_the_institution_is_given_to_a_started_programme_in_place_so_its_classes_can_issue(programme):
    running = class_create(programme=programme, name="K60", starts_on=dt.date(2027, 3, 1),
                           ends_on=dt.date(2027, 3, 31), actor=None)
    school = Institution.objects.create(name="Trường Chính trị tỉnh", signer_name="Nguyễn Văn Hiệu")
    saved = programme_update(programme=programme, fields={"institution": school}, modules={}, actor=None)
    assert saved.pk == programme.pk and Programme.objects.count() == 1
    running.refresh_from_db()
    assert running.programme.institution == school
    other = Institution.objects.create(name="Trường Cán bộ", signer_name="Lê Văn Ký")  # with a change of what is
    saved = programme_update(programme=programme, fields={"institution": other, "attendance_threshold": 90},
                             modules={}, actor=None)  # taught: a new version, and both versions take the issuer
    programme.refresh_from_db()
    assert saved.version == 2 and saved.institution == other and programme.institution == other
    assert programme.attendance_threshold == 80


def test_a_class_name_is_unique_within_its_programme_and_ends_after_it_starts(programme):
    class_create(programme=programme, name="K60", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 31),
                 actor=None)
    with pytest.raises(ValidationError, match="(?i)k60"):
        class_create(programme=programme, name="k60", starts_on=dt.date(2027, 5, 1), ends_on=dt.date(2027, 5, 31),
                     actor=None)
    with pytest.raises(ValidationError):
        class_create(programme=programme, name="K63", starts_on=dt.date(2027, 5, 1), ends_on=dt.date(2027, 4, 1),
                     actor=None)


def run(*args) -> tuple[int, str, str]:
    out, err, code = io.StringIO(), io.StringIO(), 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command("create_class", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_the_command_prints_only_the_new_id_and_exits_1_with_the_reason(programme):
    code, out, err = run("--programme", "qlnn-cv", "--name", "K60", "--start", "2027-03-01", "--end", "2027-03-31")
    assert (code, err) == (0, "") and out.strip() == str(CourseClass.objects.get(name="K60").pk)
    code, out, err = run("--programme", "KHONG-CO", "--name", "K1", "--start", "2027-03-01", "--end", "2027-03-31")
    assert code == 1 and out == "" and "KHONG-CO" in err


def test_the_course_manager_opens_a_class_and_assigns_its_head(client, make_user, programme):
    manager = make_user(Role.COURSE_MANAGER, username="ql_lop")
    head = make_user(Role.LECTURER, username="cn_lop", full_name="Chủ Nhiệm Lớp")
    client.force_login(manager)
    response = client.post(reverse("class_list"), {
        "programme": programme.pk, "name": "K60", "starts_on": "01/03/2027", "ends_on": "31/03/2027",
        "venue": "Hội trường A", "mode": "in_person", "capacity": "60"})
    course_class = CourseClass.objects.get()
    assert response["Location"] == reverse("class_detail", args=[course_class.pk])
    client.post(reverse("class_detail", args=[course_class.pk]), {"user": head.pk, "role": "head"})
    assert ClassStaff.objects.filter(course_class=course_class, user=head, role="head").exists()
    page = client.get(reverse("class_detail", args=[course_class.pk])).content.decode()
    assert "Chủ nhiệm lớp: Chủ Nhiệm Lớp" in page
    client.force_login(make_user(Role.HR_STAFF, username="hr2"))
    assert client.get(reverse("class_list")).status_code == 403
