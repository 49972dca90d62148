"""The documents of the decision (issue 6; docs/rules.md, "The decision and its annex"): the annex lists (.xlsx), the
draft decision (.docx), the result notice (.pdf) and the export commands (docs/operations.md, "Commands"). Every
export is opened back and its cells asserted."""

import datetime as dt
import gc
import io
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditLog, OrganisationProfile, Rank
from accounts.services import unit_create
from exams.management.commands.export_annex import Command as ExportAnnex
from exams.models import CandidateResult, CouncilMember
from exams.results import services as svc
from exams.results.decision import LEGAL_BASES, decision_docx
from exams.results.exports import TieUnresolved, annex_xlsx, collector_paused, export_rows
from exams.results.notice import result_notice_pdf
from exams.results.selectors import result_rows
from tests.exams.results_helpers import candidate, full_scores, promotion_exam, run_command, score

EVIL_NAME = '=HYPERLINK("http://x","y")'
TIMES = "Times New Roman"


# --- Reading the files back ----------------------------------------------------------------------------------------

def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def _values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _texts(sheet) -> list[str]:
    return [value for row in _values(sheet) for value in row if isinstance(value, str)]


def _header_row(sheet) -> int:
    """1-based row of the table header (the one starting with STT)."""
    return next(i for i, row in enumerate(_values(sheet), start=1) if row[0] == "STT")


def _columns(sheet) -> dict[str, int]:
    """Header text → 1-based column, over both header rows (Nam | Nữ sit on the second)."""
    top = _header_row(sheet)
    found = {}
    for row in (top, top + 1):
        for cell in sheet[row]:
            if isinstance(cell.value, str):
                found.setdefault(cell.value, cell.column)
    return found


def _data_rows(sheet, *, header_rows: int = 2) -> list:
    """The table's candidate rows (cells), skipping by-unit group rows, up to the first blank row."""
    rows = []
    for row in sheet.iter_rows(min_row=_header_row(sheet) + header_rows):
        first = row[0].value
        if first is None:
            break
        if isinstance(first, int | float):
            rows.append(row)
    return rows


def _by_number(sheet) -> dict[str, dict[str, object]]:
    """Candidate number → {header: cell}."""
    columns = _columns(sheet)
    out = {}
    for row in _data_rows(sheet):
        cells = {name: row[col - 1] for name, col in columns.items()}
        out[cells["Số báo danh"].value] = cells
    return out


def _names(sheet) -> list[str]:
    return [row[1].value for row in _data_rows(sheet)]


# --- The exam ------------------------------------------------------------------------------------------------------

@pytest.fixture
def profile(db):
    profile = OrganisationProfile.current()
    profile.authority_line_1, profile.authority_line_2 = "ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"
    profile.province_name = profile.place_name = "Đồng Tháp"
    profile.signatory_title, profile.signatory_deputy_title = "CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    profile.signatory_name, profile.home_affairs_name = "Nguyễn Văn Ký", "Sở Nội vụ"
    profile.save()
    return profile


@pytest.fixture
def units(db):
    return {"noi_vu": unit_create(name="Sở Nội vụ", parent=None, code="01"),
            "tai_chinh": unit_create(name="Sở Tài chính", parent=None, code="02")}


@pytest.fixture
def exam(profile, units):
    """Quota 2: Hòa (80) and Hoan (72,5) selected, Zung (60) outside the quota, Đức failed a gate (29/60),
    the formula-looking name absent; Hòa exempt from Ngoại ngữ; one candidate with only a unit text."""
    exam = promotion_exam(quota=2)
    rank = Rank.objects.get(code="01.004")
    full_scores(candidate(exam, 1, name="Nguyễn Văn Hoan", unit=units["tai_chinh"], unit_text="Sở Tài chính",
                          rank=rank), "72.5")
    full_scores(candidate(exam, 2, name="Lê Thị Hòa", gender="Nữ", exempt_nn="NN_BANG", unit=units["noi_vu"],
                          unit_text="Sở Nội vụ"), "80")
    full_scores(candidate(exam, 3, name="Trần Văn Zung", unit_text="Huyện Cao Lãnh"), "60")
    full_scores(candidate(exam, 4, name="Phạm Minh Đức", unit=units["noi_vu"], unit_text="Sở Nội vụ"), "90",
                ktc=29)
    candidate(exam, 5, name=EVIL_NAME, unit=units["tai_chinh"], unit_text="Sở Tài chính")
    return exam


