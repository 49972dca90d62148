"""The spreadsheets of an exam session: call-in list, list by candidate number, exemptions, login slips."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganisationProfile, Rank
from accounts.official_sheets import sheet_name
from exams.models import Registration, Room, Sitting
from exams.sessions.exports import (
    call_in_list_xlsx,
    candidates_by_number_xlsx,
    exemptions_xlsx,
    login_slips_xlsx,
    sittings_text,
)
from exams.sessions.services import exam_create

UTC = dt.UTC
EVIL_NAME = '=HYPERLINK("http://x.example","Bấm vào")'


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _texts(sheet) -> list[str]:
    return [value for row in _values(sheet) for value in row if isinstance(value, str)]


def _header_index(sheet) -> int:
    """0-based index of the table header row (the one starting with STT)."""
    return next(i for i, row in enumerate(_values(sheet)) if row[0] == "STT")


def _table(sheet, *, header_rows: int = 1) -> list[tuple]:
    """The data rows: after the header, while the first cell is a row number."""
    rows = _values(sheet)[_header_index(sheet) + header_rows:]
    table = []
    for row in rows:
        if not isinstance(row[0], int | float):
            break
        table.append(row)
    return table


def _find(sheet, value):
    return next(cell for row in sheet.iter_rows() for cell in row if cell.value == value)


@pytest.fixture
def exam(db):
    return exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi nâng ngạch chuyên viên năm 2026",
                       actor=None)


@pytest.fixture
def rooms(exam):
    return (Room.objects.create(exam=exam, name="Phòng 1", location="Tầng 2, Trung tâm Hội nghị", capacity=30),
            Room.objects.create(exam=exam, name="Phòng 2", location="", capacity=30))


@pytest.fixture
def sittings(exam):
    ktc, nn = exam.subjects.get(code="KTC"), exam.subjects.get(code="NN")

    def at(hour, minute=0):
        return dt.datetime(2026, 3, 10, hour, minute, tzinfo=UTC)

    return (Sitting.objects.create(subject=ktc, opens_at=at(1, 0), starts_at=at(1, 30), ends_at=at(2, 30)),
            Sitting.objects.create(subject=nn, opens_at=at(2, 45), starts_at=at(3, 0), ends_at=at(3, 30)))


@pytest.fixture
def register(exam, make_user):
    counter = {"n": 0}

    def make(number: str, *, room=None, full_name=None, gender="Nam", born=dt.date(1985, 2, 5), **fields):
        counter["n"] += 1
        n = counter["n"]
        person = make_user(full_name=full_name or f"Nguyễn Văn Thí Sinh {n}", date_of_birth=born, gender=gender,
                           cccd=f"0871850{n:05d}")
        return Registration.objects.create(
            exam=exam, person=person, candidate_number=number, room=room, exam_password=f"pw{n:04d}xyz",
            unit_text=fields.pop("unit_text", f"Phòng Nội vụ huyện {n}"), position_text=fields.pop("position_text",
                                                                                                   "Chuyên viên"),
            rank_text=fields.pop("rank_text", "Cán sự"), rank=fields.pop("rank", Rank.objects.get(code="01.004")),
            **fields)

    return make


@pytest.fixture
def registrations(register, rooms, sittings):
    room1, room2 = rooms
    # created out of order on purpose: the exports sort by candidate number
    return {
        "CV0003": register("CV0003", room=room2, full_name="Trần Văn Bình", exempt_it="TH_BANG"),
        "CV0001": register("CV0001", room=room1, full_name="Lê Thị Hoa", gender="Nữ",
                           exempt_foreign_language="NN_HUU", unit_text="Sở Y tế"),
        "CV0010": register("CV0010", room=room1, full_name="Phạm Văn Khang"),
        "CV0002": register("CV0002", room=room1, full_name=EVIL_NAME, unit_text="=1+2",
                           exempt_foreign_language="NN_HUU", exempt_it="TH_BANG"),
        "CV0004": register("CV0004", room=None, full_name="Võ Minh Tâm"),
    }


def test_sittings_are_listed_in_local_time_with_subject_code_and_name(exam, sittings):
    assert sittings_text(exam) == [
        "KTC – Kiến thức chung: 08:30 10/03/2026 – 09:30",
        "NN – Ngoại ngữ: 10:00 10/03/2026 – 10:30",
    ]


def test_the_letterhead_comes_from_the_organisation_profile_in_every_list(exam, registrations):
    profile = OrganisationProfile.current()
    profile.authority_line_1 = "ỦY BAN NHÂN DÂN"
    profile.authority_line_2 = "TỈNH ĐỒNG THÁP"
    profile.save()
    for data in (call_in_list_xlsx(exam=exam), candidates_by_number_xlsx(exam=exam), exemptions_xlsx(exam=exam)):
        for sheet in _book(data).worksheets:
            assert sheet["A1"].value == "ỦY BAN NHÂN DÂN"
            assert sheet["A2"].value == "TỈNH ĐỒNG THÁP"
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in _values(sheet)[0]
            assert "Độc lập - Tự do - Hạnh phúc" in _values(sheet)[1]
            assert sheet["A1"].font.name == "Times New Roman"


def test_the_call_in_list_has_one_sheet_per_room_and_one_for_candidates_without_a_room(exam, registrations):
    book = _book(call_in_list_xlsx(exam=exam))
    assert book.sheetnames == ["Phòng 1", "Phòng 2", "Chưa xếp phòng"]
    assert [row[1] for row in _table(book["Phòng 1"])] == ["CV0001", "CV0002", "CV0010"]
    assert [row[1] for row in _table(book["Phòng 2"])] == ["CV0003"]
    assert [row[1] for row in _table(book["Chưa xếp phòng"])] == ["CV0004"]


def test_the_call_in_list_shows_the_title_exam_room_sittings_and_header(exam, registrations):
    sheet = _book(call_in_list_xlsx(exam=exam))["Phòng 1"]
    texts = _texts(sheet)
    assert "DANH SÁCH GỌI THÍ SINH VÀO PHÒNG THI" in texts
    assert "Kỳ thi: Kỳ thi nâng ngạch chuyên viên năm 2026" in texts
    assert "Phòng thi: Phòng 1 — Tầng 2, Trung tâm Hội nghị" in texts
    assert "KTC – Kiến thức chung: 08:30 10/03/2026 – 09:30" in texts
    header = _values(sheet)[_header_index(sheet)]
    assert list(header) == ["STT", "Số báo danh", "Họ và tên", "Ngày sinh", "Số CCCD", "Đơn vị công tác", "Ký tên"]
    assert "Giám thị 1" in texts and "Giám thị 2" in texts
    # header repeated on every printed page, A4 portrait, one page wide
    row = _header_index(sheet) + 1
    assert sheet.print_title_rows == f"${row}:${row}"
    assert sheet.page_setup.paperSize == 9
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight == 0  # 1 is the default


def test_the_call_in_list_carries_the_full_cccd_dates_as_text_and_the_unit_as_registered(exam, registrations):
    sheet = _book(call_in_list_xlsx(exam=exam))["Phòng 1"]
    first = _table(sheet)[0]
    hoa = registrations["CV0001"].person
    assert first[:6] == (1, "CV0001", "Lê Thị Hoa", "05/02/1985", hoa.cccd, "Sở Y tế")
    assert len(hoa.cccd) == 12 and "*" not in first[4]
    cell = _find(sheet, "05/02/1985")
    assert cell.data_type == "s"


def test_the_call_in_list_for_one_room_has_only_that_room(exam, rooms, registrations):
    book = _book(call_in_list_xlsx(exam=exam, room=rooms[1]))
    assert book.sheetnames == ["Phòng 2"]
    assert [row[1] for row in _table(book.active)] == ["CV0003"]
    assert "Phòng thi: Phòng 2" in _texts(book.active)


def test_a_room_of_another_exam_is_refused(exam, registrations):
    other = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi khác", actor=None)
    room = Room.objects.create(exam=other, name="Phòng X", capacity=10)
    with pytest.raises(ValueError):
        call_in_list_xlsx(exam=exam, room=room)
    with pytest.raises(ValueError):
        login_slips_xlsx(exam=exam, room=room)


def test_long_odd_and_duplicate_room_names_make_valid_unique_sheet_names(exam, register, sittings):
    long_name = "Phòng máy tính số 1 - Hội trường lớn tầng ba nhà A"
    a = Room.objects.create(exam=exam, name=long_name, capacity=10)
    b = Room.objects.create(exam=exam, name=long_name + " (bis)", capacity=10)
    c = Room.objects.create(exam=exam, name="P.3/Tầng 1 [cũ]", capacity=10)
    for n, room in enumerate((a, b, c), start=1):
        register(f"CV{n:04d}", room=room)
    names = _book(call_in_list_xlsx(exam=exam)).sheetnames
    assert len(names) == 3 and len({name.casefold() for name in names}) == 3
    assert all(len(name) <= 31 for name in names)
    assert "P.3_Tầng 1 _cũ_" in names
    used: set[str] = set()
    assert [sheet_name("History", used), sheet_name("'Phòng'", used), sheet_name("phòng", used)] == [
        "History_", "Phòng", "phòng (2)"]


def test_the_list_by_number_puts_the_birth_date_under_the_gender_and_has_no_cccd(exam, registrations):
    sheet = _book(candidates_by_number_xlsx(exam=exam)).active
    assert "DANH SÁCH THÍ SINH THEO SỐ BÁO DANH" in _texts(sheet)
    top = _header_index(sheet)
    header, sub = _values(sheet)[top], _values(sheet)[top + 1]
    assert header[:4] == ("STT", "Số báo danh", "Họ và tên", "Ngày sinh")
    assert header[5:] == ("Chức vụ", "Đơn vị công tác", "Ngạch hiện giữ", "Mã ngạch", "Phòng thi", "Ghi chú")
    assert sub[3:5] == ("Nam", "Nữ")
    assert f"D{top + 1}:E{top + 1}" in {str(r) for r in sheet.merged_cells.ranges}
    rows = _table(sheet, header_rows=2)
    assert [row[1] for row in rows] == ["CV0001", "CV0002", "CV0003", "CV0004", "CV0010"]
    hoa = rows[0]
    assert hoa[2] == "Lê Thị Hoa"
    assert hoa[3] is None and hoa[4] == "05/02/1985"  # a woman: under Nữ, Nam blank
    binh = rows[2]
    assert binh[3] == "05/02/1985" and binh[4] is None
    assert hoa[5:10] == ("Chuyên viên", "Sở Y tế", "Cán sự", "01.004", "Phòng 1")
    assert rows[3][9] is None  # no room yet
    every_text = " ".join(_texts(sheet))
    for reg in registrations.values():
        assert reg.person.cccd not in every_text
        assert reg.person.cccd_masked not in every_text
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == f"${top + 1}:${top + 2}"


def test_the_exemptions_list_has_one_row_per_exemption_with_its_reason(exam, registrations):
    sheet = _book(exemptions_xlsx(exam=exam)).active
    assert "DANH SÁCH THÍ SINH ĐƯỢC MIỄN THI" in _texts(sheet)
    header = _values(sheet)[_header_index(sheet)]
    assert list(header) == ["STT", "Số báo danh", "Họ và tên", "Ngày sinh", "Môn được miễn", "Lý do"]
    rows = [row[:6] for row in _table(sheet)]
    assert rows == [
        (1, "CV0001", "Lê Thị Hoa", "05/02/1985", "Ngoại ngữ", "Còn dưới 05 năm công tác đến tuổi nghỉ hưu"),
        (2, "CV0002", EVIL_NAME, "05/02/1985", "Ngoại ngữ", "Còn dưới 05 năm công tác đến tuổi nghỉ hưu"),
        (3, "CV0002", EVIL_NAME, "05/02/1985", "Tin học",
         "Có bằng chuyên ngành công nghệ thông tin từ trung cấp trở lên"),
        (4, "CV0003", "Trần Văn Bình", "05/02/1985", "Tin học",
         "Có bằng chuyên ngành công nghệ thông tin từ trung cấp trở lên"),
    ]


def test_the_login_slips_carry_each_password_and_the_sittings_grouped_by_room(exam, registrations):
    book = _book(login_slips_xlsx(exam=exam))
    assert book.sheetnames == ["Phòng 1", "Phòng 2", "Chưa xếp phòng"]
    sheet = book["Phòng 1"]
    texts = _texts(sheet)
    assert texts.count("PHIẾU ĐĂNG NHẬP PHÒNG THI") == 3
    for number in ("CV0001", "CV0002", "CV0010"):
        assert number in texts
        assert registrations[number].exam_password in texts
    assert registrations["CV0003"].exam_password not in texts
    assert "KTC – Kiến thức chung: 08:30 10/03/2026 – 09:30" in texts
    assert "Phòng 1 — Tầng 2, Trung tâm Hội nghị" in texts
    numbers = [n for n in texts if n.startswith("CV")]
    assert numbers == ["CV0001", "CV0002", "CV0010"]
    assert any(text.startswith("- - -") for text in texts)
    only = _book(login_slips_xlsx(exam=exam, room=registrations["CV0003"].room))
    assert only.sheetnames == ["Phòng 2"]
    assert registrations["CV0003"].exam_password in _texts(only.active)


def test_the_login_slips_break_the_page_every_four_slips(exam, rooms, register, sittings):
    for n in range(1, 10):
        register(f"CV{n:04d}", room=rooms[0])
    sheet = _book(login_slips_xlsx(exam=exam))["Phòng 1"]
    titles = [cell.row for row in sheet.iter_rows() for cell in row if cell.value == "PHIẾU ĐĂNG NHẬP PHÒNG THI"]
    assert len(titles) == 9
    breaks = sorted(brk.id for brk in sheet.row_breaks.brk)
    # the break falls just above the 5th and the 9th slips (Excel counts the break after row ``id``)
    assert breaks == [titles[4] - 1, titles[8] - 1]


def test_a_name_starting_with_equals_stays_a_string_cell_in_every_export(exam, registrations):
    exports = [call_in_list_xlsx(exam=exam), candidates_by_number_xlsx(exam=exam), exemptions_xlsx(exam=exam),
               login_slips_xlsx(exam=exam)]
    for data in exports:
        cells = [cell for sheet in _book(data).worksheets for row in sheet.iter_rows() for cell in row
                 if cell.value == EVIL_NAME]
        assert cells, "the name is in the export"
        assert all(cell.data_type == "s" for cell in cells)
    unit_cells = [cell for row in _book(exports[0])["Phòng 1"].iter_rows() for cell in row if cell.value == "=1+2"]
    assert unit_cells and unit_cells[0].data_type == "s"


def test_each_export_costs_the_same_number_of_queries_for_3_and_30_registrations(exam, rooms, register, sittings):
    OrganisationProfile.current()
    exports = [
        lambda: call_in_list_xlsx(exam=exam),
        lambda: call_in_list_xlsx(exam=exam, room=rooms[0]),
        lambda: candidates_by_number_xlsx(exam=exam),
        lambda: exemptions_xlsx(exam=exam),
        lambda: login_slips_xlsx(exam=exam),
        lambda: login_slips_xlsx(exam=exam, room=rooms[0]),
    ]

    def counts():
        result = []
        for export in exports:
            with CaptureQueriesContext(connection) as context:
                export()
            result.append(len(context.captured_queries))
        return result

    def add(start, stop):
        for n in range(start, stop):
            register(f"CV{n:04d}", room=rooms[n % 2] if n % 5 else None, exempt_foreign_language="NN_HUU")

    add(1, 4)
    few = counts()
    add(4, 31)
    assert Registration.objects.filter(exam=exam).count() == 30
    assert counts() == few
