"""Reading import spreadsheets and reporting problems the way DESIGN.md §9 says.

Every import reads cells with openpyxl so a real date cell, a text cell and a number cell stay
distinguishable (a CCCD typed as a number has lost its leading zero and is refused, not padded).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One problem: a cell (row and column), a whole row, or the file (neither)."""

    message: str
    row: int | None = None
    column: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        if self.warning:
            return _("Warning: {message}").format(message=self.message)
        if self.row is not None and self.column is not None:
            return _("Row {n}, column «{column}»: {message}").format(n=self.row, column=self.column, message=self.message)
        if self.row is not None:
            return _("Row {n}: {message}").format(n=self.row, message=self.message)
        return _("File: {message}").format(message=self.message)


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


class FileProblem(Exception):
    """The file as a whole cannot be read."""


def read_xlsx(data: bytes, *, required_columns: list[str]) -> Sheet:
    """Read the first sheet: header on row 1, data from row 2. Rows that are entirely empty are skipped.

    Raises :class:`FileProblem` (with every missing column named) when the file cannot be used.
    """
    if not data.startswith(XLSX_MAGIC):
        raise FileProblem(_("the file is not an Excel workbook (.xlsx)."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(_("the Excel file cannot be read ({error}).").format(error=exc.__class__.__name__)) from exc
    try:
        worksheet = workbook.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise FileProblem(_("the first sheet is empty."))
        header = [str(cell).strip() if cell is not None else "" for cell in header_row]
        missing = [column for column in required_columns if column not in header]
        if missing:
            raise FileProblem(
                _("missing column(s): {columns}.").format(columns=", ".join(f"«{c}»" for c in missing))
            )
        index = {name: header.index(name) for name in required_columns}
        sheet = Sheet(header=header)
        for number, values in enumerate(rows, start=2):
            if values is None or all(_is_blank(v) for v in values):
                continue
            sheet.rows.append(
                (number, {name: values[i] if i < len(values) else None for name, i in index.items()})
            )
        return sheet
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_rows(data: bytes, *, required_columns: list[str]) -> tuple[Sheet | None, list[Problem]]:
    """``read_xlsx`` for imports: the sheet, or the file-level problems (unreadable, wrong shape, empty)."""
    try:
        sheet = read_xlsx(data, required_columns=required_columns)
    except FileProblem as exc:
        return None, [Problem(str(exc))]
    if not sheet.rows:
        return None, [Problem(_("the file has no data rows."))]
    return sheet, []
