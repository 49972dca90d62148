from decimal import Decimal

import pytest

from exams.banks.scoring import choice_fraction, item_score, normalize_short_answer, short_answer_fraction


class TestChoiceScoring:
    def test_single_choice_is_all_or_nothing(self):
        assert choice_fraction(kind="single", scoring="all_or_nothing", correct_ids=[2], chosen_ids=[2]) == 1
        assert choice_fraction(kind="single", scoring="all_or_nothing", correct_ids=[2], chosen_ids=[3]) == 0
        assert choice_fraction(kind="single", scoring="all_or_nothing", correct_ids=[2], chosen_ids=[]) == 0
        assert choice_fraction(kind="single", scoring="all_or_nothing", correct_ids=[2], chosen_ids=[2, 3]) == 0

    def test_true_false_scores_like_single_choice(self):
        assert choice_fraction(kind="true_false", scoring="all_or_nothing", correct_ids=[1], chosen_ids=[1]) == 1
        assert choice_fraction(kind="true_false", scoring="all_or_nothing", correct_ids=[1], chosen_ids=[2]) == 0

    def test_multiple_all_or_nothing_needs_exactly_the_correct_set(self):
        kwargs = {"kind": "multiple", "scoring": "all_or_nothing", "correct_ids": [1, 2, 3]}
        assert choice_fraction(**kwargs, chosen_ids=[1, 2, 3]) == 1
        assert choice_fraction(**kwargs, chosen_ids=[1, 2]) == 0
        assert choice_fraction(**kwargs, chosen_ids=[1, 2, 3, 4]) == 0

    @pytest.mark.parametrize(
        ("chosen", "expected"),
        [
            ([1, 2, 3], Decimal(1)),             # all three right
            ([1, 2], Decimal(2) / Decimal(3)),   # two of three
            ([1, 2, 4], Decimal(1) / Decimal(3)),  # (2 − 1) / 3
            ([1, 4, 5], Decimal(0)),             # (1 − 2) / 3 < 0 → 0, never negative
            ([], Decimal(0)),
            ([1, 2, 3, 4], Decimal(2) / Decimal(3)),  # (3 − 1) / 3
        ],
    )
    def test_partial_credit_follows_the_formula(self, chosen, expected):
        got = choice_fraction(kind="multiple", scoring="partial", correct_ids=[1, 2, 3], chosen_ids=chosen)
        assert got == expected


class TestShortAnswers:
    @pytest.mark.parametrize(
        ("given", "accent_insensitive", "expected"),
        [
            ("Một cửa", False, 1),
            ("  một   CỬA ", False, 1),          # spaces and case folded
            ("Mo\u0323\u0302t cu\u031b\u0309a", False, 1),  # decomposed input equals precomposed
            ("mot cua", False, 0),               # accents matter by default
            ("mot cua", True, 1),                # unless the question ignores them
            ("MỘT CỬA LIÊN THÔNG", True, 1),     # any accepted answer
            ("một", False, 0),
            ("", True, 0),
        ],
    )
    def test_matching_is_vietnamese_aware(self, given, accent_insensitive, expected):
        accepted = ["Một cửa", "một cửa liên thông"]
        assert short_answer_fraction(accepted=accepted, given=given, accent_insensitive=accent_insensitive) == expected

    def test_d_with_stroke_folds_to_d_only_when_accents_are_ignored(self):
        assert normalize_short_answer("Đồng Tháp", accent_insensitive=True) == "dong thap"
        assert normalize_short_answer("Đồng  Tháp", accent_insensitive=False) == "đồng tháp"


@pytest.mark.django_db
def test_item_score_multiplies_by_the_items_points(make_question):
    question = make_question("Cơ quan nào tiếp nhận hồ sơ?", correct=1)
    correct = [c.pk for c in question.choices.all() if c.is_correct]
    wrong = [c.pk for c in question.choices.all() if not c.is_correct][:1]
    assert item_score(question=question, points=Decimal("2.5"), chosen_ids=correct) == Decimal("2.5")
    assert item_score(question=question, points=Decimal("2.5"), chosen_ids=wrong) == 0


@pytest.mark.django_db
def test_an_essay_is_left_for_markers(make_question):
    from exams.banks.importing.base import ParsedQuestion

    essay = make_question("", parsed=ParsedQuestion(source=0, topic="Tự luận", kind="essay",
                                                    text="Phân tích vai trò của Bộ phận Một cửa."))
    assert item_score(question=essay, points=Decimal(10), text="bài làm") is None

