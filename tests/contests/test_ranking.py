"""The ranking rules of a closed round (docs/contests.md, "Ranking"): each link of the chain alone and together,
shared ranks, the prediction's actual value under each rule, which entry counts, and the prizes down the ranking."""
from __future__ import annotations

import datetime as dt

import pytest

from contests.ranking import (
    BEST,
    FULLY_CORRECT,
    LAST,
    PARTICIPANTS,
    VALID_ENTRIES,
    Entry,
    actual_value,
    awarded,
    counted_entries,
    ranked,
)

CLOSE = dt.datetime(2027, 3, 7, 14, 0, tzinfo=dt.UTC)
PRIZES = [("nhat", 1), ("nhi", 1), ("ba", 2)]


def entry(pid: int, *, correct: int = 20, prediction: int | None = 100, ms: int = 300_000, at_ms: int = 0,
          group: str = "cbccvc", valid: bool = True, questions: int = 20, eid: int | None = None) -> Entry:
    return Entry(entry_id=eid or pid, participant_id=pid, group=group, valid=valid, correct=correct,
                 questions=questions, prediction=prediction, time_taken_ms=ms,
                 submitted_at=CLOSE - dt.timedelta(hours=1) + dt.timedelta(milliseconds=at_ms))


def order(rows) -> list[tuple[int, int]]:
    return [(r.entry.participant_id, r.rank) for r in rows]


class TestChain:
    def test_more_correct_answers_first(self):
        assert order(ranked([entry(1, correct=18), entry(2, correct=20)], actual=100)) == [(2, 1), (1, 2)]

    def test_then_the_smaller_prediction_gap_on_either_side(self):
        rows = ranked([entry(1, prediction=90), entry(2, prediction=107), entry(3, prediction=100)], actual=100)
        assert order(rows) == [(3, 1), (2, 2), (1, 3)]
        assert [r.gap for r in rows] == [0, 7, 10]

    def test_a_missing_prediction_comes_after_every_given_one(self):
        rows = ranked([entry(1, prediction=None), entry(2, prediction=5_000)], actual=100)
        assert order(rows) == [(2, 1), (1, 2)] and rows[1].gap is None

    def test_then_the_shorter_time_taken(self):
        assert order(ranked([entry(1, ms=300_001), entry(2, ms=300_000)], actual=100)) == [(2, 1), (1, 2)]

    def test_then_the_earlier_submission_to_the_millisecond(self):
        assert order(ranked([entry(1, at_ms=1), entry(2, at_ms=0)], actual=100)) == [(2, 1), (1, 2)]

    def test_the_links_in_their_order(self):
        # A better prediction does not beat one more correct answer; a shorter time does not beat a better
        # prediction; an earlier submission does not beat a shorter time.
        rows = ranked([
            entry(1, correct=19, prediction=100, ms=1_000, at_ms=0),
            entry(2, correct=20, prediction=150, ms=900_000, at_ms=9),
            entry(3, correct=20, prediction=101, ms=900_000, at_ms=9),
            entry(4, correct=20, prediction=101, ms=800_000, at_ms=9),
            entry(5, correct=20, prediction=101, ms=800_000, at_ms=8),
        ], actual=100)
        assert order(rows) == [(5, 1), (4, 2), (3, 3), (2, 4), (1, 5)]

    def test_equal_on_every_link_share_a_rank_and_the_next_rank_skips(self):
        rows = ranked([entry(1, ms=0), entry(2, ms=1), entry(3, ms=1), entry(4, ms=2), entry(5, ms=1)], actual=100)
        assert [r.rank for r in rows] == [1, 2, 2, 2, 5]
        assert {pid for pid, rank in order(rows) if rank == 2} == {2, 3, 5}


