"""The official sheet: what every official workbook of an exam shares (docs/rules.md, "Official conventions").

The preamble (:func:`write_preamble`: the column widths, the letterhead with the authority on the left and the
national title and motto on the right, an optional mark such as DỰ THẢO, the title and the lines under it), the
cell formats (:class:`SheetFormats`, Times New Roman), the table headers, the print setup (A4, fit to width,
header rows repeated, page numbers), Excel-valid sheet names, and the workbook itself (user text always written
as plain strings, never read as a formula or a number). The session lists (``exams.sessions.exports``), the
results annex (``exams.results.exports``) and the statistics workbook (``exams.statistics.exports``) build on it.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

from accounts.models import OrganisationProfile, User

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT = "Times New Roman"
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
PAPER_A4 = 9

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
AUTHORITY_COLUMNS_MAX = 5  # the authority block spans at most this many columns; the motto takes the rest
BIRTH_HEADER = "Ngày sinh"
MALE_HEADER, FEMALE_HEADER = "Nam", "Nữ"

Columns = Sequence[tuple[str, float]]  # (header, width) of each column of a table

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# --- Formats --------------------------------------------------------------------------------------------------

def sheet_format(workbook: xlsxwriter.Workbook, **props: Any):
    """A cell format of an official sheet: Times New Roman 12, vertically centred, then ``props``."""
    return workbook.add_format({"font_name": FONT, "font_size": 12, "valign": "vcenter", **props})


class SheetFormats:
    """The formats every official sheet uses (Times New Roman 12 for the body, 13 for headings)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        def add(**props):
            return sheet_format(workbook, **props)

        self.authority_1 = add(align="center", font_size=13)
        self.authority_2 = add(align="center", font_size=13, bold=True)
        self.national = add(align="center", font_size=13, bold=True)
        self.motto = add(align="center", font_size=13, bold=True, underline=True)
        self.mark = add(align="center", bold=True, font_size=13, font_color="#C00000")
        self.title = add(align="center", font_size=13, bold=True, text_wrap=True)
        self.subtitle = add(align="center")
        self.reference = add(align="center", italic=True)
        self.line = add(text_wrap=False)
        self.header = add(align="center", bold=True, border=1, text_wrap=True)
        self.cell = add(border=1, text_wrap=True)
        self.cell_center = add(border=1, align="center")
        self.sign_title = add(align="center", bold=True)
        self.sign_hint = add(align="center", italic=True)


# --- The workbook ---------------------------------------------------------------------------------------------

def new_workbook() -> tuple[io.BytesIO, xlsxwriter.Workbook, SheetFormats]:
    """An in-memory workbook that writes every string as a string, and its formats."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    return buffer, workbook, SheetFormats(workbook)


def workbook_bytes(buffer: io.BytesIO, workbook: xlsxwriter.Workbook) -> bytes:
    workbook.close()
    return buffer.getvalue()


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel-valid worksheet name: no []:*?/\\, no apostrophe at the ends, at most 31 characters, unique
    (Excel compares names case-insensitively)."""
    base = _INVALID_SHEET_CHARS.sub("_", " ".join((name or "").split())).strip("'").strip() or "Phòng"
    if base.casefold() == "history":  # reserved by Excel
        base = f"{base}_"
    candidate, n = base, 1
    while True:
        while _utf16_len(candidate) > 31:
            candidate = candidate[:-1]
        candidate = candidate.rstrip("'").rstrip() or "Phòng"
        if candidate.casefold() not in used:
            used.add(candidate.casefold())
            return candidate
        n += 1
        suffix = f" ({n})"
        candidate = base
        while _utf16_len(candidate) + _utf16_len(suffix) > 31:
            candidate = candidate[:-1]
        candidate = f"{candidate.rstrip()}{suffix}"


