"""Reading the tests of a class (docs/courses.md, "Tests on the engine"): the class's list, a graded test's live
table (every learner and their tries), the learner's panel and test page, and the rule that says whether a new try
may start. Each list reads a fixed number of queries whatever the class's size; nothing here writes (the services in
courses/online_tests.py do, and record what the engine finished)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.vietnamese import name_sort_key
from courses.completion import Try, counted_score, may_retake
from courses.models import CourseClass, CourseTest, Enrolment, TestTry

OPEN = TestTry.Status.OPEN


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _score(value: Decimal | None) -> str:
    return "" if value is None else number_format(value, decimal_pos=2)


def tries_allowed(course_test: CourseTest) -> int | None:
    """How many tries a learner has: 1 + the assessment's retakes for a graded test; None (no limit) for practice."""
    if course_test.mode == CourseTest.Mode.GRADED:
        return 1 + course_test.assessment.retakes
    return None


def start_refusal(*, course_test: CourseTest, tries: Sequence[TestTry], now: dt.datetime,
                  class_closed: bool) -> tuple[str, str] | None:
    """Why a new try may not start now, as (code, message), or None when it may. ``tries`` are the learner's tries at
    this test (none of them open). Practice: any number, any time the class is open. Graded: inside the window, and
    a retake only by the rule score sheets keep (courses.completion.may_retake: the last try under the pass mark and
    retakes left)."""
    if class_closed:
        return "closed", _("The class is closed: its tests no longer start.")
    if course_test.mode != CourseTest.Mode.GRADED:
        return None
    if now < course_test.opens_at:
        return "not_open", _("The test opens at %(at)s.") % {"at": _when(course_test.opens_at)}
    if now >= course_test.closes_at:
        return "window", _("The time to take this test has passed.")
    assessment = course_test.assessment
    done = [Try(t.number, t.score) for t in tries if t.status != OPEN]
    if done and not may_retake(done, pass_mark=assessment.pass_mark, retakes=assessment.retakes):
        last = max(done, key=lambda t: t.attempt)
        if last.value is not None and last.value >= assessment.pass_mark:
            return "passed", _("You passed this test with %(score)s: a retake is only for a score under %(mark)s.") % {
                "score": _score(last.value), "mark": _score(assessment.pass_mark)}
        return "no_tries_left", _("You have used the %(n)s tries this test allows.") % {"n": len(done)}
    return None


# --- the class's staff ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestCounts:
    __test__ = False  # not a pytest class, whatever its name

    course_test: CourseTest
    tries: int
    learners: int  # learners with at least one try
    open: int


def class_tests(course_class: CourseClass) -> list[TestCounts]:
    """The class's tests, graded ones first by their window, each with its tries so far (one query)."""
    tests = (CourseTest.objects.filter(course_class=course_class).select_related("assessment", "module")
             .annotate(try_count=Count("tries"), learner_count=Count("tries__enrolment", distinct=True),
                       open_count=Count("tries", filter=Q(tries__status=OPEN)))
             .order_by("-mode", "opens_at", "title", "pk"))
    return [TestCounts(t, t.try_count, t.learner_count, t.open_count) for t in tests]


@dataclass(frozen=True)
class LiveRow:
    enrolment: Enrolment
    tries: list[TestTry]


def live_rows(course_test: CourseTest) -> list[LiveRow]:
    """Every learner of the class with their tries at the test, in Vietnamese name order (two queries)."""
    enrolments = list(Enrolment.objects.filter(course_class=course_test.course_class_id).select_related("person"))
    enrolments.sort(key=lambda e: name_sort_key(e.person.full_name, e.person.date_of_birth, e.person.cccd))
    tries: dict[int, list[TestTry]] = defaultdict(list)
    for test_try in TestTry.objects.filter(course_test=course_test).order_by("number"):
        tries[test_try.enrolment_id].append(test_try)
    return [LiveRow(e, tries.get(e.pk, [])) for e in enrolments]


def live_state(course_test: CourseTest) -> dict:
    """The live table as the page's script reads it: each try's cells, already written for people."""
    rows = live_rows(course_test)
    statuses = dict(TestTry.Status.choices)
    tries = [{"id": t.pk, "learner": row.enrolment.pk, "number": t.number, "started": _when(t.started_at),
              "status": t.status, "status_label": str(statuses[t.status]), "deadline": _when(t.deadline),
              "finished": _when(t.finished_at), "score": _score(t.score), "open": t.status == OPEN}
             for row in rows for t in row.tries]
    return {"tries": tries, "learners": len(rows), "started": sum(1 for row in rows if row.tries),
            "open": sum(1 for t in tries if t["open"]), "at": _when(timezone.now())}


# --- the learner ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LearnerTest:
    """One test as its learner sees it: the rules, their tries, and whether (and why not) a try may start."""

    course_test: CourseTest
    tries: list[TestTry]
    allowed: int | None
    open_try: TestTry | None
    counted: Decimal | None  # graded: the score that counts (best or last), so far
    refusal: tuple[str, str] | None
    url: str

    @property
    def can_start(self) -> bool:
        return self.open_try is None and self.refusal is None

    @property
    def used(self) -> int:
        return len(self.tries)


def _learner_test(course_test: CourseTest, tries: list[TestTry], *, now: dt.datetime, closed: bool) -> LearnerTest:
    open_try = next((t for t in tries if t.status == OPEN), None)
    counted = None
    if course_test.mode == CourseTest.Mode.GRADED:
        counted = counted_score([Try(t.number, t.score) for t in tries if t.status != OPEN],
                                course_test.assessment.counts)
    return LearnerTest(course_test=course_test, tries=tries, allowed=tries_allowed(course_test), open_try=open_try,
                       counted=counted, refusal=None if open_try else start_refusal(
                           course_test=course_test, tries=tries, now=now, class_closed=closed),
                       url=reverse("learner_test", args=[course_test.course_class_id, course_test.pk]))


def learner_test(course_test: CourseTest, enrolment: Enrolment) -> LearnerTest:
    tries = list(TestTry.objects.filter(course_test=course_test, enrolment=enrolment).order_by("number"))
    return _learner_test(course_test, tries, now=timezone.now(),
                         closed=course_test.course_class.closed_at is not None)


def learner_tests_panel(enrolment: Enrolment) -> dict:
    """The tests of the learner's class for their class page (``courses/learn/_tests.html``, as ``panel``): graded
    ones with their window, tries used and allowed and the score that counts; practice ones with their tries. Two
    queries once the enrolment is read with its class."""
    course_class = enrolment.course_class
    tests = list(CourseTest.objects.filter(course_class=course_class).select_related("assessment", "module")
                 .order_by("-mode", "opens_at", "title", "pk"))
    tries: dict[int, list[TestTry]] = defaultdict(list)
    for test_try in TestTry.objects.filter(enrolment=enrolment, course_test__course_class=course_class).order_by(
            "number"):
        tries[test_try.course_test_id].append(test_try)
    now, closed = timezone.now(), course_class.closed_at is not None
    rows = [_learner_test(t, tries.get(t.pk, []), now=now, closed=closed) for t in tests]
    return {"course_class": course_class, "graded": [r for r in rows if r.course_test.mode == CourseTest.Mode.GRADED],
            "practice": [r for r in rows if r.course_test.mode == CourseTest.Mode.PRACTICE], "count": len(rows)}
