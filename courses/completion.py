"""The completion rules of a class (Thông tư 01/2018/TT-BNV; docs/courses.md, "Completion"), as pure functions:
values in, values out, no database.

1. Attendance rate = periods present ÷ periods scheduled; an excused absence is an absence. The learner qualifies
   when the rate reaches the programme's threshold (default 80 %; exactly the threshold qualifies), compared
   exactly (present × 100 ≥ threshold × scheduled), never on a rounded percentage.
2. An assessment counts the best or the last of its tries with a score (an excused try has none). A learner under
   the pass mark, or excused, may sit again as many times as the assessment allows.
3. Every required assessment needs a counted score ≥ its pass mark (5.00 passes, 4.99 fails); a missing score
   blocks and is named.
4. A disciplinary measure of a blocking level blocks (the setting COURSE_BLOCKING_DISCIPLINE; default: any level).
5. Average = the weighted mean of the counted scores, rounded half-up to two decimals; the band is read from that
   rounded average (defaults Xuất sắc ≥ 9, Giỏi ≥ 8, Khá ≥ 7, Trung bình ≥ 5; setting COURSE_BANDS).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
DEFAULT_BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(9), "Xuất sắc"), (Decimal(8), "Giỏi"), (Decimal(7), "Khá"), (Decimal(5), "Trung bình"))


@dataclass(frozen=True)
class Try:
    attempt: int
    value: Decimal | None  # None: excused
    excused: bool = False


@dataclass(frozen=True)
class Requirement:
    code: str
    weight: Decimal
    pass_mark: Decimal
    counts: str  # "best" or "last"


@dataclass(frozen=True)
class Outcome:
    present_periods: int
    scheduled_periods: int
    rate: Decimal  # percent, two decimals (shown; the decision compares exactly)
    scores: dict[str, Decimal | None]
    average: Decimal | None
    band: str
    completed: bool
    reasons: list[str] = field(default_factory=list)


def _shown(value: Decimal) -> str:
    """A figure as a Vietnamese list writes it: a decimal comma, no trailing zeros (80 %, 79,58 %)."""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
    return text.replace(".", ",")


def rate_percent(present: int, scheduled: int) -> Decimal:
    if scheduled == 0:
        return Decimal(0)
    return (Decimal(present) * 100 / Decimal(scheduled)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def attendance_qualifies(present: int, scheduled: int, threshold: Decimal) -> bool:
    return scheduled > 0 and Decimal(present) * 100 >= threshold * Decimal(scheduled)


def counted_score(tries: Iterable[Try], counts: str) -> Decimal | None:
    """The score that counts: the best of the scored tries, or the score of the last try (None when the last try
    was excused or there is none)."""
    ordered = sorted(tries, key=lambda t: t.attempt)
    if not ordered:
        return None
    if counts == "last":
        return ordered[-1].value
    scored = [t.value for t in ordered if t.value is not None]
    return max(scored) if scored else None


def may_retake(tries: Sequence[Try], *, pass_mark: Decimal, retakes: int) -> bool:
    """Whether another try is allowed: the last one was under the pass mark or excused, and retakes remain."""
    if not tries:
        return False
    last = max(tries, key=lambda t: t.attempt)
    return len(tries) <= retakes and (last.value is None or last.value < pass_mark)


def weighted_mean(scores: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """(score, weight) pairs → the mean rounded half-up to two decimals."""
    total = sum((w for _s, w in scores), Decimal(0))
    if not scores or total == 0:
        return None
    return (sum((s * w for s, w in scores), Decimal(0)) / total).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def band_of(average: Decimal | None, bands: Sequence[tuple[Decimal, str]] = DEFAULT_BANDS) -> str:
    if average is None:
        return ""
    for floor, name in sorted(bands, key=lambda b: b[0], reverse=True):
        if average >= floor:
            return name
    return ""


def decide(*, present_periods: int, scheduled_periods: int, threshold: Decimal,
           requirements: Sequence[Requirement], tries: dict[str, list[Try]], blocking_measures: Sequence[str],
           bands: Sequence[tuple[Decimal, str]] = DEFAULT_BANDS) -> Outcome:
    """The whole decision for one learner; ``reasons`` name every condition not met, in the list's words."""
    reasons = []
    if not attendance_qualifies(present_periods, scheduled_periods, threshold):
        reasons.append(f"Chuyên cần {_shown(rate_percent(present_periods, scheduled_periods))} % dưới "
                       f"{_shown(threshold)} %")
    scores, weighted = {}, []
    for requirement in requirements:
        score = counted_score(tries.get(requirement.code, []), requirement.counts)
        scores[requirement.code] = score
        if score is None:
            reasons.append(f"Thiếu điểm {requirement.code}")
        else:
            weighted.append((score, requirement.weight))
            if score < requirement.pass_mark:
                reasons.append(f"{requirement.code} dưới {_shown(requirement.pass_mark)} điểm")
    reasons.extend(f"Bị kỷ luật: {measure}" for measure in blocking_measures)
    average = weighted_mean(weighted) if len(weighted) == len(requirements) else None
    completed = not reasons
    return Outcome(present_periods=present_periods, scheduled_periods=scheduled_periods,
                   rate=rate_percent(present_periods, scheduled_periods), scores=scores, average=average,
                   band=band_of(average, bands) if completed else "", completed=completed, reasons=reasons)
