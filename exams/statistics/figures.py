"""Exam statistics: score distributions, pass rates per unit and subject,
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

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from exams.results.models import ResultVersion
from exams.results.selectors import UnitSummary
from exams.sessions.models import Exam, Subject

BINS = 10


PLACES = Decimal("0.0001")


GROUP_SHARE = Decimal("0.27")


FLAG_BELOW = Decimal("0.10")


MIN_CANDIDATES = 10


EXCERPT_WORDS = 12


def _exact(value: Fraction) -> Decimal:
    """A fraction as the figure shown: rounded once, half up, to PLACES."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PLACES, rounding=ROUND_HALF_UP)


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
