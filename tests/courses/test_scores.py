"""Scores from Excel (issue 18): 0–10 with two decimals, “7,5” accepted, an empty cell leaves the score, retakes
only after a try under the pass mark or excused."""
from __future__ import annotations

from decimal import Decimal

import pytest

from courses.models import Score
from courses.scores import import_course_scores
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db


def scores(world, values: dict[int, dict], columns=("KT1", "KT2", "TH")) -> bytes:
    rows = [{"Số CCCD": world.learners[n].person.cccd, "Họ và tên": world.learners[n].person.full_name, **cells}
            for n, cells in values.items()]
    return xlsx_bytes(rows, columns=["Số CCCD", "Họ và tên", *columns])


def run(world, data):
    return import_course_scores(data, course_class=world.course_class, actor=world.head, dry_run=False)


def value(world, n, code, attempt=1):
    return Score.objects.get(enrolment=world.learners[n], assessment__code=code, attempt=attempt).value


def test_scores_with_a_comma_or_a_number_cell_and_empty_cells_leave_scores(world):
    result = run(world, scores(world, {0: {"KT1": "7,5", "KT2": 8, "TH": 6.25}}))
    assert result.ok and result.created == 3 and value(world, 0, "KT1") == Decimal("7.50")
    result = run(world, scores(world, {0: {"KT1": "", "KT2": "9", "TH": None}}))
    assert (result.updated, result.created) == (1, 0)
    assert value(world, 0, "KT1") == Decimal("7.50") and value(world, 0, "KT2") == Decimal("9.00")


def test_bad_scores_are_refused_whole_naming_each_cell(world):
    result = run(world, scores(world, {0: {"KT1": "10,5"}, 1: {"KT2": "7.125"}, 2: {"TH": "tám"}}))
    assert [(p.row, p.column) for p in result.problems] == [(2, "KT1"), (3, "KT2"), (4, "TH")]
    assert Score.objects.count() == 0


def test_a_retake_only_after_a_fail_or_an_excused_try_and_no_more_than_allowed(world):
    result = run(world, scores(world, {0: {"KT1": "4,5", "KT1 lần 2": "6"}, 1: {"KT1": "P", "KT1 lần 2": "7"},
                                       2: {"KT1": "8"}}, columns=("KT1", "KT1 lần 2")))
    assert result.ok and value(world, 0, "KT1", 2) == Decimal("6.00")
    assert Score.objects.get(enrolment=world.learners[1], assessment__code="KT1", attempt=1).excused
    refused = run(world, scores(world, {2: {"KT1 lần 2": "9"}}, columns=("KT1 lần 2",)))
    assert [(p.row, p.column) for p in refused.problems] == [(2, "KT1 lần 2")]
    too_many = run(world, scores(world, {0: {"KT1 lần 3": "9"}}, columns=("KT1 lần 3",)))
    assert not too_many.ok and too_many.problems[0].row is None


def test_an_unknown_column_is_refused(world):
    result = run(world, scores(world, {0: {"KT9": "5"}}, columns=("KT9",)))
    assert not result.ok and "KT9" in result.problems[0].message
