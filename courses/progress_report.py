"""Who is behind (docs/courses.md, "Progress report"): per module of a class and per learner, read from the lessons
and each learner's progress with a fixed number of queries whatever the class's size, and its workbook in the
official list style. Reads only.

A module's lessons are **due** once its first session in the class has been held (a morning from 12:00, an afternoon
from 17:00 of its date); a module the class's schedule does not teach is due from the class's first day. A learner is
**behind** in a module when one of its due lessons is not completed.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from accounts.official_sheets import (
    collector_paused,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    put_text,
    workbook_bytes,
    write_preamble,
)
from accounts.vietnamese import name_sort_key
from courses.halfdays import day_start, session_end
from courses.models import CourseClass, Enrolment, Lesson, LessonProgress, Module


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    lessons: int
    due_from: dt.datetime
    due: bool
    behind: int  # learners behind in it
    learners: int
    mean_percent: Decimal | None  # the learners' mean share of its lessons completed, one decimal


@dataclass(frozen=True)
class LearnerModule:
    module: Module
    completed: int
    lessons: int
    seconds: int
    behind: bool


@dataclass(frozen=True)
class LearnerProgress:
    enrolment: Enrolment
    modules: list[LearnerModule]  # the modules that have lessons, in programme order
    seconds: int
    last_seen: dt.datetime | None

    @property
    def person(self):
        return self.enrolment.person

    @property
    def behind_in(self) -> list[Module]:
        return [m.module for m in self.modules if m.behind]

    @property
    def behind(self) -> bool:
        return any(m.behind for m in self.modules)

    @property
    def time_spent(self) -> str:
        return duration(self.seconds)


@dataclass(frozen=True)
class ProgressReport:
    course_class: CourseClass
    at: dt.datetime
    modules: list[ModuleProgress]  # every module of the programme, in programme order
    learners: list[LearnerProgress]  # behind first, then in Vietnamese name order

    @property
    def behind(self) -> int:
        return sum(learner.behind for learner in self.learners)


def duration(seconds: int) -> str:
    """Time spent as h:mm."""
    minutes = seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def due_from(course_class: CourseClass) -> dict[int, dt.datetime]:
    """{module id: when its lessons fall due} for the modules the class's schedule teaches (one query)."""
    first = {}
    for module, date, half in course_class.sessions.order_by("date", "half").values_list("module", "date", "half"):
        first.setdefault(module, session_end(date, half))
    return first


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def class_progress(course_class: CourseClass, now: dt.datetime | None = None) -> ProgressReport:
    """The class's progress report at ``now`` (five queries once the class is read)."""
    now = now or timezone.now()
    modules = list(Module.objects.filter(part__programme_id=course_class.programme_id).order_by("part__order", "order"))
    lesson_counts = dict(Lesson.objects.filter(module__in=[m.pk for m in modules]).values_list("module")
                         .annotate(n=Count("pk")).order_by())
    taught, class_start = due_from(course_class), day_start(course_class.starts_on)
    due_at = {m.pk: taught.get(m.pk, class_start) for m in modules}
    figures = defaultdict(dict)
    last_seen = {}
    for enrolment_id, module_id, completed, seconds, seen in (
            LessonProgress.objects.filter(enrolment__course_class=course_class,
                                          lesson__module__in=[m.pk for m in modules])
            .values_list("enrolment", "lesson__module")
            .annotate(completed=Count("pk", filter=Q(completed_at__isnull=False)), seconds=Sum("seconds"),
                      seen=Max("last_seen_at")).order_by()):
        figures[enrolment_id][module_id] = (completed, seconds or 0)
        if seen is not None and (enrolment_id not in last_seen or seen > last_seen[enrolment_id]):
            last_seen[enrolment_id] = seen
    enrolments = list(course_class.enrolments.select_related("person__unit"))
    with_lessons = [m for m in modules if lesson_counts.get(m.pk)]
    learners = []
    for enrolment in enrolments:
        own = figures.get(enrolment.pk, {})
        rows = []
        for module in with_lessons:
            completed, seconds = own.get(module.pk, (0, 0))
            total = lesson_counts[module.pk]
            rows.append(LearnerModule(module, completed, total, seconds,
                                      behind=due_at[module.pk] <= now and completed < total))
        learners.append(LearnerProgress(enrolment, rows, sum(r.seconds for r in rows), last_seen.get(enrolment.pk)))
    learners.sort(key=lambda row: (not row.behind, name_sort_key(row.person.full_name, row.person.date_of_birth,
                                                                 row.person.cccd)))
    columns = {module.pk: n for n, module in enumerate(with_lessons)}
    module_rows = []
    for module in modules:
        total = lesson_counts.get(module.pk, 0)
        column = columns.get(module.pk)
        cells = [learner.modules[column] for learner in learners] if column is not None else []
        mean = (sum((_percent(c.completed, total) for c in cells), Decimal(0)) / len(cells)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP) if cells else None
        module_rows.append(ModuleProgress(module, total, due_at[module.pk], due_at[module.pk] <= now,
                                          sum(c.behind for c in cells), len(learners), mean))
    return ProgressReport(course_class, now, module_rows, learners)


