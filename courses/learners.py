"""The learners import: a class's list from Excel (docs/courses.md, "Learners"), every row checked before any is
written (docs/operations.md, "The import flow").

People are matched by CCCD as candidates are: a known person's identity (name, date of birth) must agree with the
register and is never overwritten; an unknown CCCD creates a person in the register, marked with the class it came
from, for HR to review. A learner already in the class is unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import cells
from accounts.import_flow import ImportResult
from accounts.imports import UnitResolver
from accounts.models import Rank, User
from accounts.services import audit_record
from accounts.spreadsheets import Problem, read_rows
from accounts.vietnamese import normalize_name
from courses.models import CourseClass, Enrolment

COL_ORDER, COL_NAME, COL_DOB, COL_GENDER, COL_CCCD = "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"
COL_UNIT, COL_POSITION, COL_RANK, COL_EMAIL = "Đơn vị", "Chức vụ", "Ngạch", "Email"
LEARNER_COLUMNS = [COL_ORDER, COL_NAME, COL_DOB, COL_GENDER, COL_CCCD, COL_UNIT, COL_POSITION, COL_RANK, COL_EMAIL]
TEXT_LIMITS = {COL_UNIT: 255, COL_POSITION: 200, COL_RANK: 100}


@dataclass
class LearnerImportResult(ImportResult):
    people_created: int = 0
    summary_fields = (*ImportResult.summary_fields, "people_created")


@dataclass
class _Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    person: User | None = None
    enrolled: bool = False


def origin_of(course_class: CourseClass) -> str:
    """What a person created from a class's list is marked with in the register."""
    return _("List of learners of the class %(name)s (%(code)s)") % {
        "name": course_class.name, "code": course_class.programme.code}


def import_learners(data: bytes, *, course_class: CourseClass, actor: User | None, dry_run: bool,
                    file_name: str = "") -> LearnerImportResult:
    result = LearnerImportResult()
    if course_class.closed_at is not None:
        result.problems.append(Problem(_("the class is closed; its learners no longer change.")))
        return result
    sheet, file_problems = read_rows(data, required_columns=LEARNER_COLUMNS)
    if sheet is None:
        result.problems.extend(file_problems)
        return result
    today = timezone.localdate()
    resolver = UnitResolver(on=today, create_missing=False)
    ranks = list(Rank.objects.all())
    rows, seen = [], {}
    for number, raw in sheet.rows:
        reader = cells.RowReader(raw, number)
        reader.cell(COL_NAME, "full_name", cells.full_name)
        reader.cell(COL_DOB, "date_of_birth", cells.date, required=True, today=today)
        reader.cell(COL_GENDER, "gender", cells.gender)
        reader.cell(COL_CCCD, "cccd", cells.cccd)
        reader.cell(COL_EMAIL, "email", cells.email)
        values, problems = reader.values, reader.problems
        for column, key in ((COL_UNIT, "unit_text"), (COL_POSITION, "position_text"), (COL_RANK, "rank_text")):
            values[key] = cells.text(raw[column])
            if len(values[key]) > TEXT_LIMITS[column]:
                problems.append(Problem(_("the text is longer than {limit} characters.").format(
                    limit=TEXT_LIMITS[column]), number, column))
        order = cells.text(raw[COL_ORDER])
        values["list_order"] = int(order) if order.isdigit() else number
        values["unit"] = _unit(resolver, values["unit_text"])
        values["rank"] = _rank(ranks, values["rank_text"])
        cccd = values.get("cccd")
        if cccd and cccd in seen:
            problems.append(Problem(_("the CCCD number {value} is already on row {first}.").format(
                value=cccd, first=seen[cccd]), number, COL_CCCD))
            values["cccd"] = None
        elif cccd:
            seen[cccd] = number
        result.problems.extend(problems)
        rows.append(_Row(number, values))
    _match(rows, course_class=course_class, result=result)
    result.sort_problems(LEARNER_COLUMNS)
    if result.problems:
        return result
    for row in rows:
        result.people_created += row.person is None
        if row.enrolled:
            result.unchanged += 1
        else:
            result.created += 1
    if course_class.capacity is not None:
        total = Enrolment.objects.filter(course_class=course_class).count() + result.created
        if total > course_class.capacity:
            result.refuse(Problem(_("the class takes {capacity} learners; with this list it would have {total}.")
                                  .format(capacity=course_class.capacity, total=total)))
            return result
    if dry_run:
        return result
    with transaction.atomic():
        locked = CourseClass.objects.select_for_update().get(pk=course_class.pk)
        if locked.closed_at is not None:
            result.refuse(Problem(_("the class is closed; its learners no longer change.")))
            return result
        _write(rows, course_class=course_class)
        audit_record(actor=actor, action="class.learners_import", obj=course_class,
                     details={"file": file_name, "created": result.created, "unchanged": result.unchanged,
                              "people_created": result.people_created})
        result.applied = True
    return result


