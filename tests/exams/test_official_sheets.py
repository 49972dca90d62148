"""The official sheet (accounts.official_sheets): the preamble, the table headers and the print setup every official
list shares, read back from a real workbook."""

import io
from types import SimpleNamespace

import openpyxl

from accounts.official_sheets import (
    NATIONAL_MOTTO,
    NATIONAL_TITLE,
    birth_header,
    header_row,
    new_workbook,
    print_setup,
    workbook_bytes,
    write_preamble,
)

PROFILE = SimpleNamespace(authority_line_1="UBND TỈNH ĐỒNG THÁP", authority_line_2="SỞ NỘI VỤ")
COLUMNS = [("STT", 6), ("Họ và tên", 24), ("Nam", 11), ("Nữ", 11), ("Đơn vị", 30), ("Ghi chú", 20)]


def _sheet(build) -> openpyxl.worksheet.worksheet.Worksheet:
    buffer, workbook, formats = new_workbook()
    sheet = workbook.add_worksheet("Danh sách")
    build(sheet, formats)
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(buffer, workbook))).worksheets[0]


def _merges(sheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def test_the_preamble_writes_the_letterhead_title_and_lines_and_says_where_the_table_starts():
    starts = []

    def build(sheet, f):
        starts.append(write_preamble(sheet, f, profile=PROFILE, columns=COLUMNS, title="DANH SÁCH THÍ SINH",
                                     lines=["Kỳ thi: Nâng ngạch 2026", "Phòng thi: P1"]))

    sheet = _sheet(build)
    assert [sheet[c].value for c in ("A1", "D1", "A2", "D2")] == [
        "UBND TỈNH ĐỒNG THÁP", NATIONAL_TITLE, "SỞ NỘI VỤ", NATIONAL_MOTTO]
    assert [sheet[c].value for c in ("A4", "A5", "A6")] == ["DANH SÁCH THÍ SINH", "Kỳ thi: Nâng ngạch 2026",
                                                            "Phòng thi: P1"]
    assert starts == [7]  # row 8 in Excel: one blank row under the last line
    assert {"A1:C1", "D1:F1", "A2:C2", "D2:F2", "A4:F4", "A5:F5", "A6:F6"} <= _merges(sheet)
    assert round(sheet.column_dimensions["B"].width) == 25 and round(sheet.column_dimensions["E"].width) == 31
    assert sheet["A1"].font.name == sheet["A4"].font.name == "Times New Roman"
    assert sheet["D2"].font.underline and sheet["A4"].font.b and round(sheet.row_dimensions[4].height) == 22


def test_the_authority_block_spans_at_most_five_columns_and_a_mark_goes_above_the_title():
    wide = [(f"Cột {n}", 10) for n in range(14)]

    def build(sheet, f):
        assert write_preamble(sheet, f, profile=PROFILE, columns=wide, title="KẾT QUẢ", mark="DỰ THẢO",
                              lines=["(Kèm theo Quyết định số …)"], line_format=f.reference, title_height=36) == 7

    sheet = _sheet(build)
    assert {"A1:E1", "F1:N1"} <= _merges(sheet)
    assert [sheet[c].value for c in ("A4", "A5", "A6")] == ["DỰ THẢO", "KẾT QUẢ", "(Kèm theo Quyết định số …)"]
    assert sheet["A4"].font.color.rgb.endswith("C00000") and sheet["A6"].font.i
    assert round(sheet.row_dimensions[5].height) == 36


def test_the_table_headers_and_the_print_setup():
    def build(sheet, f):
        assert birth_header(sheet, 7, COLUMNS, f.header, heights=(24, 30)) == (7, 8)
        header_row(sheet, 12, COLUMNS, f.header)
        print_setup(sheet, landscape=True, repeat=(7, 8))

    sheet = _sheet(build)
    assert [sheet.cell(8, c).value for c in range(1, 7)] == ["STT", "Họ và tên", "Ngày sinh", None, "Đơn vị",
                                                             "Ghi chú"]
    assert [sheet.cell(9, c).value for c in (3, 4)] == ["Nam", "Nữ"]
    assert {"A8:A9", "B8:B9", "C8:D8", "E8:E9", "F8:F9"} == _merges(sheet)
    assert [sheet.cell(13, c).value for c in range(1, 7)] == [name for name, _width in COLUMNS]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$8:$9" and sheet.sheet_properties.pageSetUpPr.fitToPage
