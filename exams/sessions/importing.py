"""The candidate-registration import: validate every row, then register people for an exam atomically.

docs/operations.md, "Commands" (contract, cells, states) and docs/rules.md, "Exemptions" (NN_HUU). People are matched by
CCCD; a new CCCD creates a person, an existing person's identity (name, date of birth) is never overwritten.
What the agency wrote (position, unit, rank) is kept on the registration as a snapshot; the unit and the rank
are linked when they can be matched, and an unmatched unit is never an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import cells
from accounts.import_flow import ImportResult
from accounts.imports import UnitResolver
from accounts.models import Ethnicity, OrgUnit, Rank, User
from accounts.reference import ethnicity_index
from accounts.services import audit_record
from accounts.spreadsheets import Problem, read_rows
from accounts.vietnamese import normalize_name
from exams.sessions import reference
from exams.sessions.candidate_columns import (
    CANDIDATE_COLUMNS,
    COL_CCCD,
    COL_DOB,
    COL_ETHNICITY,
    COL_EXEMPT_NN,
    COL_EXEMPT_TH,
    COL_GENDER,
    COL_NAME,
    COL_NOTE,
    COL_ORDER,
    COL_POSITION,
    COL_RANK_CODE,
    COL_RANK_NAME,
    COL_SERVICE_START,
    COL_UNIT,
)
from exams.sessions.corrections import registration_withdraw
from exams.sessions.import_register import check_certificates, check_ranks, match_people
from exams.sessions.models import Exam, Registration, Subject
from exams.sessions.services import exam_passwords_ensure, exam_transition, numbers_assign

IMPORTABLE_STATES = (Exam.Status.DRAFT, Exam.Status.REGISTRATION)

# Exemption column -> (kind of reason accepted, code of the subject it exempts from).
EXEMPTION_COLUMNS = {
    COL_EXEMPT_NN: (reference.FOREIGN_LANGUAGE, "NN"),
    COL_EXEMPT_TH: (reference.IT, "TH"),
}

# The registration's snapshot: what a re-import compares to decide "updated" or "unchanged".
SNAPSHOT_FIELDS = [
    "list_order", "position_text", "unit_text", "unit_id", "rank_text", "rank_id", "service_start",
    "exempt_foreign_language", "exempt_it", "note",
]

# Lengths of the registration's text columns (exams.sessions.models.Registration).
TEXT_LIMITS = {COL_POSITION: 200, COL_UNIT: 255, COL_RANK_NAME: 100, COL_NOTE: 500}


@dataclass(frozen=True)
class PreviewRow:
    row: int
    name: str
    cccd: str
    unit: str
    rank: str
    exemptions: str
    change: str  # "new", "updated", "unchanged"


@dataclass
class CandidateImportResult(ImportResult):
    people_created: int = 0  # people new to the register, created with their registration
    withdrawn: int = 0  # registrations the file left out, withdrawn because the officer asked for it
    left_out: list[str] = field(default_factory=list)  # "CV0003 Họ và tên" of those the file leaves out
    preview: list[PreviewRow] = field(default_factory=list)  # what the write does, row by row

    summary_fields = (*ImportResult.summary_fields, "people_created", "withdrawn")


@dataclass
class CandidateRow:
    number: int
    values: dict[str, Any]
    person: User | None = None
    registration: Registration | None = None


def import_candidates(data: bytes, *, exam: Exam, actor: User | None, dry_run: bool,
                      file_name: str = "", withdraw_missing: bool = False) -> CandidateImportResult:
    """Validate the whole file; write nothing unless every row is valid and ``dry_run`` is false.

    A re-import that leaves out someone already registered never drops them silently: the check lists them
    (``left_out``) and the write withdraws them only when ``withdraw_missing`` says so."""
    result = CandidateImportResult()
    status = _current_status(exam)
    if status not in IMPORTABLE_STATES:
        result.problems.append(_state_problem(status))
        return result
    sheet, file_problems = read_rows(data, required_columns=CANDIDATE_COLUMNS)
    if sheet is None:
        result.problems.extend(file_problems)
        return result

    today = timezone.localdate()
    ethnicities = ethnicity_index(Ethnicity)
    ranks = {r.code: r for r in Rank.objects.all()}
    exemptible = set(Subject.objects.filter(exam=exam, exemptible=True).values_list("code", flat=True))
    resolver = UnitResolver(on=exam.cutoff, create_missing=False)

    rows: list[CandidateRow] = []
    seen_cccd: dict[str, int] = {}
    for number, raw in sheet.rows:
        values, problems, warnings = _parse_row(raw, number=number, today=today, exam=exam, ethnicities=ethnicities,
                                                ranks=ranks, exemptible=exemptible, resolver=resolver)
        cccd = values.get("cccd")
        if cccd and cccd in seen_cccd:
            problems.append(Problem(_("the CCCD number {value} is already on row {first}.").format(
                value=cccd, first=seen_cccd[cccd]), number, COL_CCCD))
            values["cccd"] = None  # the row is in error; keep it out of the person checks below
        elif cccd:
            seen_cccd[cccd] = number
        result.problems.extend(problems)
        result.warnings.extend(warnings)
        rows.append(CandidateRow(number, values))

    match_people(rows, exam=exam, result=result)
    check_ranks(rows, exam=exam, result=result)
    check_certificates(rows, exam=exam, result=result)
    result.sort_problems(CANDIDATE_COLUMNS)
    if result.problems:
        return result

    for row in rows:
        if row.person is None:
            result.people_created += 1
        if row.registration is None:
            result.created += 1
            change = "new"
        elif _changed(row.registration, _snapshot(row.values)):
            result.updated += 1
            change = "updated"
        else:
            result.unchanged += 1
            change = "unchanged"
        values = row.values
        result.preview.append(PreviewRow(
            row=row.number, name=values["full_name"], cccd=values["cccd"], unit=values["unit_text"],
            rank=values["rank_text"], change=change,
            exemptions=", ".join(code for code in (values["exempt_foreign_language"], values["exempt_it"]) if code)))
    kept = {row.registration.pk for row in rows if row.registration is not None}
    missing = list(Registration.objects.filter(exam=exam).exclude(pk__in=kept).select_related("person")
                   .order_by("candidate_number"))
    result.left_out = [f"{r.candidate_number} {r.person.full_name}" for r in missing]
    if withdraw_missing:
        result.withdrawn = len(missing)
    if dry_run:
        return result

    with transaction.atomic():
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        if locked.status not in IMPORTABLE_STATES:  # moved on while the file was being checked
            result.refuse(_state_problem(locked.status))
            return result
        if withdraw_missing:
            for registration in missing:
                registration_withdraw(registration=registration, actor=actor,
                                      reason=_("left out of the re-imported list {file}").format(file=file_name))
        _write(rows, exam=exam)
        numbers_assign(exam=exam)
        exam_passwords_ensure(exam=exam)
        if locked.status == Exam.Status.DRAFT:
            exam_transition(exam=exam, to=Exam.Status.REGISTRATION, actor=None)
        audit_record(
            actor=actor, action="exam.import_candidates", obj=exam,
            details={"file": file_name, "created": result.created, "updated": result.updated,
                     "unchanged": result.unchanged, "people_created": result.people_created,
                     "withdrawn": result.withdrawn},
        )
        result.applied = True
    return result


def _current_status(exam: Exam) -> str:
    return Exam.objects.filter(pk=exam.pk).values_list("status", flat=True).first() or exam.status


def _state_problem(status: str) -> Problem:
    return Problem(_("the exam is in the state “{state}”; candidates can no longer be imported.").format(
        state=Exam.Status(status).label))


def _parse_row(row: dict[str, Any], *, number: int, today: dt.date, exam: Exam, ethnicities, ranks, exemptible,
               resolver: UnitResolver) -> tuple[dict[str, Any], list[Problem], list[Problem]]:
    reader = cells.RowReader(row, number)
    values, problems, cell = reader.values, reader.problems, reader.cell
    warnings: list[Problem] = []
    reader.person(columns={"name": COL_NAME, "dob": COL_DOB, "gender": COL_GENDER, "ethnicity": COL_ETHNICITY,
                           "cccd": COL_CCCD}, today=today, ethnicities=ethnicities, ethnicity_required=True)
    cell(COL_SERVICE_START, "service_start", cells.date, required=False, today=today)

    values["list_order"] = _list_order(row[COL_ORDER], number=number)
    for column, key in ((COL_POSITION, "position_text"), (COL_UNIT, "unit_text"), (COL_RANK_NAME, "rank_text"),
                        (COL_NOTE, "note")):
        values[key] = cells.text(row[column])
        if len(values[key]) > TEXT_LIMITS[column]:
            problems.append(Problem(_("the text is longer than {limit} characters.").format(
                limit=TEXT_LIMITS[column]), number, column))

    values["unit"], ambiguous = _link_unit(values["unit_text"], resolver)
    if ambiguous:  # kept as written, not linked: said, with the units it could be
        warnings.append(Problem(ambiguous, number, COL_UNIT, warning=True))

    values["rank"] = None
    code = cells.text(row[COL_RANK_CODE])
    if code:
        rank = ranks.get(code)
        if rank is None:
            problems.append(Problem(_("“{value}” is not a rank code (01.001 … 01.005).").format(value=code[:20]),
                                    number, COL_RANK_CODE))
        else:
            values["rank"] = rank
            if values["rank_text"] and _rank_key(values["rank_text"]) != _rank_key(rank.name):
                warnings.append(Problem(
                    # «Cảnh báo: …» prints no row or column, so the message names the row itself.
                    _("row {n}: “{text}” is not the name of rank {code} ({name}); the rank code is used.").format(
                        n=number, text=values["rank_text"][:60], code=rank.code, name=rank.name),
                    number, COL_RANK_NAME, warning=True))

    born = values.get("date_of_birth")
    if born and values.get("service_start") and values["service_start"] < born:
        problems.append(Problem(_("this date is before the date of birth."), number, COL_SERVICE_START))

    for column, (kind, subject_code) in EXEMPTION_COLUMNS.items():
        key = "exempt_foreign_language" if kind == reference.FOREIGN_LANGUAGE else "exempt_it"
        try:
            values[key] = _exemption(row[column], kind=kind, subject_code=subject_code, exemptible=exemptible,
                                     born=born, gender=values.get("gender"), cutoff=exam.cutoff)
        except cells.CellError as exc:
            values[key] = ""
            problems.append(Problem(str(exc), number, column))
    return values, problems, warnings


def _list_order(value: Any, *, number: int) -> int:
    """The agency's «STT» when it is a whole number, else the sheet row."""
    if isinstance(value, bool):
        return number
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    raw = cells.text(value)
    if raw.isascii() and raw.isdigit():
        return int(raw)
    return number


