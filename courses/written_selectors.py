"""Reading written work (docs/courses.md, "Written work"): the class's assignments with their counts, an
assignment's roster (every learner and their latest upload and grade), a submission's grading history, and the
learner's own view. Each reads a fixed number of queries whatever the class's size; nothing here writes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from courses.models import Assignment, CourseClass, Criterion, Enrolment, Grade, Submission

NOT_SUBMITTED, SUBMITTED, LATE, GRADED = "not_submitted", "submitted", "late", "graded"


@dataclass(frozen=True)
class AssignmentCounts:
    assignment: Assignment
    submitted: int  # learners who handed in something
    late: int  # of them, those whose latest upload came after the deadline
    graded: int  # of them, those whose latest upload is graded


@dataclass(frozen=True)
class CriterionLine:
    criterion: Criterion
    points: Decimal | None  # what the grade gave it (None: not graded)


@dataclass
class LearnerWork:
    enrolment: Enrolment
    latest: Submission | None = None
    uploads: int = 0
    grade: Grade | None = None  # the latest grade of the latest upload

    @property
    def state(self) -> str:
        if self.latest is None:
            return NOT_SUBMITTED
        if self.grade is not None:
            return GRADED
        return LATE if self.latest.late else SUBMITTED


@dataclass
class LearnerAssignment:
    assignment: Assignment
    criteria: list[Criterion]
    submissions: list[Submission] = field(default_factory=list)  # newest first
    grade: Grade | None = None
    lines: list[CriterionLine] = field(default_factory=list)

    @property
    def latest(self) -> Submission | None:
        return self.submissions[0] if self.submissions else None


def _latest_per_learner(submissions) -> dict[tuple[int, int], tuple[Submission, int]]:
    """(assignment, enrolment) -> (latest submission, number of uploads), from submissions newest first."""
    latest: dict[tuple[int, int], tuple[Submission, int]] = {}
    for submission in submissions:
        key = (submission.assignment_id, submission.enrolment_id)
        found = latest.get(key)
        latest[key] = (found[0], found[1] + 1) if found else (submission, 1)
    return latest


def _latest_grades(submission_ids) -> dict[int, Grade]:
    grades: dict[int, Grade] = {}
    for grade in Grade.objects.filter(submission_id__in=list(submission_ids)).select_related(
            "graded_by").order_by("submission_id", "-version"):
        grades.setdefault(grade.submission_id, grade)
    return grades


def class_assignments(course_class: CourseClass) -> list[AssignmentCounts]:
    """The class's assignments, by deadline, each with how many learners handed in, late and graded (three
    queries)."""
    assignments = list(course_class.assignments.select_related("assessment").order_by("deadline", "pk"))
    latest = _latest_per_learner(Submission.objects.filter(assignment__course_class=course_class)
                                 .only("pk", "assignment_id", "enrolment_id", "late", "uploaded_at")
                                 .order_by("-uploaded_at", "-pk"))
    graded = set(Grade.objects.filter(submission_id__in=[s.pk for s, _n in latest.values()])
                 .values_list("submission_id", flat=True).distinct())
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (assignment_id, _enrolment), (submission, _n) in latest.items():
        row = counts[assignment_id]
        row[0] += 1
        row[1] += submission.late
        row[2] += submission.pk in graded
    return [AssignmentCounts(a, *counts[a.pk]) for a in assignments]


def assignment_roster(assignment: Assignment) -> list[LearnerWork]:
    """Every learner of the assignment's class in list order, with their latest upload, how many they made and the
    latest grade of the latest one (three queries)."""
    enrolments = list(assignment.course_class.enrolments.select_related("person").order_by("list_order", "pk"))
    latest = _latest_per_learner(Submission.objects.filter(assignment=assignment).order_by("-uploaded_at", "-pk"))
    grades = _latest_grades(s.pk for s, _n in latest.values())
    rows = []
    for enrolment in enrolments:
        found = latest.get((assignment.pk, enrolment.pk))
        if found is None:
            rows.append(LearnerWork(enrolment))
        else:
            rows.append(LearnerWork(enrolment, found[0], found[1], grades.get(found[0].pk)))
    return rows


def grade_lines(criteria: list[Criterion], grade: Grade | None) -> list[CriterionLine]:
    given = grade.points if grade is not None else {}
    return [CriterionLine(c, Decimal(given[str(c.pk)]) if str(c.pk) in given else None) for c in criteria]


def submission_history(submission: Submission) -> tuple[list[Criterion], list[tuple[Grade, list[CriterionLine]]]]:
    """The rubric and every grade of the submission, newest version first, each with its points per criterion."""
    criteria = list(submission.assignment.criteria.order_by("order"))
    grades = list(submission.grades.select_related("graded_by").order_by("-version"))
    return criteria, [(grade, grade_lines(criteria, grade)) for grade in grades]


def learner_uploads(submission: Submission) -> list[Submission]:
    """Every upload of the submission's learner for its assignment, newest first."""
    return list(Submission.objects.filter(assignment_id=submission.assignment_id, enrolment_id=submission.enrolment_id)
                .order_by("-uploaded_at", "-pk"))


def learner_assignment(assignment: Assignment, enrolment: Enrolment) -> LearnerAssignment:
    """What the learner sees of one assignment: the rubric, their own uploads, and the grade of the latest upload."""
    criteria = list(assignment.criteria.order_by("order"))
    submissions = list(Submission.objects.filter(assignment=assignment, enrolment=enrolment)
                       .order_by("-uploaded_at", "-pk"))
    view = LearnerAssignment(assignment, criteria, submissions)
    if submissions:
        view.grade = submissions[0].grades.order_by("-version").first()
        if view.grade is not None:
            view.lines = grade_lines(criteria, view.grade)
    return view


@dataclass(frozen=True)
class PanelRow:
    assignment: Assignment
    state: str  # NOT_SUBMITTED, SUBMITTED, LATE or GRADED
    total: Decimal | None
    late: bool


def learner_written_panel(enrolment: Enrolment) -> dict:
    """The class's assignments with this learner's state (not handed in, handed in, late, graded with its total):
    ``{"course_class", "rows", "counts"}`` for courses/learn/_written.html (three queries, whatever the number of
    assignments and uploads)."""
    course_class = enrolment.course_class
    assignments = list(Assignment.objects.filter(course_class_id=enrolment.course_class_id)
                       .order_by("deadline", "pk").prefetch_related(Prefetch(
                           "submissions", to_attr="own",
                           queryset=Submission.objects.filter(enrolment=enrolment).order_by("-uploaded_at", "-pk"))))
    latest = {a.pk: a.own[0] for a in assignments if a.own}
    grades = _latest_grades(s.pk for s in latest.values())
    rows = []
    for assignment in assignments:
        submission = latest.get(assignment.pk)
        grade = grades.get(submission.pk) if submission else None
        work = LearnerWork(enrolment, submission, len(assignment.own), grade)
        rows.append(PanelRow(assignment, work.state, grade.total if grade else None,
                             bool(submission and submission.late)))
    return {"course_class": course_class, "rows": rows,
            "counts": {state: sum(r.state == state for r in rows) for state in (NOT_SUBMITTED, SUBMITTED, LATE,
                                                                                 GRADED)}}
