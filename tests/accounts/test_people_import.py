import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.imports import PEOPLE_COLUMNS, import_people
from accounts.models import AuditLog, OrgUnit, User
from accounts.services import unit_create
from tests.helpers import person_row, xlsx_bytes

TODAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def units(province):
    district_a = unit_create(name="UBND huyện Cao Lãnh", parent=province, kind="district", code="H01")
    district_b = unit_create(name="UBND huyện Châu Thành", parent=province, kind="district", code="H02")
    return {
        "province": province,
        "a": district_a,
        "b": district_b,
        "noi_vu_a": unit_create(name="Phòng Nội vụ", parent=district_a, kind="division", code="H01.NV"),
        "noi_vu_b": unit_create(name="Phòng Nội vụ", parent=district_b, kind="division", code="H02.NV"),
        "so_noi_vu": unit_create(name="Sở Nội vụ", parent=province, kind="department", code="SNV"),
        "old": unit_create(name="Sở Cũ", parent=province, kind="department", code="OLD",
                           valid_to=dt.date(2020, 1, 1)),
    }


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command("import_people", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def table_counts() -> dict[str, int]:
    return {"people": User.objects.count(), "units": OrgUnit.objects.count(), "audit": AuditLog.objects.count()}


BAD_ROWS = [
    person_row(1),                                                                  # row 2: valid
    person_row(2, **{"Họ và tên": "", "Ngày sinh": "31/02/1990"}),                 # row 3: two problems
    person_row(3, **{"Giới tính": "Nan"}),                                         # row 4
    person_row(4, **{"Số CCCD": 87185000004}),                                     # row 5: number cell
    person_row(5, **{"Dân tộc": "Kinhh"}),                                         # row 6: no fuzzy match
    person_row(6, **{"Email": "not-an-email"}),                                    # row 7
    person_row(7, **{"Đơn vị": "Phòng Nội vụ"}),                                   # row 8: ambiguous name
    person_row(8, **{"Mã ngạch": "01.009"}),                                       # row 9
    person_row(1, **{"Email": "other@example.org"}),                               # row 10: CCCD of row 2
    person_row(10, **{"Đơn vị": "Sở Cũ"}),                                         # row 11: unit expired
    person_row(11, **{"Số điện thoại": "12345",                                    # row 12 (last): two
                      "Ngày bắt đầu công tác": "01/01/1970"}),
]
BAD_EXPECTED = {
    (3, "Họ và tên"), (3, "Ngày sinh"), (4, "Giới tính"), (5, "Số CCCD"), (6, "Dân tộc"), (7, "Email"),
    (8, "Đơn vị"), (9, "Mã ngạch"), (10, "Số CCCD"), (11, "Đơn vị"), (12, "Số điện thoại"),
    (12, "Ngày bắt đầu công tác"),
}


@pytest.mark.django_db
class TestPeopleImport:
    def test_a_bad_file_reports_every_problem_by_row_and_column_and_writes_nothing(self, units, tmp_path):
        path = tmp_path / "bad.xlsx"
        path.write_bytes(xlsx_bytes(BAD_ROWS))
        before = table_counts()
        code, out, err = run_command(str(path))
        assert code == 1
        assert table_counts() == before
        lines = err.strip().splitlines()
        reported = set()
        for line in lines:
            assert line.startswith("Dòng "), line
            head = line.split(":", 1)[0]  # "Dòng 3, cột «Họ và tên»"
            row = int(head.split(",")[0].removeprefix("Dòng "))
            column = head.split("«")[1].rstrip("»")
            reported.add((row, column))
        assert reported == BAD_EXPECTED
        assert len(lines) == len(BAD_EXPECTED)
        assert "Dòng 8, cột «Đơn vị»" in err and "Phòng Nội vụ / UBND huyện Cao Lãnh" in err  # names candidates
        assert "định dạng cột là văn bản" in err or "văn bản" in err  # CCCD advice: format as text
        assert out == ""

    def test_a_good_file_imports_then_reimports_as_unchanged(self, units, tmp_path):
        rows = [
            person_row(1, **{"Đơn vị": "H01.NV"}),                                     # by code
            person_row(2, **{"Đơn vị": "Phòng Nội vụ / UBND huyện Châu Thành"}),       # by path
            person_row(3, **{"Đơn vị": "sở nội vụ", "Dân tộc": "khơ-me"}),            # unique name, alias
            person_row(4, **{"Ngày sinh": dt.datetime(1979, 12, 1), "Giới tính": "NAM", "Số CCCD": "001079000004"}),
        ]
        path = tmp_path / "good.xlsx"
        path.write_bytes(xlsx_bytes(rows))
        code, out, err = run_command(str(path), "--dry-run")
        assert (code, out.strip().splitlines()[-1], err) == (0, "created=4 updated=0 unchanged=0", "")
        assert User.objects.count() == 0

        code, out, _ = run_command(str(path))
        assert (code, out.strip().splitlines()[-1]) == (0, "created=4 updated=0 unchanged=0")
        people = {p.cccd: p for p in User.objects.select_related("unit", "ethnicity")}
        assert people["087185000001"].unit == units["noi_vu_a"]
        assert people["087185000002"].unit == units["noi_vu_b"]
        assert people["087185000003"].unit == units["so_noi_vu"]
        assert people["087185000003"].ethnicity.name == "Khmer"
        assert people["001079000004"].gender == "Nam"
        assert people["001079000004"].date_of_birth == dt.date(1979, 12, 1)
        assert people["001079000004"].username == "001079000004"
        assert not people["001079000004"].has_usable_password()

        code, out, _ = run_command(str(path))
        assert (code, out.strip().splitlines()[-1]) == (0, "created=0 updated=0 unchanged=4")

        rows[0]["Chức vụ"] = "Trưởng phòng"
        path.write_bytes(xlsx_bytes(rows))
        code, out, _ = run_command(str(path))
        assert out.strip().splitlines()[-1] == "created=0 updated=1 unchanged=3"
        assert User.objects.get(cccd="087185000001").position == "Trưởng phòng"
        assert AuditLog.objects.filter(action="people.import").count() == 3

    def test_missing_units_given_as_a_path_are_created_only_with_the_flag(self, units, tmp_path):
        path = tmp_path / "units.xlsx"
        path.write_bytes(xlsx_bytes([person_row(1, **{"Đơn vị": "Phòng Tư pháp / UBND huyện Cao Lãnh"}),
                                     person_row(2, **{"Đơn vị": "Phòng Tư pháp / UBND huyện Cao Lãnh"})]))
        code, _, err = run_command(str(path))
        assert code == 1 and "Dòng 2, cột «Đơn vị»" in err and "Dòng 3, cột «Đơn vị»" in err
        code, out, _ = run_command(str(path), "--create-missing-units")
        assert code == 0 and out.strip().splitlines()[-1] == "created=2 updated=0 unchanged=0"
        created = OrgUnit.objects.get(name="Phòng Tư pháp")
        assert created.parent == units["a"] and created.path.startswith(units["a"].path)
        assert User.objects.filter(unit=created).count() == 2

    def test_a_plain_name_is_never_created_even_with_the_flag(self, units, tmp_path):
        path = tmp_path / "units.xlsx"
        path.write_bytes(xlsx_bytes([person_row(1, **{"Đơn vị": "Phòng Không Có"})]))
        code, _, err = run_command(str(path), "--create-missing-units")
        assert code == 1 and "Dòng 2, cột «Đơn vị»" in err
        assert not OrgUnit.objects.filter(name="Phòng Không Có").exists()

    def test_a_file_without_a_required_column_is_a_file_problem(self, tmp_path):
        path = tmp_path / "cols.xlsx"
        path.write_bytes(xlsx_bytes([person_row(1)], columns=[c for c in PEOPLE_COLUMNS if c != "Số CCCD"]))
        code, _, err = run_command(str(path))
        assert code == 1 and err.startswith("Tệp: ") and "«Số CCCD»" in err

    def test_a_file_that_is_not_excel_is_refused(self, tmp_path):
        path = tmp_path / "fake.xlsx"
        path.write_bytes(b"Ho va ten;Ngay sinh\n")
        code, _, err = run_command(str(path))
        assert code == 1 and err.startswith("Tệp: ")

    def test_a_missing_file_exits_1_and_wrong_usage_exits_2(self, tmp_path):
        code, _, err = run_command(str(tmp_path / "nope.xlsx"))
        assert code == 1 and err.startswith("Tệp: ")
        import subprocess
        import sys

        proc = subprocess.run([sys.executable, "manage.py", "import_people"], capture_output=True, text=True)
        assert proc.returncode == 2

    def test_an_email_of_another_person_is_an_error(self, units, make_user):
        make_user(email="taken@example.org")
        result = import_people(xlsx_bytes([person_row(1, Email="Taken@Example.org")]), actor=None, dry_run=False)
        assert [(p.row, p.column) for p in result.problems] == [(2, "Email")]
        assert User.objects.count() == 1


@pytest.mark.django_db
class TestPeopleImportPages:
    def test_hr_downloads_the_template_with_the_exact_columns(self, client, hr_user):
        client.force_login(hr_user)
        response = client.get(reverse("people_import_template"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == PEOPLE_COLUMNS

    def test_hr_checks_then_confirms_an_import(self, client, hr_user):
        client.force_login(hr_user)
        upload = io.BytesIO(xlsx_bytes([person_row(1), person_row(2)]))
        upload.name = "nhan-su.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": upload})
        assert response.status_code == 200 and User.objects.count() == 1  # only the HR user
        token = response.context["token"]
        assert response.context["result"].created == 2
        response = client.post(reverse("people_import"), {"action": "confirm", "token": token})
        assert response.status_code == 302
        assert User.objects.filter(cccd__startswith="0871850").count() == 2
        assert AuditLog.objects.get(action="people.import").actor == hr_user

    def test_a_bad_upload_shows_the_problems_and_offers_no_confirmation(self, client, hr_user):
        client.force_login(hr_user)
        upload = io.BytesIO(xlsx_bytes([person_row(1, **{"Giới tính": "?"})]))
        upload.name = "bad.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": upload})
        html = response.content.decode()
        assert "Dòng 2, cột «Giới tính»" in html
        assert "token" not in response.context

    def test_an_oversized_or_non_excel_upload_is_refused(self, client, hr_user, settings):
        client.force_login(hr_user)
        settings.MAX_IMPORT_FILE_BYTES = 100
        big = io.BytesIO(xlsx_bytes([person_row(1)]))
        big.name = "big.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": big})
        assert response.context["form"].errors["file"]
        settings.MAX_IMPORT_FILE_BYTES = 5 * 1024 * 1024
        fake = io.BytesIO(b"<html>")
        fake.name = "fake.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": fake})
        assert response.context["form"].errors["file"]
        assert User.objects.count() == 1


