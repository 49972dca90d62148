"""docs/rules.md, "Results rules", rules 1–8 on plain data (exams.results.outcomes): each test fails without its rule."""

import datetime as dt
from decimal import Decimal

import pytest

from exams.results import outcomes as o

RATES = {o.REPRIMAND: Decimal("0.20"), o.WARNING: Decimal("0.40")}
GATE = o.SubjectRule(id=1, code="KTC", name="Kiến thức chung", pass_rule=o.GATE_HALF, scale=Decimal(100),
                     is_gate=True, ranks=False, question_count=60)
CMNV = o.SubjectRule(id=2, code="CMNV", name="Chuyên môn", pass_rule=o.SCORE_HALF, scale=Decimal(100),
                     is_gate=False, ranks=True)
DA = o.SubjectRule(id=3, code="DA", name="Đề án", pass_rule=o.PROJECT_PAIR, scale=Decimal(100), is_gate=False,
                   ranks=True)
BVDA = o.SubjectRule(id=4, code="BVDA", name="Bảo vệ đề án", pass_rule=o.PROJECT_PAIR, scale=Decimal(100),
                     is_gate=False, ranks=True)
CHAIN = list(o.TIE_LINKS)


def gate(correct, total=60, penalty=""):
    return o.subject_outcome(GATE, o.SubjectInput(correct=correct, total=total, penalty=penalty), RATES)


def scored(score, penalty="", rule=CMNV):
    return o.subject_outcome(rule, o.SubjectInput(score=Decimal(score), penalty=penalty), RATES)


class TestGate:
    def test_exactly_half_passes_and_one_under_fails(self):
        assert gate(30).passed
        assert not gate(29).passed

    def test_odd_question_count_uses_integers_only(self):
        assert gate(8, total=15).passed  # 16 >= 15
        assert not gate(7, total=15).passed  # 14 < 15

    def test_exempt_passes_without_a_count(self):
        out = o.subject_outcome(GATE, o.SubjectInput(exempt="NN_HUU"), RATES)
        assert out.passed and out.exempt == "NN_HUU" and not out.absent

    def test_no_score_is_absent(self):
        out = o.subject_outcome(GATE, o.SubjectInput(), RATES)
        assert out.absent and not out.passed

    def test_reprimand_deducts_floor_of_the_share_in_the_candidates_favour(self):
        out = gate(37, penalty=o.REPRIMAND)  # 37 × 0.2 = 7.4 → 7 deducted
        assert (out.correct, out.raw_correct) == (30, 37)
        assert out.passed

    def test_warning_applies_before_the_pass_check(self):
        out = gate(49, penalty=o.WARNING)  # 49 × 0.4 = 19.6 → 19 deducted → 30
        assert out.correct == 30 and out.passed
        assert not gate(48, penalty=o.WARNING).passed  # 48 − 19 = 29

    def test_suspension_scores_zero(self):
        out = gate(60, penalty=o.SUSPENSION)
        assert out.correct == 0 and not out.passed


class TestScored:
    def test_fifty_passes_just_under_fails(self):
        assert scored("50").passed
        assert not scored("49.99").passed

    def test_decimals_are_kept_exactly(self):
        out = scored("72.5", penalty=o.REPRIMAND)
        assert out.score == Decimal("58.000") and out.raw_score == Decimal("72.5")

    def test_warning_deducts_forty_percent(self):
        out = scored("80", penalty=o.WARNING)
        assert out.score == Decimal("48.00") and not out.passed

    def test_the_exam_sets_the_rates(self):
        out = o.subject_outcome(CMNV, o.SubjectInput(score=Decimal(80), penalty=o.REPRIMAND),
                                {o.REPRIMAND: Decimal("0.10"), o.WARNING: Decimal("0.30")})
        assert out.score == Decimal("72.0")


def facts(reg_id, *, female=None, minority=None, born=None, service=None, name="Nguyễn Văn A", group=""):
    return o.CandidateFacts(registration_id=reg_id, name_key=(name, reg_id), female=female, minority=minority,
                            birth_date=born, service_start=service, quota_group=group)


