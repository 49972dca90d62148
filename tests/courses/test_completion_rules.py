"""The completion rules (docs/courses.md, "Completion"), each with a test that fails without it: first as pure
functions, then through a class's records."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from courses.completion import Requirement, Try, band_of, counted_score, decide, may_retake, weighted_mean
from courses.completion_list import class_outcomes
from courses.models import Attendance, CourseClass, Discipline, How, Score

D = Decimal
REQS = [Requirement("KT1", D(1), D(5), "best"), Requirement("TH", D(1), D(5), "best")]


EIGHTY = D(80)


def outcome(present=80, scheduled=100, tries=None, measures=(), threshold=EIGHTY):
    tries = tries if tries is not None else {"KT1": [Try(1, D(7))], "TH": [Try(1, D(8))]}
    return decide(present_periods=present, scheduled_periods=scheduled, threshold=threshold, requirements=REQS,
                  tries=tries, blocking_measures=list(measures))


def test_exactly_the_threshold_qualifies_and_one_period_under_does_not():
    assert outcome(present=192, scheduled=240).completed  # 80.00 %
    below = outcome(present=191, scheduled=240)  # 79.58 %
    assert not below.completed and below.reasons == ["Chuyên cần 79,58 % dưới 80 %"]


def test_the_threshold_is_the_programmes():
    assert outcome(present=80, scheduled=100, threshold=D("85.00")).reasons == ["Chuyên cần 80 % dưới 85 %"]


def test_five_passes_and_four_ninety_nine_fails():
    assert outcome(tries={"KT1": [Try(1, D("5.00"))], "TH": [Try(1, D(9))]}).completed
    failed = outcome(tries={"KT1": [Try(1, D("4.99"))], "TH": [Try(1, D(9))]})
    assert not failed.completed and failed.reasons == ["KT1 dưới 5 điểm"]


def test_a_missing_score_blocks_and_is_named():
    missing = outcome(tries={"KT1": [Try(1, D(7))]})
    assert not missing.completed and missing.reasons == ["Thiếu điểm TH"] and missing.average is None


def test_an_excused_try_is_no_score():
    assert "Thiếu điểm KT1" in outcome(tries={"KT1": [Try(1, None, True)], "TH": [Try(1, D(8))]}).reasons


def test_retakes_count_the_best_or_the_last():
    tries = [Try(1, D("4.5")), Try(2, D("4.0"))]
    assert counted_score(tries, "best") == D("4.5")
    assert counted_score(tries, "last") == D("4.0")
    assert counted_score([Try(1, D(6)), Try(2, None, True)], "last") is None


def test_a_retake_needs_a_try_under_the_pass_mark_or_excused_and_retakes_left():
    assert may_retake([Try(1, D("4.99"))], pass_mark=D(5), retakes=1)
    assert may_retake([Try(1, None, True)], pass_mark=D(5), retakes=1)
    assert not may_retake([Try(1, D(5))], pass_mark=D(5), retakes=1)
    assert not may_retake([Try(1, D(3)), Try(2, D(4))], pass_mark=D(5), retakes=1)


def test_the_average_is_weighted_and_rounded_half_up_to_two_decimals():
    assert weighted_mean([(D("7.25"), D(1)), (D("8.00"), D(2))]) == D("7.75")
    assert weighted_mean([(D("6.125"), D(1))]) == D("6.13")  # half-up, not banker's rounding (6.12)
    assert weighted_mean([(D("8.995"), D(1))]) == D("9.00")


def test_the_band_is_read_from_the_rounded_average():
    # 8.995 rounds to 9.00: Xuất sắc, though the unrounded mean is under 9.
    result = outcome(tries={"KT1": [Try(1, D("8.99"))], "TH": [Try(1, D(9))]})
    assert result.average == D("9.00") and result.band == "Xuất sắc"
    assert [band_of(D(v)) for v in ("9", "8.99", "8", "7", "6.99", "5")] == [
        "Xuất sắc", "Giỏi", "Giỏi", "Khá", "Trung bình", "Trung bình"]


def test_blocking_discipline_blocks():
    assert outcome(measures=["Cảnh cáo"]).reasons == ["Bị kỷ luật: Cảnh cáo"]


def _present(world, enrolment, count):
    for session in world.sessions[:count]:
        Attendance.objects.create(enrolment=enrolment, session=session, mark="x", how=How.PAGE)


def _scores(world, enrolment, **values):
    for code, value in values.items():
        assessment = world.course_class.programme.assessments.get(code=code)
        Score.objects.create(enrolment=enrolment, assessment=assessment, value=D(value), how=How.SHEET)


@pytest.mark.django_db
def test_an_excused_absence_counts_as_absence(world):
    enrolment = world.learners[0]
    _present(world, enrolment, 3)  # 12 of 16 periods = 75 %
    Attendance.objects.create(enrolment=enrolment, session=world.sessions[3], mark="P", how=How.PAGE)
    _scores(world, enrolment, KT1="7", KT2="7", TH="7")
    row = next(r for r in class_outcomes(world.course_class)[1] if r.enrolment == enrolment)
    assert row.outcome.present_periods == 12 and not row.outcome.completed


@pytest.mark.django_db
def test_discipline_blocks_by_its_level_as_the_setting_says(world):
    enrolment = world.learners[0]
    _present(world, enrolment, 4)
    _scores(world, enrolment, KT1="7", KT2="8", TH="9")
    Discipline.objects.create(enrolment=enrolment, level="reprimand", reason="Vắng không phép", decided_on="2027-03-02")
    row = next(r for r in class_outcomes(world.course_class)[1] if r.enrolment == enrolment)
    assert not row.outcome.completed and row.outcome.reasons == ["Bị kỷ luật: Khiển trách"]
    with override_settings(COURSE_BLOCKING_DISCIPLINE=["suspension"]):
        row = next(r for r in class_outcomes(world.course_class)[1] if r.enrolment == enrolment)
        assert row.outcome.completed and row.outcome.average == D("8.00") and row.outcome.band == "Giỏi"


@pytest.mark.django_db
def test_the_class_list_is_in_vietnamese_name_order_with_constant_queries(world, django_assert_num_queries):
    course_class = CourseClass.objects.select_related("programme").get(pk=world.course_class.pk)
    with django_assert_num_queries(6):
        _reqs, rows = class_outcomes(course_class)
    assert [r.person.full_name for r in rows] == ["Lê Thị An", "Trần Văn Bình", "Nguyễn Văn Cường"]
