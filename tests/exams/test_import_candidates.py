import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditLog, User
from accounts.services import unit_create
from exams.models import Exam, Registration, Subject
from exams.sessions.candidate_columns import CANDIDATE_COLUMNS
from exams.sessions.importing import import_candidates
from exams.sessions.services import exam_create, exam_transition
from tests.helpers import xlsx_bytes

TODAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
CUTOFF = dt.date(2026, 12, 1)  # cut-off + 5 years = 01/12/2031: NN_HUU needs a retirement date before it


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def exam(db) -> Exam:
    return exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Thi nâng ngạch chuyên viên năm 2026",
                       actor=None, cutoff=CUTOFF)


@pytest.fixture
def units(province):
    district_a = unit_create(name="UBND huyện Cao Lãnh", parent=province, kind="district", code="H01")
    district_b = unit_create(name="UBND huyện Châu Thành", parent=province, kind="district", code="H02")
    return {
        "noi_vu_a": unit_create(name="Phòng Nội vụ", parent=district_a, kind="division", code="H01.NV"),
        "noi_vu_b": unit_create(name="Phòng Nội vụ", parent=district_b, kind="division", code="H02.NV"),
        "so_noi_vu": unit_create(name="Sở Nội vụ", parent=province, kind="department", code="SNV"),
    }


def xlsx(rows: list[dict[str, Any]], *, columns: list[str] = CANDIDATE_COLUMNS) -> bytes:
    """A str is a text cell, an int a number cell, a date a date cell, as a person typing in Excel makes them."""
    return xlsx_bytes(rows, columns=columns)


def cccd(n: int) -> str:
    return f"0871{n:08d}"