class TestCandidate:
    def test_passes_only_when_every_subject_passes(self):
        f = facts(1)
        assert o.candidate_outcome(f, [GATE, CMNV], [gate(30), scored("50")]).passed
        assert not o.candidate_outcome(f, [GATE, CMNV], [gate(29), scored("90")]).passed

    def test_gate_does_not_count_toward_ranking(self):
        out = o.candidate_outcome(facts(1), [GATE, CMNV], [gate(60), scored("71.25")])
        assert out.ranking_score == Decimal("71.25")

    def test_absent_subject_fails_without_blocking(self):
        absent = o.subject_outcome(CMNV, o.SubjectInput(), RATES)
        out = o.candidate_outcome(facts(1), [GATE, CMNV], [gate(40), absent])
        assert out.absent and not out.passed

    def test_cancellation_removes_the_candidate(self):
        out = o.candidate_outcome(facts(1), [GATE, CMNV], [gate(40), scored("90", penalty=o.CANCELLATION)])
        assert out.cancelled and not out.passed

    def test_project_pair_each_half_and_sum(self):
        ok = o.candidate_outcome(facts(1), [DA, BVDA], [scored("50", rule=DA), scored("50", rule=BVDA)])
        assert ok.passed and ok.ranking_score == Decimal(100)
        one_low = o.candidate_outcome(facts(1), [DA, BVDA], [scored("49.5", rule=DA), scored("90", rule=BVDA)])
        assert not one_low.passed

    def test_project_pair_sum_rule_holds_when_a_scale_allows_it_to_differ(self):
        da = o.SubjectRule(id=3, code="DA", name="Đề án", pass_rule=o.PROJECT_PAIR, scale=Decimal(120),
                           is_gate=False, ranks=True)
        bv = o.SubjectRule(id=4, code="BVDA", name="Bảo vệ", pass_rule=o.PROJECT_PAIR, scale=Decimal(100),
                           is_gate=False, ranks=True)
        parts = [o.subject_outcome(da, o.SubjectInput(score=Decimal(60)), RATES),
                 o.subject_outcome(bv, o.SubjectInput(score=Decimal(55)), RATES)]
        assert all(p.passed for p in parts)
        assert not o.candidate_outcome(facts(1), [da, bv], parts).passed  # 115 < 120


def passer(reg_id, score, **kw):
    out = o.CandidateOutcome(facts=facts(reg_id, **kw), subjects=[], passed=True, ranking_score=Decimal(score))
    return out


def run(passers, seats, decision=lambda key: None, chain=CHAIN):
    selection = o.Selection()
    o.select_group(passers, seats, chain, decision, selection)
    return {p.facts.registration_id: p.outcome for p in passers}, selection


