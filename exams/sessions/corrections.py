"""Correcting what was set up: rooms, sittings, council seats, invigilators and registrations are edited and
removed while that is safe, and locked with the reason when it is not.

Each part has a ``*_lock`` function that says why it cannot change now ("" when it can); the pages show that
reason beside the part instead of its buttons, and the services refuse with it, so a stale page changes nothing.
The rules (docs/rules/exam-setup.md):

* a room is fixed once it has been opened on the console; it is removed only when no candidate is in it;
* a sitting moves, or is removed, until one of its rooms has been opened; its paper set stays in the register;
* a council seat is fixed once the results are approved (the decision names the council); a marker with scripts
  assigned keeps the seat until they are reassigned;
* an invigilator is replaced freely until the exam day is over, but an open room never loses its last invigilator;
* a candidate is withdrawn, or their exemptions corrected, until the exam starts and while nothing of theirs
  (an attempt, a score, a script) exists.

Later steps read what exists through reverse relations (``sitting.room_sessions``, ``registration.scripts``), so
this slice learns nothing of the slices above it.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.sessions import examday_cache
from exams.sessions.models import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting

S = Exam.Status
STARTED = (S.RUNNING, S.MARKING, S.RESULTS, S.APPROVED, S.PUBLISHED)
DECIDED = (S.APPROVED, S.PUBLISHED)


def _refuse_if(reason: str) -> None:
    if reason:
        raise ValidationError(reason)


def _on_commit_forget(exam_id: int, sitting_id: int | None = None) -> None:
    transaction.on_commit(lambda: examday_cache.forget_exam(exam_id))
    if sitting_id is not None:
        transaction.on_commit(lambda: examday_cache.forget_sitting(sitting_id))


# --- rooms ---------------------------------------------------------------------------------------------------------

def room_lock(room: Room) -> str:
    if room.room_sessions.exists():
        return _("The room has been opened on the console: it is part of the exam's record.")
    return ""


def room_update(*, room: Room, changed: list[str], actor: User) -> Room:
    """Store the edited room (as RoomForm validated it); its capacity never drops below the candidates in it."""
    with transaction.atomic():
        _refuse_if(room_lock(room))
        inside = room.registrations.count()
        if room.capacity < inside:
            raise ValidationError(_("%(n)s candidates are already allocated to this room: its capacity cannot be "
                                    "less than that.") % {"n": inside})
        _save_unique(room, _("The exam already has a room with this name."))
        audit_record(actor=actor, action="exam.room_edit", obj=room.exam, details={"room": room.pk, "fields": changed})
        _on_commit_forget(room.exam_id)
    return room


def room_remove(*, room: Room, actor: User) -> None:
    """Remove a room nobody is allocated to (its invigilator assignments go with it)."""
    with transaction.atomic():
        _refuse_if(room_lock(room))
        inside = room.registrations.count()
        if inside:
            raise ValidationError(_("%(n)s candidates are allocated to this room: move them to another room first.")
                                  % {"n": inside})
        exam = room.exam
        audit_record(actor=actor, action="exam.room_remove", obj=exam, details={"room": room.name})
        room.delete()
        _on_commit_forget(exam.pk)


# --- sittings ------------------------------------------------------------------------------------------------------

def sitting_lock(sitting: Sitting) -> str:
    if sitting.room_sessions.exists() or sitting.attempts.exists():
        return _("A room of this sitting has been opened: its times change only by an extension on the console.")
    return ""


def sitting_update(*, sitting: Sitting, changed: list[str], actor: User) -> Sitting:
    """Move a sitting (as SittingForm validated it) before any of its rooms opens."""
    with transaction.atomic():
        _refuse_if(sitting_lock(sitting))
        if "subject" in changed and sitting.paper_set_id:
            raise ValidationError(_("The sitting already has its sealed papers for its subject: remove the sitting "
                                    "and add one for the other subject instead."))
        sitting.save()
        audit_record(actor=actor, action="exam.sitting_edit", obj=sitting.subject.exam,
                     details={"sitting": sitting.pk, "fields": changed})
        _on_commit_forget(sitting.subject.exam_id, sitting.pk)
    return sitting


def sitting_remove(*, sitting: Sitting, actor: User) -> None:
    """Remove a sitting none of whose rooms has opened; its sealed set stays in the register, detached."""
    with transaction.atomic():
        _refuse_if(sitting_lock(sitting))
        exam_id = sitting.subject.exam_id
        audit_record(actor=actor, action="exam.sitting_remove", obj=sitting.subject.exam,
                     details={"subject": sitting.subject.code, "starts_at": sitting.starts_at.isoformat(),
                              "paper_set": sitting.paper_set_id})
        sitting_id = sitting.pk
        sitting.delete()
        _on_commit_forget(exam_id, sitting_id)


# --- council and boards --------------------------------------------------------------------------------------------

def council_lock(member: CouncilMember) -> str:
    if member.exam.status in DECIDED:
        return _("The results are approved: the council is named in the decision.")
    return ""


def council_remove_lock(member: CouncilMember) -> str:
    """A seat's position changes by appointing the person again (sessions.services.council_add)."""
    reason = council_lock(member)
    if reason:
        return reason
    if member.exam.status not in (S.DRAFT, S.REGISTRATION, S.SCHEDULED, S.RUNNING) and (
            member.board == CouncilMember.Board.ANONYMISATION or member.position == CouncilMember.Position.SECRETARY):
        return _("The secretary and the anonymisation board cannot change once marking has started.")
    assigned = member.user.markings.filter(script__registration__exam_id=member.exam_id).count()
    if assigned:
        return _("%(name)s has %(n)s scripts to mark in this exam: reassign them first.") % {
            "name": member.user.full_name, "n": assigned}
    return ""


