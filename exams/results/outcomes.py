"""The rules that turn scores into results (docs/rules.md, "Results rules", rules 1–8), as pure functions over plain data.

Nothing here touches the database: ``exams.results.services`` loads the exam, calls these, and writes the
version. Every number is an ``int`` or an exact ``Decimal``; nothing is rounded before the ranking, and no
decision is ever random.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

GATE_HALF, SCORE_HALF, PROJECT_PAIR = "gate_half", "score_half", "project_pair"
REPRIMAND, WARNING, SUSPENSION, CANCELLATION = "reprimand", "warning", "suspension", "cancellation"
SEVERITY = {REPRIMAND: 1, WARNING: 2, SUSPENSION: 3, CANCELLATION: 4}

SELECTED, NOT_SELECTED, FAILED, PENDING, PASSED = "selected", "not_selected", "failed", "pending", "passed"

# The tie-break links (docs/rules.md, "Quota and tie-breaks", rule 5); the exam stores an ordered list of these names.
FEMALE, MINORITY, OLDER, LONGER_SERVICE = "female", "minority", "older", "longer_service"
TIE_LINKS = (FEMALE, MINORITY, OLDER, LONGER_SERVICE)


@dataclass(frozen=True)
class SubjectRule:
    id: int
    code: str
    name: str
    pass_rule: str
    scale: Decimal
    is_gate: bool
    ranks: bool
    question_count: int | None = None


@dataclass(frozen=True)
class SubjectInput:
    """What came in for one candidate and subject: a count (gates), a score, or nothing (absent)."""

    exempt: str = ""
    correct: int | None = None
    total: int | None = None
    score: Decimal | None = None
    penalty: str = ""  # the most severe penalty recorded in this subject's room


@dataclass(frozen=True)
class SubjectOutcome:
    subject_id: int
    exempt: str = ""
    absent: bool = False
    correct: int | None = None  # after a deduction
    raw_correct: int | None = None
    total: int | None = None
    raw_score: Decimal | None = None
    score: Decimal | None = None  # after a deduction
    penalty: str = ""
    passed: bool = False


def most_severe(kinds: Iterable[str]) -> str:
    return max(kinds, key=lambda k: SEVERITY.get(k, 0), default="")


def deduction_rate(penalty: str, rates: dict[str, Decimal]) -> Decimal:
    return rates.get(penalty, Decimal(0)) if penalty in (REPRIMAND, WARNING) else Decimal(0)


def subject_outcome(rule: SubjectRule, given: SubjectInput, rates: dict[str, Decimal]) -> SubjectOutcome:
    """Rules 1, 2, 7 and 8 for one subject. A deduction comes before the pass check; for a gate the count left
    is ``correct − floor(correct × rate)`` (in the candidate's favour)."""
    if given.exempt:
        return SubjectOutcome(rule.id, exempt=given.exempt, passed=True)
    has_count = given.correct is not None and given.total is not None
    if not has_count and given.score is None:
        return SubjectOutcome(rule.id, absent=True, penalty=given.penalty)
    rate = deduction_rate(given.penalty, rates)
    if rule.is_gate:
        correct, total = (given.correct, given.total) if has_count else (0, rule.question_count or 0)
        if given.penalty == SUSPENSION:
            left = 0
        else:
            left = correct - int((Decimal(correct) * rate).to_integral_value(rounding=ROUND_FLOOR))
        passed = total > 0 and 2 * left >= total and given.penalty not in (SUSPENSION, CANCELLATION)
        return SubjectOutcome(rule.id, correct=left, raw_correct=correct, total=total, penalty=given.penalty,
                              passed=passed)
    raw = given.score if given.score is not None else Decimal(0)
    score = Decimal(0) if given.penalty == SUSPENSION else raw * (1 - rate)
    passed = 2 * score >= rule.scale and given.penalty not in (SUSPENSION, CANCELLATION)
    return SubjectOutcome(rule.id, raw_score=raw, score=score, penalty=given.penalty, passed=passed)


@dataclass
class CandidateFacts:
    """What the tie-break chain and the official order need to know about a person."""

    registration_id: int
    name_key: tuple
    female: bool | None = None
    minority: bool | None = None
    birth_date: dt.date | None = None
    service_start: dt.date | None = None
    quota_group: str = ""


@dataclass
class CandidateOutcome:
    facts: CandidateFacts
    subjects: list[SubjectOutcome]
    passed: bool = False
    notes: list[str] = field(default_factory=list)
    ranking_score: Decimal | None = None
    outcome: str = FAILED
    rank: int | None = None
    tie_group: int | None = None
    decided_by: str = ""
    cancelled: bool = False
    suspended: bool = False
    absent: bool = False


def candidate_outcome(facts: CandidateFacts, rules: list[SubjectRule], subjects: list[SubjectOutcome]
                      ) -> CandidateOutcome:
    """Rules 3, 7 and 8 across the subjects: passed only when every subject passed, the project pair adds up,
    no subject is missing, and no penalty removes the candidate."""
    result = CandidateOutcome(facts=facts, subjects=subjects)
    by_id = {r.id: r for r in rules}
    result.absent = any(s.absent for s in subjects)
    result.cancelled = any(s.penalty == CANCELLATION for s in subjects)
    result.suspended = any(s.penalty == SUSPENSION for s in subjects)
    pair = [s for s in subjects if by_id[s.subject_id].pass_rule == PROJECT_PAIR and not s.exempt]
    pair_ok = True
    if pair:
        scale = by_id[pair[0].subject_id].scale
        pair_ok = all(s.score is not None for s in pair) and sum((s.score for s in pair), Decimal(0)) >= scale
    result.passed = (all(s.passed for s in subjects) and pair_ok
                     and not (result.absent or result.cancelled or result.suspended))
    ranking = [s.score for s in subjects if by_id[s.subject_id].ranks and s.score is not None]
    result.ranking_score = sum(ranking, Decimal(0)) if ranking else None
    return result


# --- Selection within the quota (rules 4 and 5) --------------------------------------------------------------

def tie_value(link: str, facts: CandidateFacts):
    """The value a link compares (smaller wins), or None when the person's record cannot say."""
    if link == FEMALE:
        return None if facts.female is None else (0 if facts.female else 1)
    if link == MINORITY:
        return None if facts.minority is None else (0 if facts.minority else 1)
    if link == OLDER:
        return facts.birth_date
    if link == LONGER_SERVICE:
        return facts.service_start
    raise ValueError(f"unknown tie-break link: {link}")


@dataclass(frozen=True)
class TieKey:
    quota_group: str
    tied: tuple[int, ...]
    places: int


DecisionLookup = Callable[[TieKey], "tuple[int, ...] | None"]


@dataclass
class Selection:
    ties: list[TieKey] = field(default_factory=list)


def select_group(passers: list[CandidateOutcome], seats: int, chain: list[str], decision: DecisionLookup,
                 selection: Selection) -> None:
    """Give ``seats`` places to the passers of one quota group: by ranking score, and at the cut by the chain;
    a tie the chain cannot break takes the council's recorded decision or stays pending."""
    ordered = sorted(passers, key=lambda c: score_desc(c.ranking_score))
    left = seats
    for group in _runs(ordered, key=lambda c: score_desc(c.ranking_score)):
        left = _place(group, left, chain, decision, selection, decided_by="score")


def score_desc(score: Decimal | None):
    """The sort key of a score: the highest first, no score last."""
    return (1, 0) if score is None else (0, -score)


def _runs(items: list, key) -> list[list]:
    runs: list[list] = []
    for item in items:
        if runs and key(runs[-1][0]) == key(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _place(group: list[CandidateOutcome], left: int, chain: list[str], decision: DecisionLookup,
           selection: Selection, *, decided_by: str) -> int:
    if left <= 0:
        for c in group:
            c.outcome, c.decided_by = NOT_SELECTED, c.decided_by or decided_by
        return 0
    if left >= len(group):
        for c in group:
            c.outcome, c.decided_by = SELECTED, c.decided_by or decided_by
        return left - len(group)
    # The cut falls inside this group: the next link of the chain that every member's record can answer.
    for n, link in enumerate(chain):
        values = [tie_value(link, c.facts) for c in group]
        if any(v is None for v in values) or len(set(values)) == 1:
            continue
        rest = chain[n + 1:]
        ordered = sorted(group, key=lambda c: tie_value(link, c.facts))
        for sub in _runs(ordered, key=lambda c: tie_value(link, c.facts)):
            if len(sub) > 1 and 0 < left < len(sub):
                left = _place(sub, left, rest, decision, selection, decided_by=link)
            else:
                left = _place(sub, left, [], decision, selection, decided_by=link)
        return left
    key = TieKey(group[0].facts.quota_group, tuple(sorted(c.facts.registration_id for c in group)), left)
    chosen = decision(key)
    if chosen is not None and len(chosen) == left and set(chosen) <= set(key.tied):
        for c in group:
            c.outcome = SELECTED if c.facts.registration_id in chosen else NOT_SELECTED
            c.decided_by = "council"
        return 0
    selection.ties.append(key)
    for c in group:
        c.outcome, c.tie_group, c.decided_by = PENDING, len(selection.ties), "unresolved"
    return 0


def chain_sort_key(chain: list[str], facts: CandidateFacts) -> tuple:
    """Order inside equal scores for the winners list: each link (unknown values last), then the name."""
    parts = []
    for link in chain:
        value = tie_value(link, facts)
        parts.append((1, dt.date.max) if value is None else (0, value))
    return (*parts, facts.name_key)