class TestActualValue:
    ENTRIES = [entry(1, eid=11), entry(1, eid=12, correct=19), entry(2, eid=21), entry(3, eid=31, valid=False),
               entry(4, eid=41, group="nhan-dan"), entry(5, eid=51, group="nhan-dan", correct=3)]

    @pytest.mark.parametrize(("rule", "group", "expected"), [
        (VALID_ENTRIES, "cbccvc", 3), (VALID_ENTRIES, None, 5),
        (PARTICIPANTS, "cbccvc", 2), (PARTICIPANTS, None, 4),
        (FULLY_CORRECT, "cbccvc", 2), (FULLY_CORRECT, None, 3),
    ])
    def test_each_rule_in_the_group_or_over_every_group(self, rule, group, expected):
        assert actual_value(self.ENTRIES, rule=rule, group=group) == expected

    def test_a_voided_entry_no_longer_counts(self):
        voided = [e if e.entry_id != 21 else entry(2, eid=21, valid=False) for e in self.ENTRIES]
        assert actual_value(voided, rule=VALID_ENTRIES, group="cbccvc") == 2
        assert actual_value(voided, rule=FULLY_CORRECT, group="cbccvc") == 1

    def test_an_unknown_rule_is_an_error(self):
        with pytest.raises(ValueError):
            actual_value(self.ENTRIES, rule="guess", group=None)


class TestCountedEntry:
    def test_the_best_by_the_chain_or_the_last_submitted(self):
        first = entry(1, eid=10, correct=20, at_ms=0)
        second = entry(1, eid=11, correct=17, at_ms=60_000)
        assert counted_entries([first, second], counts=BEST, actual=100) == [first]
        assert counted_entries([first, second], counts=LAST, actual=100) == [second]

    def test_an_invalid_entry_never_counts_even_as_the_last(self):
        done = entry(1, eid=10, at_ms=0)
        incomplete = entry(1, eid=11, at_ms=60_000, valid=False)
        assert counted_entries([done, incomplete], counts=LAST, actual=100) == [done]
        assert counted_entries([incomplete], counts=BEST, actual=100) == []


class TestPrizes:
    def prizes(self, rows, may_win=None):
        return [(a.row.entry.participant_id, a.prize, a.contested, a.passed_over)
                for a in awarded(rows, prizes=PRIZES, may_win=may_win)]

    def test_down_the_ranking_by_the_counts(self):
        rows = ranked([entry(n, ms=n) for n in range(1, 7)], actual=100)
        assert [p[:2] for p in self.prizes(rows)] == [(1, "nhat"), (2, "nhi"), (3, "ba"), (4, "ba"), (5, None),
                                                      (6, None)]

    def test_a_tie_inside_one_prize_shares_it(self):
        rows = ranked([entry(1, ms=0), entry(2, ms=1), entry(3, ms=2), entry(4, ms=2), entry(5, ms=3)], actual=100)
        assert [p[:2] for p in self.prizes(rows)] == [(1, "nhat"), (2, "nhi"), (3, "ba"), (4, "ba"), (5, None)]

    def test_a_tie_straddling_the_last_prize_is_left_to_the_organisers(self):
        rows = ranked([entry(1, ms=0), entry(2, ms=1), entry(3, ms=2), entry(4, ms=3), entry(5, ms=3), entry(6, ms=4)],
                      actual=100)
        got = self.prizes(rows)
        assert got[3][1:3] == (None, ("ba",)) and got[4][1:3] == (None, ("ba",))  # 4 and 5: one third prize left
        assert got[5][1:3] == (None, ())  # after them: nothing moves up

    def test_a_tie_across_two_prizes_is_left_to_the_organisers_and_those_after_keep_their_place(self):
        rows = ranked([entry(1, ms=1), entry(2, ms=1), entry(3, ms=2), entry(4, ms=3)], actual=100)
        got = self.prizes(rows)
        assert [g[1:3] for g in got[:2]] == [(None, ("nhat", "nhi")), (None, ("nhat", "nhi"))]
        assert [g[:2] for g in got[2:]] == [(3, "ba"), (4, "ba")]

    def test_one_who_may_not_win_again_is_passed_over_and_the_prize_goes_on(self):
        rows = ranked([entry(n, ms=n) for n in range(1, 7)], actual=100)
        got = self.prizes(rows, may_win={1, 3, 4, 5, 6})
        assert got[1] == (2, None, (), True)
        assert [g[:2] for g in got] == [(1, "nhat"), (2, None), (3, "nhi"), (4, "ba"), (5, "ba"), (6, None)]
        assert got[5][3] is False  # below the prizes: nothing was passed over
