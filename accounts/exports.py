"""Spreadsheets accounts hands out: the people import template, and the pieces every import template shares."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from accounts.imports import (
    COL_CCCD,
    COL_DOB,
    COL_PHONE,
    COL_RANK,
    COL_RANK_SINCE,
    COL_SERVICE_START,
    PEOPLE_COLUMNS,
)

DATE_COLUMNS = {COL_DOB, COL_RANK_SINCE, COL_SERVICE_START}
TEXT_COLUMNS = {COL_CCCD, COL_PHONE, COL_RANK}
TEMPLATE_HEADER = {"bold": True, "bg_color": "#DDEBF7", "border": 1}  # the header row of every import template
HELP_SHEET = "Hướng dẫn"


def template_sheet(workbook: xlsxwriter.Workbook, *, name: str, columns: Sequence[tuple[str, float, Any]],
                   header: Any):
    """The sheet an import reads back: the exact header on row 1 (kept in view), then each column's width and the
    cell format that keeps what is typed there as the import reads it (text, date)."""
    sheet = workbook.add_worksheet(name)
    for col, (title, width, fmt) in enumerate(columns):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width, fmt)
    sheet.freeze_panes(1, 0)
    return sheet


def help_sheet(workbook: xlsxwriter.Workbook, lines: Iterable[str], *, width: int) -> None:
    """The template's second sheet: how to fill it in, one line a row."""
    sheet = workbook.add_worksheet(HELP_SHEET)
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, str(line))
    sheet.set_column(0, 0, width)


def people_template_xlsx() -> bytes:
    """An empty import sheet: the exact header, CCCD/phone/rank columns formatted as text, and a help sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format({**TEMPLATE_HEADER, "text_wrap": True, "font_name": "Times New Roman"})
    as_text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman"})
    as_date = workbook.add_format({"num_format": "dd/mm/yyyy", "font_name": "Times New Roman"})
    plain = workbook.add_format({"font_name": "Times New Roman"})
    template_sheet(workbook, name="Danh sách", header=header, columns=[
        (name, 28 if name in {"Họ và tên", "Đơn vị", "Chức vụ", "Email"} else 16,
         as_text if name in TEXT_COLUMNS else as_date if name in DATE_COLUMNS else plain) for name in PEOPLE_COLUMNS])
    help_sheet(workbook, [
        _("One person per row, from row 2. Required: full name, date of birth, gender, CCCD."),
        _("Dates: dd/mm/yyyy (or a date cell)."),
        _("CCCD: exactly 12 digits, in a text cell (the column is already formatted as text)."),
        _("Gender: Nam or Nữ. Ethnic group: one of the 54 official names."),
        _("Unit: a unit code, or a path such as “Phòng Nội vụ / UBND huyện Cao Lãnh”, or a unique unit name."),
        _("Rank code: 01.001 to 01.005."),
    ], width=110)
    workbook.close()
    return buffer.getvalue()
