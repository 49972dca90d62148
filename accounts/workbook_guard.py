"""Checks on an uploaded workbook's zip before anything parses it (used by accounts/spreadsheets.py).

A .xlsx is a zip of XML parts. A few hundred kilobytes can unpack to hundreds of megabytes (a "zip bomb"), and
openpyxl builds every shared string in memory before it yields the first row, so these checks look only at what
the zip declares and at the first bytes of two parts: the central directory's sizes, the ``count`` attributes of
the shared-string table and the first sheet's ``<dimension>``. Nothing here decompresses a part beyond
:data:`HEAD_BYTES`, and no XML parser runs (the heads are read with bounded regular expressions).

They refuse the obvious bombs at once; the parsing child process (accounts/workbook_child.py) enforces the row and
column caps again while it iterates, and its memory and time limits bound whatever the declarations hide.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

# Enough for the XML declaration, the root element and (for a sheet) <sheetPr> before <dimension>.
HEAD_BYTES = 64 * 1024
# The structure parts ([Content_Types].xml, the workbook and its relationships) of real files are a few kilobytes.
STRUCTURE_BYTES = 1024 * 1024
# Below this a part cannot hurt whatever its compression ratio, and tiny parts (an empty styles table) compress
# far better than the data does.
RATIO_FLOOR_BYTES = 1024 * 1024

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKSHEET_REL_SUFFIX = "/worksheet"
DEFAULT_WORKBOOK_PART = "xl/workbook.xml"
DEFAULT_SHARED_STRINGS_PART = "xl/sharedStrings.xml"

_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


@dataclass(frozen=True)
class WorkbookLimits:
    """What one import may hold; the defaults live in settings (MAX_IMPORT_*)."""

    uncompressed_bytes: int
    compression_ratio: int
    shared_strings: int
    rows: int
    columns: int


class LimitExceeded(Exception):
    """The workbook is over one of the limits; ``kind`` names which (a field of :class:`WorkbookLimits`)."""

    def __init__(self, kind: str, *, found: float, limit: int):
        super().__init__(kind, found, limit)
        self.kind = kind
        self.found = found
        self.limit = limit


def check_archive(data: bytes, *, limits: WorkbookLimits) -> None:
    """Raise :class:`LimitExceeded` when the zip declares more than ``limits`` allow.

    Raises ``zipfile.BadZipFile`` when the bytes are not a readable zip. Parts that cannot be found or read
    (an unusual layout, encryption) are skipped: the child's caps still hold for them.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # BytesIO shares the bytes, no copy
        members = archive.infolist()
        total = sum(member.file_size for member in members)
        if total > limits.uncompressed_bytes:
            raise LimitExceeded("uncompressed_bytes", found=total, limit=limits.uncompressed_bytes)
        for member in members:
            if member.file_size >= RATIO_FLOOR_BYTES:
                ratio = member.file_size / max(member.compress_size, 1)
                if ratio > limits.compression_ratio:
                    raise LimitExceeded("compression_ratio", found=ratio, limit=limits.compression_ratio)
        names = {member.filename for member in members}
        content_types = _read(archive, names, "[Content_Types].xml", STRUCTURE_BYTES)
        for part in _shared_string_parts(content_types, names):
            for attribute in ("count", "uniqueCount"):
                count = _int(_root_attributes(_read(archive, names, part, HEAD_BYTES), b"sst").get(attribute))
                if count is not None and count > limits.shared_strings:
                    raise LimitExceeded("shared_strings", found=count, limit=limits.shared_strings)
        sheet = _first_worksheet(archive, names, content_types)
        if sheet is not None:
            size = _dimension(_read(archive, names, sheet, HEAD_BYTES))
            if size is not None:
                rows, columns = size
                if rows > limits.rows:
                    raise LimitExceeded("rows", found=rows, limit=limits.rows)
                if columns > limits.columns:
                    raise LimitExceeded("columns", found=columns, limit=limits.columns)


def _read(archive: zipfile.ZipFile, names: set[str], name: str, limit: int) -> bytes:
    """At most ``limit`` bytes of one part, decompressed no further than that; b"" if absent or unreadable."""
    if name not in names:
        return b""
    try:
        with archive.open(name) as part:
            return part.read(limit)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError):
        return b""  # encrypted, an unsupported method, corrupt: the child will say the file cannot be read


def _elements(xml: bytes, tag: bytes) -> list[dict[bytes, str]]:
    """The attributes of every ``<tag …>`` (any namespace prefix) in a bounded piece of XML."""
    pattern = re.compile(rb"<(?:[\w.-]+:)?" + re.escape(tag) + rb"(?=[\s/>])([^>]*)>")
    return [_attributes(match.group(1)) for match in pattern.finditer(xml)]


def _attributes(text: bytes) -> dict[bytes, str]:
    found = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).rsplit(b":", 1)[-1]  # r:id → id
        value = match.group(2) if match.group(2) is not None else match.group(3)
        found.setdefault(name, value.decode("utf-8", "replace"))
    return found


def _root_attributes(xml: bytes, tag: bytes) -> dict[str, str]:
    elements = _elements(xml, tag)
    return {name.decode(): value for name, value in elements[0].items()} if elements else {}


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _part_name(part_name: str) -> str:
    """A package part name ("/xl/sharedStrings.xml") as a zip member name."""
    return part_name.lstrip("/")


def _shared_string_parts(content_types: bytes, names: set[str]) -> set[str]:
    """Where openpyxl will look for the shared strings (the content-type override), and the usual place."""
    parts = {_part_name(attrs.get(b"PartName", "")) for attrs in _elements(content_types, b"Override")
             if attrs.get(b"ContentType") == SHARED_STRINGS_TYPE}
    parts.add(DEFAULT_SHARED_STRINGS_PART)
    return {part for part in parts if part in names}


def _first_worksheet(archive: zipfile.ZipFile, names: set[str], content_types: bytes) -> str | None:
    """The part of the first worksheet (what openpyxl's ``worksheets[0]`` reads), or None if not found."""
    workbook = next((_part_name(attrs.get(b"PartName", "")) for attrs in _elements(content_types, b"Override")
                     if attrs.get(b"ContentType", "").endswith(".main+xml")), DEFAULT_WORKBOOK_PART)
    folder, file_name = posixpath.split(workbook)
    relationships = _read(archive, names, posixpath.join(folder, "_rels", f"{file_name}.rels"), STRUCTURE_BYTES)
    targets = {attrs.get(b"Id"): attrs.get(b"Target", "") for attrs in _elements(relationships, b"Relationship")
               if attrs.get(b"Type", "").endswith(WORKSHEET_REL_SUFFIX)}
    for sheet in _elements(_read(archive, names, workbook, STRUCTURE_BYTES), b"sheet"):
        target = targets.get(sheet.get(b"id"))
        if target:
            return target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
    return None


def _dimension(sheet_head: bytes) -> tuple[int, int] | None:
    """(last row, last column) from the sheet's ``<dimension ref="A1:L20001">``, or None if absent or odd."""
    ref = _root_attributes(sheet_head, b"dimension").get("ref")
    if not ref:
        return None
    corners = [_CELL_REF.match(corner) for corner in ref.split(":")]
    if not all(corners):
        return None
    rows = max(int(corner.group(2)) for corner in corners)
    columns = max(_column_number(corner.group(1)) for corner in corners)
    return rows, columns


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
