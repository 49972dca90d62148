"""Scoring of one answer to one question, as a fraction of the item's points (exact Decimals)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from accounts.vietnamese import normalize_name, search_key
from exams.banks.importing import base

ZERO = Decimal("0")
ONE = Decimal("1")


def normalize_short_answer(text: str, *, accent_insensitive: bool) -> str:
    """NFC, whitespace and case folding; accents dropped too when the question says so."""
    if accent_insensitive:
        return search_key(text or "")
    return normalize_name(text or "").casefold()


def choice_fraction(*, kind: str, scoring: str, correct_ids: Iterable[int], chosen_ids: Iterable[int]) -> Decimal:
    """Single choice and true/false: 1 or 0. Multiple choice: all-or-nothing, or partial credit
    ``max(0, (correct chosen − wrong chosen) / number of correct choices)``."""
    correct, chosen = set(correct_ids), set(chosen_ids)
    if kind in (base.KIND_SINGLE, base.KIND_TRUE_FALSE):
        return ONE if len(chosen) == 1 and chosen <= correct else ZERO
    if kind != base.KIND_MULTIPLE:
        raise ValueError(f"not a choice question: {kind}")
    if scoring == base.SCORING_PARTIAL:
        right = len(chosen & correct)
        wrong = len(chosen - correct)
        return max(ZERO, Decimal(right - wrong) / Decimal(len(correct)))
    return ONE if chosen == correct else ZERO


def short_answer_fraction(*, accepted: Iterable[str], given: str, accent_insensitive: bool) -> Decimal:
    wanted = {normalize_short_answer(a, accent_insensitive=accent_insensitive) for a in accepted}
    answer = normalize_short_answer(given, accent_insensitive=accent_insensitive)
    return ONE if answer and answer in wanted else ZERO


def item_score(*, question, points: Decimal, chosen_ids: Iterable[int] = (), text: str = "",
               correct_ids: Iterable[int] | None = None) -> Decimal | None:
    """Points earned on one item; None for an essay (marked by people). ``correct_ids``: the question's correct
    choices when the caller has read them (a paper's are read at once); otherwise read from the question."""
    if question.kind == base.KIND_ESSAY:
        return None
    if question.kind == base.KIND_SHORT:
        fraction = short_answer_fraction(accepted=question.accepted_answers, given=text,
                                         accent_insensitive=question.accent_insensitive)
    else:
        correct = list(correct_ids) if correct_ids is not None else [c.pk for c in question.choices.all()
                                                                       if c.is_correct]
        fraction = choice_fraction(kind=question.kind, scoring=question.scoring, correct_ids=correct,
                                   chosen_ids=chosen_ids)
    return (fraction * points).quantize(Decimal("0.0001"))
