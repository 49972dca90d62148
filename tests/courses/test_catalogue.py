"""The training catalogue (issue 18): programmes from presets, modules coded in programme order, assessments, the
command's contract, the course manager's pages."""
from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from courses.models import Module, Programme
from courses.selectors import programme_detail, total_periods
from courses.services import programme_create

pytestmark = pytest.mark.django_db


def edit_data(page, **fields) -> dict:
    """The edit page's form as it was shown (the programme, its modules, its assessments), with ``fields``."""
    programme = page.context["programme"]
    data = {"name": programme.name, "legal_basis": programme.legal_basis,
            "attendance_threshold": str(programme.attendance_threshold), "target_position": programme.target_position,
            **fields}
    for prefix, formset, names in (("modules", page.context["modules"], ["title", "periods"]),
                                   ("assessments", page.context["assessments"],
                                    ["name", "weight", "pass_mark", "retakes", "counts"])):
        data.update({f"{prefix}-TOTAL_FORMS": str(len(formset.forms)),
                     f"{prefix}-INITIAL_FORMS": str(len(formset.forms)), f"{prefix}-MIN_NUM_FORMS": "0",
                     f"{prefix}-MAX_NUM_FORMS": "1000"})
        for n, form in enumerate(formset.forms):
            data[f"{prefix}-{n}-id"] = form.instance.pk
            data.update({f"{prefix}-{n}-{name}": str(getattr(form.instance, name)) for name in names})
    return data


def test_assessments_are_edited_and_a_started_version_keeps_its_rules(client, make_user):
    import datetime as dt

    from courses.models import Assessment
    from courses.services import class_create

    manager = make_user(Role.COURSE_MANAGER, username="ql_lop")
    programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    client.force_login(manager)
    url = reverse("programme_edit", args=[programme.pk])
    data = edit_data(client.get(url))
    data.update({"assessments-2-weight": "2", "assessments-0-retakes": "2", "assessments-0-counts": "last"})
    assert client.post(url, data).status_code == 302
    rules = {a.code: (a.weight, a.retakes, a.counts) for a in Assessment.objects.filter(programme=programme)}
    assert rules["TH"][0] == 2 and rules["KT1"] == (1, 2, "last")  # the untouched weight stays 1
    class_create(programme=programme, name="K1", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 2, 1),
                 actor=None)
    data = edit_data(client.get(url))
    data["assessments-1-pass_mark"] = "6"
    data["assessments-1-retakes"] = "9"  # more than five retakes: refused, nothing saved
    assert client.post(url, data).status_code == 200
    data["assessments-1-retakes"] = "1"
    client.post(url, data)
    newer = Programme.objects.get(code="QLNN-CV", version=2)
    assert newer.assessments.get(code="KT2").pass_mark == 6
    assert programme.assessments.get(code="KT2").pass_mark == 5  # the running class keeps its rules
    assert newer.assessments.get(code="TH").weight == 2  # the copy carries the earlier edit


def codes(programme, part_order):
    return list(Module.objects.filter(part__programme=programme, part__order=part_order).order_by("order")
                .values_list("code", flat=True))


def test_the_chuyen_vien_preset_has_two_parts_of_topics_and_reports_a_field_trip_and_three_assessments():
    programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    assert (programme.code, programme.version, programme.target_rank.code) == ("QLNN-CV", 1, "01.003")
    assert [p.name for p in programme.parts.order_by("order")] == ["Kiến thức chung", "Kỹ năng"]
    assert codes(programme, 1) == [f"CD{n:02d}" for n in range(1, 8)] + ["BC01", "BC02"]
    assert codes(programme, 2) == [f"CD{n:02d}" for n in range(8, 17)] + ["BC03", "BC04", "TT01"]
    assert all(Module.objects.filter(part__programme=programme).values_list("sample", flat=True))
    assessments = list(programme.assessments.order_by("order").values_list("code", "kind", "part__order"))
    assert assessments == [("KT1", "test", 1), ("KT2", "test", 2), ("TH", "reflection", None)]
    first = programme.assessments.get(code="KT1")
    assert (first.scale, first.pass_mark, first.retakes, first.counts) == (10, 5, 1, "best")
    assert AuditLog.objects.filter(action="programme.create", object_id=str(programme.pk)).exists()


def test_the_chuyen_vien_chinh_preset_has_20_and_6_topics_and_240_periods():
    programme = programme_create(preset_slug="qlnn-chuyen-vien-chinh", actor=None)
    modules = Module.objects.filter(part__programme=programme)
    assert modules.filter(kind="teaching").count() == 20 and modules.filter(kind="report").count() == 6
    assert total_periods(programme_detail(programme.pk)) == 240
    assert list(programme.assessments.values_list("code", flat=True)) == ["KT1", "KT2", "TL"]


def test_the_leadership_preset_is_marked_as_a_default_to_adjust():
    programme = programme_create(preset_slug="lanh-dao-cap-phong", actor=None)
    assert programme.code == "LDCP" and programme.default_to_adjust and programme.target == "position"
    modules = Module.objects.filter(part__programme=programme)
    assert (programme.parts.count(), modules.filter(kind="teaching").count(),
            modules.filter(kind="report").count()) == (2, 10, 2)
    assert list(programme.assessments.values_list("code", flat=True)) == ["KT1", "TH"]