@pytest.fixture
def version(exam):
    return svc.compute_results(exam=exam, actor=None).version


def tied_exam(profile):
    """Quota 1 and two candidates the chain cannot separate: the place is the council's to give."""
    exam = promotion_exam(quota=1, name="Thi nâng ngạch chuyên viên chính")
    for n, name in ((1, "Võ Thanh Bình"), (2, "Đặng Quốc An")):
        full_scores(candidate(exam, n, name=name), "75")
    full_scores(candidate(exam, 3, name="Lý Văn Cường"), "50")
    return exam, svc.compute_results(exam=exam, actor=None).version


# --- The annex -----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestAnnexAll:
    def test_it_has_the_letterhead_title_and_decision_line(self, version):
        sheet = _sheet(annex_xlsx(version, "all")[0])
        assert sheet["A1"].value == "ỦY BAN NHÂN DÂN" and sheet["A2"].value == "TỈNH ĐỒNG THÁP"
        texts = _texts(sheet)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
        title = texts.index("DANH SÁCH KẾT QUẢ KỲ THI NÂNG NGẠCH LÊN CHUYÊN VIÊN NĂM 2026")
        assert texts[title - 1] == "DỰ THẢO"
        assert texts[title + 1] == ("(Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm … của Chủ tịch UBND "
                                    "tỉnh Đồng Tháp)")

    def test_the_two_row_header_merges_birth_date_over_nam_and_nu(self, version):
        sheet = _sheet(annex_xlsx(version, "all")[0])
        top = _header_row(sheet)
        assert [c.value for c in sheet[top]] == [
            "STT", "Họ và tên", "Ngày sinh", None, "Chức vụ, đơn vị công tác", "Ngạch hiện giữ", "Mã ngạch",
            "Số báo danh", "Kiến thức chung", "Ngoại ngữ", "Tin học", "Chuyên môn, nghiệp vụ", "Kết quả", "Ghi chú"]
        assert (sheet.cell(top + 1, 3).value, sheet.cell(top + 1, 4).value) == ("Nam", "Nữ")
        merged = {str(r) for r in sheet.merged_cells.ranges}
        assert f"C{top}:D{top}" in merged
        assert {f"A{top}:A{top + 1}", f"B{top}:B{top + 1}", f"N{top}:N{top + 1}"} <= merged

    def test_birth_dates_are_text_under_the_gender(self, version):
        rows = _by_number(_sheet(annex_xlsx(version, "all")[0]))
        hoa, hoan = rows["CV0002"], rows["CV0001"]
        assert hoa["Nam"].value is None and hoa["Nữ"].value == "01/01/1985" and hoa["Nữ"].data_type == "s"
        assert hoan["Nam"].value == "01/01/1985" and hoan["Nữ"].value is None and hoan["Nam"].data_type == "s"

    def test_cells_hold_counts_scores_and_mien(self, version):
        rows = _by_number(_sheet(annex_xlsx(version, "all")[0]))
        hoan, hoa, duc = rows["CV0001"], rows["CV0002"], rows["CV0004"]
        assert hoan["Kiến thức chung"].value == 40 and hoan["Kiến thức chung"].data_type == "n"
        assert hoan["Kiến thức chung"].number_format == "0"
        assert hoan["Chuyên môn, nghiệp vụ"].value == 72.5 and hoan["Chuyên môn, nghiệp vụ"].data_type == "n"
        assert hoan["Chuyên môn, nghiệp vụ"].number_format == "0.0"
        assert hoa["Ngoại ngữ"].value == "Miễn" and hoa["Ngoại ngữ"].data_type == "s"
        assert hoa["Chuyên môn, nghiệp vụ"].value == 80 and hoa["Chuyên môn, nghiệp vụ"].number_format == "0.0"
        assert duc["Kiến thức chung"].value == 29
        assert hoan["Mã ngạch"].value == "01.004" and hoan["Ngạch hiện giữ"].value == "Cán sự"
        assert hoan["Chức vụ, đơn vị công tác"].value == "Chuyên viên, Sở Tài chính"

    def test_a_score_with_two_decimals_keeps_them(self, profile):
        exam = promotion_exam(quota=1)
        full_scores(candidate(exam, 1), "72.25")
        version = svc.compute_results(exam=exam, actor=None).version
        cell = _by_number(_sheet(annex_xlsx(version, "all")[0]))["CV0001"]["Chuyên môn, nghiệp vụ"]
        assert cell.value == 72.25 and cell.number_format == "0.00"

    def test_ket_qua_and_ghi_chu(self, version):
        rows = _by_number(_sheet(annex_xlsx(version, "all")[0]))
        assert {n: r["Kết quả"].value for n, r in rows.items()} == {
            "CV0001": "Trúng tuyển", "CV0002": "Trúng tuyển", "CV0003": "Không trúng tuyển", "CV0004": "Không đạt",
            "CV0005": "Không đạt"}
        absent = rows["CV0005"]
        assert absent["Ghi chú"].value == "Vắng thi"
        assert all(absent[s].value is None for s in ("Kiến thức chung", "Tin học", "Chuyên môn, nghiệp vụ"))

    def test_all_is_in_vietnamese_name_order(self, version):
        names = _names(_sheet(annex_xlsx(version, "all")[0]))
        real = [n for n in names if n != EVIL_NAME]
        assert real == ["Phạm Minh Đức", "Lê Thị Hòa", "Nguyễn Văn Hoan", "Trần Văn Zung"]
        assert [row[0].value for row in _data_rows(_sheet(annex_xlsx(version, "all")[0]))] == [1, 2, 3, 4, 5]

    def test_a_formula_looking_name_stays_a_string(self, version):
        sheet = _sheet(annex_xlsx(version, "all")[0])
        cell = _by_number(sheet)["CV0005"]["Họ và tên"]
        assert cell.value == EVIL_NAME and cell.data_type == "s"
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)

    def test_print_setup_and_fonts(self, version):
        sheet = _sheet(annex_xlsx(version, "all")[0])
        top = _header_row(sheet)
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # 1 is the default
        assert sheet.print_title_rows == f"${top}:${top + 1}"
        fonts = {c.font.name for row in sheet.iter_rows() for c in row if c.value is not None}
        assert fonts == {TIMES}

    def test_the_signature_block_and_row_count(self, version):
        data, rows = annex_xlsx(version, "all")
        texts = _texts(_sheet(data))
        assert rows == 5 and "Danh sách có 5 người." in texts
        at = texts.index("KT. CHỦ TỊCH")
        assert texts[at + 1:at + 3] == ["PHÓ CHỦ TỊCH", "Nguyễn Văn Ký"]

    def test_without_a_deputy_the_chairman_signs(self, version, profile):
        profile.signatory_deputy_title = ""
        profile.save()
        texts = _texts(_sheet(annex_xlsx(version, "all")[0]))
        assert "CHỦ TỊCH" in texts and not any(t.startswith("KT.") for t in texts)

    def test_no_draft_mark_once_approved_and_the_decision_is_filled_in(self, exam, version):
        svc.approve(exam=exam, version=version, actor=None)
        version.refresh_from_db()
        assert "DỰ THẢO" not in _texts(_sheet(annex_xlsx(version, "all")[0]))
        svc.publish(exam=exam, version=version, actor=None, decision_number="123",
                    decision_date=dt.date(2027, 2, 5))
        version.refresh_from_db()
        texts = _texts(_sheet(annex_xlsx(version, "all")[0]))
        assert "DỰ THẢO" not in texts
        assert ("(Kèm theo Quyết định số 123/QĐ-UBND ngày 05 tháng 02 năm 2027 của Chủ tịch UBND tỉnh Đồng Tháp)"
                in texts)

    @pytest.mark.parametrize("kind", ["all", "winners", "by-unit", "unit-summary", "decision"])
    def test_the_query_count_does_not_grow_with_the_candidates(self, profile, units, kind):
        def queries(n: int) -> int:
            exam = promotion_exam(quota=2, name=f"Kỳ {n}")
            rank = Rank.objects.get(code="01.004")
            for k in range(1, n + 1):
                unit = units["noi_vu"] if k % 2 else None
                full_scores(candidate(exam, k, unit=unit, rank=rank), 50 + k)
            version = svc.compute_results(exam=exam, actor=None).version
            with CaptureQueriesContext(connection) as ctx:
                if kind == "decision":
                    decision_docx(version)
                else:
                    annex_xlsx(version, kind)
            return len(ctx)

        assert queries(3) == queries(12)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["all", "winners", "by-unit"])
