"""Dates as official documents write them (Nghị định 30/2020/NĐ-CP, Phụ lục I): ``ngày 05 tháng 02 năm 2024``.

A leading zero goes on days 1–9 and on months 1 and 2 only (so that "tháng 01", "tháng 02" cannot be altered
into "tháng 11", "tháng 12"); every other month is written as it is: ``ngày 15 tháng 3 năm 2024``.
"""

from __future__ import annotations

import datetime as dt

# What a document carries while the date is not known yet (a draft before signature).
BLANK_DATE = "ngày … tháng … năm …"


def official_date(day: dt.date | None, place: str | None = None) -> str:
    """``{place}, ngày dd tháng m năm yyyy`` (the place only when given); the dotted blank when ``day`` is None."""
    if day is None:
        text = BLANK_DATE
    else:
        day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
        month_text = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        text = f"ngày {day_text} tháng {month_text} năm {day.year}"
    return f"{place}, {text}" if place else text
