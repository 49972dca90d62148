"""An attempt's timeline as CSV for the council: personal data, so each download is recorded in the audit log."""
from __future__ import annotations

import csv
import io
import json

from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from exams.examday.models import AnswerEvent, Attempt, RoomEvent

# What a spreadsheet program may take as the start of a formula: "=", "+", "-", "@", and a tab or carriage return
# before one (OWASP's list). Such a cell is written with a leading apostrophe, as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def attempt_timeline_csv(*, attempt: Attempt, actor: User, ip: str | None) -> bytes:
    """Every save, event and action of one attempt, in time order, for a dispute (CSV, UTF-8 with a BOM)."""
    rows = [(e.server_time, "save", e.position + 1, e.client_seq, e.client_time, e.device, e.transport,
             e.answer if isinstance(e.answer, str) else json.dumps(e.answer, ensure_ascii=False),
             "applied" if e.applied else "replay")
            for e in AnswerEvent.objects.filter(attempt=attempt)]
    rows += [(e.at, e.kind, "", "", "", "", "", json.dumps(e.details, ensure_ascii=False),
              f"{e.actor or ''} {e.reason}".strip()) for e in RoomEvent.objects.filter(
        attempt=attempt).select_related("actor")]
    rows.sort(key=lambda r: r[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["time", "what", "question", "client_seq", "client_time", "device", "transport", "data", "note"])
    for row in rows:
        writer.writerow([timezone.localtime(row[0]).isoformat(), *(_csv_safe(v) for v in row[1:])])
    audit_record(actor=actor, action="export.attempt_timeline", obj=attempt, ip=ip)
    return buffer.getvalue().encode("utf-8-sig")