def test_the_export_reads_the_selectors_rows_in_the_selectors_order(version, kind):
    """The annex reads lighter rows than the pages; they must be the same rows, cells and order."""
    expected, got = result_rows(version, list_kind=kind), export_rows(version, kind)
    subjects = list(version.exam.subjects.order_by("order"))
    assert [r.result.pk for r in got] == [r.result.pk for r in expected]
    assert [[r.cell(s) for s in subjects] + [r.outcome_label, r.unit_label] for r in got] == [
        [r.cell(s) for s in subjects] + [r.outcome_label, r.unit_label] for r in expected]


@pytest.mark.django_db
class TestAnnexWinners:
    def test_winners_by_place_with_their_title(self, version):
        data, rows = annex_xlsx(version, "winners")
        sheet = _sheet(data)
        assert rows == 2 and _names(sheet) == ["Lê Thị Hòa", "Nguyễn Văn Hoan"]
        assert "DANH SÁCH CÔNG CHỨC ĐẠT KẾT QUẢ KỲ THI NÂNG NGẠCH LÊN CHUYÊN VIÊN NĂM 2026" in _texts(sheet)

    def test_winners_refuse_while_a_tie_is_unresolved_and_name_the_people(self, profile):
        _exam, version = tied_exam(profile)
        assert version.ties_unresolved == 2
        with pytest.raises(TieUnresolved) as refused:
            annex_xlsx(version, "winners")
        message = refused.value.messages[0]
        assert "Võ Thanh Bình (CV0001)" in message and "Đặng Quốc An (CV0002)" in message
        assert "Lý Văn Cường" not in message

    def test_the_tied_show_cho_quyet_dinh_in_the_full_list(self, profile):
        _exam, version = tied_exam(profile)
        rows = _by_number(_sheet(annex_xlsx(version, "all")[0]))
        assert rows["CV0001"]["Kết quả"].value == rows["CV0002"]["Kết quả"].value == "Chờ quyết định"
        assert "Thủ trưởng quyết định" in rows["CV0001"]["Ghi chú"].value


