"""Tests of a class on the exam engine (docs/courses.md, "Tests on the engine"): every write is here, audited in its
own transaction. The engine (``exams.engine``, the only part of exams a course reaches) keeps the papers and the
answers with exam day's rules; a try here is the host's record, linked one-to-one to the engine's attempt.

- A **practice** test (purpose ``course_practice``): as many tries as the learner wants, each a fresh paper drawn
  from the blueprint, the time limit its minutes and no window; the explanation of each question is shown after.
  Its tries count toward nothing (no Score, no completion, no report, no export) and are deleted 30 days after
  they finish (``practice_purge``, the ``purge_practice`` command; COURSE_PRACTICE_KEEP_DAYS).
- A **graded** test (purpose ``course_graded``) of a "test" assessment of the class's programme: only inside its
  window, one open try at a time, on one device, at most 1 + the assessment's retakes tries and a new one only after
  a try under its pass mark (courses.completion.may_retake, the rule score sheets keep). A finished try's score on
  the 10-point scale (engine score ÷ paper total × 10, rounded half-up to two decimals) is the learner's Score of
  the assessment for that try ("graded test on the platform"); best or last counts, as the assessment says.
- Once a try exists, a test's blueprint, mode and assessment no longer change and it is not deleted; its window and
  time limit still move (audited, with before and after). The class head gives one learner more time with a reason.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import audit_record
from courses.models import Assessment, CourseClass, CourseTest, Enrolment, How, Module, Score, TestTry
from courses.online_test_selectors import start_refusal
from exams import engine

PRACTICE_PURPOSE = "course_practice"
GRADED_PURPOSE = "course_graded"
PURPOSES = {CourseTest.Mode.PRACTICE: PRACTICE_PURPOSE, CourseTest.Mode.GRADED: GRADED_PURPOSE}
MAX_MINUTES = 300
TEN = Decimal(10)
TWO_PLACES = Decimal("0.01")
FINISHED_AS = {"submitted": TestTry.Status.SUBMITTED, "expired": TestTry.Status.EXPIRED,
               "voided": TestTry.Status.EXPIRED}

# The audit log's names of these actions (registered with accounts.audit_labels in courses.apps).
ACTION_LABELS = {
    "class.test_create": gettext_lazy("Class test created"),
    "class.test_edit": gettext_lazy("Class test edited"),
    "class.test_delete": gettext_lazy("Class test deleted"),
    "class.test_extend": gettext_lazy("Learner's test time extended"),
    "class.test_score": gettext_lazy("Graded test's score recorded"),
    "class.practice_purge": gettext_lazy("Old practice tries deleted"),
}


# --- the host ---------------------------------------------------------------------------------------------------

def _try_url(attempt_id: int, name: str) -> str:
    found = TestTry.objects.filter(attempt_id=attempt_id).values_list(
        "course_test__course_class_id", "course_test_id", "pk").first()
    return reverse(name, args=list(found)) if found else reverse("learn_home")


def paper_url(attempt_id: int) -> str:
    return _try_url(attempt_id, "learner_test_paper")


def result_url(attempt_id: int) -> str:
    return _try_url(attempt_id, "learner_test_result")


def register_hosts() -> None:
    """Called once when the app is ready: the engine then sends the learners of these purposes to our pages and
    tells us each finish (``try_finished``)."""
    for purpose in PURPOSES.values():
        engine.host_register(engine.Host(purpose=purpose, page_url=paper_url, result_url=result_url,
                                         on_finish=try_finished))


def ten_point(score: Decimal | None, total: Decimal) -> Decimal:
    """The engine's score on the 10-point scale: score ÷ paper total × 10, rounded half-up to two decimals."""
    if not total:
        return Decimal("0.00")
    value = (Decimal(score or 0) * TEN / Decimal(total)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return min(max(value, Decimal("0.00")), TEN)


def try_finished(*, attempt_id: int) -> TestTry | None:
    """The engine's ``on_finish`` (and the lazy path's twin): record the try's status, end and score; a graded try's
    score becomes the learner's Score of the assessment for that try. Idempotent: a second call changes nothing."""
    try:
        result = engine.attempt_result(attempt_id=attempt_id)
    except engine.Refusal:  # not finished (or no longer there): nothing to record
        return None
    info = result.attempt
    score = ten_point(info.score, result.total_points)
    status = FINISHED_AS.get(info.status, TestTry.Status.EXPIRED)
    with transaction.atomic():
        test_try = (TestTry.objects.select_for_update(of=("self",)).select_related(
            "course_test__assessment", "course_test__course_class", "enrolment").filter(attempt_id=attempt_id).first())
        if test_try is None:
            return None
        if (test_try.status, test_try.finished_at, test_try.score) != (status, info.finished_at, score):
            TestTry.objects.filter(pk=test_try.pk).update(status=status, finished_at=info.finished_at, score=score)
            test_try.status, test_try.finished_at, test_try.score = status, info.finished_at, score
        course_test = test_try.course_test
        if course_test.mode == CourseTest.Mode.GRADED and course_test.course_class.closed_at is None:
            _score_write(test_try, score)
    return test_try


def _score_write(test_try: TestTry, value: Decimal) -> None:
    course_test = test_try.course_test
    key = {"enrolment": test_try.enrolment, "assessment": course_test.assessment, "attempt": test_try.number}
    before = Score.objects.filter(**key).first()
    if before is not None and (before.value, before.excused, before.how) == (value, False, How.ONLINE_TEST):
        return
    Score.objects.update_or_create(**key, defaults={"value": value, "excused": False, "how": How.ONLINE_TEST,
                                                    "set_by": None, "set_at": timezone.now()})
    audit_record(actor=None, action="class.test_score", obj=course_test.course_class, details={
        "person": test_try.enrolment.person_id, "test": course_test.pk, "assessment": course_test.assessment.code,
        "try": test_try.number, "score": f"{value:.2f}",
        "before": "" if before is None else ("P" if before.excused else f"{before.value:.2f}")})


def try_sync(test_try: TestTry) -> TestTry:
    """A try as the engine has it now: one past its deadline (and the grace) is finished first, as on exam day, and
    recorded here even when the engine's call to ``try_finished`` did not reach us."""
    if test_try.status == TestTry.Status.OPEN:
        info = engine.attempt_get(attempt_id=test_try.attempt_id)
        if info.is_finished:
            test_try = try_finished(attempt_id=test_try.attempt_id) or test_try
    return test_try


def tries_sync(*, course_test: CourseTest, enrolment: Enrolment | None = None) -> int:
    """Every open try of the test (of one learner) past its deadline finished and recorded; how many were."""
    open_tries = TestTry.objects.filter(course_test=course_test, status=TestTry.Status.OPEN,
                                        deadline__lt=timezone.now())
    if enrolment is not None:
        open_tries = open_tries.filter(enrolment=enrolment)
    return sum(try_sync(test_try).status != TestTry.Status.OPEN for test_try in open_tries)


# --- the tests of a class ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestFields:
    """A test's settings as its form gives them (the service checks them)."""

    __test__ = False  # not a pytest class, whatever its name

    mode: str
    title: str
    blueprint_id: int | None
    minutes: int | None
    module: Module | None = None
    assessment: Assessment | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


def _checked(course_class: CourseClass, fields: TestFields, course_test: CourseTest | None = None) -> dict:
    """The test's values to store, or a ValidationError in the user's language saying what is wrong."""
    title = (fields.title or "").strip()[:255]
    if not title:
        raise ValidationError(_("Give the test a title."), code="title")
    if fields.mode not in CourseTest.Mode.values:
        raise ValidationError(_("Choose practice or graded."), code="mode")
    if fields.blueprint_id not in {choice.id for choice in engine.blueprint_choices()}:
        raise ValidationError(_("Choose a blueprint of a question bank open to training courses."), code="blueprint")
    if not fields.minutes or not 1 <= fields.minutes <= MAX_MINUTES:
        raise ValidationError(_("Give the time limit: from 1 to %(n)s minutes.") % {"n": MAX_MINUTES},
                              code="minutes")
    module = fields.module
    if module is not None and module.part.programme_id != course_class.programme_id:
        raise ValidationError(_("Choose a module of the class's programme."), code="module")
    values = {"mode": fields.mode, "title": title, "blueprint_id": fields.blueprint_id, "minutes": fields.minutes,
              "module": module, "assessment": None, "opens_at": None, "closes_at": None}
    if fields.mode == CourseTest.Mode.PRACTICE:
        if module is None:
            raise ValidationError(_("A practice test needs the module it practises."), code="module")
        return values
    assessment = fields.assessment
    if (assessment is None or assessment.programme_id != course_class.programme_id
            or assessment.kind != Assessment.Kind.TEST):
        raise ValidationError(_("A graded test needs an assessment of the class's programme that is a test."),
                              code="assessment")
    if fields.opens_at is None or fields.closes_at is None:
        raise ValidationError(_("A graded test needs its window: when it opens and when it closes."), code="window")
    if fields.closes_at <= fields.opens_at:
        raise ValidationError(_("The test must close after it opens."), code="window")
    taken = CourseTest.objects.filter(course_class=course_class, assessment=assessment)
    if course_test is not None:
        taken = taken.exclude(pk=course_test.pk)
    other = taken.first()
    if other is not None:
        raise ValidationError(_("%(code)s is already the score of the test “%(title)s”.")
                              % {"code": assessment.code, "title": other.title}, code="assessment")
    values.update(assessment=assessment, opens_at=fields.opens_at, closes_at=fields.closes_at)
    return values


def _lock_open(course_class: CourseClass) -> CourseClass:
    locked = CourseClass.objects.select_for_update().get(pk=course_class.pk)
    if locked.closed_at is not None:
        raise ValidationError(_("The class is closed; its tests no longer change."), code="closed")
    return locked


def _details(values: dict) -> dict:
    return {"mode": values["mode"], "title": values["title"], "blueprint": values["blueprint_id"],
            "minutes": values["minutes"], "module": values["module"].code if values["module"] else "",
            "assessment": values["assessment"].code if values["assessment"] else "",
            "opens_at": timezone.localtime(values["opens_at"]).isoformat() if values["opens_at"] else "",
            "closes_at": timezone.localtime(values["closes_at"]).isoformat() if values["closes_at"] else ""}


def test_create(*, course_class: CourseClass, fields: TestFields, actor: User) -> CourseTest:
    """A practice or graded test of the class (its head or the course manager)."""
    with transaction.atomic():
        _lock_open(course_class)
        values = _checked(course_class, fields)
        course_test = CourseTest.objects.create(course_class=course_class, created_by=actor, **values)
        audit_record(actor=actor, action="class.test_create", obj=course_class,
                     details={"test": course_test.pk, **_details(values)})
    return course_test


test_create.__test__ = False  # a service, not a pytest test


def test_update(*, course_test: CourseTest, fields: TestFields, actor: User) -> CourseTest:
    """The test's settings changed. Once a learner has a try, its blueprint, mode and assessment stay (the tries
    were drawn and scored under them); its title, window and time limit still move, audited before and after."""
    with transaction.atomic():
        course_class = _lock_open(course_test.course_class)
        locked = CourseTest.objects.select_for_update().get(pk=course_test.pk)
        values = _checked(course_class, fields, locked)
        before = _details({name: getattr(locked, name) for name in values})
        if locked.tries.exists() and (values["blueprint_id"], values["mode"], values["assessment"]) != (
                locked.blueprint_id, locked.mode, locked.assessment):
            raise ValidationError(_("Learners have already taken this test: its blueprint, mode and assessment no "
                                    "longer change. Its title, window and time limit still can."), code="taken")
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        after = _details(values)
        audit_record(actor=actor, action="class.test_edit", obj=course_class, details={
            "test": locked.pk, "before": {k: v for k, v in before.items() if after[k] != v},
            "after": {k: v for k, v in after.items() if before[k] != v}})
    return locked


test_update.__test__ = False


def test_delete(*, course_test: CourseTest, actor: User) -> None:
    """A test nobody has tried yet is deleted; once a try exists it stays (its tries and scores are records)."""
    with transaction.atomic():
        course_class = _lock_open(course_test.course_class)
        if TestTry.objects.filter(course_test=course_test).exists():
            raise ValidationError(_("Learners have already taken this test: it can no longer be deleted."),
                                  code="taken")
        audit_record(actor=actor, action="class.test_delete", obj=course_class,
                     details={"test": course_test.pk, "title": course_test.title, "mode": course_test.mode})
        course_test.delete()


test_delete.__test__ = False


# --- tries ------------------------------------------------------------------------------------------------------

def try_start(*, course_test: CourseTest, enrolment: Enrolment, device: str) -> TestTry:
    """The learner's try at the test on ``device`` (the browser's pass, which the response that answers this must
    carry: ``engine.device_attach``). An open try is continued (the paper page lets only its own device in); otherwise
    a new try with a fresh paper, if the rules allow one (``start_refusal``). Raises ValidationError."""
    if enrolment.course_class_id != course_test.course_class_id:
        raise ValidationError(_("You are not a learner of this class."), code="not_enrolled")
    if not device:
        raise ValueError("a try starts on a device the server issued (engine.device_new)")
    tries_sync(course_test=course_test, enrolment=enrolment)
    purpose = PURPOSES[course_test.mode]
    try:
        with transaction.atomic():
            Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()  # one start at a time per learner
            course_class = CourseClass.objects.get(pk=course_test.course_class_id)
            tries = list(TestTry.objects.filter(course_test=course_test, enrolment=enrolment).order_by("number"))
            open_try = next((t for t in tries if t.status == TestTry.Status.OPEN), None)
            if open_try is not None:
                return open_try
            now = timezone.now()
            refusal = start_refusal(course_test=course_test, tries=tries, now=now,
                                    class_closed=course_class.closed_at is not None)
            if refusal is not None:
                raise ValidationError(refusal[1], code=refusal[0])
            number = max((t.number for t in tries), default=0) + 1
            paper = engine.paper_draw(blueprint_id=course_test.blueprint_id, purpose=purpose,
                                      owner_ref=f"enrolment-{enrolment.pk}",
                                      seed=f"{course_test.pk}-{enrolment.pk}-{number}-{secrets.token_hex(8)}")
            info = engine.attempt_open(owner_id=enrolment.person_id, purpose=purpose, paper_id=paper.id,
                                       time_limit_s=course_test.minutes * 60,
                                       window_closes_at=course_test.closes_at
                                       if course_test.mode == CourseTest.Mode.GRADED else None, device=device)
            return TestTry.objects.create(course_test=course_test, enrolment=enrolment, number=number,
                                          attempt_id=info.id, started_at=info.started_at, deadline=info.deadline)
    except engine.Refusal as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    except IntegrityError as exc:  # another start of the same learner won the race: theirs stands
        raise ValidationError(_("The test is already starting; open it again."), code="busy") from exc


def extend_try(*, test_try: TestTry, minutes: int, reason: str, actor: User) -> TestTry:
    """More time for one learner's open try (the class head, with a reason): the engine moves the deadline and tells
    the learner's page; the class's audit log keeps who, how long and why."""
    test_try = try_sync(test_try)
    if test_try.status != TestTry.Status.OPEN:
        raise ValidationError(_("This try is already finished."), code="finished")
    try:
        with transaction.atomic():
            info = engine.attempt_extend(attempt_id=test_try.attempt_id, minutes=minutes, reason=reason, actor=actor)
            TestTry.objects.filter(pk=test_try.pk).update(deadline=info.deadline)
            audit_record(actor=actor, action="class.test_extend", obj=test_try.course_test.course_class, details={
                "person": test_try.enrolment.person_id, "test": test_try.course_test_id, "try": test_try.number,
                "minutes": minutes, "reason": reason.strip(), "before": test_try.deadline.isoformat(),
                "after": info.deadline.isoformat()})
    except engine.Refusal as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    test_try.deadline = info.deadline
    return test_try


@dataclass(frozen=True)
class Purged:
    tries: int
    attempts: int


def practice_purge(*, days: int | None = None, dry_run: bool = False) -> Purged:
    """Delete the practice tries finished more than ``days`` (COURSE_PRACTICE_KEEP_DAYS) days ago, and their
    attempts, answers and papers in the engine. Graded tries are never deleted here."""
    days = settings.COURSE_PRACTICE_KEEP_DAYS if days is None else days
    if days < 1:
        raise ValidationError(_("Keep practice tries at least one day."), code="days")
    cutoff = timezone.now() - dt.timedelta(days=days)
    for test_try in TestTry.objects.filter(course_test__mode=CourseTest.Mode.PRACTICE, status=TestTry.Status.OPEN,
                                           started_at__lt=cutoff):
        try_sync(test_try)  # still open here (the engine's word lost): recorded first, so it goes with its attempt
    old = TestTry.objects.filter(course_test__mode=CourseTest.Mode.PRACTICE, finished_at__lt=cutoff)
    if dry_run:
        return Purged(tries=old.count(), attempts=0)
    with transaction.atomic():
        tries = old.count()
        old.delete()
        attempts = engine.attempts_purge(purpose=PRACTICE_PURPOSE, finished_before=cutoff)
        if tries or attempts:
            audit_record(actor=None, action="class.practice_purge", details={
                "tries": tries, "attempts": attempts, "finished_before": cutoff.isoformat()})
    return Purged(tries=tries, attempts=attempts)