def _unit(resolver: UnitResolver, text: str):
    """The register's unit when the cell names one without doubt; otherwise the text is kept as written."""
    try:
        found = resolver.resolve(text)
    except cells.CellError:
        return None
    return found if hasattr(found, "pk") else None


def _rank(ranks: list[Rank], text: str) -> Rank | None:
    key = normalize_name(text).casefold()
    return next((r for r in ranks if key and key in (r.code.casefold(), normalize_name(r.name).casefold())), None)


def _match(rows: list[_Row], *, course_class: CourseClass, result: LearnerImportResult) -> None:
    by_cccd = {row.values["cccd"]: row for row in rows if row.values.get("cccd")}
    people = {p.cccd: p for p in User.objects.filter(cccd__in=list(by_cccd))}
    enrolled = set(Enrolment.objects.filter(course_class=course_class, person__in=list(people.values()))
                   .values_list("person_id", flat=True))
    for cccd, row in by_cccd.items():
        person = people.get(cccd)
        if person is None:
            continue
        name, born = row.values.get("full_name"), row.values.get("date_of_birth")
        if name and born and (normalize_name(person.full_name) != name
                              or (person.date_of_birth and person.date_of_birth != born)):
            result.problems.append(Problem(_(
                "the CCCD number {cccd} belongs to {name}, born {born}, in the people register; correct the row or "
                "the register.").format(cccd=cccd, name=person.full_name, born=person.date_of_birth.strftime(
                    "%d/%m/%Y") if person.date_of_birth else "…"), row.number, COL_CCCD))
            continue
        row.person, row.enrolled = person, person.pk in enrolled
    new = {cccd: row for cccd, row in by_cccd.items() if cccd not in people}
    for username in User.objects.filter(username__in=list(new)).values_list("username", flat=True):
        result.problems.append(Problem(_("the login name {username} is already taken by another account.").format(
            username=username), new[username].number, COL_CCCD))
    emails = {row.values["email"]: row for row in new.values() if row.values.get("email")}
    for email in User.objects.filter(email__in=list(emails)).values_list("email", flat=True):
        result.problems.append(Problem(_("the email {email} already belongs to another person.").format(email=email),
                                       emails[email].number, COL_EMAIL))


def _write(rows: list[_Row], *, course_class: CourseClass) -> None:
    origin = origin_of(course_class)[:255]
    enrolments = []
    for row in rows:
        values = row.values
        person = row.person
        if person is None:
            person = User(username=values["cccd"], cccd=values["cccd"], full_name=values["full_name"],
                          date_of_birth=values["date_of_birth"], gender=values["gender"], email=values["email"],
                          unit=values["unit"], position=values["position_text"], rank=values["rank"], origin=origin)
            person.set_unusable_password()
            person.save()
        if not row.enrolled:
            enrolments.append(Enrolment(course_class=course_class, person=person, list_order=values["list_order"],
                                        unit_text=values["unit_text"], position_text=values["position_text"],
                                        rank_text=values["rank_text"]))
    Enrolment.objects.bulk_create(enrolments)


class ClassRows:
    """The learner a row of a class's sheet (sign-in sheet, scores) is about: `Số CCCD` names an enrolled learner,
    once in the file, and `Họ và tên` must be that learner's name. Each problem names its row and column."""

    def __init__(self, course_class: CourseClass, *, cccd_column: str, name_column: str):
        self.enrolments = {e.person.cccd: e for e in course_class.enrolments.select_related("person")
                           if e.person.cccd}
        self.cccd_column, self.name_column = cccd_column, name_column
        self.seen: dict[str, int] = {}

    def learner(self, raw: dict, number: int, problems: list[Problem]) -> Enrolment | None:
        """The row's enrolment, or None (the row is in error, said in ``problems``)."""
        cccd = cells.text(raw[self.cccd_column])
        enrolment = self.enrolments.get(cccd)
        if enrolment is None:
            problems.append(Problem(_("no learner of the class has the CCCD number {value}.").format(
                value=cccd[:20]), number, self.cccd_column))
            return None
        if cccd in self.seen:
            problems.append(Problem(_("the CCCD number {value} is already on row {first}.").format(
                value=cccd, first=self.seen[cccd]), number, self.cccd_column))
            return None
        self.seen[cccd] = number
        if normalize_name(cells.text(raw[self.name_column])) != enrolment.person.full_name:
            problems.append(Problem(_("the learner with this CCCD number is {name}.").format(
                name=enrolment.person.full_name), number, self.name_column))
        return enrolment