@pytest.mark.django_db
class TestAnnexByUnit:
    def test_grouped_by_unit_code_then_unit_text_then_name(self, version):
        data, rows = annex_xlsx(version, "by-unit")
        sheet = _sheet(data)
        top = _header_row(sheet)
        body = [r for r in _values(sheet)[top + 1:] if r[0] is not None]
        lines = [(r[0], r[1]) for r in body[:body.index(next(r for r in body if isinstance(r[0], str)
                                                                and r[0].startswith("Danh sách")))]]
        assert lines == [("I", "Sở Nội vụ"), (1, "Phạm Minh Đức"), (2, "Lê Thị Hòa"),
                         ("II", "Sở Tài chính"), (3, "Nguyễn Văn Hoan"), (4, EVIL_NAME),
                         ("III", "Huyện Cao Lãnh"), (5, "Trần Văn Zung")]
        assert rows == 5
        group_row = top + 2
        assert f"B{group_row}:N{group_row}" in {str(r) for r in sheet.merged_cells.ranges}


@pytest.mark.django_db
class TestUnitSummary:
    def test_per_unit_figures_and_totals(self, version):
        data, rows = annex_xlsx(version, "unit-summary")
        sheet = _sheet(data)
        top = _header_row(sheet)
        assert [c.value for c in sheet[top]] == ["STT", "Đơn vị", "Số đăng ký dự thi", "Số dự thi", "Số đạt",
                                                 "Số trúng tuyển", "Tỷ lệ đạt (%)"]
        body = _values(sheet)[top:top + 4]
        assert [r[:6] for r in body] == [(1, "Sở Nội vụ", 2, 2, 1, 1), (2, "Sở Tài chính", 2, 1, 1, 1),
                                         (3, "Huyện Cao Lãnh", 1, 1, 1, 0), (None, "Tổng cộng", 5, 4, 3, 2)]
        assert [r[6] for r in body] == [0.5, 1.0, 1.0, 0.75]
        assert sheet.cell(top + 1, 7).number_format == "0.0%"
        assert rows == 3
        assert "TỔNG HỢP KẾT QUẢ KỲ THI NÂNG NGẠCH LÊN CHUYÊN VIÊN NĂM 2026 THEO ĐƠN VỊ" in _texts(sheet)
        assert sheet.print_title_rows == f"${top}:${top}" and sheet.page_setup.orientation == "landscape"


