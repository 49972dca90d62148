"""A class's completion list (docs/courses.md, "The completion list"): every learner's outcome, read with a fixed
number of queries whatever the class's size, in Vietnamese name order, and the workbook the certificate decision is
issued from (the official list style: the institution's letterhead, Times New Roman, A4 landscape, header rows
repeated, the signer).

Columns: STT | Họ và tên | Ngày sinh | Đơn vị | Số tiết có mặt | Tỷ lệ chuyên cần (%) | <one per assessment> |
Điểm trung bình | Xếp loại | Kết quả | Lý do | Số hiệu chứng chỉ.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from accounts.official_sheets import (
    collector_paused,
    date_text,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    put_text,
    sheet_format,
    workbook_bytes,
    write_preamble,
)
from accounts.officialdates import official_date
from accounts.vietnamese import name_sort_key
from courses.completion import Outcome, Requirement, Try, decide
from courses.models import Attendance, Certificate, CourseClass, Discipline, Enrolment, Score

PASSED, FAILED = "Đủ điều kiện", "Không đủ điều kiện"


@dataclass(frozen=True)
class LearnerOutcome:
    enrolment: Enrolment
    outcome: Outcome

    @property
    def person(self):
        return self.enrolment.person

    @property
    def verdict(self) -> str:
        return PASSED if self.outcome.completed else FAILED


def blocking_levels() -> set[str]:
    return set(settings.COURSE_BLOCKING_DISCIPLINE)


def bands() -> list[tuple[Decimal, str]]:
    return [(Decimal(str(floor)), name) for floor, name in settings.COURSE_BANDS]


def class_outcomes(course_class: CourseClass) -> tuple[list[Requirement], list[LearnerOutcome]]:
    """The class's requirements and each learner's outcome, in Vietnamese name order (six queries once the class
    is read with its programme)."""
    return _outcomes(course_class, None)


def learner_outcome(enrolment: Enrolment) -> tuple[list[Requirement], LearnerOutcome]:
    """One learner's requirements and outcome as the completion list would decide them today (what still stands
    between them and the certificate)."""
    requirements, outcomes = _outcomes(enrolment.course_class, enrolment)
    return requirements, outcomes[0]


def _outcomes(course_class: CourseClass, only: Enrolment | None):
    programme = course_class.programme
    assessments = list(programme.assessments.order_by("order"))
    requirements = [Requirement(code=a.code, weight=a.weight, pass_mark=a.pass_mark, counts=a.counts)
                    for a in assessments]
    codes = {a.pk: a.code for a in assessments}
    scheduled = course_class.sessions.aggregate(total=Sum("periods"))["total"] or 0
    learners = {"enrolment": only} if only is not None else {"enrolment__course_class": course_class}
    present = dict(Attendance.objects.filter(session__course_class=course_class, mark=Attendance.Mark.PRESENT,
                                             **learners)
                   .values("enrolment").annotate(periods=Sum("session__periods"))
                   .values_list("enrolment", "periods"))
    tries: dict[int, dict[str, list[Try]]] = defaultdict(lambda: defaultdict(list))
    for enrolment_id, assessment_id, attempt, value, excused in Score.objects.filter(**learners).values_list(
            "enrolment", "assessment", "attempt", "value", "excused"):
        tries[enrolment_id][codes[assessment_id]].append(Try(attempt, value, excused))
    blocking, measures = blocking_levels(), defaultdict(list)
    for discipline in Discipline.objects.filter(**learners):
        if discipline.level in blocking:
            measures[discipline.enrolment_id].append(discipline.get_level_display())
    if only is not None:
        enrolments = [only]
    else:
        enrolments = list(course_class.enrolments.select_related("person__unit"))
        enrolments.sort(key=lambda e: name_sort_key(e.person.full_name, e.person.date_of_birth, e.person.cccd))
    threshold, band_table = programme.attendance_threshold, bands()
    return requirements, [LearnerOutcome(e, decide(
        present_periods=present.get(e.pk, 0), scheduled_periods=scheduled, threshold=threshold,
        requirements=requirements, tries=tries.get(e.pk, {}), blocking_measures=measures.get(e.pk, []),
        bands=band_table)) for e in enrolments]


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def completion_xlsx(course_class: CourseClass) -> tuple[bytes, int]:
    """The workbook and its number of learners."""
    requirements, rows = class_outcomes(course_class)
    serials = dict(Certificate.objects.filter(enrolment__course_class=course_class, status=Certificate.Status.VALID)
                   .values_list("enrolment_id", "serial"))
    programme = course_class.programme
    institution = programme.institution
    columns = [("STT", 6), ("Họ và tên", 24), ("Ngày sinh", 12), ("Đơn vị", 30), ("Số tiết có mặt", 10),
               ("Tỷ lệ chuyên cần (%)", 11), *[(r.code, 8) for r in requirements], ("Điểm trung bình", 10),
               ("Xếp loại", 11), ("Kết quả", 14), ("Lý do", 30), ("Số hiệu chứng chỉ", 14)]
    letterhead = SimpleNamespace(authority_line_1=getattr(institution, "letterhead_line_1", ""),
                                 authority_line_2=getattr(institution, "letterhead_line_2", ""))
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        sheet = workbook.add_worksheet("Danh sách")
        title = f"DANH SÁCH HỌC VIÊN ĐỦ ĐIỀU KIỆN CẤP CHỨNG CHỈ LỚP {course_class.name.upper()}"
        lines = [programme.name,
                 f"Từ ngày {course_class.starts_on:%d/%m/%Y} đến ngày {course_class.ends_on:%d/%m/%Y}"]
        start = write_preamble(sheet, formats, profile=letterhead, columns=columns, title=title, lines=lines)
        header_row(sheet, start, columns, formats.header)
        number = sheet_format(workbook, border=1, align="right")
        for n, row in enumerate(rows, start=1):
            r = start + n
            person, outcome = row.person, row.outcome
            unit = row.enrolment.unit_text or (person.unit.name if person.unit else "")
            values = [str(n), person.full_name, date_text(person.date_of_birth), unit, str(outcome.present_periods),
                      _number(outcome.rate), *[_number(outcome.scores[req.code]) for req in requirements],
                      _number(outcome.average), outcome.band, row.verdict, "; ".join(outcome.reasons),
                      serials.get(row.enrolment.pk, "")]
            for col, value in enumerate(values):
                right = col in (4, 5) or 6 <= col < 7 + len(requirements)
                put_cell(sheet, r, col, value, number if right else
                         formats.cell_center if col in (0, 2) else formats.cell)
        last = start + len(rows) + 2
        put_text(sheet, last, 0, 3, f"Tổng số: {len(rows)} học viên; đủ điều kiện: "
                 f"{sum(r.outcome.completed for r in rows)}.", formats.line)
        sign_col = len(columns) - 4
        put_text(sheet, last + 1, sign_col, len(columns) - 1,
                 official_date(timezone.localdate(), None), formats.reference)
        put_text(sheet, last + 2, sign_col, len(columns) - 1, getattr(institution, "signer_title", ""),
                 formats.sign_title)
        put_text(sheet, last + 6, sign_col, len(columns) - 1, getattr(institution, "signer_name", ""),
                 formats.sign_title)
        print_setup(sheet, landscape=True, repeat=(start, start))
        return workbook_bytes(buffer, workbook), len(rows)
