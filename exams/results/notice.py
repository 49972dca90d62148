"""A candidate's result notice (giấy báo kết quả) as a PDF, worded like the annex of the decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import OrganisationProfile
from accounts.official_sheets import LOCAL_TZ
from accounts.officialdates import official_date
from exams.results.exports import (
    decision_date_text,
    decision_number_text,
    exam_phrase,
    exam_year,
    is_draft,
    position_and_unit,
    score_text,
)
from exams.results.models import CandidateResult, SubjectResult
from exams.results.selectors import EXEMPT_LABEL, ResultRow
from exams.sessions.models import CouncilMember

NOTICE_PASSED, NOTICE_FAILED, NOTICE_ABSENT = "Đạt", "Không đạt", "Vắng thi"


@dataclass
class NoticeLine:
    subject: str
    result: str
    verdict: str


def notice_lines(subject_results: list[SubjectResult]) -> list[NoticeLine]:
    """One line per subject as the notice words it: `Miễn`, `Vắng thi`, "24/30 câu đúng", "72,5 điểm"."""
    lines = []
    for s in subject_results:
        if s.exempt:
            lines.append(NoticeLine(s.subject.name, EXEMPT_LABEL, ""))
            continue
        if s.absent:
            lines.append(NoticeLine(s.subject.name, NOTICE_ABSENT, NOTICE_FAILED))
            continue
        if s.correct is not None:
            result = f"{s.correct}/{s.total} câu đúng" if s.total else f"{s.correct} câu đúng"
        else:
            result = f"{score_text(s.score)} điểm" if s.score is not None else ""
        lines.append(NoticeLine(s.subject.name, result, NOTICE_PASSED if s.passed else NOTICE_FAILED))
    return lines


def result_notice_pdf(candidate_result: CandidateResult) -> bytes:
    """A candidate's own result notice (PDF, fonts with Vietnamese glyphs): letterhead, the candidate, one line
    per subject, `Kết quả` and `Ghi chú`, the place and today's date, signed for the exam council."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    result = (CandidateResult.objects.select_related("version__exam__target_rank", "registration__person",
                                                     "registration__unit", "registration__rank")
              .get(pk=candidate_result.pk))
    subject_results = list(SubjectResult.objects.filter(candidate=result).select_related("subject")
                           .order_by("subject__order", "subject_id"))
    version, exam, reg = result.version, result.version.exam, result.registration
    profile = OrganisationProfile.current()
    chair = (CouncilMember.objects.filter(exam=exam, board=CouncilMember.Board.COUNCIL,
                                          position=CouncilMember.Position.CHAIR)
             .select_related("user").first())
    row = ResultRow(result=result, registration=reg)
    html = render_to_string("exams/result_notice_pdf.html", {
        "profile": profile,
        "draft": is_draft(version),
        "title": f"Kết quả {exam_phrase(exam)} năm {exam_year(exam)}",
        "person": reg.person,
        "birth_date": f"{reg.person.date_of_birth:%d/%m/%Y}" if reg.person.date_of_birth else "",
        "registration": reg,
        "unit": position_and_unit(row),
        "lines": notice_lines(subject_results),
        "outcome": row.outcome_label,
        "note": result.note,
        "version": version,
        "decision": (f"Quyết định số {decision_number_text(version)} {decision_date_text(version)}"
                     if version.decision_number else ""),
        "date_line": official_date(timezone.localdate(timezone=LOCAL_TZ), profile.place_name.strip() or None),
        "chair_name": chair.user.full_name if chair else "",
    })
    return HTML(string=html).write_pdf()