@pytest.mark.django_db
def test_hr_can_ask_the_page_to_create_missing_units(client, hr_user, units):
    client.force_login(hr_user)
    upload = io.BytesIO(xlsx_bytes([person_row(1, **{"Đơn vị": "Phòng Y tế / UBND huyện Cao Lãnh"})]))
    upload.name = "units.xlsx"
    response = client.post(reverse("people_import"), {"action": "check", "file": upload,
                                                      "create_missing_units": "on"})
    assert response.context["result"].units_created == ["Phòng Y tế / UBND huyện Cao Lãnh / UBND tỉnh Demo"]
    client.post(reverse("people_import"), {"action": "confirm", "token": response.context["token"]})
    assert User.objects.get(cccd="087185000001").unit.parent == units["a"]


@pytest.mark.django_db
def test_format_characters_never_reach_a_stored_name_or_text(tmp_path):
    """A right-to-left override (U+202E) prints a name backwards; zero-width characters make equal names differ."""
    path = tmp_path / "bidi.xlsx"
    path.write_bytes(xlsx_bytes([person_row(1, **{"Họ và tên": "Trần\u202e Thị\u200b Mẫu\ufeff",
                                                  "Chức vụ": "Chuyên\u2066 viên\u200d"})]))
    code, _out, _err = run_command(str(path))
    person = User.objects.get()
    assert code == 0 and (person.full_name, person.position) == ("Trần Thị Mẫu", "Chuyên viên")
