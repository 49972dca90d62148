"""Parsers for the cells of person rows (docs/operations.md, "Cells"), shared by every import.

Each parser returns the clean value or raises :class:`CellError` with a Vietnamese-ready message.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.reference import ethnicity_key
from accounts.vietnamese import normalize_name

DATE_TEXT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
PHONE_TEXT = re.compile(r"^0\d{9}$")


class CellError(ValueError):
    pass


def text(value: Any) -> str:
    """A cell as trimmed NFC text ("" for empty). Numbers come back without a trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return normalize_name(str(value))


def full_name(value: Any) -> str:
    name = text(value)
    if not name:
        raise CellError(_("the full name is required."))
    if len(name.split(" ")) < 2:
        raise CellError(_("give the family name and the given name."))
    if any(ch.isdigit() for ch in name) or len(name) > 200:
        raise CellError(_("“{value}” is not a valid full name.").format(value=name[:60]))
    return name


def date(value: Any, *, required: bool, today: dt.date) -> dt.date | None:
    """A real Excel date cell, or text dd/mm/yyyy (d/m/yyyy accepted); never in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError(_("the date is required."))
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and (match := DATE_TEXT.match(value.strip())):
        d, m, y = (int(part) for part in match.groups())
        try:
            day = dt.date(y, m, d)
        except ValueError:
            raise CellError(_("“{value}” is not a real date.").format(value=value.strip())) from None
    else:
        raise CellError(_("“{value}” is not a date: write dd/mm/yyyy or use a date cell.").format(value=text(value)))
    if day.year < 1900:
        raise CellError(_("“{value}” is not a plausible date.").format(value=day.strftime("%d/%m/%Y")))
    if day > today:
        raise CellError(_("the date {value} is in the future.").format(value=day.strftime("%d/%m/%Y")))
    return day


def gender(value: Any) -> str:
    folded = text(value).casefold()
    if folded == "nam":
        return "Nam"
    if folded == unicodedata.normalize("NFC", "nữ"):
        return "Nữ"
    if not folded:
        raise CellError(_("the gender is required (Nam or Nữ)."))
    raise CellError(_("“{value}” is not a gender: write Nam or Nữ.").format(value=text(value)))


def cccd(value: Any) -> str:
    """Exactly 12 digits written as text; a number cell is refused (its leading zero is gone)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError(_("the CCCD number is required."))
    if isinstance(value, int | float):
        raise CellError(
            _("the CCCD number was typed as a number and may have lost its leading zero: format the column as text.")
        )
    digits = str(value).strip()
    if not (len(digits) == 12 and digits.isascii() and digits.isdigit()):
        raise CellError(_("“{value}” is not a CCCD number: it must be exactly 12 digits.").format(value=digits[:30]))
    return digits


def ethnicity(value: Any, *, index: dict[str, Any], required: bool) -> Any:
    """One of the 54 groups or a listed alias, after NFC, case, space and hyphen folding."""
    raw = text(value)
    if not raw:
        if required:
            raise CellError(_("the ethnic group is required."))
        return None
    found = index.get(ethnicity_key(raw))
    if found is None:
        raise CellError(_("“{value}” is not one of the 54 ethnic groups.").format(value=raw[:60]))
    return found


def phone(value: Any) -> str:
    raw = text(value)
    if not raw:
        return ""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    if isinstance(value, int | float) and len(digits) == 9:
        digits = "0" + digits  # a number cell drops the leading 0 of a phone number
    if not PHONE_TEXT.match(digits):
        raise CellError(_("“{value}” is not a phone number (10 digits starting with 0).").format(value=raw[:30]))
    return digits


def email(value: Any) -> str:
    raw = text(value).lower()
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        raise CellError(_("“{value}” is not an email address.").format(value=raw[:80])) from None
    return raw


class RowReader:
    """Parse the cells of one sheet row, collecting a problem per bad cell (the value becomes None)."""

    def __init__(self, row: dict, number: int):
        self.row = row
        self.number = number
        self.values: dict[str, Any] = {}
        self.problems: list = []

    def cell(self, column: str, key: str, parser, *args, **kwargs) -> None:
        from accounts.spreadsheets import Problem

        try:
            self.values[key] = parser(self.row[column], *args, **kwargs)
        except CellError as exc:
            self.values[key] = None
            self.problems.append(Problem(str(exc), self.number, column))

    def person(self, *, columns: dict[str, str], today, ethnicities: dict, ethnicity_required: bool) -> None:
        """The identity cells every person row has: name, date of birth, gender, ethnicity, CCCD."""
        self.cell(columns["name"], "full_name", full_name)
        self.cell(columns["dob"], "date_of_birth", date, required=True, today=today)
        self.cell(columns["gender"], "gender", gender)
        self.cell(columns["ethnicity"], "ethnicity", ethnicity, index=ethnicities, required=ethnicity_required)
        self.cell(columns["cccd"], "cccd", cccd)
