"""Reading import spreadsheets and reporting problems the way docs/operations.md, "Problem reports" says.

Every import reads cells with openpyxl so a real date cell, a text cell and a number cell stay
distinguishable (a CCCD typed as a number has lost its leading zero and is refused, not padded).

Every uploaded workbook goes through :func:`read_xlsx`, the one guarded reader: a 260 KB file can unpack to
gigabytes of shared strings, so the zip is checked first (accounts/workbook_guard.py), then parsed in a child
process with memory and time limits (accounts/workbook_child.py), a few at a time, so that no file can hold up
every request lane on exam day.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts import workbook_child
from accounts.workbook_guard import LimitExceeded, WorkbookLimits, check_archive

XLSX_MAGIC = b"PK\x03\x04"
CHILD_MODULE = "accounts.workbook_child"

logger = logging.getLogger(__name__)


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

    Raises :class:`FileProblem` (with every missing column named) when the file cannot be used: not a workbook,
    over one of the MAX_IMPORT_* limits, too slow or too large to parse, or the server already parsing as many
    files as it may.
    """
    if not data.startswith(XLSX_MAGIC):
        raise FileProblem(_("the file is not an Excel workbook (.xlsx)."))
    limits = workbook_limits()
    try:
        check_archive(data, limits=limits)
    except LimitExceeded as exc:
        raise FileProblem(_limit_message(exc.kind, exc.limit)) from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(_("the Excel file cannot be read ({error}).").format(error=exc.__class__.__name__)) from exc
    answer = _parse_in_child(data, required_columns=required_columns, limits=limits)
    problem = answer.get("problem")
    if problem == "empty":
        raise FileProblem(_("the first sheet is empty."))
    if problem == "missing_columns":
        raise FileProblem(
            _("missing column(s): {columns}.").format(columns=", ".join(f"«{c}»" for c in answer["columns"]))
        )
    if problem in ("rows", "columns"):
        raise FileProblem(_limit_message(problem, getattr(limits, problem)))
    if problem is not None:
        raise FileProblem(_("the Excel file cannot be read ({error}).").format(error=answer.get("error", problem)))
    return Sheet(header=answer["header"],
                 rows=[(number, dict(zip(required_columns, values, strict=True))) for number, values in answer["rows"]])


def workbook_limits() -> WorkbookLimits:
    return WorkbookLimits(
        uncompressed_bytes=settings.MAX_IMPORT_UNCOMPRESSED_BYTES,
        compression_ratio=settings.MAX_IMPORT_COMPRESSION_RATIO,
        shared_strings=settings.MAX_IMPORT_SHARED_STRINGS,
        rows=settings.MAX_IMPORT_ROWS,
        columns=settings.MAX_IMPORT_COLUMNS,
    )


def _limit_message(kind: str, limit: int) -> str:
    if kind == "uncompressed_bytes":
        return _("the workbook unpacks to more than {limit} MB, the most one import can take; split it into "
                 "smaller files.").format(limit=number_format(max(1, limit // (1024 * 1024)), force_grouping=True))
    if kind == "compression_ratio":
        return _("the workbook is compressed far more than a real Excel file (over {limit} times) and was not "
                 "opened; save it again from Excel.").format(limit=number_format(limit, force_grouping=True))
    return {
        "shared_strings": _("the workbook holds more than {limit} text values, the most one import can take; split it "
                            "into smaller files."),
        "rows": _("the sheet has more than {limit} rows, the most one import can take; split it into smaller files."),
        "columns": _("the sheet has more than {limit} columns, the most one import can take; delete the unused "
                     "columns."),
    }[kind].format(limit=number_format(limit, force_grouping=True))


_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


@contextmanager
def parse_slot() -> Iterator[None]:
    """One of the process's parse slots, or :class:`FileProblem` ("try again shortly") after a short wait.

    At most HTTP_SYNC_LANES − 1 lanes (at least 1) wait on a child at once, so one lane always stays free for
    exam-day requests however many files arrive together.
    """
    count = max(1, settings.HTTP_SYNC_LANES - 1)
    with _slots_lock:
        slots = _slots.setdefault(count, threading.BoundedSemaphore(count))
    if not slots.acquire(timeout=settings.IMPORT_PARSE_SLOT_WAIT_SECONDS):
        raise FileProblem(_("the server is reading other files right now; try again shortly."))
    try:
        yield
    finally:
        slots.release()


def _parse_in_child(data: bytes, *, required_columns: list[str], limits: WorkbookLimits) -> dict:
    """:func:`accounts.workbook_child.parse` in a fresh child process under the IMPORT_PARSE_* limits.

    The bytes go in on stdin and the answer comes back on stdout, both temporary files: no pipe to deadlock on,
    and the answer's size is known (and capped) before it is read.
    """
    output_bytes = limits.uncompressed_bytes
    options = {"required_columns": required_columns, "max_rows": limits.rows, "max_columns": limits.columns}
    command = [sys.executable, "-m", CHILD_MODULE, str(settings.IMPORT_PARSE_MEMORY_BYTES),
               str(settings.IMPORT_PARSE_CPU_SECONDS), str(output_bytes), json.dumps(options)]
    with parse_slot(), tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, \
            tempfile.TemporaryFile() as stderr:
        stdin.write(data)
        stdin.seek(0)
        try:
            # A bare environment: the child reads a hostile file and needs none of the server's secrets.
            completed = subprocess.run(command, stdin=stdin, stdout=stdout, stderr=stderr, cwd=settings.BASE_DIR,
                                       env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
                                       timeout=settings.IMPORT_PARSE_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:  # run() has killed the child and reaped it
            raise FileProblem(_too_slow()) from exc
        code = completed.returncode
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            raise FileProblem(_too_slow())
        if code in (workbook_child.EXIT_MEMORY, workbook_child.EXIT_TOO_LARGE):
            raise FileProblem(_too_large())
        if code != 0 or os.fstat(stdout.fileno()).st_size > output_bytes:
            stderr.seek(0)
            logger.warning("workbook child exited %s: %s", code, stderr.read(4096).decode("utf-8", "replace"))
            raise FileProblem(_("the Excel file cannot be read ({error}).").format(error=f"exit {code}"))
        stdout.seek(0)
        payload = stdout.read()
    try:
        return json.loads(payload, object_hook=workbook_child.decode_cell)
    except ValueError as exc:
        raise FileProblem(_("the Excel file cannot be read ({error}).").format(error=exc.__class__.__name__)) from exc


def _too_slow() -> str:
    return _("reading the file takes longer than one import may take; split it into smaller files.")


def _too_large() -> str:
    return _("reading the file needs more memory than one import may use; split it into smaller files.")


def read_rows(data: bytes, *, required_columns: list[str]) -> tuple[Sheet | None, list[Problem]]:
    """``read_xlsx`` for imports: the sheet, or the file-level problems (unreadable, wrong shape, empty)."""
    try:
        sheet = read_xlsx(data, required_columns=required_columns)
    except FileProblem as exc:
        return None, [Problem(str(exc))]
    if not sheet.rows:
        return None, [Problem(_("the file has no data rows."))]
    return sheet, []