_collector_lock = threading.Lock()
_collector_state = {"users": 0, "was_enabled": True}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large document is built.

    A 10,000-candidate annex allocates a few hundred thousand long-lived objects (rows, cells); the collector
    re-scans them over and over as they accumulate, which measured at 35–40 % of the export's time. Nothing
    built here forms cycles that need collecting before the function returns. The collector is process-wide, so
    concurrent exports (threads of one server) share one pause and the last one out restores it."""
    with _collector_lock:
        if _collector_state["users"] == 0:
            _collector_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _collector_state["users"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_state["users"] -= 1
            if _collector_state["users"] == 0 and _collector_state["was_enabled"]:
                gc.enable()


# --- Cells ----------------------------------------------------------------------------------------------------

def put_text(sheet, row: int, first_col: int, last_col: int, text: str, fmt) -> None:
    """A string across the columns (merged when more than one): always ``write_string``, never a formula."""
    if last_col > first_col:
        sheet.merge_range(row, first_col, row, last_col, "", fmt)
    sheet.write_string(row, first_col, text, fmt)


def put_cell(sheet, row: int, col: int, text: str, fmt) -> None:
    """A data cell: the text as a plain string, or a truly blank (bordered) cell when there is none."""
    if text:
        sheet.write_string(row, col, text, fmt)
    else:
        sheet.write_blank(row, col, None, fmt)


def date_text(day: dt.date | None) -> str:
    """Dates are text dd/mm/yyyy on every official list (never a date cell a locale could reformat)."""
    return f"{day:%d/%m/%Y}" if day else ""


def birth_columns(person: User) -> tuple[str, str, str]:
    """(under Nam, under Nữ, note): the birth date goes under the person's gender; with no gender recorded it
    goes to the note so the list never loses it."""
    born = date_text(person.date_of_birth)
    if person.gender == User.Gender.MALE:
        return born, "", ""
    if person.gender == User.Gender.FEMALE:
        return "", born, ""
    return "", "", f"Ngày sinh {born} (chưa rõ giới tính)" if born else ""


# --- The preamble and the table header ----------------------------------------------------------------------

def set_widths(sheet, columns: Iterable[tuple[str, float]]) -> None:
    for col, (_name, width) in enumerate(columns):
        sheet.set_column(col, col, width)


def write_preamble(sheet, formats: SheetFormats, *, profile: OrganisationProfile, columns: Columns, title: str,
                   lines: Iterable[str] = (), line_format=None, mark: str = "", title_height: float = 22) -> int:
    """The top of an official sheet, above its table: the column widths; the letterhead (the organisation
    profile's two authority lines over the first columns, the national title and motto over the others); a
    blank row; ``mark`` (DỰ THẢO) when given; the title; each of ``lines`` (``formats.subtitle`` unless
    ``line_format``). Returns the row the table starts on, one blank row below the last line."""
    ncols = len(columns)
    last = ncols - 1
    split = max(1, min(ncols // 2, AUTHORITY_COLUMNS_MAX))
    set_widths(sheet, columns)
    put_text(sheet, 0, 0, split - 1, profile.authority_line_1, formats.authority_1)
    put_text(sheet, 0, split, max(split, last), NATIONAL_TITLE, formats.national)
    put_text(sheet, 1, 0, split - 1, profile.authority_line_2, formats.authority_2)
    put_text(sheet, 1, split, max(split, last), NATIONAL_MOTTO, formats.motto)
    row = 3
    if mark:
        put_text(sheet, row, 0, last, mark, formats.mark)
        row += 1
    put_text(sheet, row, 0, last, title, formats.title)
    sheet.set_row(row, title_height)
    row += 1
    for line in lines:
        put_text(sheet, row, 0, last, line, line_format or formats.subtitle)
        row += 1
    return row + 1


def header_row(sheet, row: int, columns: Columns, fmt) -> None:
    """A one-row table header."""
    for col, (name, _width) in enumerate(columns):
        sheet.write_string(row, col, name, fmt)
    sheet.set_row(row, 32)


def birth_header(sheet, row: int, columns: Columns, fmt, *, heights: tuple[float, float]) -> tuple[int, int]:
    """A two-row table header: every column merged over both rows except Nam and Nữ, under a Ngày sinh that
    spans them. Returns (top, bottom)."""
    top, bottom = row, row + 1
    for col, (name, _width) in enumerate(columns):
        if name in (MALE_HEADER, FEMALE_HEADER):
            sheet.write_string(bottom, col, name, fmt)
            continue
        sheet.merge_range(top, col, bottom, col, "", fmt)
        sheet.write_string(top, col, name, fmt)
    birth = [name for name, _width in columns].index(MALE_HEADER)
    sheet.merge_range(top, birth, top, birth + 1, "", fmt)
    sheet.write_string(top, birth, BIRTH_HEADER, fmt)
    sheet.set_row(top, heights[0])
    sheet.set_row(bottom, heights[1])
    return top, bottom


def print_setup(sheet, *, landscape: bool, repeat: tuple[int, int] | None) -> None:
    """A4, fitted to the page width, centred, "Trang n/N" at the foot, the table header repeated on each page."""
    sheet.set_paper(PAPER_A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&CTrang &P/&N")
    if repeat is not None:
        sheet.repeat_rows(*repeat)
