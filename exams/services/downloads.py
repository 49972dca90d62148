"""Downloads that hand out personal data: each is recorded in the audit log (who, what, from which address) as it
is built, so that no view can hand one out unrecorded."""

from __future__ import annotations

import csv
import io
import json

from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from exams import exports_sessions
from exams.models import AnswerEvent, Attempt, CandidateResult, Exam, Room, RoomEvent
from exams.services.sessions import exam_passwords_ensure

# What a spreadsheet program may take as the start of a formula: "=", "+", "-", "@", and a tab or carriage return
# before one (OWASP's list). Such a cell is written with a leading apostrophe, as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def call_in_list(*, exam: Exam, room: Room | None, full_cccd: bool, actor: User, ip: str | None) -> bytes:
    """The call-in list (one room, or every room): the CCCD in full only for ``full_cccd``."""
    audit_record(actor=actor, action="export.call_in", obj=exam, ip=ip,
                 details={"room": room.name if room else None, "contains": "cccd" if full_cccd else "cccd_masked"})
    return exports_sessions.call_in_list_xlsx(exam=exam, room=room, full_cccd=full_cccd)


def login_slips(*, exam: Exam, room: Room | None, actor: User, ip: str | None) -> bytes:
    """The exam-login slips (one room, or every room); a registration without an exam password gets one first."""
    exam_passwords_ensure(exam=exam)
    audit_record(actor=actor, action="export.login_slips", obj=exam, ip=ip,
                 details={"room": room.name if room else None})
    return exports_sessions.login_slips_xlsx(exam=exam, room=room)


def result_notice(*, result: CandidateResult, actor: User, ip: str | None) -> bytes:
    """One candidate's result notice (PDF)."""
    from exams.result_notice import result_notice_pdf  # the PDF machinery loads with the first notice

    audit_record(actor=actor, action="export.result_notice", obj=result.registration, ip=ip,
                 details={"version": result.version.number})
    return result_notice_pdf(result)


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