def _link_unit(unit_text: str, resolver: UnitResolver) -> tuple[OrgUnit | None, str]:
    """A unit code, a path "child / parent" or a unique name valid on the cut-off date; otherwise no link. The second
    value says why a name that matches several units was not linked ("" otherwise: an unknown unit is no fault)."""
    if not unit_text:
        return None, ""
    try:
        found = resolver.resolve(unit_text)
    except cells.CellError as exc:
        text = str(exc)
        return None, (_("the unit is kept as written and not linked: {reason}").format(reason=text)
                      if resolver.ambiguous(unit_text) else "")
    return (found if isinstance(found, OrgUnit) else None), ""


def _rank_key(name: str) -> str:
    return normalize_name(name).casefold()


def _exemption(value: Any, *, kind: str, subject_code: str, exemptible: set[str], born: dt.date | None,
               gender: str | None, cutoff: dt.date) -> str:
    raw = cells.text(value)
    if not raw:
        return ""
    code = reference.exemption_code(raw)
    if code is None or reference.EXEMPTIONS[code][1] != kind:
        codes = ", ".join(c for c, (_label, k) in reference.EXEMPTIONS.items() if k == kind)
        if kind == reference.FOREIGN_LANGUAGE:
            message = _("“{value}” is not a foreign-language exemption reason: write one of {codes} or its label.")
        else:
            message = _("“{value}” is not an IT exemption reason: write one of {codes} or its label.")
        raise cells.CellError(message.format(value=raw[:80], codes=codes))
    if subject_code not in exemptible:
        raise cells.CellError(_("this exam has no exemptible subject {subject}.").format(subject=subject_code))
    if code == "NN_HUU" and born is not None and gender:
        female = gender == User.Gender.FEMALE
        if not reference.near_retirement(born=born, female=female, cutoff=cutoff):
            retires = reference.retirement_date(born=born, female=female)
            raise cells.CellError(
                _("the person retires on {retires}, which is not within 5 years of the cut-off date {cutoff}.").format(
                    retires=retires.strftime("%d/%m/%Y"), cutoff=cutoff.strftime("%d/%m/%Y")))
    return code


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "list_order": values["list_order"],
        "position_text": values["position_text"],
        "unit_text": values["unit_text"],
        "unit_id": values["unit"].pk if values["unit"] else None,
        "rank_text": values["rank_text"],
        "rank_id": values["rank"].pk if values["rank"] else None,
        "service_start": values["service_start"],
        "exempt_foreign_language": values["exempt_foreign_language"],
        "exempt_it": values["exempt_it"],
        "note": values["note"],
    }


