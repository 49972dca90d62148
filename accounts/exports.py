"""Spreadsheets accounts hands out: the people import template."""

from __future__ import annotations

import io

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


def people_template_xlsx() -> bytes:
    """An empty import sheet: the exact header, CCCD/phone/rank columns formatted as text, and a help sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "font_name": "Times New Roman"})
    as_text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman"})
    as_date = workbook.add_format({"num_format": "dd/mm/yyyy", "font_name": "Times New Roman"})
    plain = workbook.add_format({"font_name": "Times New Roman"})
    sheet = workbook.add_worksheet("Danh sách")
    for col, name in enumerate(PEOPLE_COLUMNS):
        sheet.write_string(0, col, name, header)
        fmt = as_text if name in TEXT_COLUMNS else as_date if name in DATE_COLUMNS else plain
        sheet.set_column(col, col, 28 if name in {"Họ và tên", "Đơn vị", "Chức vụ", "Email"} else 16, fmt)
    sheet.freeze_panes(1, 0)
    help_sheet = workbook.add_worksheet("Hướng dẫn")
    lines = [
        _("One person per row, from row 2. Required: full name, date of birth, gender, CCCD."),
        _("Dates: dd/mm/yyyy (or a date cell)."),
        _("CCCD: exactly 12 digits, in a text cell (the column is already formatted as text)."),
        _("Gender: Nam or Nữ. Ethnic group: one of the 54 official names."),
        _("Unit: a unit code, or a path such as “Phòng Nội vụ / UBND huyện Cao Lãnh”, or a unique unit name."),
        _("Rank code: 01.001 to 01.005."),
    ]
    for row, line in enumerate(lines):
        help_sheet.write_string(row, 0, str(line))
    help_sheet.set_column(0, 0, 110)
    workbook.close()
    return buffer.getvalue()
