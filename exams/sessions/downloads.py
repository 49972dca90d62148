"""Downloads that hand out personal data: each is recorded in the audit log (who, what, from which address) as it
is built, so that no view can hand one out unrecorded."""
from __future__ import annotations

from accounts.models import User
from accounts.services import audit_record
from exams.sessions import exports
from exams.sessions.models import Exam, Room
from exams.sessions.services import exam_passwords_ensure


def call_in_list(*, exam: Exam, room: Room | None, full_cccd: bool, actor: User, ip: str | None) -> bytes:
    """The call-in list (one room, or every room): the CCCD in full only for ``full_cccd``."""
    audit_record(actor=actor, action="export.call_in", obj=exam, ip=ip,
                 details={"room": room.name if room else None, "contains": "cccd" if full_cccd else "cccd_masked"})
    return exports.call_in_list_xlsx(exam=exam, room=room, full_cccd=full_cccd)


def login_slips(*, exam: Exam, room: Room | None, actor: User, ip: str | None) -> bytes:
    """The exam-login slips (one room, or every room); a registration without an exam password gets one first."""
    exam_passwords_ensure(exam=exam)
    audit_record(actor=actor, action="export.login_slips", obj=exam, ip=ip,
                 details={"room": room.name if room else None})
    return exports.login_slips_xlsx(exam=exam, room=room)
