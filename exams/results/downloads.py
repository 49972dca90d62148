"""A candidate's result notice (PDF): personal data, so each download is recorded in the audit log."""
from __future__ import annotations

from accounts.models import User
from accounts.services import audit_record
from exams.results.models import CandidateResult


def result_notice(*, result: CandidateResult, actor: User, ip: str | None) -> bytes:
    """One candidate's result notice (PDF)."""
    from exams.results.notice import result_notice_pdf  # the PDF machinery loads with the first notice

    audit_record(actor=actor, action="export.result_notice", obj=result.registration, ip=ip,
                 details={"version": result.version.number})
    return result_notice_pdf(result)
