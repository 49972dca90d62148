"""The marking rules of written subjects and the appeal window (docs/rules.md, "Written subjects", "Appeals"), as
pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

STORED = Decimal("0.0001")  # the precision score fields keep (a mean of three marks is rounded here, half up)
CLOSEST_PAIR, MEAN_OF_THREE, THIRD_MARK = "closest_pair", "mean_of_three", "third_mark"


def mark_problem(mark: Decimal, *, scale: Decimal, step: Decimal) -> str | None:
    """Why a mark cannot be recorded (English key for the caller's message), or None when it is valid."""
    if mark < 0 or mark > scale:
        return "range"
    if step > 0 and (mark / step) % 1 != 0:
        return "step"
    return None


def needs_third(first: Decimal, second: Decimal, *, gap: Decimal) -> bool:
    """A third marker marks when the two marks differ by more than the gap."""
    return abs(first - second) > gap


def final_mark(marks: list[Decimal], *, gap: Decimal, rule: str = CLOSEST_PAIR) -> Decimal | None:
    """Two marks within the gap: their mean. Three marks (first, second, third), by the subject's rule: the
    default takes the mean of the two closest, or of all three when two pairs are equally close; the others take
    the mean of the three, or the third marker's mark. None while the marks so far cannot give a final mark."""
    if len(marks) < 2:
        return None
    if len(marks) == 2:
        a, b = marks
        return None if needs_third(a, b, gap=gap) else _stored((a + b) / 2)
    a, b, c = marks[:3]
    if rule == MEAN_OF_THREE:
        return _stored((a + b + c) / 3)
    if rule == THIRD_MARK:
        return _stored(c)
    pairs = sorted([(abs(a - b), (a, b)), (abs(a - c), (a, c)), (abs(b - c), (b, c))], key=lambda p: p[0])
    if pairs[0][0] == pairs[1][0]:
        return _stored((a + b + c) / 3)
    x, y = pairs[0][1]
    return _stored((x + y) / 2)


def _stored(value: Decimal) -> Decimal:
    return value.quantize(STORED, rounding=ROUND_HALF_UP)


def appeal_closes_at(published_at: dt.datetime, *, days: int, tz: ZoneInfo) -> dt.datetime:
    """The last instant an appeal is accepted: 23:59:59 (local) of the ``days``-th calendar day counted from
    the day after publication (published on the 1st with 15 days → closes on the 16th at 23:59:59)."""
    published_day = published_at.astimezone(tz).date()
    last_day = published_day + dt.timedelta(days=days)
    return dt.datetime.combine(last_day, dt.time(23, 59, 59, 999999), tzinfo=tz)


def appeal_open(now: dt.datetime, *, published_at: dt.datetime, days: int, tz: ZoneInfo) -> bool:
    return published_at <= now <= appeal_closes_at(published_at, days=days, tz=tz)
