"""Attendance (docs/courses.md, "Attendance"): marks per session set on the lecturer's page, by self check-in or
from the class's sign-in sheet, and the sign-in sheet itself (its template and its import).

A cell of the sheet holds x (present), P (excused absence) or K (unexcused). A session already held needs a mark in
every row; a session still to come may be left empty. A session is held once its half-day is over: a morning at
noon, an afternoon at the end of its day.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import cells
from accounts.exports import TEMPLATE_HEADER, help_sheet, template_sheet
from accounts.import_flow import ImportResult
from accounts.models import User
from accounts.services import audit_record
from accounts.spreadsheets import Problem, read_rows
from courses.learners import ClassRows
from courses.models import Attendance, CourseClass, Enrolment, How, Session

COL_CCCD, COL_NAME = "Số CCCD", "Họ và tên"
HALF_WORDS = {Session.Half.MORNING: "Sáng", Session.Half.AFTERNOON: "Chiều"}
MARKS = {"x": Attendance.Mark.PRESENT, "p": Attendance.Mark.EXCUSED, "k": Attendance.Mark.ABSENT}
NOON = dt.time(12, 0)


class ClassClosed(Exception):
    """A closed class's records change only through an audited correction."""


def session_header(session: Session) -> str:
    """The sign-in sheet's column of a session: ``dd/mm/yyyy Sáng`` or ``dd/mm/yyyy Chiều``."""
    return f"{session.date:%d/%m/%Y} {HALF_WORDS[session.half]}"


def session_held(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether the session's half-day is over (a morning at noon, an afternoon when its day ends)."""
    now = timezone.localtime(now or timezone.now())
    if session.date != now.date():
        return session.date < now.date()
    return session.half == Session.Half.MORNING and now.time() >= NOON


def signin_template_xlsx(course_class: CourseClass) -> bytes:
    """The class's sign-in sheet: its learners (CCCD as text, name), one column per scheduled session, the marks
    already recorded filled in."""
    sessions = list(course_class.sessions.order_by("date", "half"))
    enrolments = list(course_class.enrolments.select_related("person").order_by("list_order", "pk"))
    marks = {(a.enrolment_id, a.session_id): a.mark for a in Attendance.objects.filter(session__in=sessions)}
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False})
    header = workbook.add_format({**TEMPLATE_HEADER, "text_wrap": True, "font_name": "Times New Roman"})
    as_text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman"})
    centred = workbook.add_format({"num_format": "@", "font_name": "Times New Roman", "align": "center"})
    sheet = template_sheet(workbook, name="Điểm danh", header=header, columns=[
        (COL_CCCD, 16, as_text), (COL_NAME, 28, as_text), *[(session_header(s), 12, centred) for s in sessions]])
    for row, enrolment in enumerate(enrolments, start=1):
        sheet.write_string(row, 0, enrolment.person.cccd or "", as_text)
        sheet.write_string(row, 1, enrolment.person.full_name, as_text)
        for col, session in enumerate(sessions, start=2):
            sheet.write_string(row, col, marks.get((enrolment.pk, session.pk), ""), centred)
    help_sheet(workbook, [
        _("One learner per row; one column per session of the schedule, headed with its date and half-day."),
        _("In each cell: x (present), P (excused absence) or K (unexcused absence)."),
        _("A session already held needs a mark in every row; a session still to come may stay empty."),
        _("An excused absence is still an absence: it does not count towards attendance."),
    ], width=110)
    workbook.close()
    return buffer.getvalue()


@dataclass
class _Mark:
    enrolment: Enrolment
    session: Session
    mark: str


