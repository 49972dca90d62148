"""Written work (thu hoạch, tiểu luận, đề án; docs/courses.md, "Written work"): the assignment and its rubric, the
learner's uploads, the lecturer's grades. Every write is here, audited in its own transaction.

- The rubric: at least one criterion, each worth more than 0 points in steps of 0.25, adding up to exactly 10. It
  no longer changes once a grade exists; the deadline always can (audited with before and after).
- An upload after the deadline is accepted and marked late; a closed class takes none; once the learner's latest
  upload is graded, no new one (the lecturer is asked). Earlier uploads stay; the latest one is the one graded.
- A grade: each criterion's points from 0 to its maximum in steps of 0.25, the total their sum. The first grade is
  version 1; a later one is a regrade, which needs a reason and is a new version (the audit log has both totals).
  When the assignment takes an assessment, the grade is the learner's first try at it (a Score set "by written
  work"), updated by a regrade. A closed class's grades change only through the class's correction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import audit_record
from courses.models import Assessment, Assignment, CourseClass, Criterion, Enrolment, Grade, How, Score, Submission
from courses.uploads import CheckedFile

STEP = Decimal("0.25")
TOTAL = Decimal(10)
WRITTEN_KINDS = (Assessment.Kind.REFLECTION, Assessment.Kind.ESSAY, Assessment.Kind.PROJECT)
REASON_MIN = 5

# The audit log's names of these actions (registered with accounts.audit_labels in courses.apps).
ACTION_LABELS = {
    "written.assignment_create": gettext_lazy("Written assignment created"),
    "written.assignment_edit": gettext_lazy("Written assignment edited"),
    "written.assignment_delete": gettext_lazy("Written assignment deleted"),
    "written.upload": gettext_lazy("Written work handed in"),
    "written.grade": gettext_lazy("Written work graded"),
    "written.regrade": gettext_lazy("Written work regraded"),
}


def _points(value: Decimal) -> str:
    """Points as the page writes them: 6, 2,5, 0,25."""
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def _closed_refusal() -> ValidationError:
    return ValidationError(_("The class is closed; its written work no longer changes."))


def _lock_open(course_class: CourseClass, refusal=_closed_refusal) -> CourseClass:
    locked = CourseClass.objects.select_for_update().get(pk=course_class.pk)
    if locked.closed_at is not None:
        raise refusal()
    return locked


def rubric_check(criteria: Sequence[tuple[str, object]]) -> list[tuple[str, Decimal]]:
    """The rubric's lines as (name, points), each name given and its points more than 0 in steps of 0.25, adding up
    to exactly 10; otherwise a ValidationError saying what is wrong."""
    lines = []
    for name, points in criteria:
        name = (name or "").strip()
        if not name:
            raise ValidationError(_("Every criterion of the rubric needs a name."))
        try:
            value = Decimal(str(points))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value <= 0 or value > TOTAL or value % STEP:
            raise ValidationError(_("“%(name)s”: a criterion is worth more than 0 points, in steps of 0.25.")
                                  % {"name": name})
        lines.append((name[:255], value.quantize(Decimal("0.01"))))
    if not lines:
        raise ValidationError(_("The rubric needs at least one criterion."))
    total = sum((points for _name, points in lines), Decimal(0))
    if total != TOTAL:
        raise ValidationError(_("The rubric's points add up to %(total)s; they must add up to exactly 10.")
                              % {"total": _points(total)})
    return lines


def _check_assessment(assessment: Assessment | None, course_class: CourseClass,
                      assignment: Assignment | None = None) -> None:
    if assessment is None:
        return
    if assessment.programme_id != course_class.programme_id or assessment.kind not in WRITTEN_KINDS:
        raise ValidationError(_("Choose an assessment of the class's programme that is written work (thu hoạch, "
                                "tiểu luận or đề án)."))
    taken = Assignment.objects.filter(course_class=course_class, assessment=assessment)
    if assignment is not None:
        taken = taken.exclude(pk=assignment.pk)
    other = taken.first()
    if other is not None:
        raise ValidationError(_("%(code)s already takes the grade of “%(title)s”.")
                              % {"code": assessment.code, "title": other.title})


def _details(assignment: Assignment, lines) -> dict:
    return {"class": assignment.course_class_id, "title": assignment.title, "kind": assignment.kind,
            "deadline": timezone.localtime(assignment.deadline).isoformat(),
            "assessment": assignment.assessment.code if assignment.assessment else "",
            "criteria": [[name, f"{points:.2f}"] for name, points in lines]}


def assignment_create(*, course_class: CourseClass, kind: str, title: str, instructions: str,
                      assessment: Assessment | None, deadline: dt.datetime, criteria: Sequence[tuple[str, object]],
                      actor: User) -> Assignment:
    if kind not in Assignment.Kind.values:
        raise ValidationError(_("Choose the kind of written work."))
    lines = rubric_check(criteria)
    with transaction.atomic():
        _lock_open(course_class)
        _check_assessment(assessment, course_class)
        assignment = Assignment.objects.create(course_class=course_class, kind=kind, title=title.strip()[:255],
                                               instructions=instructions.strip(), assessment=assessment,
                                               deadline=deadline, created_by=actor)
        Criterion.objects.bulk_create([Criterion(assignment=assignment, order=n, name=name, points=points)
                                       for n, (name, points) in enumerate(lines, start=1)])
        audit_record(actor=actor, action="written.assignment_create", obj=assignment,
                     details=_details(assignment, lines))
    return assignment


def assignment_update(*, assignment: Assignment, kind: str, title: str, instructions: str,
                      assessment: Assessment | None, deadline: dt.datetime, criteria: Sequence[tuple[str, object]],
                      actor: User) -> Assignment:
    """The assignment edited. Its deadline may move at any time (the audit record keeps both); its rubric and the
    assessment it lands in no longer change once a grade exists."""
    if kind not in Assignment.Kind.values:
        raise ValidationError(_("Choose the kind of written work."))
    lines = rubric_check(criteria)
    with transaction.atomic():
        _lock_open(assignment.course_class)
        locked = Assignment.objects.select_for_update(of=("self",)).select_related("assessment").get(pk=assignment.pk)
        graded = Grade.objects.filter(submission__assignment=locked).exists()
        before = [(c.name, c.points) for c in locked.criteria.order_by("order")]
        rubric_changed = before != lines
        if graded and rubric_changed:
            raise ValidationError(_("Work has already been graded against this rubric; the rubric can no longer "
                                    "change."))
        if graded and locked.assessment_id != (assessment.pk if assessment else None):
            raise ValidationError(_("Work has already been graded into this assessment; it can no longer change."))
        _check_assessment(assessment, locked.course_class, locked)
        old_deadline = locked.deadline
        locked.kind, locked.title, locked.instructions = kind, title.strip()[:255], instructions.strip()
        locked.assessment, locked.deadline = assessment, deadline
        locked.save(update_fields=["kind", "title", "instructions", "assessment", "deadline"])
        if rubric_changed:
            locked.criteria.all().delete()
            Criterion.objects.bulk_create([Criterion(assignment=locked, order=n, name=name, points=points)
                                           for n, (name, points) in enumerate(lines, start=1)])
        details = _details(locked, lines)
        details["deadline_before"] = timezone.localtime(old_deadline).isoformat()
        details["deadline_moved"] = old_deadline != deadline
        details["rubric_changed"] = rubric_changed
        audit_record(actor=actor, action="written.assignment_edit", obj=locked, details=details)
    return locked


def assignment_delete(*, assignment: Assignment, actor: User) -> None:
    """An assignment nobody has handed anything in for yet."""
    with transaction.atomic():
        _lock_open(assignment.course_class)
        if Submission.objects.filter(assignment=assignment).exists():
            raise ValidationError(_("Learners have already handed in work for this assignment; it can no longer be "
                                    "deleted."))
        audit_record(actor=actor, action="written.assignment_delete", obj=assignment,
                     details={"class": assignment.course_class_id, "title": assignment.title})
        assignment.delete()


def _latest(assignment_id: int, enrolment_id: int) -> Submission | None:
    return (Submission.objects.filter(assignment_id=assignment_id, enrolment_id=enrolment_id)
            .order_by("-uploaded_at", "-pk").first())


def submission_upload(*, assignment: Assignment, enrolment: Enrolment, checked: CheckedFile,
                      actor: User) -> Submission:
    """The learner's work handed in (a file already checked by courses.uploads.check_upload). After the deadline it
    is accepted and marked late; earlier uploads stay."""
    if enrolment.course_class_id != assignment.course_class_id or enrolment.person_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the learner of the class hands in their own work."))
    stored = ""
    try:
        with transaction.atomic():
            _lock_open(assignment.course_class, lambda: ValidationError(
                _("The class is closed; work is no longer handed in.")))
            Enrolment.objects.select_for_update().get(pk=enrolment.pk)  # one upload or grade of the learner at a time
            latest = _latest(assignment.pk, enrolment.pk)
            if latest is not None and latest.grades.exists():
                raise ValidationError(_("Your work has been graded; to hand in a new version, ask the lecturer."))
            now = timezone.now()
            submission = Submission(assignment=assignment, enrolment=enrolment, name=checked.name,
                                    extension=checked.extension, content_type=checked.content_type,
                                    size=checked.size, sha256=checked.sha256, uploaded_at=now,
                                    late=now > assignment.deadline)
            submission.file = checked.upload  # stored under a random name (courses.models.written.submission_path)
            submission.save()
            stored = submission.file.name
            audit_record(actor=actor, action="written.upload", obj=assignment, details={
                "class": assignment.course_class_id, "person": enrolment.person_id, "submission": submission.pk,
                "size": checked.size, "sha256": checked.sha256, "late": submission.late})
    except BaseException:
        if stored:
            Submission.file.field.storage.delete(stored)  # its row is gone with the transaction
        raise
    return submission


def grade_save(*, submission: Submission, points: Mapping[object, object], comment: str, reason: str, actor: User,
               seen_version: int | None = None) -> Grade:
    """The lecturer's grade of the learner's latest upload: ``points`` per criterion id. A later grade is a regrade
    (a reason is required). ``seen_version``: the version the lecturer saw (0 for none), so that a grade saved by
    someone else meanwhile is not overwritten unseen."""
    assignment = submission.assignment
    criteria = list(assignment.criteria.order_by("order"))
    given = {str(key): value for key, value in points.items()}
    values: dict[str, Decimal] = {}
    for criterion in criteria:
        raw = given.get(str(criterion.pk))
        if raw is None or str(raw).strip() == "":
            raise ValidationError(_("Give the points of every criterion (“%(name)s” has none).")
                                  % {"name": criterion.name})
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value > criterion.points or value % STEP:
            raise ValidationError(_("“%(name)s”: from 0 to %(max)s points, in steps of 0.25.")
                                  % {"name": criterion.name, "max": _points(criterion.points)})
        values[str(criterion.pk)] = value.quantize(Decimal("0.01"))
    total = sum(values.values(), Decimal(0)).quantize(Decimal("0.01"))
    reason = (reason or "").strip()
    with transaction.atomic():
        course_class = _lock_open(assignment.course_class, lambda: ValidationError(
            _("The class is closed; its scores change only through a correction on its Completion page.")))
        enrolment = Enrolment.objects.select_for_update().get(pk=submission.enrolment_id)
        latest = _latest(assignment.pk, enrolment.pk)
        if latest is None or latest.pk != submission.pk:
            raise ValidationError(_("The learner has handed in a newer version; grade that one."))
        previous = submission.grades.order_by("-version").first()
        if seen_version is not None and seen_version != (previous.version if previous else 0):
            raise ValidationError(_("Someone graded this work meanwhile; read their grade and save again."))
        if previous is not None and len(reason) < REASON_MIN:
            raise ValidationError(_("Say why the work is regraded."))
        grade = Grade.objects.create(submission=submission, version=(previous.version + 1) if previous else 1,
                                     points={key: f"{value:.2f}" for key, value in values.items()}, total=total,
                                     comment=(comment or "").strip(), reason=reason if previous else "",
                                     graded_by=actor, graded_at=timezone.now())
        details = {"class": course_class.pk, "person": enrolment.person_id, "submission": submission.pk,
                   "version": grade.version, "total": f"{total:.2f}"}
        if assignment.assessment_id is not None:
            before = Score.objects.filter(enrolment=enrolment, assessment_id=assignment.assessment_id,
                                          attempt=1).first()
            if before is not None and (before.value != total or before.excused or before.how != How.WRITTEN):
                details["score_before"] = "P" if before.excused else f"{before.value:.2f}"
            Score.objects.update_or_create(enrolment=enrolment, assessment_id=assignment.assessment_id, attempt=1,
                                           defaults={"value": total, "excused": False, "how": How.WRITTEN,
                                                     "set_by": actor, "set_at": grade.graded_at})
        if previous is None:
            audit_record(actor=actor, action="written.grade", obj=assignment, details=details)
        else:
            details.update({"old_total": f"{previous.total:.2f}", "new_total": f"{total:.2f}", "reason": reason})
            audit_record(actor=actor, action="written.regrade", obj=assignment, details=details)
    return grade
