"""Exemption reasons (docs/rules.md, "Exemptions") and the retirement roadmap the NN_HUU exemption is checked against."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata

FOREIGN_LANGUAGE, IT = "foreign_language", "it"

EXEMPTIONS = {
    "NN_HUU": ("Còn dưới 05 năm công tác đến tuổi nghỉ hưu", FOREIGN_LANGUAGE),
    "NN_DTTS": ("Người dân tộc thiểu số hoặc có chứng chỉ tiếng dân tộc thiểu số", FOREIGN_LANGUAGE),
    "NN_BANG": ("Có bằng chuyên ngành ngoại ngữ", FOREIGN_LANGUAGE),
    "NN_NUOCNGOAI": ("Có bằng tốt nghiệp học tập ở nước ngoài hoặc học bằng tiếng nước ngoài", FOREIGN_LANGUAGE),
    "TH_BANG": ("Có bằng chuyên ngành công nghệ thông tin từ trung cấp trở lên", IT),
}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


_LOOKUP = {**{_fold(code): code for code in EXEMPTIONS}, **{_fold(label): code for code, (label, _s) in EXEMPTIONS.items()}}


def exemption_code(text: str) -> str | None:
    """The code for a code or label as written in an import file (NFC, case and spaces folded)."""
    return _LOOKUP.get(_fold(text or ""))


def exemption_label(code: str) -> str:
    return EXEMPTIONS[code][0] if code in EXEMPTIONS else code


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retirement_age_months(*, female: bool, year: int) -> int:
    """Labour Code 2019 roadmap (Nghị định 135/2020/NĐ-CP, Appendix I): men 60y3m in 2021 rising 3 months a
    year to 62 (2028); women 55y4m in 2021 rising 4 months a year to 60 (2035). Before 2021: 60 and 55."""
    if female:
        base, step, cap = 55 * 12, 4, 60 * 12
    else:
        base, step, cap = 60 * 12, 3, 62 * 12
    if year < 2021:
        return base
    return min(cap, base + step * (year - 2020))


def retirement_date(*, born: dt.date, female: bool) -> dt.date:
    """The first day of the month after the person reaches the age of the first calendar year in which
    they reach that year's age."""
    year = born.year + (55 if female else 60)
    while True:
        reached = _add_months(born, retirement_age_months(female=female, year=year))
        if reached.year <= year:
            first_of_month = dt.date(reached.year, reached.month, 1)
            return _add_months(first_of_month, 1)
        year += 1


def near_retirement(*, born: dt.date, female: bool, cutoff: dt.date) -> bool:
    """NN_HUU holds when the retirement date is earlier than the cut-off date + 5 years."""
    limit = _add_months(cutoff, 60)
    return retirement_date(born=born, female=female) < limit
