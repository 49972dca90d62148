"""Exam statistics (DESIGN.md §3 "Marking and results"): score distributions, pass rates per unit and subject,
and item analysis (facility and discrimination) of the computer subjects, with the flags sent back to the bank.

The computations are pure functions over plain values; each has one loader that reads what it needs with a fixed
number of queries, whatever the number of candidates. The figures shown are exact ``Decimal`` values rounded once,
at the end, to ``PLACES`` (half up); only the chart geometry uses floats.

Item analysis, as the question board reads it:

* facility ``p = correct ÷ answered`` — ``answered`` counts the candidates whose paper held the item (papers are
  drawn from a blueprint, so not everyone has every question); an item counts correct when its score equals the
  item's points (partial credit is not correct);
* discrimination ``D = p_upper − p_lower`` — the finished attempts of the subject are ranked by their total score,
  highest first, **ties broken by attempt id, the lower id ranking higher** (deterministic: the same data always
  gives the same groups); the upper group is the first ``g`` attempts, the lower group the last ``g``, with
  ``g = round(0.27 × n)`` (half up), at least 1. ``p_upper`` / ``p_lower`` are the facility of the item within
  each group (among the group's attempts that had the item); D is unknown when a group never had the item;
* an item is flagged when ``D < FLAG_BELOW`` (negative or near zero), but only when the subject had at least
  ``MIN_CANDIDATES`` candidates **and** the item itself was answered by that many: fewer say too little.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.services import audit_record
from exams.models import AttemptItem, Exam, ItemReview, Question, ResultVersion, Subject
from exams.models.attempts import Attempt
from exams.official_sheets import WORKBOOK_OPTIONS, sheet_name
from exams.selectors_results import ResultRow, UnitSummary, result_rows, unit_key, unit_summary

BINS = 10
PLACES = Decimal("0.0001")
GROUP_SHARE = Decimal("0.27")
FLAG_BELOW = Decimal("0.10")
MIN_CANDIDATES = 10
EXCERPT_WORDS = 12
FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED)  # voided attempts say nothing about the items


def _exact(value: Fraction) -> Decimal:
    """A fraction as the figure shown: rounded once, half up, to PLACES."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


# --- distributions --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bin:
    """``low`` included; ``high`` excluded except in the last bin, which holds the top of the scale."""

    low: Decimal
    high: Decimal
    count: int
    last: bool = False