def council_remove(*, member: CouncilMember, actor: User) -> None:
    with transaction.atomic():
        _refuse_if(council_remove_lock(member))
        audit_record(actor=actor, action="exam.council_remove", obj=member.exam,
                     details={"user": member.user_id, "board": member.board, "position": member.position})
        member.delete()


# --- invigilators --------------------------------------------------------------------------------------------------

def invigilator_lock(assignment: InvigilatorAssignment) -> str:
    if assignment.sitting.subject.exam.status in STARTED[1:]:
        return _("The exam day is over: the record keeps who invigilated.")
    return ""


def invigilator_remove_lock(assignment: InvigilatorAssignment) -> str:
    reason = invigilator_lock(assignment)
    if reason:
        return reason
    opened = assignment.sitting.room_sessions.filter(room_id=assignment.room_id).exists()
    if opened and not InvigilatorAssignment.objects.filter(
            sitting_id=assignment.sitting_id, room_id=assignment.room_id).exclude(pk=assignment.pk).exists():
        return _("The room is open and this is its only invigilator: assign another one first.")
    return ""


def invigilator_update(*, assignment: InvigilatorAssignment, changed: list[str], actor: User) -> InvigilatorAssignment:
    with transaction.atomic():
        _refuse_if(invigilator_lock(assignment))
        _save_unique(assignment, _("This invigilator is already assigned to that room for that sitting."))
        audit_record(actor=actor, action="exam.invigilator_edit", obj=assignment.sitting.subject.exam,
                     details={"assignment": assignment.pk, "fields": changed})
    return assignment


def invigilator_remove(*, assignment: InvigilatorAssignment, actor: User) -> None:
    with transaction.atomic():
        _refuse_if(invigilator_remove_lock(assignment))
        audit_record(actor=actor, action="exam.invigilator_remove", obj=assignment.sitting.subject.exam,
                     details={"user": assignment.user_id, "sitting": assignment.sitting_id,
                              "room": assignment.room_id})
        assignment.delete()


# --- registrations -------------------------------------------------------------------------------------------------

def registration_lock(registration: Registration) -> str:
    if registration.exam.status in STARTED:
        return _("The exam has started: a candidate who does not sit it is recorded as absent, not withdrawn.")
    if (registration.attempts.exists() or registration.score_entries.exists() or registration.scripts.exists()
            or registration.admissions.exists()):
        return _("The candidate has already sat or been marked: their record stays.")
    return ""


def registration_update(*, registration: Registration, changed: list[str], actor: User) -> Registration:
    """Store corrected exemptions or note (as RegistrationForm validated them)."""
    with transaction.atomic():
        _refuse_if(registration_lock(registration))
        registration.save()
        audit_record(actor=actor, action="exam.registration_edit", obj=registration.exam,
                     details={"registration": registration.pk, "fields": changed})
        _on_commit_forget(registration.exam_id)
    return registration


def registration_withdraw(*, registration: Registration, actor: User, reason: str = "") -> None:
    """Take a candidate off the exam. Their number is not reused; a paper already made for it stays unused."""
    with transaction.atomic():
        _refuse_if(registration_lock(registration))
        audit_record(actor=actor, action="exam.registration_withdraw", obj=registration.exam,
                     details={"person": registration.person_id, "number": registration.candidate_number,
                              "reason": reason})
        registration.delete()
        _on_commit_forget(registration.exam_id)


# --- helpers -------------------------------------------------------------------------------------------------------

def _save_unique(obj, clash: str) -> None:
    """Save, turning a unique constraint's refusal into ``clash`` (the forms check first; this is the race)."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(clash) from exc