def candidate(n: int, name: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid row; ``n`` makes the CCCD unique."""
    row = {
        "STT": n,
        "Họ và tên": name or f"Trần Văn Mẫu {chr(65 + n % 26)}",
        "Ngày sinh": "15/03/1985",
        "Giới tính": "Nam",
        "Dân tộc": "Kinh",
        "Số CCCD": cccd(n),
        "Chức vụ": "Chuyên viên",
        "Đơn vị công tác": "Sở Nội vụ",
        "Ngạch hiện giữ": "Cán sự",
        "Mã ngạch": "01.004",
        "Ngày bắt đầu công tác": "01/07/2010",
    }
    row.update(overrides)
    return row


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command("import_candidates", *args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code
        except CommandError as exc:
            err.write(str(exc))
            code = exc.returncode
    return code, out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    return {"people": User.objects.count(), "registrations": Registration.objects.count(),
            "audit": AuditLog.objects.count()}


def numbers(exam: Exam) -> dict[str, str]:
    return dict(Registration.objects.filter(exam=exam).values_list("person__cccd", "candidate_number"))


def pairs(problems) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in problems}


NN = "Miễn ngoại ngữ (lý do)"
TH = "Miễn tin học (lý do)"

BAD_ROWS = [
    candidate(1, **{"Đơn vị công tác": "Phòng Không Có"}),                  # row 2: valid (unknown unit is no error)
    candidate(2, **{NN: "Có chứng chỉ IELTS 6.5"}),                         # row 3: unknown exemption label
    candidate(3, **{NN: "NN_HUU", "Ngày sinh": "15/10/1969"}),              # row 4: retires 01/11/2031: valid
    candidate(4, **{NN: "NN_HUU", "Ngày sinh": "15/11/1969"}),              # row 5: retires 01/12/2031: invalid
    candidate(5, "Nguyễn Văn Khác"),                                        # row 6: the CCCD is someone else's
    candidate(6, **{"Dân tộc": "Kinhh"}),                                   # row 7: no fuzzy matching
    candidate(7, **{"Số CCCD": "08718500000"}),                             # row 8: 11 digits
    candidate(8, **{"Số CCCD": 87100000008}),                               # row 9: a number cell
    candidate(1, "Lê Thị Trùng", **{"Giới tính": "Nữ"}),                    # row 10: the CCCD of row 2
    candidate(10, **{"Mã ngạch": "01.009"}),                                # row 11: not a rank code
    candidate(11, **{"Ngày sinh": "31/02/1990", "Giới tính": "Nan"}),       # row 12: two problems
    candidate(12, **{TH: "Có bằng chuyên ngành ngoại ngữ"}),                # row 13: a foreign-language reason
    candidate(13, **{"Dân tộc": ""}),                                       # row 14 (last): ethnicity is required
]
BAD_EXPECTED = {
    (3, NN), (5, NN), (6, "Số CCCD"), (7, "Dân tộc"), (8, "Số CCCD"), (9, "Số CCCD"), (10, "Số CCCD"),
    (11, "Mã ngạch"), (12, "Ngày sinh"), (12, "Giới tính"), (13, TH), (14, "Dân tộc"),
}


@pytest.mark.django_db
class TestCandidateImportErrors:
    def test_a_bad_file_reports_every_problem_by_row_and_column_and_writes_nothing(self, exam, units, make_user,
                                                                                    tmp_path):
        make_user(username="khac", cccd=cccd(5), full_name="Nguyễn Văn Khác Hẳn", date_of_birth=dt.date(1985, 3, 15))
        before = counts()
        result = import_candidates(xlsx(BAD_ROWS), exam=exam, actor=None, dry_run=False)
        assert pairs(result.problems) == BAD_EXPECTED
        assert len(result.problems) == len(BAD_EXPECTED)
        assert not result.applied and counts() == before and result.warnings == []

        path = tmp_path / "bad.xlsx"
        path.write_bytes(xlsx(BAD_ROWS))
        code, out, err = run_command(str(path), "--exam", str(exam.pk))
        assert code == 1 and out == ""
        problem_lines = [line for line in err.splitlines() if not line.startswith("Cảnh báo: ")]
        assert len(problem_lines) == len(BAD_EXPECTED)
        assert all(line.startswith("Dòng ") for line in problem_lines)
        assert "Dòng 6, cột «Số CCCD»" in err and "Nguyễn Văn Khác Hẳn" in err and "15/03/1985" in err
        assert "01/12/2031" in err  # the retirement date that is not within 5 years
        assert counts() == before
        exam.refresh_from_db()
        assert exam.status == Exam.Status.DRAFT

    @pytest.mark.parametrize(("born", "gender", "valid"), [
        ("15/10/1969", "Nam", True),    # retires 01/11/2031, the month before cut-off + 5 years
        ("01/11/1969", "Nam", False),   # retires 01/12/2031, exactly the first day of cut-off + 5 years' month
        ("15/02/1973", "Nữ", True),     # retires 01/11/2031 (58 years 8 months in 2031)
        ("15/03/1973", "Nữ", False),    # retires 01/12/2031
    ])
    def test_the_retirement_exemption_holds_only_before_the_month_of_cut_off_plus_five_years(self, exam, born,
                                                                                              gender, valid):
        rows = [candidate(1, **{NN: "Còn dưới 05 năm công tác đến tuổi nghỉ hưu", "Ngày sinh": born,
                                "Giới tính": gender})]
        result = import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=True)
        assert pairs(result.problems) == (set() if valid else {(2, NN)})

    def test_an_exemption_for_a_subject_the_exam_does_not_exempt_is_an_error(self, exam):
        Subject.objects.filter(exam=exam, code="TH").update(exemptible=False)
        rows = [candidate(1, **{TH: "TH_BANG"}), candidate(2, **{NN: "nn_bang"})]
        result = import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=True)
        assert pairs(result.problems) == {(2, TH)}

    def test_an_exemption_reason_of_the_other_subject_is_an_error_in_either_column(self, exam):
        rows = [candidate(1, **{NN: "TH_BANG"}), candidate(2, **{TH: "NN_DTTS"})]
        result = import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=True)
        assert pairs(result.problems) == {(2, NN), (3, TH)}

    def test_a_different_birth_date_for_a_known_cccd_is_an_error_and_the_person_is_untouched(self, exam, make_user):
        person = make_user(cccd=cccd(1), full_name="Trần Văn Mẫu B", date_of_birth=dt.date(1985, 3, 16))
        result = import_candidates(xlsx([candidate(1)]), exam=exam, actor=None, dry_run=False)
        assert pairs(result.problems) == {(2, "Số CCCD")}
        person.refresh_from_db()
        assert person.date_of_birth == dt.date(1985, 3, 16) and Registration.objects.count() == 0

    def test_a_file_without_the_required_columns_names_every_missing_column(self, exam, tmp_path):
        path = tmp_path / "cols.xlsx"
        columns = [c for c in CANDIDATE_COLUMNS if c not in ("Số CCCD", "Dân tộc", "Ghi chú")]
        path.write_bytes(xlsx([candidate(1)], columns=columns))
        code, out, err = run_command(str(path), "--exam", str(exam.pk))
        assert code == 1 and out == "" and err.startswith("Tệp: ")
        assert "«Số CCCD»" in err and "«Dân tộc»" in err and "«Ghi chú»" in err

    def test_a_missing_file_or_an_unknown_exam_exits_1(self, exam, tmp_path):
        code, _, err = run_command(str(tmp_path / "nope.xlsx"), "--exam", str(exam.pk))
        assert code == 1 and err.startswith("Tệp: ")
        path = tmp_path / "ok.xlsx"
        path.write_bytes(xlsx([candidate(1)]))
        code, out, err = run_command(str(path), "--exam", str(exam.pk + 100))
        assert code == 1 and out == "" and err.strip()
        assert Registration.objects.count() == 0

    def test_the_import_is_refused_once_the_exam_is_scheduled(self, exam, tmp_path):
        exam_transition(exam=exam, to="registration", actor=None)
        Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.SCHEDULED)  # readiness is tested on its own
        path = tmp_path / "late.xlsx"
        path.write_bytes(xlsx([candidate(1)]))
        before = counts()
        code, out, err = run_command(str(path), "--exam", str(exam.pk))
        assert code == 1 and out == "" and err.startswith("Tệp: ")
        assert counts() == before
        exam.refresh_from_db()
        assert exam.status == Exam.Status.SCHEDULED


# Given names in Vietnamese order: An < Anh < Bình < Dung < Đức < Giang < Hòa < Hoan. A plain Unicode sort puts
# "Đức" after "Hoan" and "Hoan" before "Hòa".
GOOD_ROWS = [
    candidate(1, "Nguyễn Văn Đức", **{"Đơn vị công tác": "Phòng Nội vụ / UBND huyện Cao Lãnh"}),
    candidate(2, "Trần Thị Dung", **{"Giới tính": "Nữ", "Đơn vị công tác": "Phòng Không Có"}),
    candidate(3, "Lê Anh", **{"Đơn vị công tác": "Phòng Nội vụ"}),  # two units have that name: no link
    candidate(4, "Phạm Thị Hoan", **{"Giới tính": "nữ", "Ngày sinh": dt.datetime(1973, 2, 15), NN: "NN_HUU"}),
    candidate(5, "Võ Văn Hòa", **{"Dân tộc": "khơ-me", NN: "Người dân tộc thiểu số hoặc có chứng chỉ tiếng dân "
                                                          "tộc thiểu số", TH: "th_bang"}),
    candidate(6, "Đặng Thị Giang", **{"Ngạch hiện giữ": "chuyên viên", "Mã ngạch": "01.003", "STT": "x"}),
    candidate(7, "Huỳnh Văn Bình", **{"Ngày sinh": "05/05/1990", "Ngạch hiện giữ": "Nhân viên"}),  # rank warning
    candidate(8, "Huỳnh Văn Bình", **{"Ngày sinh": "01/01/1988"}),
    candidate(9, "Huỳnh Văn Bình", **{"Ngày sinh": "05/05/1990", "Số CCCD": cccd(0)}),
]
# Bình (1988), Bình (1990, lower CCCD), Bình (1990), Anh first of all.
GOOD_NUMBERS = {
    cccd(3): "CV0001", cccd(8): "CV0002", cccd(0): "CV0003", cccd(7): "CV0004", cccd(2): "CV0005",
    cccd(1): "CV0006", cccd(6): "CV0007", cccd(5): "CV0008", cccd(4): "CV0009",
}


@pytest.mark.django_db
class TestCandidateImport:
    def test_a_good_file_registers_everyone_in_vietnamese_name_order_and_reimports_as_unchanged(
            self, exam, units, make_user, tmp_path):
        known = make_user(username="dung", cccd=cccd(2), full_name="Trần  Thị Dung", date_of_birth=dt.date(1985, 3, 15))
        path = tmp_path / "ds.xlsx"
        path.write_bytes(xlsx(GOOD_ROWS))

        before = counts()
        code, out, err = run_command(str(path), "--exam", str(exam.pk), "--dry-run")
        assert (code, out.strip().splitlines()[-1]) == (0, "created=9 updated=0 unchanged=0 people_created=8 withdrawn=0")
        assert counts() == before
        exam.refresh_from_db()
        assert exam.status == Exam.Status.DRAFT

        code, out, err = run_command(str(path), "--exam", str(exam.pk))
        assert (code, out.strip().splitlines()[-1]) == (0, "created=9 updated=0 unchanged=0 people_created=8 withdrawn=0")
        assert err.strip().splitlines() == [line for line in err.strip().splitlines() if line.startswith("Cảnh báo: ")]
        # Row 8 writes "Nhân viên" with 01.004; row 7 already holds the rank the exam promotes to (01.003); row 4's
        # unit name fits two units, so it is kept as written, unlinked, and said.
        assert len(err.strip().splitlines()) == 3 and "Nhân viên" in err and "đã giữ ngạch Chuyên viên" in err
        assert "là tên của nhiều đơn vị" in err
        result = import_candidates(xlsx(GOOD_ROWS), exam=exam, actor=None, dry_run=True)
        assert pairs(result.warnings) == {(4, "Đơn vị công tác"), (7, "Mã ngạch"), (8, "Ngạch hiện giữ")}
        assert all(w.warning for w in result.warnings)
        assert numbers(exam) == GOOD_NUMBERS
        exam.refresh_from_db()
        assert exam.status == Exam.Status.REGISTRATION
        assert User.objects.count() == before["people"] + 8
        assert AuditLog.objects.filter(action="exam.import_candidates", object_id=str(exam.pk)).count() == 1

        regs = {r.person.cccd: r for r in Registration.objects.filter(exam=exam).select_related("person", "rank")}
        assert regs[cccd(2)].person == known
        assert regs[cccd(1)].unit == units["noi_vu_a"]
        assert regs[cccd(1)].unit_text == "Phòng Nội vụ / UBND huyện Cao Lãnh"
        assert regs[cccd(2)].unit is None and regs[cccd(2)].unit_text == "Phòng Không Có"
        assert regs[cccd(3)].unit is None and regs[cccd(3)].unit_text == "Phòng Nội vụ"
        assert regs[cccd(7)].unit == units["so_noi_vu"]
        assert regs[cccd(4)].exempt_foreign_language == "NN_HUU"
        assert (regs[cccd(5)].exempt_foreign_language, regs[cccd(5)].exempt_it) == ("NN_DTTS", "TH_BANG")
        assert (regs[cccd(7)].rank_text, regs[cccd(7)].rank.code) == ("Nhân viên", "01.004")  # the code wins
        assert regs[cccd(6)].rank.code == "01.003"
        assert (regs[cccd(1)].list_order, regs[cccd(6)].list_order) == (1, 7)  # STT "x" → its sheet row
        assert regs[cccd(1)].position_text == "Chuyên viên"
        assert regs[cccd(1)].service_start == dt.date(2010, 7, 1)
        assert all(r.exam_password for r in regs.values())

        created = User.objects.select_related("ethnicity", "unit", "rank").get(cccd=cccd(5))
        assert created.username == cccd(5) and not created.has_usable_password()
        assert (created.full_name, created.date_of_birth, created.gender) == ("Võ Văn Hòa", dt.date(1985, 3, 15), "Nam")
        assert created.ethnicity.name == "Khmer"
        assert (created.position, created.unit, created.rank.code) == ("Chuyên viên", units["so_noi_vu"], "01.004")
        assert created.service_start == dt.date(2010, 7, 1)
        assert User.objects.get(cccd=cccd(4)).gender == "Nữ"
        known.refresh_from_db()
        assert known.username == "dung" and known.position == ""  # an existing person is only linked

        passwords = {r.pk: r.exam_password for r in regs.values()}
        code, out, err = run_command(str(path), "--exam", str(exam.pk))
        assert (code, out.strip().splitlines()[-1]) == (0, "created=0 updated=0 unchanged=9 people_created=0 withdrawn=0")
        assert numbers(exam) == GOOD_NUMBERS
        assert dict(Registration.objects.filter(exam=exam).values_list("pk", "exam_password")) == passwords

    def test_a_second_file_keeps_the_numbers_and_gives_a_newcomer_the_next_one(self, exam, units, tmp_path):
        path = tmp_path / "ds.xlsx"
        path.write_bytes(xlsx(GOOD_ROWS))
        assert run_command(str(path), "--exam", str(exam.pk))[0] == 0

        rows = [dict(row) for row in GOOD_ROWS]
        rows[0]["Chức vụ"] = "Phó Trưởng phòng"
        rows.append(candidate(20, "Bùi Văn An"))  # first in name order, yet numbered last
        path.write_bytes(xlsx(rows))
        code, out, _ = run_command(str(path), "--exam", str(exam.pk))
        assert (code, out.strip().splitlines()[-1]) == (0, "created=1 updated=1 unchanged=8 people_created=1 withdrawn=0")
        assert numbers(exam) == {**GOOD_NUMBERS, cccd(20): "CV0010"}
        assert Registration.objects.get(exam=exam, person__cccd=cccd(1)).position_text == "Phó Trưởng phòng"
        exam.refresh_from_db()
        assert exam.status == Exam.Status.REGISTRATION

    def test_each_changed_snapshot_field_counts_the_registration_as_updated(self, exam, units):
        rows = [candidate(n) for n in range(1, 8)]
        assert import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=False).created == 7
        rows[0]["Đơn vị công tác"] = "H01.NV"
        rows[1]["Ngạch hiện giữ"] = "Cán sự (tập sự)"
        rows[2][NN] = "NN_BANG"
        rows[3]["Ghi chú"] = "Bổ sung hồ sơ"
        rows[4]["Ngày bắt đầu công tác"] = "01/08/2010"
        rows[5]["STT"] = 60
        result = import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=False)
        assert result.summary == "created=0 updated=6 unchanged=1 people_created=0 withdrawn=0"
        registration = Registration.objects.get(exam=exam, person__cccd=cccd(1))
        assert (registration.unit, registration.unit_text) == (units["noi_vu_a"], "H01.NV")

    def test_a_registration_exam_stays_in_registration_and_the_names_are_nfc(self, exam):
        exam_transition(exam=exam, to="registration", actor=None)
        decomposed = "Nguyễn Văn Đức".replace("ễ", "e\u0302\u0303")
        result = import_candidates(xlsx([candidate(1, decomposed)]), exam=exam, actor=None, dry_run=False)
        assert result.summary == "created=1 updated=0 unchanged=0 people_created=1 withdrawn=0" and result.applied
        exam.refresh_from_db()
        assert exam.status == Exam.Status.REGISTRATION
        assert User.objects.get(cccd=cccd(1)).full_name == "Nguyễn Văn Đức"
        again = import_candidates(xlsx([candidate(1, "Nguyễn  Văn Đức")]), exam=exam, actor=None, dry_run=False)
        assert again.summary == "created=0 updated=0 unchanged=1 people_created=0 withdrawn=0"

    def test_a_reimport_that_leaves_someone_out_lists_them_and_withdraws_only_when_asked(self, exam):
        rows = [candidate(n) for n in range(1, 4)]
        import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=False)
        left = Registration.objects.get(exam=exam, person__cccd=cccd(3))
        check = import_candidates(xlsx(rows[:2]), exam=exam, actor=None, dry_run=True)
        assert check.left_out == [f"{left.candidate_number} {left.person.full_name}"]
        assert [p.change for p in check.preview] == ["unchanged", "unchanged"]
        kept = import_candidates(xlsx(rows[:2]), exam=exam, actor=None, dry_run=False)
        assert kept.withdrawn == 0 and Registration.objects.filter(pk=left.pk).exists()
        gone = import_candidates(xlsx(rows[:2]), exam=exam, actor=None, dry_run=False, withdraw_missing=True)
        assert gone.withdrawn == 1 and not Registration.objects.filter(pk=left.pk).exists()
        assert gone.sentence == "Đã ghi: thêm mới 0 dòng, giữ nguyên 2 dòng, rút tên 1 thí sinh."
        assert AuditLog.objects.filter(action="exam.registration_withdraw", details__number=left.candidate_number)

    def test_a_candidate_who_already_holds_the_target_rank_or_whose_rank_disagrees_is_warned(self, exam):
        import_candidates(xlsx([candidate(1), candidate(2)]), exam=exam, actor=None, dry_run=False)
        User.objects.filter(cccd=cccd(1)).update(rank=exam.target_rank)  # the register knows of a promotion
        rows = [candidate(1), candidate(2, **{"Ngạch hiện giữ": "Chuyên viên", "Mã ngạch": "01.003"}),
                candidate(3)]
        result = import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=True)
        assert result.ok  # warnings, not problems: the register may be the one out of date
        warned = {(w.row, w.column): w.message for w in result.warnings}
        assert "đã giữ ngạch Chuyên viên" in warned[(2, "Mã ngạch")] and "danh sách nhân sự" in warned[(2, "Mã ngạch")]
        assert "đã giữ ngạch Chuyên viên" in warned[(3, "Mã ngạch")]
        assert (4, "Mã ngạch") not in warned

    def test_a_unit_name_that_fits_several_units_is_kept_as_written_and_the_warning_names_them(self, exam, units):
        result = import_candidates(xlsx([candidate(1, **{"Đơn vị công tác": "Phòng Nội vụ"})]), exam=exam,
                                   actor=None, dry_run=True)
        assert result.ok
        [warning] = [w for w in result.warnings if w.column == "Đơn vị công tác"]
        assert "UBND huyện Cao Lãnh" in warning.message and "UBND huyện Châu Thành" in warning.message
        assert str(units["noi_vu_a"]) == "Phòng Nội vụ – UBND huyện Cao Lãnh"  # shown with its parent everywhere
