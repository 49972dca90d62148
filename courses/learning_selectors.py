"""What the learner's pages read (docs/courses.md, "Learning online"): their classes, each class's modules and
lessons with their progress, where to continue, the schedule with their attendance, their scores, and what still
stands between them and the certificate. Reads only."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from courses.attendance import session_held
from courses.completion_list import learner_outcome
from courses.models import Attendance, Enrolment, Lesson, LessonProgress, Module, Score


@dataclass
class LessonRow:
    lesson: Lesson
    progress: LessonProgress | None

    @property
    def state(self) -> str:
        if self.progress is None:
            return "new"
        return "done" if self.progress.completed_at else "started"


@dataclass
class ModuleRow:
    module: Module
    lessons: list[LessonRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(row.state == "done" for row in self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.lessons)) if self.lessons else 0


def my_enrolments(user):
    return (Enrolment.objects.filter(person=user).select_related("course_class__programme__institution")
            .order_by("-course_class__starts_on"))


def modules_with_progress(enrolment: Enrolment) -> list[ModuleRow]:
    """The programme's modules in order, each with its lessons and this learner's progress (three queries)."""
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(enrolment=enrolment)}
    modules = (Module.objects.filter(part__programme_id=enrolment.course_class.programme_id)
               .select_related("part").order_by("part__order", "order")
               .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("order"))))
    return [ModuleRow(module, [LessonRow(lesson, progress.get(lesson.pk)) for lesson in module.lessons.all()])
            for module in modules]


def continue_lesson(enrolment: Enrolment, modules: list[ModuleRow]) -> Lesson | None:
    """Where the learner left off: the lesson last seen if it is not done, else the first one not done after it
    (in programme order), else the first not done at all."""
    rows = [row for module in modules for row in module.lessons]
    seen = [row for row in rows if row.progress is not None]
    if seen:
        last = max(seen, key=lambda row: row.progress.last_seen_at)
        if last.state != "done":
            return last.lesson
        index = rows.index(last)
        after = next((row for row in rows[index + 1:] if row.state != "done"), None)
        if after is not None:
            return after.lesson
    first = next((row for row in rows if row.state != "done"), None)
    return first.lesson if first else None


@dataclass
class ScheduleRow:
    date: dt.date
    half: str
    module: Module
    periods: int
    held: bool
    mark: str  # x, P, K or "" (not marked)
    mark_label: str


def schedule_with_attendance(enrolment: Enrolment) -> list[ScheduleRow]:
    marks = {a.session_id: a for a in Attendance.objects.filter(enrolment=enrolment)}
    now = timezone.now()
    rows = []
    for session in enrolment.course_class.sessions.select_related("module").order_by("date", "half"):
        mark = marks.get(session.pk)
        rows.append(ScheduleRow(date=session.date, half=session.get_half_display(), module=session.module,
                                periods=session.periods, held=session_held(session, now),
                                mark=mark.mark if mark else "", mark_label=mark.get_mark_display() if mark else ""))
    return rows


def my_scores(enrolment: Enrolment) -> list[Score]:
    return list(Score.objects.filter(enrolment=enrolment).select_related("assessment")
                .order_by("assessment__order", "attempt"))


def class_home(enrolment: Enrolment) -> dict:
    """Everything the learner's class page shows (a fixed number of queries whatever the class's size)."""
    modules = modules_with_progress(enrolment)
    requirements, outcome = learner_outcome(enrolment)
    lessons = [row for module in modules for row in module.lessons]
    return {
        "modules": modules,
        "modules_without_lessons": [row.module for row in modules if not row.lessons],
        "continue_lesson": continue_lesson(enrolment, modules),
        "lessons_total": len(lessons),
        "lessons_done": sum(row.state == "done" for row in lessons),
        "schedule": schedule_with_attendance(enrolment),
        "scores": my_scores(enrolment),
        "requirements": requirements,
        "outcome": outcome.outcome,
    }


def lesson_neighbours(lesson: Lesson, programme_id: int) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one in programme order."""
    ordered = list(Lesson.objects.filter(module__part__programme_id=programme_id)
                   .order_by("module__part__order", "module__order", "order").only("pk", "title"))
    index = next(i for i, other in enumerate(ordered) if other.pk == lesson.pk)
    return (ordered[index - 1] if index else None), (ordered[index + 1] if index + 1 < len(ordered) else None)