def import_attendance(data: bytes, *, course_class: CourseClass, actor: User | None, dry_run: bool,
                      file_name: str = "") -> ImportResult:
    """The sign-in sheet: every row and cell checked, then every mark written (all or nothing). A mark that is
    already the same is unchanged; a different one is replaced."""
    result = ImportResult()
    if course_class.closed_at is not None:
        result.problems.append(Problem(_("the class is closed; change a mark through a correction.")))
        return result
    sessions = list(course_class.sessions.order_by("date", "half"))
    if not sessions:
        result.problems.append(Problem(_("the class has no schedule yet; import the schedule first.")))
        return result
    columns = {session_header(s): s for s in sessions}
    sheet, file_problems = read_rows(data, required_columns=[COL_CCCD, COL_NAME, *columns])
    if sheet is None:
        result.problems.extend(file_problems)
        return result
    unknown = [h for h in sheet.header if h and h not in columns and h not in (COL_CCCD, COL_NAME)]
    for header in unknown:
        result.problems.append(Problem(_("the column «{column}» is not a session of the class's schedule.").format(
            column=header)))
    learners = ClassRows(course_class, cccd_column=COL_CCCD, name_column=COL_NAME)
    held = {s.pk: session_held(s) for s in sessions}
    marks = []
    for number, raw in sheet.rows:
        enrolment = learners.learner(raw, number, result.problems)
        if enrolment is None:
            continue
        for header, session in columns.items():
            value = cells.text(raw[header]).casefold()
            if not value:
                if held[session.pk]:
                    result.problems.append(Problem(_("the session has been held: write x, P or K."), number, header))
                continue
            mark = MARKS.get(value)
            if mark is None:
                result.problems.append(Problem(_("“{value}” is not a mark: write x (present), P (excused) or K "
                                                 "(unexcused).").format(value=value[:10]), number, header))
                continue
            marks.append(_Mark(enrolment, session, mark))
    result.sort_problems([COL_CCCD, COL_NAME, *columns])
    if result.problems:
        return result
    existing = {(a.enrolment_id, a.session_id): a for a in Attendance.objects.filter(session__in=sessions)}
    changed = []
    for item in marks:
        found = existing.get((item.enrolment.pk, item.session.pk))
        if found is None:
            result.created += 1
            changed.append(item)
        elif found.mark != item.mark:
            result.updated += 1
            changed.append(item)
        else:
            result.unchanged += 1
    if dry_run:
        return result
    with transaction.atomic():
        if CourseClass.objects.select_for_update().get(pk=course_class.pk).closed_at is not None:
            result.refuse(Problem(_("the class is closed; change a mark through a correction.")))
            return result
        now = timezone.now()
        for item in changed:
            Attendance.objects.update_or_create(enrolment=item.enrolment, session=item.session, defaults={
                "mark": item.mark, "how": How.SHEET, "set_by": actor, "set_at": now})
        audit_record(actor=actor, action="class.attendance_import", obj=course_class,
                     details={"file": file_name, "created": result.created, "updated": result.updated})
        result.applied = True
    return result


def session_marks_save(*, session: Session, marks: dict[int, str], actor: User, rest_present: bool = False) -> int:
    """The lecturer's page: ``marks`` {enrolment id: x/P/K} for one session (with ``rest_present``, every learner
    with neither a mark given nor one recorded is present); returns how many changed. Refused (ClassClosed) once
    the class is closed."""
    course_class = session.course_class
    with transaction.atomic():
        if CourseClass.objects.select_for_update().get(pk=course_class.pk).closed_at is not None:
            raise ClassClosed
        valid = set(course_class.enrolments.values_list("pk", flat=True))
        existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
        if rest_present:
            marks = {**dict.fromkeys(valid - set(existing), Attendance.Mark.PRESENT), **marks}
        now, changed = timezone.now(), []
        for enrolment_id, mark in marks.items():
            if enrolment_id not in valid or mark not in Attendance.Mark.values:
                continue
            found = existing.get(enrolment_id)
            if found is not None and found.mark == mark:
                continue
            Attendance.objects.update_or_create(enrolment_id=enrolment_id, session=session, defaults={
                "mark": mark, "how": How.PAGE, "set_by": actor, "set_at": now})
            changed.append(enrolment_id)
        if changed:
            audit_record(actor=actor, action="class.attendance_mark", obj=course_class,
                         details={"session": session.pk, "marks": {str(e): marks[e] for e in changed}})
    return len(changed)