# --- The workbook ---------------------------------------------------------------------------------------------

def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _when(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}" if moment else ""


def progress_xlsx(course_class: CourseClass, now: dt.datetime | None = None) -> bytes:
    """The report as a workbook: a sheet per learner row (behind first) and a sheet per module; plain strings."""
    report = class_progress(course_class, now)
    programme = course_class.programme
    institution = programme.institution
    letterhead = SimpleNamespace(authority_line_1=getattr(institution, "letterhead_line_1", ""),
                                 authority_line_2=getattr(institution, "letterhead_line_2", ""))
    with_lessons = [m.module for m in report.modules if m.lessons]
    title = f"BÁO CÁO TIẾN ĐỘ HỌC TẬP LỚP {course_class.name.upper()}"
    lines = [programme.name, f"Tính đến {_when(report.at)}; học viên chậm tiến độ: {report.behind}/"
             f"{len(report.learners)}"]
    learner_columns = [("STT", 6), ("Họ và tên", 24), ("Đơn vị", 28),
                       *[(f"{m.code} (đã học/số bài)", 11) for m in with_lessons],
                       ("Thời gian học (giờ:phút)", 11), ("Truy cập gần nhất", 17), ("Chậm tiến độ", 10),
                       ("Chậm ở chuyên đề", 20)]
    module_columns = [("STT", 6), ("Mã chuyên đề", 10), ("Chuyên đề", 44), ("Số bài", 8), ("Đến hạn từ", 17),
                      ("Đã đến hạn", 10), ("Học viên chậm", 12), ("Hoàn thành trung bình (%)", 13)]
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        for name, columns, rows in (
                ("Theo học viên", learner_columns, [[
                    str(n), row.person.full_name,
                    row.enrolment.unit_text or (row.person.unit.name if row.person.unit else ""),
                    *[f"{m.completed}/{m.lessons}" for m in row.modules], duration(row.seconds),
                    _when(row.last_seen), "Có" if row.behind else "", ", ".join(m.code for m in row.behind_in)]
                    for n, row in enumerate(report.learners, start=1)]),
                ("Theo chuyên đề", module_columns, [[
                    str(n), m.module.code, m.module.title, str(m.lessons), _when(m.due_from), "Có" if m.due else "Chưa",
                    f"{m.behind}/{m.learners}" if m.lessons else "", _number(m.mean_percent)]
                    for n, m in enumerate(report.modules, start=1)])):
            sheet = workbook.add_worksheet(name)
            start = write_preamble(sheet, formats, profile=letterhead, columns=columns, title=title, lines=lines)
            header_row(sheet, start, columns, formats.header)
            for r, values in enumerate(rows, start=start + 1):
                for col, value in enumerate(values):
                    put_cell(sheet, r, col, value, formats.cell if col in (1, 2) else formats.cell_center)
            put_text(sheet, start + len(rows) + 2, 0, min(3, len(columns) - 1),
                     "Bài đến hạn khi buổi học đầu tiên của chuyên đề đã diễn ra (buổi sáng từ 12 giờ, buổi chiều "
                     "từ 17 giờ); chuyên đề không có buổi học đến hạn từ ngày khai giảng.", formats.line)
            print_setup(sheet, landscape=True, repeat=(start, start))
        return workbook_bytes(buffer, workbook)
