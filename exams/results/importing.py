"""The score import: scores of subjects not sat on the platform (paper, written, oral, offline).

Columns `Số báo danh | Số CCCD | Mã môn | Số câu đúng | Số câu | Điểm` (issue 6, docs/operations.md, "Commands"). A row names its
candidate by candidate number or CCCD (both must agree when both are given); gates take `Số câu đúng`/`Số câu`
(the count must be the subject's), scored subjects take `Điểm` (0 to the scale, at most two decimals, `72,5`
accepted). Every row is checked before anything is written.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import cells
from accounts.exports import TEMPLATE_HEADER, help_sheet, template_sheet
from accounts.import_flow import ImportResult
from accounts.models import User
from accounts.services import audit_record
from accounts.spreadsheets import Problem, read_rows
from exams.examday.models import Attempt
from exams.results.display import score_text
from exams.results.models import ScoreEntry
from exams.results.services import COMPUTABLE
from exams.sessions.models import Exam, Registration, Subject

COL_NUMBER = "Số báo danh"
COL_CCCD = "Số CCCD"
COL_SUBJECT = "Mã môn"
COL_CORRECT = "Số câu đúng"
COL_TOTAL = "Số câu"
COL_SCORE = "Điểm"
SCORE_COLUMNS = [COL_NUMBER, COL_CCCD, COL_SUBJECT, COL_CORRECT, COL_TOTAL, COL_SCORE]

SCORE_TEXT = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
PLATFORM_FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED, Attempt.Status.VOIDED)


def import_scores(data: bytes, *, exam: Exam, actor: User | None, dry_run: bool, file_name: str = "",
                  correction: bool = False) -> ImportResult:
    """Validate the whole file; write nothing unless every row is valid and ``dry_run`` is false. After the
    results are approved, scores change only as a ``correction`` (then a new results version shows them)."""
    result = ImportResult()
    exam.refresh_from_db(fields=["status"])
    if exam.status not in COMPUTABLE and not correction:
        result.problems.append(Problem(_("the results of this exam are approved; scores can only be corrected, "
                                         "and the correction goes into a new results version.")))
        return result
    sheet, file_problems = read_rows(data, required_columns=SCORE_COLUMNS)
    if sheet is None:
        result.problems.extend(file_problems)
        return result

    subjects = {s.code.casefold(): s for s in Subject.objects.filter(exam=exam)}
    registrations = list(Registration.objects.filter(exam=exam).select_related("person"))
    by_number = {r.candidate_number.casefold(): r for r in registrations}
    by_cccd = {r.person.cccd: r for r in registrations if r.person.cccd}
    on_platform = set(Attempt.objects.filter(sitting__subject__exam=exam, status__in=PLATFORM_FINISHED)
                      .values_list("registration_id", "sitting__subject_id"))
    existing = {(e.registration_id, e.subject_id): e for e in ScoreEntry.objects.filter(subject__exam=exam)}

    parsed: list[tuple[Registration, Subject, dict]] = []
    seen: dict[tuple[int, int], int] = {}
    for number, row in sheet.rows:
        problems: list[Problem] = []
        registration = _candidate(row, number, by_number, by_cccd, problems)
        subject = _subject(row, number, subjects, problems)
        values = _values(row, number, subject, problems) if subject is not None else None
        if registration is not None and subject is not None:
            key = (registration.pk, subject.pk)
            if registration.exemption_for(subject):
                problems.append(Problem(_("candidate {number} is exempt from {subject}.").format(
                    number=registration.candidate_number, subject=subject.code), number, COL_SUBJECT))
            elif key in on_platform:
                problems.append(Problem(_("candidate {number} sat {subject} on the platform; that score comes from "
                                          "the attempt.").format(number=registration.candidate_number,
                                                                 subject=subject.code), number, COL_SUBJECT))
            elif key in seen:
                problems.append(Problem(_("this candidate and subject are already on row {first}.").format(
                    first=seen[key]), number, COL_SUBJECT))
            else:
                seen[key] = number
        result.problems.extend(problems)
        if not problems and registration is not None and subject is not None and values is not None:
            parsed.append((registration, subject, values))
    result.sort_problems(SCORE_COLUMNS)
    if result.problems:
        return result

    for registration, subject, values in parsed:
        entry = existing.get((registration.pk, subject.pk))
        if entry is None:
            result.created += 1
        elif (entry.correct, entry.total, entry.score) != (values["correct"], values["total"], values["score"]):
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run:
        return result

    now = timezone.now()
    with transaction.atomic():
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        if locked.status not in COMPUTABLE and not correction:
            result.refuse(Problem(_("the results of this exam were approved meanwhile; nothing was imported.")))
            return result
        changes = []
        for registration, subject, values in parsed:
            entry = existing.get((registration.pk, subject.pk))
            if entry is None:
                ScoreEntry.objects.create(registration=registration, subject=subject, updated_by=_user(actor),
                                          updated_at=now, **values)
            elif (entry.correct, entry.total, entry.score) != (values["correct"], values["total"], values["score"]):
                changes.append({"number": registration.candidate_number, "subject": subject.code,
                                "before": [entry.correct, entry.total, str(entry.score) if entry.score is not None
                                           else None],
                                "after": [values["correct"], values["total"],
                                          str(values["score"]) if values["score"] is not None else None]})
                ScoreEntry.objects.filter(pk=entry.pk).update(updated_by=_user(actor), updated_at=now, **values)
        if locked.status in COMPUTABLE and locked.status != Exam.Status.RESULTS:
            Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.RESULTS)
            audit_record(actor=actor, action="exam.transition", obj=exam,
                         details={"from": locked.status, "to": Exam.Status.RESULTS, "reason": "import_scores"})
            exam.status = Exam.Status.RESULTS
        audit_record(actor=actor, action="exam.import_scores", obj=exam,
                     details={"file": file_name, "created": result.created, "updated": result.updated,
                              "unchanged": result.unchanged, "correction": correction, "changes": changes[:200]})
        result.applied = True
    return result


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _candidate(row: dict[str, Any], number: int, by_number: dict, by_cccd: dict,
               problems: list[Problem]) -> Registration | None:
    candidate_number = cells.text(row[COL_NUMBER])
    cccd_text = cells.text(row[COL_CCCD])
    if not candidate_number and not cccd_text:
        problems.append(Problem(_("give the candidate number or the CCCD number."), number, COL_NUMBER))
        return None
    found_by_number = found_by_cccd = None
    if candidate_number:
        found_by_number = by_number.get(candidate_number.casefold())
        if found_by_number is None:
            problems.append(Problem(_("no candidate of this exam has the number {value}.").format(
                value=candidate_number[:20]), number, COL_NUMBER))
    if cccd_text:
        try:
            cccd = cells.cccd(row[COL_CCCD])
        except cells.CellError as exc:
            problems.append(Problem(str(exc), number, COL_CCCD))
            return None
        found_by_cccd = by_cccd.get(cccd)
        if found_by_cccd is None:
            problems.append(Problem(_("no candidate of this exam has the CCCD number {value}.").format(value=cccd),
                                    number, COL_CCCD))
    if candidate_number and cccd_text:
        if found_by_number is not None and found_by_cccd is not None and found_by_number.pk != found_by_cccd.pk:
            problems.append(Problem(_("the candidate number and the CCCD number name different candidates."),
                                    number, COL_CCCD))
            return None
    return (found_by_number or found_by_cccd) if not problems else None


def _subject(row: dict[str, Any], number: int, subjects: dict, problems: list[Problem]) -> Subject | None:
    code = cells.text(row[COL_SUBJECT])
    if not code:
        problems.append(Problem(_("the subject code is required."), number, COL_SUBJECT))
        return None
    subject = subjects.get(code.casefold())
    if subject is None:
        known = ", ".join(sorted(s.code for s in subjects.values()))
        problems.append(Problem(_("“{value}” is not a subject of this exam ({known}).").format(
            value=code[:20], known=known), number, COL_SUBJECT))
    return subject


def _values(row: dict[str, Any], number: int, subject: Subject, problems: list[Problem]) -> dict | None:
    before = len(problems)
    correct_raw, total_raw, score_raw = (cells.text(row[c]) for c in (COL_CORRECT, COL_TOTAL, COL_SCORE))
    if subject.is_gate:
        if score_raw:
            problems.append(Problem(_("{subject} is passed by the number of correct answers; leave «Điểm» empty.")
                                    .format(subject=subject.code), number, COL_SCORE))
        correct = _count(correct_raw, number, COL_CORRECT, problems)
        total = _count(total_raw, number, COL_TOTAL, problems)
        if total is not None and subject.question_count and total != subject.question_count:
            problems.append(Problem(_("{subject} has {n} questions, not {value}.").format(
                subject=subject.code, n=subject.question_count, value=total), number, COL_TOTAL))
        if correct is not None and total is not None and correct > total:
            problems.append(Problem(_("more correct answers than questions."), number, COL_CORRECT))
        values = {"correct": correct, "total": total, "score": None}
    else:
        for column, raw in ((COL_CORRECT, correct_raw), (COL_TOTAL, total_raw)):
            if raw:
                problems.append(Problem(_("{subject} is scored; give only «Điểm».").format(subject=subject.code),
                                        number, column))
        values = {"correct": None, "total": None, "score": _score(row[COL_SCORE], number, subject, problems)}
    return values if len(problems) == before else None


def _count(raw: str, number: int, column: str, problems: list[Problem]) -> int | None:
    if not raw:
        problems.append(Problem(_("a whole number is required."), number, column))
        return None
    if not (raw.isascii() and raw.isdigit()):
        problems.append(Problem(_("“{value}” is not a whole number.").format(value=raw[:20]), number, column))
        return None
    return int(raw)


def _score(value: Any, number: int, subject: Subject, problems: list[Problem]) -> Decimal | None:
    raw = cells.text(value)
    if isinstance(value, float) and not value.is_integer():
        raw = repr(value)  # the shortest text that reads back as the same float: 72.5, not 72.49999…
    if not raw:
        problems.append(Problem(_("the score is required."), number, COL_SCORE))
        return None
    if not SCORE_TEXT.match(raw):
        problems.append(Problem(_("“{value}” is not a score (a number with at most two decimals, e.g. 72,5).")
                                .format(value=raw[:20]), number, COL_SCORE))
        return None
    try:
        score = Decimal(raw.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already refuses these
        problems.append(Problem(_("“{value}” is not a score.").format(value=raw[:20]), number, COL_SCORE))
        return None
    if score > subject.scale:
        problems.append(Problem(_("the score is above the scale ({scale}).").format(
            scale=f"{subject.scale.normalize():f}"), number, COL_SCORE))
        return None
    return score


# --- the template HR fills in -------------------------------------------------------------------------------------

def score_template_xlsx(subjects: list[Subject]) -> bytes:
    """The import sheet: the exact header, identifiers as text, and a help sheet naming this exam's subjects."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format({**TEMPLATE_HEADER, "font_name": "Times New Roman"})
    as_text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman"})
    plain = workbook.add_format({"font_name": "Times New Roman"})
    template_sheet(workbook, name="Điểm", header=header,
                   columns=[(name, 16, as_text if col < 3 else plain) for col, name in enumerate(SCORE_COLUMNS)])
    lines = [_("One score per row, from row 2: the candidate (candidate number or CCCD), the subject code, "
               "then the number correct and the number of questions (gates) or the score (scored subjects)."),
             _("Scores: 0 to the scale, at most two decimals (72,5 or 72.5). CCCD: 12 digits as text."),
             _("Subjects sat on the computer bring their scores from the platform; exempt subjects take no row.")]
    for subject in subjects:
        if subject.is_gate:
            lines.append(_("%(code)s – %(name)s: «Số câu đúng» and «Số câu» = %(n)s") % {
                "code": subject.code, "name": subject.name, "n": subject.question_count or "…"})
        else:
            lines.append(_("%(code)s – %(name)s: «Điểm» from 0 to %(scale)s") % {
                "code": subject.code, "name": subject.name, "scale": score_text(subject.scale)})
    help_sheet(workbook, lines, width=120)
    workbook.close()
    return buffer.getvalue()