@dataclass(frozen=True)
class Summary:
    count: int
    mean: Decimal | None = None
    sd: Decimal | None = None  # population standard deviation
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def distribution(values: Iterable[Decimal | int], *, upper: Decimal | int, bins: int = BINS) -> list[Bin]:
    """``bins`` equal bins over ``0..upper``. A value lands in bin ``floor(value × bins ÷ upper)`` (exact), the
    top of the scale in the last bin; values outside the scale are clamped to the nearest end."""
    upper = Decimal(upper)
    counts = [0] * bins
    for value in values:
        index = int(Decimal(value) * bins // upper) if upper > 0 else 0
        counts[min(max(index, 0), bins - 1)] += 1
    width = upper / bins
    return [Bin(low=(width * i).normalize(), high=(width * (i + 1)).normalize(), count=counts[i], last=i == bins - 1)
            for i in range(bins)]


def describe(values: Sequence[Decimal | int]) -> Summary:
    """Count, mean, population standard deviation, min and max (exact until the final rounding)."""
    if not values:
        return Summary(count=0)
    exact = [Fraction(Decimal(v)) for v in values]
    n = len(exact)
    mean = sum(exact, Fraction(0)) / n
    variance = sum(((x - mean) ** 2 for x in exact), Fraction(0)) / n
    sd = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt().quantize(PLACES, rounding=ROUND_HALF_UP)
    return Summary(count=n, mean=_exact(mean), sd=sd, minimum=Decimal(min(values)), maximum=Decimal(max(values)))


def rate(part: int, whole: int) -> Decimal | None:
    """``part ÷ whole`` rounded to PLACES; None when nobody counts."""
    return None if not whole else _exact(Fraction(part, whole))


@dataclass
class PassCount:
    sat: int = 0
    passed: int = 0

    @property
    def rate(self) -> Decimal | None:
        return rate(self.passed, self.sat)

    @property
    def percent(self) -> Decimal | None:
        found = self.rate
        return None if found is None else found * 100


@dataclass
class SubjectStatistics:
    subject: Subject
    by_correct: bool  # gates: the number correct over 0..n; otherwise the score over the scale
    upper: Decimal
    bins: list[Bin]
    summary: Summary
    passes: PassCount
    exempt: int = 0
    absent: int = 0


@dataclass
class UnitPassRates:
    label: str
    cells: list[PassCount]  # one per subject, in subject order
    overall: UnitSummary

    @property
    def total(self) -> PassCount:
        """Passed every subject ÷ sat at least one subject."""
        return PassCount(sat=self.overall.sat, passed=self.overall.passed)


@dataclass
class ExamStatistics:
    exam: Exam
    version: ResultVersion | None
    subjects: list[SubjectStatistics] = field(default_factory=list)
    units: list[UnitPassRates] = field(default_factory=list)


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
    """Per unit (in the order of ``selectors_results.unit_key``), per subject: sat, passed and the pass rate;
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


# --- item analysis ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    """One candidate's result on one item: the attempt, its total score, the question, correct or not."""

    attempt_id: int
    total: Decimal
    question_id: int
    correct: bool


@dataclass
class ItemFigures:
    question_id: int
    answered: int
    correct: int
    upper_answered: int
    upper_correct: int
    lower_answered: int
    lower_correct: int
    facility_exact: Fraction
    discrimination_exact: Fraction | None
    flagged: bool = False

    @property
    def facility(self) -> Decimal:
        return _exact(self.facility_exact)

    @property
    def discrimination(self) -> Decimal | None:
        return None if self.discrimination_exact is None else _exact(self.discrimination_exact)


@dataclass
class Analysis:
    candidates: int
    group_size: int
    items: list[ItemFigures]

    @property
    def may_flag(self) -> bool:
        return self.candidates >= MIN_CANDIDATES


def group_size(n: int) -> int:
    """The size of the upper and of the lower group: 27 % of ``n`` rounded half up, at least 1 (0 for nobody)."""
    if n <= 0:
        return 0
    return max(1, int((GROUP_SHARE * n).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def rank_attempts(totals: dict[int, Decimal]) -> list[int]:
    """Attempt ids from the highest total to the lowest; equal totals by attempt id, the lower id first."""
    return sorted(totals, key=lambda attempt_id: (-totals[attempt_id], attempt_id))


def analyse_items(responses: Iterable[Response]) -> Analysis:
    """Facility and discrimination of every question in ``responses`` (one subject), and the flags."""
    responses = list(responses)
    totals = {r.attempt_id: r.total for r in responses}
    ranked = rank_attempts(totals)
    g = group_size(len(ranked))
    upper, lower = set(ranked[:g]), set(ranked[len(ranked) - g:])
    by_question: dict[int, list[Response]] = defaultdict(list)
    for r in responses:
        by_question[r.question_id].append(r)
    items = []
    for question_id in sorted(by_question):
        held = by_question[question_id]
        ups = [r for r in held if r.attempt_id in upper]
        lows = [r for r in held if r.attempt_id in lower]
        correct = sum(r.correct for r in held)
        up_correct, low_correct = sum(r.correct for r in ups), sum(r.correct for r in lows)
        d = (Fraction(up_correct, len(ups)) - Fraction(low_correct, len(lows))) if ups and lows else None
        flagged = (d is not None and d < Fraction(FLAG_BELOW) and len(ranked) >= MIN_CANDIDATES
                   and len(held) >= MIN_CANDIDATES)
        items.append(ItemFigures(
            question_id=question_id, answered=len(held), correct=correct, upper_answered=len(ups),
            upper_correct=up_correct, lower_answered=len(lows), lower_correct=low_correct,
            facility_exact=Fraction(correct, len(held)), discrimination_exact=d, flagged=flagged))
    return Analysis(candidates=len(ranked), group_size=g, items=items)


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


def item_reviews_flag(*, exam: Exam, actor, ip: str | None = None) -> int:
    """Send the flagged items to the question board: one ``ItemReview`` per question and subject, created or
    brought up to date with the latest figures. A review already resolved stays resolved (the board has decided;
    the same exam's figures do not reopen it). Returns the number of reviews created or updated."""
    subjects = item_analysis(exam)
    now = timezone.now()
    created, updated = [], []
    for entry in subjects:
        for row in entry.flagged:
            figures = {"facility": row.figures.facility, "discrimination": row.figures.discrimination,
                       "answered": row.figures.answered}
            if row.review is None:
                created.append(ItemReview(question=row.question, exam=exam, subject=entry.subject, flagged_at=now,
                                          **figures))
            elif row.review.resolved_at is None:
                for name, value in figures.items():
                    setattr(row.review, name, value)
                updated.append(row.review)
    with transaction.atomic():
        ItemReview.objects.bulk_create(created)
        ItemReview.objects.bulk_update(updated, ["facility", "discrimination", "answered"])
        audit_record(actor=actor, action="statistics.flag_items", obj=exam, ip=ip,
                     details={"created": [r.question_id for r in created],
                              "updated": [r.question_id for r in updated]})
    return len(created) + len(updated)


def item_reviews_resolve(*, question: Question, actor, note: str, ip: str | None = None) -> int:
    """Mark every open review of ``question`` resolved with the board's note (audited). Conditional update:
    a review resolved meanwhile by someone else is left as it is. Returns the number resolved."""
    with transaction.atomic():
        open_reviews = ItemReview.objects.filter(question=question, resolved_at__isnull=True)
        ids = list(open_reviews.values_list("pk", flat=True))
        count = ItemReview.objects.filter(pk__in=ids, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=actor, resolution=note)
        if count:
            audit_record(actor=actor, action="item_review.resolve", obj=question, ip=ip,
                         details={"reviews": ids, "note": note})
    return count


def questions_needing_review(question_ids: Iterable[int]) -> set[int]:
    """Of these questions, the ones with an unresolved review (one query, for the bank's list)."""
    return set(ItemReview.objects.filter(question_id__in=list(question_ids), resolved_at__isnull=True)
               .values_list("question_id", flat=True))


# --- export ------------------------------------------------------------------------------------------------------

def bin_label(b: Bin) -> str:
    return f"{_plain(b.low)}–{_plain(b.high)}"


def _plain(value: Decimal) -> str:
    value = value.normalize()
    return f"{value:f}".replace(".", ",")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def statistics_xlsx(*, stats: ExamStatistics, items: list[SubjectItems]) -> bytes:
    """The workbook: a sheet per subject (distribution table + a native column chart), the unit × subject pass
    rates, and the items. User text goes in with ``write_string`` only (never read as a formula)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
    rate_fmt = book.add_format({"num_format": "0.0%"})
    decimal_fmt = book.add_format({"num_format": "0.00"})
    used: set[str] = set()

    for entry in stats.subjects:
        subject = entry.subject
        sheet = book.add_worksheet(sheet_name(subject.code, used))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 2, 14)
        sheet.write_string(0, 0, f"{subject.code} – {subject.name}", bold)
        what = _("Number correct (0–%(n)s)") % {"n": _plain(entry.upper)} if entry.by_correct \
            else _("Score (0–%(n)s)") % {"n": _plain(entry.upper)}
        sheet.write_string(1, 0, what)
        summary = entry.summary
        facts = [(_("Candidates who sat"), summary.count, None), (_("Mean"), _number(summary.mean), decimal_fmt),
                 (_("Standard deviation"), _number(summary.sd), decimal_fmt),
                 (_("Lowest"), _number(summary.minimum), decimal_fmt),
                 (_("Highest"), _number(summary.maximum), decimal_fmt), (_("Passed"), entry.passes.passed, None),
                 (_("Pass rate"), _number(entry.passes.rate), rate_fmt)]
        for offset, (label, value, fmt) in enumerate(facts, start=3):
            sheet.write_string(offset, 0, label)
            if value is None:
                sheet.write_blank(offset, 1, None)
            else:
                sheet.write_number(offset, 1, value, fmt)
        top = 3 + len(facts) + 1
        sheet.write_string(top, 0, _("Range"), header)
        sheet.write_string(top, 1, _("Candidates"), header)
        for i, b in enumerate(entry.bins, start=top + 1):
            sheet.write_string(i, 0, bin_label(b))
            sheet.write_number(i, 1, b.count)
        last = top + len(entry.bins)
        chart = book.add_chart({"type": "column"})
        chart.add_series({"name": _("Candidates"),
                          "categories": [sheet.name, top + 1, 0, last, 0],
                          "values": [sheet.name, top + 1, 1, last, 1], "gap": 30})
        chart.set_title({"name": _("Score distribution: %(code)s") % {"code": subject.code}})
        chart.set_x_axis({"name": what})
        chart.set_y_axis({"name": _("Candidates"), "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        sheet.insert_chart(top, 3, chart)

    sheet = book.add_worksheet(sheet_name(_("Pass rates by unit"), used))
    sheet.set_column(0, 0, 40)
    heads = [_("Unit")]
    for entry in stats.subjects:
        heads += [f"{entry.subject.code}: {_('sat')}", f"{entry.subject.code}: {_('passed')}",
                  f"{entry.subject.code}: {_('pass rate')}"]
    heads += [_("Sat at least one subject"), _("Passed every subject"), _("Pass rate")]
    for col, text in enumerate(heads):
        sheet.write_string(0, col, text, header)
    for r, unit in enumerate(stats.units, start=1):
        sheet.write_string(r, 0, unit.label)
        col = 1
        for cell in [*unit.cells, unit.total]:
            sheet.write_number(r, col, cell.sat)
            sheet.write_number(r, col + 1, cell.passed)
            if cell.rate is None:
                sheet.write_blank(r, col + 2, None)
            else:
                sheet.write_number(r, col + 2, float(cell.rate), rate_fmt)
            col += 3

    sheet = book.add_worksheet(sheet_name(_("Items"), used))
    heads = [_("Subject"), _("Question"), _("Text"), _("Bank"), _("Candidates"), _("Correct"),
             _("Facility (p)"), _("Discrimination (D)"), _("Flagged")]
    for col, text in enumerate(heads):
        sheet.write_string(0, col, text, header)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 3, 24)
    r = 1
    for entry in items:
        for row in entry.rows:
            f = row.figures
            sheet.write_string(r, 0, entry.subject.code)
            sheet.write_string(r, 1, row.label)
            sheet.write_string(r, 2, row.excerpt)
            sheet.write_string(r, 3, row.question.bank.name)
            sheet.write_number(r, 4, f.answered)
            sheet.write_number(r, 5, f.correct)
            sheet.write_number(r, 6, float(f.facility), decimal_fmt)
            if f.discrimination is None:
                sheet.write_blank(r, 7, None)
            else:
                sheet.write_number(r, 7, float(f.discrimination), decimal_fmt)
            sheet.write_string(r, 8, _("yes") if f.flagged else "")
            r += 1
    book.close()
    return buffer.getvalue()
