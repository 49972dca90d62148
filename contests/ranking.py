"""The contest's rules for a closed round, as pure functions (docs/contests.md, "Ranking"): the prediction's actual
value, which of a participant's entries counts, the ranking chain with shared ranks, and the prizes down the ranking.

Nothing here reads the database: the closing service hands in plain values and stores what comes back, so every
link of the chain is tested alone and together without a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

# What the prediction question asks for (Round.prediction_rule).
VALID_ENTRIES = "valid_entries"
PARTICIPANTS = "participants"
FULLY_CORRECT = "fully_correct"
PREDICTION_RULES = (VALID_ENTRIES, PARTICIPANTS, FULLY_CORRECT)

# Which entry counts when a round allows more than one (Round.counts).
BEST, LAST = "best", "last"


@dataclass(frozen=True)
class Entry:
    """One finished entry, as the closing service reads it."""

    entry_id: int
    participant_id: int
    group: str
    valid: bool  # every question answered and not voided
    correct: int
    questions: int
    prediction: int | None
    time_taken_ms: int
    submitted_at: dt.datetime

    @property
    def fully_correct(self) -> bool:
        return self.valid and self.correct == self.questions


@dataclass(frozen=True)
class Row:
    """One participant's place in a group's ranking."""

    entry: Entry
    rank: int
    gap: int | None  # |prediction − actual|; None when no prediction was given (ranked after every given one)


@dataclass(frozen=True)
class Award:
    """A row with its prize: ``prize`` decided, or ``contested`` the prizes a tie straddles (the organisers decide)."""

    row: Row
    prize: str | None
    contested: tuple[str, ...] = ()
    passed_over: bool = False  # not eligible for another prize: the prize went to the next


def actual_value(entries: Iterable[Entry], *, rule: str, group: str | None) -> int:
    """The prediction's true value once the round has closed: over the round's entries, in ``group`` (or in every
    group when None). Voided and incomplete entries are not valid and count for nothing."""
    valid = [e for e in entries if e.valid and (group is None or e.group == group)]
    if rule == VALID_ENTRIES:
        return len(valid)
    if rule == PARTICIPANTS:
        return len({e.participant_id for e in valid})
    if rule == FULLY_CORRECT:
        return sum(1 for e in valid if e.fully_correct)
    raise ValueError(f"unknown prediction rule {rule!r}")


def _gap(entry: Entry, actual: int) -> int | None:
    return None if entry.prediction is None else abs(entry.prediction - actual)


def chain_key(entry: Entry, actual: int) -> tuple:
    """The ranking chain: correct answers (more first) → prediction gap (smaller first; none given, last) → time
    taken (shorter first) → submission time (earlier first)."""
    gap = _gap(entry, actual)
    return (-entry.correct, gap is None, gap or 0, entry.time_taken_ms, entry.submitted_at)


def counted_entries(entries: Iterable[Entry], *, counts: str, actual: int) -> list[Entry]:
    """Each participant's one counted entry among their valid ones: the best by the chain, or the last submitted."""
    chosen: dict[int, Entry] = {}
    for entry in entries:
        if not entry.valid:
            continue
        held = chosen.get(entry.participant_id)
        if held is None:
            chosen[entry.participant_id] = entry
        elif counts == LAST:
            if (entry.submitted_at, entry.entry_id) > (held.submitted_at, held.entry_id):
                chosen[entry.participant_id] = entry
        elif chain_key(entry, actual) < chain_key(held, actual):
            chosen[entry.participant_id] = entry
    return list(chosen.values())


def ranked(entries: Iterable[Entry], *, actual: int) -> list[Row]:
    """Competition ranking by the chain: entries equal on every link share a rank (1, 2, 2, 4); within a shared
    rank the order is the participant's id, for a stable list (it decides nothing)."""
    ordered = sorted(entries, key=lambda e: (chain_key(e, actual), e.participant_id))
    rows: list[Row] = []
    for position, entry in enumerate(ordered, start=1):
        key = chain_key(entry, actual)
        rank = rows[-1].rank if rows and chain_key(rows[-1].entry, actual) == key else position
        rows.append(Row(entry=entry, rank=rank, gap=_gap(entry, actual)))
    return rows


def awarded(rows: Sequence[Row], *, prizes: Sequence[tuple[str, int]], may_win: set[int] | None = None) -> list[Award]:
    """Prizes down the ranking: ``prizes`` in order with their counts (("nhat", 1), ("nhi", 2), …); ``may_win`` the
    participants still allowed a prize (None: everyone). One not allowed is passed over and the prize goes on to
    the next. A group of equal rank whose places cross from one prize to another, or past the last prize, is
    contested: none of them gets a prize until the organisers decide (never at random); the places it takes are
    used up, so those after it are not moved."""
    slots = [name for name, count in prizes for _ in range(count)]
    awards: list[Award] = []
    taken = 0
    for _rank, tied in groupby(rows, key=lambda r: r.rank):  # rows come in rank order: one pass, whatever the size
        group = list(tied)
        eligible = [r for r in group if may_win is None or r.entry.participant_id in may_win]
        prizes_left = taken < len(slots)
        places = slots[taken:taken + len(eligible)]
        taken += len(eligible)
        decided = places[0] if places and len(set(places)) == 1 and len(places) == len(eligible) else None
        contested = () if decided or not places else tuple(dict.fromkeys(places))
        chosen = {id(r) for r in eligible}
        for row in group:
            if id(row) in chosen:
                awards.append(Award(row=row, prize=decided, contested=contested))
            else:
                awards.append(Award(row=row, prize=None, passed_over=prizes_left))
    return awards
