"""Official dates (Nghị định 30/2020/NĐ-CP): leading zeros on days 1–9 and months 1–2 only."""

import datetime as dt

import pytest

from accounts.officialdates import BLANK_DATE, official_date


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
    (dt.date(2024, 3, 15), "ngày 15 tháng 3 năm 2024"),
    (dt.date(2024, 1, 1), "ngày 01 tháng 01 năm 2024"),
    (dt.date(2024, 1, 9), "ngày 09 tháng 01 năm 2024"),
    (dt.date(2024, 1, 10), "ngày 10 tháng 01 năm 2024"),
    (dt.date(2024, 2, 29), "ngày 29 tháng 02 năm 2024"),
    (dt.date(2024, 3, 1), "ngày 01 tháng 3 năm 2024"),
    (dt.date(2024, 3, 9), "ngày 09 tháng 3 năm 2024"),
    (dt.date(2024, 3, 10), "ngày 10 tháng 3 năm 2024"),
    (dt.date(2024, 10, 10), "ngày 10 tháng 10 năm 2024"),
    (dt.date(2024, 11, 30), "ngày 30 tháng 11 năm 2024"),
    (dt.date(2024, 12, 1), "ngày 01 tháng 12 năm 2024"),
    (dt.date(2024, 12, 31), "ngày 31 tháng 12 năm 2024"),
])
def test_it_pads_days_below_ten_and_only_the_first_two_months(day, expected):
    assert official_date(day) == expected


def test_it_puts_the_place_first():
    assert official_date(dt.date(2024, 2, 5), "Đồng Tháp") == "Đồng Tháp, ngày 05 tháng 02 năm 2024"


def test_an_unknown_date_is_the_dotted_blank():
    assert official_date(None) == BLANK_DATE == "ngày … tháng … năm …"
    assert official_date(None, "Đồng Tháp") == "Đồng Tháp, ngày … tháng … năm …"


def test_an_empty_place_is_left_out():
    assert official_date(dt.date(2024, 3, 15), "") == "ngày 15 tháng 3 năm 2024"
