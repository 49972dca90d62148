"""Writes on a class's records besides the imports: learners withdrawn, discipline, closing, and the audited
corrections a closed class's records change through (docs/courses.md, "Closing")."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from courses.models import Assessment, Attendance, CourseClass, Discipline, Enrolment, How, Score, Session


def _lock_open(course_class: CourseClass) -> CourseClass:
    locked = CourseClass.objects.select_for_update().get(pk=course_class.pk)
    if locked.closed_at is not None:
        raise ValidationError(_("The class is closed; its records change only through a correction."))
    return locked


def enrolment_remove(*, enrolment: Enrolment, actor: User) -> None:
    """Take a learner off an open class's list, while nothing is recorded for them yet."""
    with transaction.atomic():
        _lock_open(enrolment.course_class)
        if enrolment.attendance.exists() or enrolment.scores.exists() or enrolment.discipline.exists():
            raise ValidationError(_("%(name)s already has marks or scores in this class; they stay on its list.")
                                  % {"name": enrolment.person.full_name})
        audit_record(actor=actor, action="class.learner_remove", obj=enrolment.course_class,
                     details={"person": enrolment.person_id})
        enrolment.delete()


def discipline_add(*, enrolment: Enrolment, level: str, reason: str, decided_on: dt.date, actor: User) -> Discipline:
    with transaction.atomic():
        _lock_open(enrolment.course_class)
        discipline = Discipline.objects.create(enrolment=enrolment, level=level, reason=reason.strip(),
                                               decided_on=decided_on, set_by=actor)
        audit_record(actor=actor, action="class.discipline", obj=enrolment.course_class,
                     details={"person": enrolment.person_id, "level": level, "reason": reason.strip()})
    return discipline


def discipline_remove(*, discipline: Discipline, actor: User) -> None:
    course_class = discipline.enrolment.course_class
    with transaction.atomic():
        _lock_open(course_class)
        audit_record(actor=actor, action="class.discipline_remove", obj=course_class,
                     details={"person": discipline.enrolment.person_id, "level": discipline.level})
        discipline.delete()


def class_close(*, course_class: CourseClass, actor: User) -> CourseClass:
    """The class head closes the class once its last day has come: from then on its marks and scores change only
    through a correction."""
    with transaction.atomic():
        locked = _lock_open(course_class)
        if timezone.localdate() < locked.ends_on:
            raise ValidationError(_("The class runs until %(day)s; it can be closed from that day.")
                                  % {"day": locked.ends_on.strftime("%d/%m/%Y")})
        locked.closed_at, locked.closed_by = timezone.now(), actor
        locked.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="class.close", obj=locked)
    return locked


def _require_closed_reason(course_class: CourseClass, reason: str) -> str:
    if not CourseClass.objects.filter(pk=course_class.pk, closed_at__isnull=False).exists():
        raise ValidationError(_("The class is open: change the record on its page or by an import."))
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationError(_("Say why the record is corrected."))
    return reason


def attendance_correct(*, enrolment: Enrolment, session: Session, mark: str, reason: str, actor: User) -> None:
    """A closed class's attendance mark corrected, with the reason and the mark before in the audit log."""
    if mark not in Attendance.Mark.values or session.course_class_id != enrolment.course_class_id:
        raise ValidationError(_("Choose a session of the class and a mark."))
    with transaction.atomic():
        reason = _require_closed_reason(enrolment.course_class, reason)
        before = Attendance.objects.filter(enrolment=enrolment, session=session).values_list("mark", flat=True).first()
        Attendance.objects.update_or_create(enrolment=enrolment, session=session, defaults={
            "mark": mark, "how": How.CORRECTION, "set_by": actor, "set_at": timezone.now()})
        audit_record(actor=actor, action="class.correction", obj=enrolment.course_class, details={
            "person": enrolment.person_id, "session": str(session), "before": before or "", "after": mark,
            "reason": reason})


def score_correct(*, enrolment: Enrolment, assessment: Assessment, attempt: int, value: Decimal | None,
                  excused: bool, reason: str, actor: User) -> None:
    """A closed class's score corrected (one try), with the reason and the score before in the audit log."""
    if assessment.programme_id != enrolment.course_class.programme_id or not 1 <= attempt <= 1 + assessment.retakes:
        raise ValidationError(_("Choose an assessment of the class and one of its tries."))
    if (value is None) != excused:
        raise ValidationError(_("Give a score from 0 to 10, or mark the try excused."))
    with transaction.atomic():
        reason = _require_closed_reason(enrolment.course_class, reason)
        before = Score.objects.filter(enrolment=enrolment, assessment=assessment, attempt=attempt).first()
        Score.objects.update_or_create(enrolment=enrolment, assessment=assessment, attempt=attempt, defaults={
            "value": value, "excused": excused, "how": How.CORRECTION, "set_by": actor, "set_at": timezone.now()})
        audit_record(actor=actor, action="class.correction", obj=enrolment.course_class, details={
            "person": enrolment.person_id, "assessment": assessment.code, "try": attempt,
            "before": "" if before is None else ("P" if before.excused else f"{before.value:.2f}"),
            "after": "P" if excused else f"{value:.2f}", "reason": reason})


def completion_exported(*, course_class: CourseClass, rows: int, actor: User | None) -> None:
    """Who downloaded the list a certificate decision is issued from, and when."""
    audit_record(actor=actor, action="class.export_completion", obj=course_class, details={"rows": rows})
