"""The people import (HR register): validate every row, then create or update by CCCD atomically."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import cells
from accounts.import_flow import ImportResult
from accounts.models import Ethnicity, OrgUnit, Rank, User
from accounts.reference import ethnicity_index
from accounts.services import audit_record, unit_create
from accounts.spreadsheets import Problem, read_rows
from accounts.vietnamese import normalize_name

COL_NAME = "Họ và tên"
COL_DOB = "Ngày sinh"
COL_GENDER = "Giới tính"
COL_ETHNICITY = "Dân tộc"
COL_CCCD = "Số CCCD"
COL_PHONE = "Số điện thoại"
COL_EMAIL = "Email"
COL_UNIT = "Đơn vị"
COL_POSITION = "Chức vụ"
COL_RANK = "Mã ngạch"
COL_RANK_SINCE = "Ngày vào ngạch"
COL_SERVICE_START = "Ngày bắt đầu công tác"

PERSON_CELLS = {"name": COL_NAME, "dob": COL_DOB, "gender": COL_GENDER, "ethnicity": COL_ETHNICITY, "cccd": COL_CCCD}

PEOPLE_COLUMNS = [
    COL_NAME, COL_DOB, COL_GENDER, COL_ETHNICITY, COL_CCCD, COL_PHONE, COL_EMAIL,
    COL_UNIT, COL_POSITION, COL_RANK, COL_RANK_SINCE, COL_SERVICE_START,
]


@dataclass
class PeopleImportResult(ImportResult):
    units_created: list[str] = field(default_factory=list)  # "name / parent / …" of each unit the import creates
    # Accounts made by signing up for a contest that this file takes into the register: their holder signs in again
    # with HR's activation code (whoever typed that CCCD at sign-up does not keep the register person's account).
    adopted: int = 0


class UnitResolver:
    """Match the «Đơn vị» cell: a unit code, else a path "child / parent / …", else a unique name valid on a day."""

    def __init__(self, *, on: dt.date, create_missing: bool):
        self.on = on
        self.create_missing = create_missing
        self.units = list(OrgUnit.objects.all())
        self.by_id = {u.pk: u for u in self.units}
        self.by_code = {u.code.casefold(): u for u in self.units if u.code}
        self.by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        for unit in self.units:
            self.by_name[self._key(unit.name)].append(unit)
        self.pending: dict[tuple[int, str], str] = {}  # (parent id, name key) -> name, units to create

    @staticmethod
    def _key(name: str) -> str:
        return normalize_name(name).casefold()

    def label(self, unit: OrgUnit) -> str:
        """The full path of a unit as people write it: "Phòng Nội vụ / UBND huyện Cao Lãnh / …"."""
        names = []
        current: OrgUnit | None = unit
        while current is not None:
            names.append(current.name)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return " / ".join(names)

    def resolve(self, raw: str) -> OrgUnit | tuple[int, str] | None:
        """A unit, a (parent id, name) to create, or None for an empty cell. Raises CellError."""
        value = normalize_name(raw)
        if not value:
            return None
        if value.casefold() in self.by_code:
            return self.by_code[value.casefold()]
        if "/" in value:
            return self._resolve_path([normalize_name(p) for p in value.split("/")], raw=value)
        valid = [u for u in self.by_name.get(self._key(value), []) if u.is_valid_on(self.on)]
        if len(valid) == 1:
            return valid[0]
        if not valid:
            raise cells.CellError(_("no unit has the code, path or name “{value}”.").format(value=value))
        raise cells.CellError(
            _("“{value}” names several units; write the path instead: {candidates}.").format(
                value=value, candidates="; ".join(sorted(self.label(u) for u in valid))
            )
        )

    def ambiguous(self, raw: str) -> bool:
        """Whether ``raw`` names more than one unit (by name, or by a path that several units fit)."""
        value = normalize_name(raw)
        if "/" in value:
            parts = [normalize_name(p) for p in value.split("/")]
            return len([u for u in self.by_name.get(self._key(parts[0]), [])
                        if self._matches_path(u, parts[1:])]) > 1
        return len([u for u in self.by_name.get(self._key(value), []) if u.is_valid_on(self.on)]) > 1

    def _matches_path(self, unit: OrgUnit, ancestors: list[str]) -> bool:
        current = unit
        for name in ancestors:
            parent = self.by_id.get(current.parent_id) if current.parent_id else None
            if parent is None or self._key(parent.name) != self._key(name):
                return False
            current = parent
        return True

    def _resolve_path(self, parts: list[str], *, raw: str) -> OrgUnit | tuple[int, str]:
        if any(not p for p in parts):
            raise cells.CellError(_("“{value}” is not a valid unit path.").format(value=raw))
        leaf, ancestors = parts[0], parts[1:]
        found = [u for u in self.by_name.get(self._key(leaf), []) if self._matches_path(u, ancestors)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise cells.CellError(
                _("the path “{value}” matches several units: {candidates}.").format(
                    value=raw, candidates="; ".join(sorted(self.label(u) for u in found))
                )
            )
        if not self.create_missing:
            raise cells.CellError(_("no unit has the path “{value}”.").format(value=raw))
        parent = self._resolve_path(ancestors, raw=" / ".join(ancestors)) if len(ancestors) > 1 else None
        if parent is None:
            parents = [u for u in self.by_name.get(self._key(ancestors[0]), [])] if ancestors else []
            if len(parents) != 1:
                raise cells.CellError(
                    _("cannot create “{value}”: its parent unit is missing or ambiguous.").format(value=raw)
                )
            parent = parents[0]
        if isinstance(parent, tuple):
            raise cells.CellError(_("cannot create “{value}”: its parent unit does not exist yet.").format(value=raw))
        key = (parent.pk, self._key(leaf))
        self.pending.setdefault(key, leaf)
        return key


def import_people(
    data: bytes,
    *,
    actor: User | None,
    dry_run: bool,
    create_missing_units: bool = False,
    file_name: str = "",
    ip: str | None = None,
) -> PeopleImportResult:
    """Validate the whole file; write nothing unless every row is valid and ``dry_run`` is false."""
    result = PeopleImportResult()
    sheet, file_problems = read_rows(data, required_columns=PEOPLE_COLUMNS)
    if sheet is None:
        result.problems.extend(file_problems)
        return result

    today = timezone.localdate()
    ethnicities = ethnicity_index(Ethnicity)
    ranks = {r.code: r for r in Rank.objects.all()}
    resolver = UnitResolver(on=today, create_missing=create_missing_units)

    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_cccd: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for number, row in sheet.rows:
        values, row_problems = _parse_row(row, number=number, today=today, ethnicities=ethnicities,
                                          ranks=ranks, resolver=resolver)
        for key, column, seen, message in (
            ("cccd", COL_CCCD, seen_cccd, _("the CCCD number {value} is already on row {first}.")),
            ("email", COL_EMAIL, seen_email, _("the email {value} is already on row {first}.")),
        ):
            value = values.get(key)
            if value and value in seen:
                row_problems.append(Problem(message.format(value=value, first=seen[value]), number, column))
            elif value:
                seen[value] = number
        result.problems.extend(row_problems)
        parsed.append((number, values))

    existing = {u.cccd: u for u in User.objects.filter(cccd__in=list(seen_cccd))}
    _check_against_database(parsed, existing, result)
    if result.problems:
        return result

    with transaction.atomic():
        created_units = _create_pending_units(resolver) if not dry_run else {}
        result.units_created = [
            f"{name} / {resolver.label(resolver.by_id[parent_id])}" for (parent_id, _k), name in resolver.pending.items()
        ]
        for _number, values in parsed:
            unit = values["unit"]
            if isinstance(unit, tuple):
                unit = created_units.get(unit)
            fields = _person_fields(values, unit)
            person = existing.get(values["cccd"])
            if person is None:
                result.created += 1
                if not dry_run:
                    person = User(username=values["cccd"], cccd=values["cccd"], **fields)
                    person.set_unusable_password()
                    person.save()
            elif person.self_registered:
                result.updated += 1
                result.adopted += 1
                if not dry_run:
                    for key, value in fields.items():
                        setattr(person, key, value)
                    person.self_registered = False
                    person.set_unusable_password()
                    person.save()
            else:
                changed = {k: v for k, v in fields.items() if getattr(person, k) != v}
                if isinstance(values["unit"], tuple):
                    changed["unit_id"] = None  # a unit created by this import is always a change
                if changed:
                    result.updated += 1
                    if not dry_run:
                        for key, value in fields.items():
                            setattr(person, key, value)
                        person.save()
                else:
                    result.unchanged += 1
        if not dry_run:
            audit_record(
                actor=actor, action="people.import", ip=ip,
                details={"file": file_name, "created": result.created, "updated": result.updated,
                         "unchanged": result.unchanged, "units_created": result.units_created,
                         "adopted": result.adopted},
            )
            result.applied = True
    return result


def _parse_row(row, *, number, today, ethnicities, ranks, resolver) -> tuple[dict[str, Any], list[Problem]]:
    reader = cells.RowReader(row, number)
    values, problems, cell = reader.values, reader.problems, reader.cell
    reader.person(columns=PERSON_CELLS, today=today, ethnicities=ethnicities, ethnicity_required=False)
    cell(COL_PHONE, "phone", cells.phone)
    cell(COL_EMAIL, "email", cells.email)
    cell(COL_UNIT, "unit", lambda v: resolver.resolve(cells.text(v)))
    cell(COL_POSITION, "position", cells.text)
    cell(COL_RANK_SINCE, "rank_since", cells.date, required=False, today=today)
    cell(COL_SERVICE_START, "service_start", cells.date, required=False, today=today)

    code = cells.text(row[COL_RANK])
    values["rank"] = None
    if code:
        if code in ranks:
            values["rank"] = ranks[code]
        else:
            problems.append(Problem(_("“{value}” is not a rank code (01.001 … 01.005).").format(value=code[:20]),
                                    number, COL_RANK))
    if len(values.get("position") or "") > 200:
        problems.append(Problem(_("the position is longer than 200 characters."), number, COL_POSITION))

    born = values.get("date_of_birth")
    if born:
        for column, key in ((COL_RANK_SINCE, "rank_since"), (COL_SERVICE_START, "service_start")):
            if values.get(key) and values[key] < born:
                problems.append(Problem(_("this date is before the date of birth."), number, column))
    return values, problems


def _check_against_database(parsed, existing: dict[str, User], result: PeopleImportResult) -> None:
    emails = {values["email"]: number for number, values in parsed if values.get("email")}
    if emails:
        for other in User.objects.filter(email__in=list(emails)).only("email", "cccd"):
            number = emails[other.email]
            row_cccd = next(v["cccd"] for n, v in parsed if n == number)
            if other.cccd != row_cccd:
                result.problems.append(Problem(
                    _("the email {email} belongs to another person.").format(email=other.email), number, COL_EMAIL))
    new_usernames = {values["cccd"]: number for number, values in parsed if values.get("cccd")
                     and values["cccd"] not in existing}
    if new_usernames:
        for username in User.objects.filter(username__in=list(new_usernames)).values_list("username", flat=True):
            result.problems.append(Problem(
                _("the login name {username} is already taken by another account.").format(username=username),
                new_usernames[username], COL_CCCD))
    result.sort_problems(PEOPLE_COLUMNS)


def _create_pending_units(resolver: UnitResolver) -> dict[tuple[int, str], OrgUnit]:
    created = {}
    for (parent_id, key), name in resolver.pending.items():
        parent = resolver.by_id[parent_id]
        unit = unit_create(name=name, parent=parent, kind=OrgUnit.Kind.OTHER, valid_from=timezone.localdate())
        resolver.by_id[unit.pk] = unit
        created[(parent_id, key)] = unit
    return created


def _person_fields(values: dict[str, Any], unit: OrgUnit | None) -> dict[str, Any]:
    return {
        "full_name": values["full_name"],
        "date_of_birth": values["date_of_birth"],
        "gender": values["gender"],
        "ethnicity_id": values["ethnicity"].pk if values["ethnicity"] else None,
        "phone": values["phone"],
        "email": values["email"],
        "unit_id": unit.pk if unit else None,
        "position": values["position"],
        "rank_id": values["rank"].pk if values["rank"] else None,
        "rank_since": values["rank_since"],
        "service_start": values["service_start"],
    }
