"""HR's report on who holds which certificate and who is in training (issue 20): its scope, its filter by kind, the
classes under way, its order, its page and workbook, with a fixed number of queries whatever the number of people."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog, OrgUnit, Qualification, QualificationKind
from accounts.roles import Role
from accounts.services import unit_create
from courses.models import CourseClass, Enrolment
from courses.qualification_report import qualification_report, report_people, report_rows
from courses.services import class_create

pytestmark = pytest.mark.django_db


def hold(person, kind, number: str, *, valid: bool = True) -> Qualification:
    return Qualification.objects.create(person=person, kind=kind, source=Qualification.Source.OUTSIDE,
                                        issuer="Trường Chính trị tỉnh", number=number,
                                        issued_on=dt.date(2026, 5, 4), valid=valid)


class Town:
    """Two districts of the province; district A has a commune below it."""

    def __init__(self, province, make_user, world):
        self.a = unit_create(name="Huyện A", parent=province, kind=OrgUnit.Kind.DISTRICT, code="HA")
        self.a_commune = unit_create(name="Xã A1", parent=self.a, kind=OrgUnit.Kind.COMMUNE, code="HA1")
        self.b = unit_create(name="Huyện B", parent=province, kind=OrgUnit.Kind.DISTRICT, code="HB")
        self.qlnn = QualificationKind.objects.create(code="T-QLNN-CV", name="Chứng chỉ QLNN ngạch chuyên viên")
        self.llct = QualificationKind.objects.create(code="T-LLCT", name="Bằng cao cấp lý luận chính trị")
        programme = world.course_class.programme
        programme.qualification_kind = self.qlnn
        programme.save()
        self.open_class = world.course_class  # K60, not closed
        self.closed_class = class_create(programme=programme, name="K59", starts_on=dt.date(2026, 3, 1),
                                         ends_on=dt.date(2026, 3, 31), actor=None)
        CourseClass.objects.filter(pk=self.closed_class.pk).update(closed_at=timezone.now())
        self.hr_a = make_user(Role.HR_STAFF, username="hr_a", hr_scope=self.a)
        # District A: Bảo holds both (an old invalid one too), An trains in K60, Chi (the commune) has nothing.
        self.bao = make_user(username="bao", full_name="Lê Văn Bảo", unit=self.a)
        hold(self.bao, self.qlnn, "QLNN-001")
        hold(self.bao, self.llct, "LLCT-007")
        hold(self.bao, self.qlnn, "QLNN-000", valid=False)
        self.an = make_user(username="an", full_name="Phạm Thị An", unit=self.a)
        Enrolment.objects.create(course_class=self.open_class, person=self.an)
        self.chi = make_user(username="chi", full_name="Đỗ Văn Chi", unit=self.a_commune)
        Enrolment.objects.create(course_class=self.closed_class, person=self.chi)
        # District B: Cư holds the QLNN certificate.
        self.cu = make_user(username="cu", full_name="Trần Văn Cư", unit=self.b)
        hold(self.cu, self.qlnn, "QLNN-002")


@pytest.fixture
def town(province, make_user, world):
    return Town(province, make_user, world)


def names(rows) -> list[str]:
    return [row.person.full_name for row in rows]


def report_url() -> str:
    return reverse("qualification_report")


def more_people(unit, make_user, kind, count: int, start: int) -> None:
    for n in range(start, start + count):
        person = make_user(username=f"them{n}", full_name=f"Nguyễn Văn Thêm {n}", unit=unit)
        hold(person, kind, f"X-{n}")


class TestSelector:
    def test_a_unit_and_everything_below_it_in_unit_then_name_order(self, town):
        rows = qualification_report(unit=town.a)
        assert names(rows) == ["Phạm Thị An", "Lê Văn Bảo", "Đỗ Văn Chi"]  # Huyện A by name, then Xã A1
        bao = rows[1]
        assert [(h.kind, h.number, h.issuer, h.issued_on) for h in bao.held] == [
            ("Chứng chỉ QLNN ngạch chuyên viên", "QLNN-001", "Trường Chính trị tỉnh", dt.date(2026, 5, 4)),
            ("Bằng cao cấp lý luận chính trị", "LLCT-007", "Trường Chính trị tỉnh", dt.date(2026, 5, 4))]
        assert bao.training == ()

    def test_in_training_is_a_class_not_closed(self, town):
        an, _bao, chi = qualification_report(unit=town.a)
        assert [(t.class_name, t.programme) for t in an.training] == [
            ("K60", "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên")]
        assert chi.training == ()  # K59 is closed

    def test_a_kind_keeps_its_holders_and_trainees(self, town):
        rows = qualification_report(unit=town.a, kind=town.qlnn)
        assert names(rows) == ["Phạm Thị An", "Lê Văn Bảo"]
        assert [h.number for h in rows[1].held] == ["QLNN-001"]
        assert names(qualification_report(unit=town.a, kind=town.llct)) == ["Lê Văn Bảo"]
        assert [r.training for r in qualification_report(unit=town.a, kind=town.llct)] == [()]

    def test_a_top_unit_takes_everyone(self, town, province):
        assert {"Lê Văn Bảo", "Trần Văn Cư"} <= set(names(qualification_report(unit=province)))
        assert "Trần Văn Cư" not in names(qualification_report(unit=town.a))

    def test_three_queries_whatever_the_number_of_people(self, town, make_user):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                qualification_report(unit=town.a)
            return len(queries)

        more_people(town.a, make_user, town.qlnn, 5, 0)
        few = count()
        more_people(town.a_commune, make_user, town.llct, 40, 5)
        assert count() == few == 3

    def test_a_long_list_is_read_through_the_reports_own_query(self, town, monkeypatch):
        by_ids = qualification_report(unit=town.a, kind=town.qlnn)
        monkeypatch.setattr("courses.qualification_report.PAGE_IDS_MAX", 1)
        by_query = qualification_report(unit=town.a, kind=town.qlnn)
        assert by_query == by_ids and [len(r.held) + len(r.training) for r in by_query] == [1, 1]

    def test_a_page_reads_only_its_people(self, town, make_user, django_assert_num_queries):
        more_people(town.a, make_user, town.qlnn, 30, 0)
        people = report_people(unit=town.a)
        with django_assert_num_queries(2):
            rows = report_rows(people[:10], unit=town.a)
        assert len(rows) == 10 and all(len(r.held) == 1 for r in rows if r.person.full_name.startswith("Nguyễn"))


class TestPage:
    def test_hr_of_a_district_sees_only_its_people(self, client, town):
        client.force_login(town.hr_a)
        page = client.get(report_url()).content.decode()
        assert "Lê Văn Bảo" in page and "Phạm Thị An" in page and "Đỗ Văn Chi" in page
        assert "Trần Văn Cư" not in page
        assert "QLNN-001" in page and "K60" in page
        assert "Tải Excel" in page and "format=xlsx" in page
        assert report_url() in client.get(reverse("dashboard")).content.decode()  # on HR's card
        # A unit outside the scope is not offered; asked for anyway, the page stays within the scope.
        page = client.get(report_url(), {"unit": town.b.pk}).content.decode()
        assert "Trần Văn Cư" not in page and "Lê Văn Bảo" in page
        assert f'value="{town.b.pk}"' not in page

    def test_filter_by_unit_and_kind(self, client, town):
        client.force_login(town.hr_a)
        page = client.get(report_url(), {"unit": town.a_commune.pk}).content.decode()
        assert "Đỗ Văn Chi" in page and "Lê Văn Bảo" not in page
        page = client.get(report_url(), {"kind": town.llct.pk}).content.decode()
        assert "Lê Văn Bảo" in page and "Phạm Thị An" not in page

    def test_others_are_refused(self, client, town, make_user, world):
        client.force_login(world.manager)
        assert client.get(report_url()).status_code == 403
        client.force_login(make_user(Role.HR_STAFF, username="hr_none"))  # HR without a scope
        assert client.get(report_url()).status_code == 403

    def test_a_superuser_sees_everyone(self, client, town, make_user):
        client.force_login(make_user(username="root", is_superuser=True, is_staff=True))
        page = client.get(report_url()).content.decode()
        assert "Trần Văn Cư" in page and "Lê Văn Bảo" in page

    def test_the_page_has_constant_queries(self, client, town, make_user):
        client.force_login(town.hr_a)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(report_url()).status_code == 200
            return len(queries)

        client.get(report_url())  # the first request warms what every later one finds cached
        few = count()
        more_people(town.a, make_user, town.qlnn, 60, 0)
        assert count() == few

    def test_the_workbook_is_audited_and_in_official_style(self, client, town, make_user):
        evil = make_user(username="evil", full_name="=1+2", unit=town.a)
        hold(evil, town.qlnn, "=SUM(A1)")
        client.force_login(town.hr_a)
        response = client.get(report_url(), {"format": "xlsx"})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        top = next(i for i, row in enumerate(values) if row[0] == "STT")
        assert values[top][:4] == ("STT", "Họ và tên", "Ngày sinh", "Đơn vị")
        rows = {r[1]: r for r in values[top + 1:top + 5]}
        assert set(rows) == {"=1+2", "Phạm Thị An", "Lê Văn Bảo", "Đỗ Văn Chi"} and values[top + 5][0] is None
        evil_row = top + 2 + [r[1] for r in values[top + 1:top + 5]].index("=1+2")
        assert sheet.cell(evil_row, 2).data_type == "s"
        assert "=SUM(A1)" in rows["=1+2"][4] and "K60" in rows["Phạm Thị An"][5]
        assert sheet.page_setup.orientation == "landscape"
        log = AuditLog.objects.get(action="qualifications.report_download")
        assert log.actor == town.hr_a and log.details == {"kind": None, "rows": 4}
