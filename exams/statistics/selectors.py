"""Reading an exam's statistics: the figures of each subject and unit from the official result rows, and the
item analysis of the questions candidates answered on the platform."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import strip_tags
from django.utils.text import Truncator

from exams.banks.models import ItemReview, Question
from exams.examday.models import Attempt, AttemptItem
from exams.results.selectors import ResultRow, result_rows, unit_key, unit_summary
from exams.sessions.models import Exam, Subject
from exams.statistics.figures import (
    EXCERPT_WORDS,
    Analysis,
    ExamStatistics,
    ItemFigures,
    PassCount,
    Response,
    SubjectStatistics,
    UnitPassRates,
    analyse_items,
    describe,
    distribution,
)

FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED)  # voided attempts say nothing about the items


def _sat_value(subject: Subject, found) -> Decimal | int | None:
    """What the distribution counts for one candidate: the number correct (gates) or the score after penalties;
    None when the candidate was absent or exempt."""
    if found is None or found.absent or found.exempt:
        return None
    return found.correct if subject.is_gate else found.score


def subject_statistics(subject: Subject, rows: Sequence[ResultRow]) -> SubjectStatistics:
    """One subject's distribution, summary and pass rate over the rows of a results version."""
    found_all = [row.subjects.get(subject.pk) for row in rows]
    values, passes = [], PassCount()
    for found in found_all:
        value = _sat_value(subject, found)
        if value is None:
            continue
        values.append(value)
        passes.sat += 1
        passes.passed += int(found.passed)
    if subject.is_gate:
        totals = [f.total for f in found_all if f is not None and f.total]
        upper = Decimal(subject.question_count or max(totals, default=0) or 1)
    else:
        upper = subject.scale
    return SubjectStatistics(
        subject=subject, by_correct=subject.is_gate, upper=upper, bins=distribution(values, upper=upper),
        summary=describe(values), passes=passes,
        exempt=sum(1 for f in found_all if f is not None and f.exempt),
        absent=sum(1 for f in found_all if f is None or (f.absent and not f.exempt)))


def unit_pass_rates(subjects: Sequence[Subject], rows: Sequence[ResultRow]) -> list[UnitPassRates]:
    """Per unit (in the order of ``exams.results.selectors.unit_key``), per subject: sat, passed and the pass rate;
    with the unit's overall figures (passed every subject) beside them."""
    by_unit: dict[tuple, list[ResultRow]] = defaultdict(list)
    for row in rows:
        by_unit[unit_key(row.registration)].append(row)
    overall = unit_summary(list(rows))
    result = []
    for summary, key in zip(overall, sorted(by_unit), strict=True):
        cells = []
        for subject in subjects:
            count = PassCount()
            for row in by_unit[key]:
                found = row.subjects.get(subject.pk)
                if _sat_value(subject, found) is not None:
                    count.sat += 1
                    count.passed += int(found.passed)
            cells.append(count)
        result.append(UnitPassRates(label=summary.label, cells=cells, overall=summary))
    return result


def exam_statistics(exam: Exam) -> ExamStatistics:
    """The loader: the newest results version's rows (whatever its status), per subject and per unit. Four
    queries (the version, the subjects, the results and their subject rows)."""
    version = exam.result_versions.order_by("-number").first()
    if version is None:
        return ExamStatistics(exam=exam, version=None)
    subjects = list(exam.subjects.order_by("order", "pk"))
    rows = result_rows(version)
    return ExamStatistics(exam=exam, version=version,
                          subjects=[subject_statistics(s, rows) for s in subjects],
                          units=unit_pass_rates(subjects, rows))


@dataclass
class ItemRow:
    """An item as the page and the export show it."""

    figures: ItemFigures
    question: Question
    review: ItemReview | None

    @property
    def label(self) -> str:
        return f"#{self.question.lineage_id or self.question.pk} v{self.question.version}"

    @property
    def excerpt(self) -> str:
        return Truncator(" ".join(strip_tags(self.question.text).split())).words(EXCERPT_WORDS)


@dataclass
class SubjectItems:
    subject: Subject
    analysis: Analysis
    rows: list[ItemRow]

    @property
    def flagged(self) -> list[ItemRow]:
        return [row for row in self.rows if row.figures.flagged]


def item_analysis(exam: Exam) -> list[SubjectItems]:
    """The loader: per computer subject, every question met in the finished attempts. Four queries (subjects,
    attempt items, questions with their banks, existing reviews)."""
    subjects = list(exam.subjects.filter(format=Subject.Format.COMPUTER).order_by("order", "pk"))
    responses: dict[int, list[Response]] = defaultdict(list)
    items = (AttemptItem.objects
             .filter(attempt__sitting__subject__in=subjects, attempt__status__in=FINISHED, score__isnull=False)
             .values_list("attempt_id", "attempt__score", "attempt__sitting__subject_id", "paper_item__question_id",
                          "paper_item__points", "score"))
    for attempt_id, total, subject_id, question_id, points, score in items:
        responses[subject_id].append(Response(attempt_id=attempt_id, total=total or Decimal(0),
                                              question_id=question_id, correct=score == points))
    analyses = {s.pk: analyse_items(responses[s.pk]) for s in subjects}
    question_ids = {f.question_id for a in analyses.values() for f in a.items}
    questions = Question.objects.select_related("bank").in_bulk(question_ids)
    reviews = {(r.question_id, r.subject_id): r
               for r in ItemReview.objects.filter(subject__in=subjects, question_id__in=question_ids)}
    return [SubjectItems(subject=s, analysis=analyses[s.pk],
                         rows=[ItemRow(figures=f, question=questions[f.question_id],
                                       review=reviews.get((f.question_id, s.pk)))
                               for f in analyses[s.pk].items])
            for s in subjects]
