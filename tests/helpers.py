"""Small builders shared by the test suites."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from accounts.imports import PEOPLE_COLUMNS
from exams.examday import devicepass


def xlsx_bytes(rows: list[dict[str, Any]], *, columns: list[str] = PEOPLE_COLUMNS) -> bytes:
    """A workbook whose first sheet has ``columns`` as header and one row per dict (missing keys empty).

    Values keep their Python type: a ``date`` becomes a real date cell, an ``int`` a number cell,
    a ``str`` a text cell, exactly as a person typing in Excel would produce.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person_row(n: int, **overrides: Any) -> dict[str, Any]:
    """A valid people-import row; ``n`` makes the CCCD and name unique."""
    row = {
        "Họ và tên": f"Trần Thị Mẫu {chr(65 + n % 26)}",
        "Ngày sinh": "15/03/1985",
        "Giới tính": "Nữ",
        "Dân tộc": "Kinh",
        "Số CCCD": f"0871850{n:05d}",
        "Số điện thoại": "0912345678",
        "Email": f"mau{n}@example.org",
        "Đơn vị": "",
        "Chức vụ": "Chuyên viên",
        "Mã ngạch": "01.003",
        "Ngày vào ngạch": "01/07/2012",
        "Ngày bắt đầu công tác": "01/07/2010",
    }
    row.update(overrides)
    return row


def give_device_pass(client, device: str) -> None:
    """What a browser holds once the room code was entered on it as ``device`` (exams/examday/devicepass.py)."""
    client.cookies[devicepass.COOKIE] = devicepass.sign(device)