@pytest.mark.django_db
class TestKiemDinh:
    def test_results_are_dat_or_khong_dat_and_winners_are_the_passers(self, profile):
        exam = promotion_exam(quota=None, preset="kiem-dinh-dau-vao-2023-dai-hoc", name="Kiểm định 2026")
        score(candidate(exam, 1, name="Mai Văn Tài"), "KD", correct=50)
        score(candidate(exam, 2, name="Hồ Thị Lan", gender="Nữ"), "KD", correct=49)
        version = svc.compute_results(exam=exam, actor=None).version
        sheet = _sheet(annex_xlsx(version, "all")[0])
        rows = _by_number(sheet)
        assert rows["KDDH0001"]["Kết quả"].value == "Đạt" and rows["KDDH0002"]["Kết quả"].value == "Không đạt"
        assert rows["KDDH0001"]["Kiểm định chất lượng đầu vào"].value == 50
        assert "DANH SÁCH KẾT QUẢ KỲ KIỂM ĐỊNH CHẤT LƯỢNG ĐẦU VÀO CÔNG CHỨC NĂM 2026" in _texts(sheet)
        data, count = annex_xlsx(version, "winners")
        assert count == 1 and _names(_sheet(data)) == ["Mai Văn Tài"]


def test_the_collector_pause_restores_the_state_it_found():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second export at the same time (another thread) shares the pause
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("export failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


# --- The decision --------------------------------------------------------------------------------------------------

def _document(data: bytes):
    return docx.Document(io.BytesIO(data))


@pytest.mark.django_db
class TestDecision:
    def test_paragraphs_follow_the_decision_layout(self, version):
        data, rows = decision_docx(version)
        document = _document(data)
        texts = [p.text for p in document.paragraphs if p.text]
        assert rows == 2
        order = ["DỰ THẢO", "QUYẾT ĐỊNH", "Về việc công nhận kết quả kỳ thi nâng ngạch lên chuyên viên năm 2026",
                 "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP", *LEGAL_BASES, "QUYẾT ĐỊNH:"]
        positions = [texts.index(t) for t in order]
        assert positions == sorted(positions)
        assert any(t.startswith("Theo đề nghị của Giám đốc Sở Nội vụ") for t in texts)
        articles = [t for t in texts if t.startswith("Điều ")]
        assert [a[:7] for a in articles] == ["Điều 1.", "Điều 2.", "Điều 3."]
        assert "2 công chức trúng tuyển (có danh sách kèm theo)" in articles[0]
        assert "bổ nhiệm vào ngạch chuyên viên (mã ngạch 01.003)" in articles[1]
        assert "chịu trách nhiệm thi hành Quyết định này" in articles[2]
        assert "DANH SÁCH CÔNG CHỨC ĐẠT KẾT QUẢ KỲ THI NÂNG NGẠCH LÊN CHUYÊN VIÊN NĂM 2026" in texts

    def test_heading_signature_and_recipients(self, version):
        heading, signature, _table = _document(decision_docx(version)[0]).tables
        left, right = (c.text.split("\n") for c in heading.rows[0].cells)
        assert left == ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP", "", "Số: …/QĐ-UBND"]
        assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
                         "Đồng Tháp, ngày … tháng … năm …"]
        recipients, signs = (c.text.split("\n") for c in signature.rows[0].cells)
        assert recipients[0] == "Nơi nhận:" and recipients[-1] == "- Lưu: VT, SNV."
        assert signs[:2] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and signs[-1] == "Nguyễn Văn Ký"

    def test_the_winners_table(self, version):
        table = _document(decision_docx(version)[0]).tables[2]
        assert [[c.text for c in row.cells] for row in table.rows] == [
            ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Đơn vị", "Số báo danh", "Điểm chuyên môn, nghiệp vụ",
             "Ghi chú"],
            ["1", "Lê Thị Hòa", "01/01/1985", "Nữ", "Sở Nội vụ", "CV0002", "80,0", ""],
            ["2", "Nguyễn Văn Hoan", "01/01/1985", "Nam", "Sở Tài chính", "CV0001", "72,5", ""],
        ]

    def test_times_new_roman_throughout(self, version):
        document = _document(decision_docx(version)[0])
        assert document.styles["Normal"].font.name == TIMES
        runs = [r for p in document.paragraphs for r in p.runs]
        runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
        assert runs and {r.font.name for r in runs} == {TIMES}

    def test_approved_and_published_it_has_number_and_date_and_no_draft_mark(self, exam, version):
        svc.approve(exam=exam, version=version, actor=None)
        svc.publish(exam=exam, version=version, actor=None, decision_number="45/QĐ-UBND",
                    decision_date=dt.date(2027, 3, 15))
        version.refresh_from_db()
        document = _document(decision_docx(version)[0])
        texts = [p.text for p in document.paragraphs]
        assert "DỰ THẢO" not in texts
        left, right = document.tables[0].rows[0].cells
        assert left.text.endswith("Số: 45/QĐ-UBND") and right.text.endswith("Đồng Tháp, ngày 15 tháng 3 năm 2027")

    def test_it_refuses_while_a_tie_is_unresolved(self, profile):
        _exam, version = tied_exam(profile)
        with pytest.raises(TieUnresolved, match="Võ Thanh Bình"):
            decision_docx(version)