def test_a_code_already_taken_is_refused_and_another_code_gives_a_second_programme():
    programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    with pytest.raises(ValidationError, match="QLNN-CV"):
        programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    other = programme_create(preset_slug="qlnn-chuyen-vien", code="qlnn-cv-2027", actor=None)
    assert other.code == "QLNN-CV-2027" and Programme.objects.count() == 2


def run(*args) -> tuple[int, str, str]:
    out, err, code = io.StringIO(), io.StringIO(), 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command("create_programme", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_the_command_prints_only_the_new_id_and_exits_1_on_a_taken_code():
    code, out, err = run("--preset", "qlnn-chuyen-vien", "--code", "CV-K60")
    assert (code, err) == (0, "") and out.strip() == str(Programme.objects.get(code="CV-K60").pk)
    code, out, err = run("--preset", "qlnn-chuyen-vien", "--code", "CV-K60")
    assert code == 1 and out == "" and "CV-K60" in err


def test_the_course_manager_creates_a_programme_on_the_page_and_others_are_refused(client, make_user):
    manager = make_user(Role.COURSE_MANAGER, username="ql_lop", full_name="Quản Lý Lớp")
    client.force_login(manager)
    response = client.post(reverse("programme_list"), {"preset": "qlnn-chuyen-vien-chinh", "code": ""})
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("programme_detail", args=[programme.pk])
    page = client.get(reverse("programme_detail", args=[programme.pk])).content.decode()
    assert "240 tiết" in page and "CD20" in page and "tên mẫu: cần thay" in page
    taken = client.post(reverse("programme_list"), {"preset": "qlnn-chuyen-vien-chinh", "code": "QLNN-CVC"})
    assert "Đã có chương trình mang mã QLNN-CVC" in taken.content.decode()
    for role in (Role.HR_STAFF, Role.CANDIDATE, Role.QUESTION_AUTHOR):
        client.force_login(make_user(role, username=f"u_{role}"))
        assert client.get(reverse("programme_list")).status_code == 403
        assert client.get(reverse("programme_detail", args=[programme.pk])).status_code == 403


def test_the_programme_list_costs_the_same_queries_for_one_or_three_programmes(client, make_user):
    client.force_login(make_user(Role.COURSE_MANAGER, username="ql_lop"))
    programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    client.get(reverse("programme_list"))
    counts = []
    for slug in (None, "qlnn-chuyen-vien-chinh"):
        if slug:
            programme_create(preset_slug=slug, actor=None)
            programme_create(preset_slug="lanh-dao-cap-phong", actor=None)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("programme_list"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_course_manager_replaces_sample_titles_and_the_edit_is_audited(client, make_user):
    manager = make_user(Role.COURSE_MANAGER, username="ql_lop")
    programme = programme_create(preset_slug="lanh-dao-cap-phong", actor=None)
    client.force_login(manager)
    page = client.get(reverse("programme_edit", args=[programme.pk]))
    data = edit_data(page, legal_basis="Quyết định 123/QĐ-TCT", attendance_threshold="90")
    data["modules-0-title"] = "Lãnh đạo trong cơ quan hành chính cấp tỉnh"
    data["modules-0-periods"] = "12"
    response = client.post(reverse("programme_edit", args=[programme.pk]), data)
    assert response.status_code == 302
    first = Module.objects.get(part__programme=programme, code="CD01")
    assert (first.title, first.periods, first.sample) == ("Lãnh đạo trong cơ quan hành chính cấp tỉnh", 12, False)
    assert Module.objects.filter(part__programme=programme, sample=True).count() == 11  # the others stay samples
    programme.refresh_from_db()
    assert programme.attendance_threshold == 90
    assert AuditLog.objects.get(action="programme.edit").details["modules"] == ["CD01"]
    data["modules-1-periods"] = "0"
    refused = client.post(reverse("programme_edit", args=[programme.pk]), data)
    assert refused.status_code == 200 and Module.objects.get(part__programme=programme, code="CD02").periods == 8


def test_institutions_are_data_added_and_edited_on_their_page(client, make_user):
    from courses.models import Institution

    client.force_login(make_user(Role.COURSE_MANAGER, username="ql_lop"))
    client.post(reverse("institution_list"), {"name": "Trường Chính trị", "letterhead_line_1": "UBND TỈNH",
                                              "signer_title": "HIỆU TRƯỞNG", "serial_prefix": "TCT"})
    school = Institution.objects.get()
    assert (school.form_offset_x_mm, school.form_offset_y_mm) == (0, 0)  # left empty: the form is not shifted
    client.post(reverse("institution_list") + f"?edit={school.pk}", {"name": "Trường Chính trị tỉnh",
                                                                     "serial_prefix": "TCT", "form_offset_x_mm": "2.5",
                                                                     "form_offset_y_mm": "-1"})
    school.refresh_from_db()
    assert school.name == "Trường Chính trị tỉnh" and Institution.objects.count() == 1
    assert (school.form_offset_x_mm, school.form_offset_y_mm) == (Decimal("2.5"), Decimal("-1"))
    assert list(AuditLog.objects.filter(action__startswith="institution.").values_list("action", flat=True)
                .order_by("pk")) == ["institution.add", "institution.edit"]


def test_the_demo_holds_two_institutions_and_the_rank_programmes_once():
    from courses import demo

    first, again = demo.seed(), demo.seed()
    assert (first["institutions_created"], first["programmes_created"]) == (2, 2)
    assert (again["institutions_created"], again["programmes_created"]) == (0, 0)
    assert sorted(Programme.objects.values_list("code", flat=True)) == ["QLNN-CV", "QLNN-CVC"]