def _changed(registration: Registration, snapshot: dict[str, Any]) -> bool:
    return any(getattr(registration, key) != value for key, value in snapshot.items())


def _write(rows: list[CandidateRow], *, exam: Exam) -> None:
    new_registrations: list[Registration] = []
    changed: list[Registration] = []
    for row in rows:
        values = row.values
        snapshot = _snapshot(values)
        person = row.person
        if person is None:
            person = User(
                username=values["cccd"], cccd=values["cccd"], full_name=values["full_name"],
                date_of_birth=values["date_of_birth"], gender=values["gender"], ethnicity=values["ethnicity"],
                position=values["position_text"], unit=values["unit"], rank=values["rank"],
                service_start=values["service_start"],
            )
            person.set_unusable_password()
            person.save()
        if row.registration is None:
            # A placeholder numbers_assign replaces: never "<prefix><digits>", never its own "~<pk>".
            new_registrations.append(Registration(exam=exam, person=person, candidate_number=f"~p{person.pk}",
                                                  **snapshot))
        elif _changed(row.registration, snapshot):
            for key, value in snapshot.items():
                setattr(row.registration, key, value)
            changed.append(row.registration)
    Registration.objects.bulk_create(new_registrations)
    Registration.objects.bulk_update(changed, [name.removesuffix("_id") for name in SNAPSHOT_FIELDS])
