"""The child process that parses one uploaded workbook, and the tagged JSON its answer travels in.

Started by accounts/spreadsheets.py for every import, never as a standing worker::

    python -m accounts.workbook_child MEMORY_BYTES CPU_SECONDS OUTPUT_BYTES OPTIONS_JSON < book.xlsx > answer.json

Its first act is to cap its own address space, CPU time and output size (``resource.setrlimit``), before openpyxl
is imported: a workbook that needs gigabytes or minutes then kills this process, not the server's request lanes.
The server cannot set these limits itself (``preexec_fn`` is unsafe in a process with threads), and forking the
server would copy its threads' state.

The answer is JSON. Cells keep the exact type openpyxl gave them (str, int, float, bool, None natively;
datetime, date, time and timedelta as ``{"$": kind, "v": …}``), because the imports tell a date cell from text that
looks like a date, and a number from text (a CCCD typed as a number has lost its leading zero). Never pickle: the
parent must not execute what a child working on hostile input wrote.

This module imports no Django, so the child starts in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import sys
from typing import Any

EXIT_MEMORY = 3  # the child ran out of its address space (MemoryError)
EXIT_TOO_LARGE = 4  # the answer would be larger than OUTPUT_BYTES (cells repeating a long shared string, say)
TAG = "$"


def encode_cell(value: Any) -> Any:
    """``json.dumps(default=…)``: the cell types JSON lacks, tagged. datetime before date (it is a subclass)."""
    if isinstance(value, dt.datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {TAG: "time", "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    # openpyxl (read-only, data_only) returns nothing else; anything new is read as its text, like cells.text does.
    return str(value)


def decode_cell(obj: dict) -> Any:
    """``json.loads(object_hook=…)``: the inverse of :func:`encode_cell`."""
    kind = obj.get(TAG)
    if kind is None:
        return obj
    value = obj["v"]
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "timedelta":
        days, seconds, microseconds = value
        return dt.timedelta(days=days, seconds=seconds, microseconds=microseconds)
    raise ValueError(f"unknown cell tag {kind!r}")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse(data: bytes, *, required_columns: list[str], max_rows: int, max_columns: int) -> dict:
    """The first sheet: header on row 1, data from row 2, entirely empty rows skipped, only the required columns.

    Returns ``{"header": [...], "rows": [[row number, [values in required_columns order]], ...]}``, or
    ``{"problem": kind, ...}`` for a file the import cannot use. Rows and columns are counted as they are read:
    a sheet without ``<dimension>`` (or with a false one) is held to the same caps as the pre-check.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return {"problem": "empty"}
        if len(header_row) > max_columns:
            return {"problem": "columns"}
        header = [str(cell).strip() if cell is not None else "" for cell in header_row]
        missing = [column for column in required_columns if column not in header]
        if missing:
            return {"problem": "missing_columns", "columns": missing}
        index = [header.index(name) for name in required_columns]
        kept = []
        for number, values in enumerate(rows, start=2):
            if number > max_rows:
                return {"problem": "rows"}
            if values is None:
                continue
            if len(values) > max_columns:
                return {"problem": "columns"}
            if all(_is_blank(v) for v in values):
                continue
            kept.append([number, [values[i] if i < len(values) else None for i in index]])
        return {"header": header, "rows": kept}
    finally:
        workbook.close()


def _limit_self(*, memory_bytes: int, cpu_seconds: int, output_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The soft limit sends SIGXCPU (fatal), the hard one a second later SIGKILL in case it was caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # stdout and stderr are files: no write can grow them past this (Python ignores SIGXFSZ, the write fails).
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would otherwise dump core


def main(argv: list[str]) -> int:
    memory_bytes, cpu_seconds, output_bytes = (int(arg) for arg in argv[1:4])
    _limit_self(memory_bytes=memory_bytes, cpu_seconds=cpu_seconds, output_bytes=output_bytes)
    # openpyxl imports numpy when it is installed, only to recognise numpy numbers when writing: not needed to
    # read, and its start-up costs time and address space under the limit above.
    sys.modules["numpy"] = None  # type: ignore[assignment]
    options = json.loads(argv[4])
    try:
        try:
            answer = parse(sys.stdin.buffer.read(), **options)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to read is the file's problem, reported by name
            answer = {"problem": "unreadable", "error": exc.__class__.__name__}
        payload = json.dumps(answer, default=encode_cell).encode("ascii")
    except MemoryError:
        os._exit(EXIT_MEMORY)  # without clean-up: there is no memory left to run it
    if len(payload) > output_bytes:
        return EXIT_TOO_LARGE
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