# --- The result notice -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_result_notice_has_the_vietnamese_text(version, exam, make_user, tmp_path):
    chair = make_user(full_name="Trương Thị Chủ Tịch")
    CouncilMember.objects.create(exam=exam, user=chair, board="council", position="chair")
    result = CandidateResult.objects.get(version=version, registration__candidate_number="CV0002")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(result_notice_pdf(result))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for expected in ("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "DỰ THẢO",
                     "THÔNG BÁO", "Kết quả kỳ thi nâng ngạch lên chuyên viên năm 2026", "Lê Thị Hòa", "CV0002",
                     "Kiến thức chung 40/60 câu đúng Đạt", "Ngoại ngữ Miễn", "Chuyên môn, nghiệp vụ 80,0 điểm Đạt",
                     "Kết quả: Trúng tuyển", "Đồng Tháp, ngày", "Trương Thị Chủ Tịch"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Serif" in fonts and " yes " in fonts  # an embedded serif font with the Vietnamese glyphs


def _pdf_text(data: bytes, tmp_path) -> str:
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(data)
    return " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


@pytest.mark.django_db
def test_the_notice_of_an_absent_candidate_and_after_publication(exam, version, tmp_path):
    svc.approve(exam=exam, version=version, actor=None)
    svc.publish(exam=exam, version=version, actor=None, decision_number="123", decision_date=dt.date(2027, 1, 9))
    absent = CandidateResult.objects.get(version=version, registration__candidate_number="CV0005")
    text = _pdf_text(result_notice_pdf(absent), tmp_path)
    assert "Kiến thức chung Vắng thi Không đạt" in text and "Kết quả: Không đạt" in text
    assert "Ghi chú: Vắng thi" in text and "DỰ THẢO" not in text
    assert "Quyết định số 123/QĐ-UBND ngày 09 tháng 01 năm 2027" in text
    failed = CandidateResult.objects.get(version=version, registration__candidate_number="CV0004")
    assert "Kiến thức chung 29/60 câu đúng Không đạt" in _pdf_text(result_notice_pdf(failed), tmp_path)


# --- The commands --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
class TestCommands:
    def test_export_annex_writes_the_file_and_ends_with_rows(self, version, exam, tmp_path):
        out = tmp_path / "annex.xlsx"
        code, stdout, _stderr = run_command("export_annex", "--exam", str(exam.pk), "--list", "all", "--out",
                                            str(out))
        assert code == 0 and stdout.strip().splitlines()[-1] == "rows=5"
        assert len(_by_number(_sheet(out.read_bytes()))) == 5
        record = AuditLog.objects.get(action="results.export_annex")
        assert record.details == {"version": 1, "list": "all", "rows": 5, "file": str(out)}

    @pytest.mark.parametrize(("kind", "rows"), [("winners", 2), ("by-unit", 5), ("unit-summary", 3)])
    def test_every_list(self, version, exam, tmp_path, kind, rows):
        out = tmp_path / f"{kind}.xlsx"
        code, stdout, _stderr = run_command("export_annex", "--exam", str(exam.pk), "--list", kind, "--out", str(out))
        assert code == 0 and stdout.strip().splitlines()[-1] == f"rows={rows}" and out.exists()

    def test_it_refuses_before_results_are_computed(self, exam, tmp_path):
        out = tmp_path / "annex.xlsx"
        code, stdout, stderr = run_command("export_annex", "--exam", str(exam.pk), "--list", "all", "--out",
                                           str(out))
        assert code == 1 and stderr.strip() and not stdout and not out.exists()
        code, _stdout, stderr = run_command("export_decision", "--exam", str(exam.pk), "--out", str(out))
        assert code == 1 and stderr.strip() and not out.exists()

    def test_an_unknown_exam_exits_1(self, db, tmp_path):
        code, _stdout, stderr = run_command("export_annex", "--exam", "999", "--list", "all", "--out",
                                            str(tmp_path / "x.xlsx"))
        assert code == 1 and "999" in stderr

    def test_winners_exit_1_naming_the_tied_people(self, profile, tmp_path):
        exam, _version = tied_exam(profile)
        out = tmp_path / "winners.xlsx"
        code, stdout, stderr = run_command("export_annex", "--exam", str(exam.pk), "--list", "winners", "--out",
                                           str(out))
        assert code == 1 and not out.exists() and not stdout
        assert "Võ Thanh Bình (CV0001)" in stderr and "Đặng Quốc An (CV0002)" in stderr
        code, stdout, _stderr = run_command("export_annex", "--exam", str(exam.pk), "--list", "all", "--out",
                                            str(out))
        assert code == 0 and stdout.strip() == "rows=3"

    def test_a_wrong_list_is_wrong_usage(self, db, capsys):
        with pytest.raises(SystemExit) as exited:
            ExportAnnex().run_from_argv(["manage.py", "export_annex", "--exam", "1", "--list", "everyone",
                                         "--out", "x.xlsx"])
        assert exited.value.code == 2
        assert "--list" in capsys.readouterr().err

    def test_export_decision(self, version, exam, tmp_path):
        out = tmp_path / "decision.docx"
        code, stdout, _stderr = run_command("export_decision", "--exam", str(exam.pk), "--out", str(out))
        assert code == 0 and stdout.strip().splitlines()[-1] == "rows=2"
        assert _document(out.read_bytes()).tables[2].rows[1].cells[1].text == "Lê Thị Hòa"
        assert AuditLog.objects.filter(action="results.export_decision").count() == 1

    def test_export_decision_refuses_a_tie(self, profile, tmp_path):
        exam, _version = tied_exam(profile)
        out = Path(tmp_path / "decision.docx")
        code, _stdout, stderr = run_command("export_decision", "--exam", str(exam.pk), "--out", str(out))
        assert code == 1 and "Võ Thanh Bình" in stderr and not out.exists()
