"""The schedule import: a class's half-days from Excel (docs/courses.md, "Schedule"), checked whole before any
row is written (docs/operations.md, "The import flow")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import cells
from accounts.import_flow import ImportResult
from accounts.models import User
from accounts.services import audit_record
from accounts.spreadsheets import Problem, read_rows
from courses.models import CourseClass, Module, Session

COL_DATE, COL_HALF, COL_MODULE, COL_PERIODS, COL_LECTURER = "Ngày", "Buổi", "Mã chuyên đề", "Số tiết", "Giảng viên"
SCHEDULE_COLUMNS = [COL_DATE, COL_HALF, COL_MODULE, COL_PERIODS, COL_LECTURER]
HALVES = {"sáng": Session.Half.MORNING, "chiều": Session.Half.AFTERNOON}
ANY_DAY = dt.date(9999, 12, 31)  # a schedule's dates are to come: none is "in the future" too far


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def import_schedule(data: bytes, *, course_class: CourseClass, actor: User | None, dry_run: bool,
                    file_name: str = "") -> ImportResult:
    result = ImportResult()
    if course_class.closed_at is not None:
        result.problems.append(Problem(_("the class is closed; its schedule no longer changes.")))
        return result
    sheet, file_problems = read_rows(data, required_columns=SCHEDULE_COLUMNS)
    if sheet is None:
        result.problems.extend(file_problems)
        return result
    modules = {m.code: m for m in Module.objects.filter(part__programme=course_class.programme_id)}
    rows, seen = [], {}
    lecturers = {u.username: u for u in User.objects.filter(username__in=[
        cells.text(raw[COL_LECTURER]) for _n, raw in sheet.rows if cells.text(raw[COL_LECTURER])])}
    for number, raw in sheet.rows:
        reader = cells.RowReader(raw, number)
        reader.cell(COL_DATE, "date", cells.date, required=True, today=ANY_DAY)
        values, problems = reader.values, reader.problems
        day = values.get("date")
        if day and not course_class.starts_on <= day <= course_class.ends_on:
            problems.append(Problem(_("{day} is outside the class's dates ({start} – {end}).").format(
                day=day.strftime("%d/%m/%Y"), start=course_class.starts_on.strftime("%d/%m/%Y"),
                end=course_class.ends_on.strftime("%d/%m/%Y")), number, COL_DATE))
        half = HALVES.get(cells.text(raw[COL_HALF]).casefold())
        if half is None:
            problems.append(Problem(_("write Sáng or Chiều."), number, COL_HALF))
        values["half"] = half
        module = modules.get(cells.text(raw[COL_MODULE]).upper())
        if module is None:
            problems.append(Problem(_("the programme has no module “{code}”.").format(
                code=cells.text(raw[COL_MODULE])), number, COL_MODULE))
        values["module"] = module
        periods = cells.text(raw[COL_PERIODS])
        if not (periods.isdigit() and 0 < int(periods) <= 10):
            problems.append(Problem(_("the periods of a half-day are a whole number from 1 to 10."), number,
                                    COL_PERIODS))
        values["periods"] = int(periods) if periods.isdigit() else None
        username = cells.text(raw[COL_LECTURER])
        values["lecturer"] = lecturers.get(username) if username else None
        if username and values["lecturer"] is None:
            problems.append(Problem(_("no account has the login name {username}.").format(username=username),
                                    number, COL_LECTURER))
        if day and half:
            if (day, half) in seen:
                problems.append(Problem(_("row {first} already schedules this half-day.").format(
                    first=seen[(day, half)]), number, COL_HALF))
            else:
                seen[(day, half)] = number
        result.problems.extend(problems)
        rows.append(_Row(number, values))
    result.sort_problems(SCHEDULE_COLUMNS)
    if result.problems:
        return result
    existing = {(s.date, s.half): s for s in Session.objects.filter(course_class=course_class)}
    for row in rows:
        found = existing.get((row.values["date"], row.values["half"]))
        if found is None:
            result.created += 1
        elif (found.module_id, found.periods, found.lecturer_id) != (
                row.values["module"].pk, row.values["periods"], getattr(row.values["lecturer"], "pk", None)):
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run:
        return result
    with transaction.atomic():
        for row in rows:
            Session.objects.update_or_create(
                course_class=course_class, date=row.values["date"], half=row.values["half"],
                defaults={"module": row.values["module"], "periods": row.values["periods"],
                          "lecturer": row.values["lecturer"]})
        audit_record(actor=actor, action="class.schedule_import", obj=course_class,
                     details={"file": file_name, "created": result.created, "updated": result.updated})
        result.applied = True
    return result
