"""Scores of work done on paper, from Excel (docs/courses.md, "Assessments"): `Số CCCD | Họ và tên` then one
column per assessment code (its first try) and, for a retake, a column `<code> lần 2` (`lần 3`…).

A cell is a score 0–10 with at most two decimals (`7,5` accepted), `P` for a try the learner was excused from, or
empty (that score stays as it is). A retake is accepted only when the try before it was under the pass mark or
excused, and no more retakes than the assessment allows.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import cells
from accounts.import_flow import ImportResult
from accounts.models import User
from accounts.services import audit_record
from accounts.spreadsheets import Problem, read_rows
from courses.completion import Try, may_retake
from courses.learners import ClassRows
from courses.models import Assessment, CourseClass, How, Score

COL_CCCD, COL_NAME = "Số CCCD", "Họ và tên"
RETAKE_HEADER = re.compile(r"^(?P<code>\S+)\s+lần\s+(?P<n>\d+)$", re.IGNORECASE)
EXCUSED = "p"


def score_cell(value) -> Decimal | None:
    """A cell as a score: None when empty; raises CellError outside 0–10 or with more than two decimals."""
    if isinstance(value, bool):
        raise cells.CellError(_("“{value}” is not a score from 0 to 10.").format(value=value))
    raw = cells.text(value).replace(",", ".") if not isinstance(value, int | float) else repr(value)
    if not raw:
        return None
    try:
        score = Decimal(raw)
    except InvalidOperation:
        raise cells.CellError(_("“{value}” is not a score from 0 to 10.").format(value=cells.text(value)[:12])) \
            from None
    if not score.is_finite() or not 0 <= score <= 10:
        raise cells.CellError(_("“{value}” is not a score from 0 to 10.").format(value=cells.text(value)[:12]))
    if score != score.quantize(Decimal("0.01")):
        raise cells.CellError(_("a score has at most two decimals."))
    return score.quantize(Decimal("0.01"))


def columns_of(course_class: CourseClass) -> list[str]:
    """The template's columns: CCCD, name and each assessment code (first tries)."""
    return [COL_CCCD, COL_NAME, *course_class.programme.assessments.order_by("order").values_list("code", flat=True)]


def import_course_scores(data: bytes, *, course_class: CourseClass, actor: User | None, dry_run: bool,
                         file_name: str = "") -> ImportResult:
    result = ImportResult()
    if course_class.closed_at is not None:
        result.problems.append(Problem(_("the class is closed; change a score through a correction.")))
        return result
    assessments = {a.code.upper(): a for a in course_class.programme.assessments.all()}
    sheet, file_problems = read_rows(data, required_columns=[COL_CCCD, COL_NAME])  # the header says which columns
    if sheet is None:
        result.problems.extend(file_problems)
        return result
    score_columns: dict[str, tuple[Assessment, int]] = {}
    for header in sheet.header:
        if not header or header in (COL_CCCD, COL_NAME):
            continue
        match = RETAKE_HEADER.match(header)
        code, attempt = (match["code"].upper(), int(match["n"])) if match else (header.strip().upper(), 1)
        assessment = assessments.get(code)
        if assessment is None:
            result.problems.append(Problem(_("the column «{column}» is not an assessment of the programme ({codes}).")
                                           .format(column=header, codes=", ".join(assessments))))
        elif attempt < 1 or attempt > 1 + assessment.retakes:
            result.problems.append(Problem(_("{code} allows {n} retake(s): the column «{column}» is one too many.")
                                           .format(code=code, n=assessment.retakes, column=header)))
        else:
            score_columns[header] = (assessment, attempt)
    if not score_columns and not result.problems:
        result.problems.append(Problem(_("the file has no assessment column ({codes}).").format(
            codes=", ".join(assessments))))
    if result.problems:
        return result
    sheet, file_problems = read_rows(data, required_columns=[COL_CCCD, COL_NAME, *score_columns])  # with its scores
    if sheet is None:
        result.problems.extend(file_problems)
        return result
    learners = ClassRows(course_class, cccd_column=COL_CCCD, name_column=COL_NAME)
    existing = {(s.enrolment_id, s.assessment_id, s.attempt): s
                for s in Score.objects.filter(enrolment__course_class=course_class)}
    writes = []
    ordered_columns = sorted(score_columns.items(), key=lambda item: item[1][1])  # first tries before retakes
    for number, raw in sheet.rows:
        enrolment = learners.learner(raw, number, result.problems)
        if enrolment is None:
            continue
        planned = {key: s for key, s in existing.items() if key[0] == enrolment.pk}
        for header, (assessment, attempt) in ordered_columns:
            value = raw[header]
            excused = cells.text(value).casefold() == EXCUSED
            try:
                score = None if excused else score_cell(value)
            except cells.CellError as exc:
                result.problems.append(Problem(str(exc), number, header))
                continue
            if score is None and not excused:
                continue  # empty: the score stays as it is
            if attempt > 1:
                before = [Try(a, s.value, s.excused) for (e, a_id, a), s in planned.items()
                          if a_id == assessment.pk and a < attempt]
                if len(before) != attempt - 1 or not may_retake(before, pass_mark=assessment.pass_mark,
                                                                retakes=assessment.retakes):
                    result.problems.append(Problem(_("a retake needs the try before it under {mark} or excused.")
                                                   .format(mark=f"{assessment.pass_mark:g}"), number, header))
                    continue
            key = (enrolment.pk, assessment.pk, attempt)
            planned[key] = Score(enrolment=enrolment, assessment=assessment, attempt=attempt, value=score,
                                 excused=excused)
            found = existing.get(key)
            if found is None:
                result.created += 1
            elif (found.value, found.excused) != (score, excused):
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            writes.append(planned[key])
    result.sort_problems([COL_CCCD, COL_NAME, *score_columns])
    if result.problems:
        result.created = result.updated = result.unchanged = 0
        return result
    if dry_run:
        return result
    with transaction.atomic():
        if CourseClass.objects.select_for_update().get(pk=course_class.pk).closed_at is not None:
            result.refuse(Problem(_("the class is closed; change a score through a correction.")))
            return result
        now = timezone.now()
        for score in writes:
            Score.objects.update_or_create(
                enrolment=score.enrolment, assessment=score.assessment, attempt=score.attempt,
                defaults={"value": score.value, "excused": score.excused, "how": How.SHEET, "set_by": actor,
                          "set_at": now})
        audit_record(actor=actor, action="class.scores_import", obj=course_class,
                     details={"file": file_name, "created": result.created, "updated": result.updated})
        result.applied = True
    return result
