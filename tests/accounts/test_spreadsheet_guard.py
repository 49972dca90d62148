"""Every uploaded workbook goes through one guarded reader (accounts/spreadsheets.py): the zip is checked before
anything parses it, then a child process with memory and time limits parses it, a few at a time."""

import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts import spreadsheets
from accounts.imports import PEOPLE_COLUMNS
from accounts.models import AuditLog, OrgUnit, User
from accounts.roles import Role
from accounts.spreadsheets import parse_slot, read_rows, read_xlsx
from accounts.workbook_child import decode_cell, encode_cell
from accounts.workbook_guard import LimitExceeded, check_archive
from exams.banks.importing.excel import QUESTION_COLUMNS
from exams.models import Bank, Question
from tests.exams.results_helpers import run_command
from tests.helpers import person_row, xlsx_bytes

MB = 1024 * 1024
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_OPEN = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

SIZE_MESSAGE = "Tệp: tệp Excel khi giải nén lớn hơn 64 MB, mức tối đa cho một lần nhập; hãy chia thành các tệp nhỏ hơn."
TOO_SLOW = "việc đọc tệp mất nhiều thời gian hơn mức cho phép"
TOO_LARGE = "việc đọc tệp cần nhiều bộ nhớ hơn mức cho phép"


def repack(data: bytes, *, edit: dict[str, Callable[[bytes], bytes]] | None = None,
           add: Callable[[zipfile.ZipFile], None] | None = None) -> bytes:
    """The workbook ``data`` with some parts rewritten by ``edit`` and others written by ``add``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, (edit or {}).get(name, lambda part: part)(source.read(name)))
        if add:
            add(target)
    return buffer.getvalue()


def with_shared_strings(data: bytes, pieces: Iterable[bytes] = (b"A",), *, attributes: bytes = b"") -> bytes:
    """``data`` (openpyxl writes inline strings) plus a shared-string table that openpyxl reads in full when it opens
    the book, though no cell uses it: one ``<si>`` whose text is ``pieces`` written one after the other, compressed."""

    def add(target: zipfile.ZipFile) -> None:
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(SST_OPEN + attributes + b"><si><t>")
            for piece in pieces:
                part.write(piece)
            part.write(b"</t></si></sst>")

    return repack(data, add=add, edit={"[Content_Types].xml": lambda xml: xml.replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>'.encode())})


def megabytes_of(text: bytes, mb: int) -> Iterable[bytes]:
    piece = text * (MB // len(text))
    return (piece for _ in range(mb))


def bomb(columns: list[str] | None = None) -> bytes:
    """A valid import file whose shared strings unpack to 100 MB of one character (about 100 KB)."""
    data = xlsx_bytes([], columns=columns) if columns else xlsx_bytes([person_row(1)])
    return with_shared_strings(data, megabytes_of(b"A", 100))


def with_dimension(data: bytes, ref: str) -> bytes:
    return repack(data, edit={"xl/worksheets/sheet1.xml": lambda xml: re.sub(
        rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)})


def without_dimension(data: bytes, *, extra: bytes = b"") -> bytes:
    """The sheet with no <dimension>, and ``extra`` XML appended to its data (rows, cells)."""
    return repack(data, edit={"xl/worksheets/sheet1.xml": lambda xml: re.sub(
        rb'<dimension ref="[^"]*"/>', b"", xml).replace(b"</sheetData>", extra + b"</sheetData>")})


def people_problems(data: bytes) -> list[str]:
    _sheet, problems = read_rows(data, required_columns=PEOPLE_COLUMNS)
    return [str(problem) for problem in problems]




def table_counts() -> dict[str, int]:
    return {"people": User.objects.count(), "units": OrgUnit.objects.count(), "audit": AuditLog.objects.count(),
            "banks": Bank.objects.count(), "questions": Question.objects.count()}


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if the workbook reaches the parsing child: the pre-checks alone must refuse it."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(spreadsheets, "_parse_in_child", refuse)


@pytest.mark.django_db
class TestTheBomb:
    def test_hr_uploading_it_is_refused_before_parsing_and_a_normal_file_still_imports(self, client, hr_user,
                                                                                       monkeypatch):
        client.force_login(hr_user)
        started = []
        real = spreadsheets._parse_in_child
        monkeypatch.setattr(spreadsheets, "_parse_in_child", lambda *a, **k: started.append(1) or real(*a, **k))
        before = table_counts()
        upload = io.BytesIO(bomb())
        upload.name = "nhan-su.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": upload})
        assert response.status_code == 200
        assert [str(p) for p in response.context["result"].problems] == [SIZE_MESSAGE]
        assert SIZE_MESSAGE in response.content.decode()
        assert "token" not in response.context and started == []
        assert table_counts() == before

        upload = io.BytesIO(xlsx_bytes([person_row(1)]))
        upload.name = "nhan-su.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": upload})
        assert response.context["result"].created == 1 and started == [1]
        client.post(reverse("people_import"), {"action": "confirm", "token": response.context["token"]})
        assert User.objects.filter(cccd="087185000001").exists()

    def test_the_people_command_exits_1_with_a_file_problem_and_writes_nothing(self, tmp_path, no_parsing):
        path = tmp_path / "bomb.xlsx"
        path.write_bytes(bomb())
        before = table_counts()
        code, out, err = run_command("import_people", str(path))
        assert (code, out, err.strip()) == (1, "", SIZE_MESSAGE)
        assert table_counts() == before

    def test_the_questions_command_exits_1_with_a_file_problem_and_writes_nothing(self, tmp_path, make_user,
                                                                                  no_parsing):
        make_user(Role.QUESTION_AUTHOR, username="author")
        path = tmp_path / "bomb.xlsx"
        path.write_bytes(bomb(QUESTION_COLUMNS))
        before = table_counts()
        code, out, err = run_command("import_questions", str(path), "--bank", "Ngân hàng", "--as", "author")
        assert (code, out, err.strip()) == (1, "", SIZE_MESSAGE)
        assert table_counts() == before


@pytest.mark.django_db
class TestPreChecks:
    """Each check refuses before the child is started (``no_parsing``), with its own message."""

    def test_the_total_unpacked_size(self, settings, no_parsing):
        settings.MAX_IMPORT_UNCOMPRESSED_BYTES = 1 * MB
        # Text that hardly compresses (hex digits of random bytes): the ratio stays low, only the size is over.
        data = with_shared_strings(xlsx_bytes([person_row(1)]), [random.Random(1).randbytes(MB).hex().encode()])
        assert people_problems(data) == ["Tệp: tệp Excel khi giải nén lớn hơn 1 MB, mức tối đa cho một lần nhập; "
                                         "hãy chia thành các tệp nhỏ hơn."]

    def test_the_compression_ratio(self, no_parsing):
        data = with_shared_strings(xlsx_bytes([person_row(1)]), megabytes_of(b"A", 2))  # ~1,000×, 2 MB
        assert people_problems(data) == ["Tệp: tệp bị nén cao bất thường so với một tệp Excel thật (hơn 200 lần) nên "
                                         "không được mở; hãy mở tệp bằng Excel rồi lưu lại."]

    def test_the_shared_string_count(self, no_parsing):
        data = with_shared_strings(xlsx_bytes([person_row(1)]), attributes=b' count="2000000" uniqueCount="2"')
        assert people_problems(data) == ["Tệp: tệp Excel chứa hơn 1.000.000 giá trị văn bản, mức tối đa cho một lần "
                                         "nhập; hãy chia thành các tệp nhỏ hơn."]

    def test_the_unique_shared_string_count(self, settings, no_parsing):
        settings.MAX_IMPORT_SHARED_STRINGS = 10
        data = with_shared_strings(xlsx_bytes([person_row(1)]), attributes=b' uniqueCount="11"')
        assert people_problems(data)[0].startswith("Tệp: tệp Excel chứa hơn 10 giá trị văn bản")

    def test_the_rows_the_dimension_declares(self, no_parsing):
        data = with_dimension(xlsx_bytes([person_row(1)]), "A1:L50001")
        assert people_problems(data) == ["Tệp: trang tính có hơn 50.000 dòng, mức tối đa cho một lần nhập; hãy chia "
                                         "thành các tệp nhỏ hơn."]

    def test_the_columns_the_dimension_declares(self, no_parsing):
        data = with_dimension(xlsx_bytes([person_row(1)]), "A1:CW2")  # column 101
        assert people_problems(data) == ["Tệp: trang tính có hơn 100 cột, mức tối đa cho một lần nhập; hãy xóa các cột "
                                         "không dùng đến."]

    def test_a_sheet_found_through_a_relative_relationship(self, no_parsing):
        """Excel and xlsxwriter name the sheet relative to the workbook part (openpyxl writes an absolute path)."""
        data = repack(with_dimension(xlsx_bytes([person_row(1)]), "A1:L50001"), edit={
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b'Target="/xl/worksheets/sheet1.xml"',
                                                                  b'Target="worksheets/sheet1.xml"')})
        assert "hơn 50.000 dòng" in people_problems(data)[0]

    def test_each_limit_is_named_by_the_archive_check(self, settings):
        from accounts.spreadsheets import workbook_limits

        limits = workbook_limits()
        normal = xlsx_bytes([person_row(1)])
        check_archive(normal, limits=limits)  # a normal file passes
        for data, kind in [
            (with_dimension(normal, "A1:L50001"), "rows"),
            (with_dimension(normal, "B2:CW3"), "columns"),
            (with_shared_strings(normal, megabytes_of(b"A", 2)), "compression_ratio"),
            (with_shared_strings(normal, attributes=b' count="1000001"'), "shared_strings"),
        ]:
            with pytest.raises(LimitExceeded) as refused:
                check_archive(data, limits=limits)
            assert refused.value.kind == kind


@pytest.mark.django_db
class TestWhileParsing:
    """A sheet without a <dimension> (or with a false one) is held to the same caps as the child reads it."""

    def test_rows_past_the_limit_are_refused(self, settings):
        settings.MAX_IMPORT_ROWS = 100
        data = without_dimension(xlsx_bytes([person_row(1)]), extra=b'<row r="101"><c r="A101" t="inlineStr">'
                                                                   b"<is><t>x</t></is></c></row>")
        assert people_problems(data) == ["Tệp: trang tính có hơn 100 dòng, mức tối đa cho một lần nhập; hãy chia "
                                         "thành các tệp nhỏ hơn."]
        settings.MAX_IMPORT_ROWS = 101  # the same file, within the limit: read to the end
        sheet, problems = read_rows(data, required_columns=PEOPLE_COLUMNS)
        assert problems == [] and [number for number, _values in sheet.rows] == [2, 101]

    def test_a_cell_past_the_column_limit_is_refused(self):
        data = without_dimension(xlsx_bytes([person_row(1)]), extra=b'<row r="3"><c r="CW3" t="inlineStr">'
                                                                   b"<is><t>x</t></is></c></row>")
        assert people_problems(data) == ["Tệp: trang tính có hơn 100 cột, mức tối đa cho một lần nhập; hãy xóa các cột "
                                         "không dùng đến."]

    def test_a_header_past_the_column_limit_is_refused(self, settings):
        settings.MAX_IMPORT_COLUMNS = 11  # the people sheet has 12; no data row, so only the header can say so
        assert "hơn 11 cột" in people_problems(without_dimension(xlsx_bytes([])))[0]


@pytest.mark.django_db
class TestTheChild:
    def test_a_parse_over_the_memory_limit_is_refused_cleanly(self, settings):
        # The pre-checks let it through; the child's own address-space limit stops it.
        settings.MAX_IMPORT_UNCOMPRESSED_BYTES = 1024 * MB
        settings.MAX_IMPORT_COMPRESSION_RATIO = 10_000
        settings.IMPORT_PARSE_MEMORY_BYTES = 160 * MB
        data = with_shared_strings(xlsx_bytes([person_row(1)]), megabytes_of(b"A", 200))
        problems = people_problems(data)
        assert len(problems) == 1 and problems[0].startswith("Tệp: " + TOO_LARGE)

    def test_a_parse_over_the_cpu_limit_is_refused_cleanly(self, settings):
        settings.MAX_IMPORT_UNCOMPRESSED_BYTES = 1024 * MB
        settings.MAX_IMPORT_COMPRESSION_RATIO = 10_000
        settings.IMPORT_PARSE_CPU_SECONDS = 1
        # A million one-letter strings: each costs the parser a little time (seconds of CPU in all).
        data = with_shared_strings(xlsx_bytes([person_row(1)]), megabytes_of(b"A</t></si><si><t>", 20))
        problems = people_problems(data)
        assert len(problems) == 1 and problems[0].startswith("Tệp: " + TOO_SLOW)

    def test_an_answer_larger_than_the_unpacked_limit_is_refused_cleanly(self, settings):
        settings.MAX_IMPORT_UNCOMPRESSED_BYTES = 1 * MB
        # Thirty cells repeat one 100 KB shared string: a small file, a 3 MB answer.
        rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(3, 33))
        data = with_shared_strings(without_dimension(xlsx_bytes([person_row(1)]), extra=rows),
                                   [random.Random(1).randbytes(50_000).hex().encode()])
        problems = people_problems(data)
        assert len(problems) == 1 and problems[0].startswith("Tệp: " + TOO_LARGE)

    def test_a_child_past_the_wall_clock_limit_is_killed(self, settings):
        settings.IMPORT_PARSE_TIMEOUT_SECONDS = 0.001  # less than any Python start-up
        problems = people_problems(xlsx_bytes([person_row(1)]))
        assert len(problems) == 1 and problems[0].startswith("Tệp: " + TOO_SLOW)

    def test_a_broken_part_is_reported_as_unreadable(self):
        data = repack(xlsx_bytes([person_row(1)]), edit={"xl/worksheets/sheet1.xml": lambda xml: xml[:200]})
        problems = people_problems(data)  # the parser's error by name (it used to escape as a server error)
        assert len(problems) == 1 and re.fullmatch(r"Tệp: không đọc được tệp Excel \(\w*Error\)\.", problems[0])

    @pytest.mark.parametrize("broken", [
        lambda data: repack(data, edit={"xl/worksheets/sheet1.xml": lambda xml: xml[:200]}),
        lambda data: repack(data, edit={"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"<t>", b"<t>\x00", 1)}),
        # a cell naming shared string 99 of a table of one
        lambda data: repack(with_shared_strings(data), edit={"xl/worksheets/sheet1.xml": lambda xml: re.sub(
            rb'<c r="A2" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="A2" t="s"><v>99</v></c>', xml)}),
    ], ids=["truncated-sheet", "nul-byte", "shared-string-out-of-range"])
    def test_malformed_xml_is_a_file_problem_on_the_import_page_too(self, client, hr_user, broken):
        data = broken(xlsx_bytes([person_row(1)]))
        assert [p for p in people_problems(data) if p.startswith("Tệp: không đọc được tệp Excel")]
        client.force_login(hr_user)
        upload = io.BytesIO(data)
        upload.name = "nhan-su.xlsx"
        response = client.post(reverse("people_import"), {"action": "check", "file": upload})
        assert response.status_code == 200 and "không đọc được tệp Excel" in response.content.decode()
        assert User.objects.filter(cccd__startswith="0871850").count() == 0

    def test_cells_keep_the_types_openpyxl_gives(self):
        workbook = Workbook()
        sheet = workbook.active
        columns = ["Ngày", "Giờ", "Thời lượng", "Chữ như ngày", "Số nguyên", "Số thực", "Đúng sai", "Trống", "Chữ số"]
        sheet.append(columns)
        sheet.append([dt.datetime(1985, 3, 15), dt.time(8, 30), dt.timedelta(hours=26, minutes=5), "15/03/1985",
                      87185000004, 2.5, True, None, "087185000004"])
        sheet.append([dt.datetime(2024, 2, 29, 13, 45, 10), None, None, "", 0, -0.1, False, None, "1.0"])
        sheet["C2"].number_format = "[h]:mm:ss"
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()

        expected = list(load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
                        .iter_rows(min_row=2, values_only=True))
        rows = read_xlsx(data, required_columns=columns).rows
        assert [number for number, _values in rows] == [2, 3]
        got = [tuple(values[c] for c in columns) for _number, values in rows]
        assert got == expected
        assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in expected]
        assert [type(v) for v in got[0]] == [dt.datetime, dt.time, dt.timedelta, str, int, float, bool, type(None), str]

    def test_the_tagged_json_round_trips_every_cell_type(self):
        import json

        values = [dt.datetime(2024, 2, 29, 13, 45, 10, 5), dt.date(1985, 3, 15), dt.time(8, 30, 1),
                  dt.timedelta(days=-1, seconds=5, microseconds=7), "15/03/1985", "$", 1, 1.0, True, None]
        back = json.loads(json.dumps(values, default=encode_cell), object_hook=decode_cell)
        assert back == values and [type(v) for v in back] == [type(v) for v in values]


@pytest.mark.django_db
class TestParseSlots:
    def test_an_upload_that_finds_every_slot_taken_is_asked_to_try_again_and_nothing_is_written(
            self, client, hr_user, settings):
        settings.HTTP_SYNC_LANES = 2  # one slot: the other lane stays free for exam-day requests
        settings.IMPORT_PARSE_SLOT_WAIT_SECONDS = 0
        client.force_login(hr_user)
        upload = io.BytesIO(xlsx_bytes([person_row(1)]))
        upload.name = "nhan-su.xlsx"
        with parse_slot():  # another lane is parsing
            response = client.post(reverse("people_import"), {"action": "check", "file": upload})
        assert [str(p) for p in response.context["result"].problems] == [
            "Tệp: máy chủ đang đọc các tệp khác; vui lòng thử lại sau giây lát."]
        assert "token" not in response.context and User.objects.count() == 1

    @pytest.mark.parametrize(("lanes", "slots"), [(1, 1), (2, 1), (4, 3)])
    def test_the_slots_leave_one_lane_free_but_never_fewer_than_one(self, settings, lanes, slots):
        settings.HTTP_SYNC_LANES = lanes
        settings.IMPORT_PARSE_SLOT_WAIT_SECONDS = 0
        held = []
        try:
            for _ in range(slots):
                held.append(parse_slot())
                held[-1].__enter__()
            assert people_problems(xlsx_bytes([person_row(1)]))[0].endswith("vui lòng thử lại sau giây lát.")
        finally:
            for slot in held:
                slot.__exit__(None, None, None)
        assert people_problems(xlsx_bytes([person_row(1)])) == []