class TestSelection:
    def test_by_score_within_the_quota(self):
        outcomes, _ = run([passer(1, "70"), passer(2, "90"), passer(3, "80")], 2)
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED, 3: o.SELECTED}

    def test_quota_zero_selects_nobody(self):
        outcomes, _ = run([passer(1, "70"), passer(2, "90")], 0)
        assert set(outcomes.values()) == {o.NOT_SELECTED}

    def test_quota_above_the_passers_selects_all(self):
        outcomes, sel = run([passer(1, "70"), passer(2, "70")], 5)
        assert set(outcomes.values()) == {o.SELECTED} and not sel.ties

    def test_ties_above_the_cut_need_no_chain(self):
        outcomes, sel = run([passer(1, "90"), passer(2, "90"), passer(3, "60")], 2)
        assert outcomes == {1: o.SELECTED, 2: o.SELECTED, 3: o.NOT_SELECTED} and not sel.ties

    def test_female_first(self):
        outcomes, _ = run([passer(1, "80", female=False), passer(2, "80", female=True)], 1)
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED}

    def test_then_ethnic_minority(self):
        outcomes, _ = run([passer(1, "80", female=True, minority=False),
                           passer(2, "80", female=True, minority=True)], 1)
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED}

    def test_then_older_by_full_birth_date(self):
        outcomes, _ = run([passer(1, "80", female=True, minority=False, born=dt.date(1980, 5, 2)),
                           passer(2, "80", female=True, minority=False, born=dt.date(1980, 5, 1))], 1)
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED}

    def test_then_longer_service(self):
        born = dt.date(1980, 5, 1)
        outcomes, _ = run([passer(1, "80", female=False, minority=False, born=born, service=dt.date(2005, 1, 1)),
                           passer(2, "80", female=False, minority=False, born=born, service=dt.date(2004, 12, 31))],
                          1)
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED}

    def test_unbreakable_tie_is_pending_never_random(self):
        same = dict(female=False, minority=False, born=dt.date(1980, 1, 1), service=dt.date(2005, 1, 1))
        outcomes, sel = run([passer(1, "90"), passer(2, "80", **same), passer(3, "80", **same)], 2)
        assert outcomes == {1: o.SELECTED, 2: o.PENDING, 3: o.PENDING}
        assert sel.ties == [o.TieKey("", (2, 3), 1)]

    def test_three_way_tie_straddling_the_cut(self):
        """Three at 80 for two places: the woman takes one; the two men tie on everything for the last."""
        same = dict(minority=False, born=dt.date(1980, 1, 1), service=dt.date(2005, 1, 1))
        outcomes, sel = run([passer(1, "80", female=False, **same), passer(2, "80", female=True, **same),
                             passer(3, "80", female=False, **same), passer(4, "70", female=True, **same)], 2)
        assert outcomes == {1: o.PENDING, 2: o.SELECTED, 3: o.PENDING, 4: o.NOT_SELECTED}
        assert sel.ties == [o.TieKey("", (1, 3), 1)]

    def test_council_decision_resolves_the_same_tie(self):
        same = dict(female=False, minority=False, born=dt.date(1980, 1, 1), service=dt.date(2005, 1, 1))
        decisions = {o.TieKey("", (2, 3), 1): (3,)}
        outcomes, sel = run([passer(1, "90"), passer(2, "80", **same), passer(3, "80", **same)], 2,
                            decision=decisions.get)
        assert outcomes == {1: o.SELECTED, 2: o.NOT_SELECTED, 3: o.SELECTED} and not sel.ties

    def test_a_decision_for_other_people_does_not_apply(self):
        same = dict(female=False, minority=False, born=dt.date(1980, 1, 1), service=dt.date(2005, 1, 1))
        decisions = {o.TieKey("", (2, 9), 1): (2,)}
        outcomes, _ = run([passer(2, "80", **same), passer(3, "80", **same)], 1, decision=decisions.get)
        assert outcomes == {2: o.PENDING, 3: o.PENDING}

    def test_unknown_value_skips_the_link(self):
        """One record lacks a gender: the female link cannot decide, so the next link does."""
        outcomes, _ = run([passer(1, "80", female=None, minority=True), passer(2, "80", female=True, minority=False)],
                          1)
        assert outcomes == {1: o.SELECTED, 2: o.NOT_SELECTED}

    def test_the_exam_chooses_the_chain(self):
        outcomes, _ = run([passer(1, "80", female=True, born=dt.date(1990, 1, 1)),
                           passer(2, "80", female=False, born=dt.date(1970, 1, 1))], 1, chain=[o.OLDER])
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED}

    @pytest.mark.parametrize("link", list(o.TIE_LINKS))
    def test_every_link_decides_on_its_own(self, link):
        a = dict(female=True, minority=True, born=dt.date(1970, 1, 1), service=dt.date(1995, 1, 1))
        b = dict(female=False, minority=False, born=dt.date(1990, 1, 1), service=dt.date(2015, 1, 1))
        outcomes, _ = run([passer(1, "80", **b), passer(2, "80", **a)], 1, chain=[link])
        assert outcomes == {1: o.NOT_SELECTED, 2: o.SELECTED}
