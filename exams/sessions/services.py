"""Exam sessions: creation from a preset, the lifecycle, council, rooms, sittings, numbers and rooms."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Rank, User
from accounts.permissions import roles_of
from accounts.roles import Role
from accounts.services import audit_record
from accounts.vietnamese import name_sort_key
from exams.sessions import examday_cache
from exams.sessions.models import CouncilMember, Exam, InvigilatorAssignment, Quota, Registration, Room, Sitting, Subject
from exams.sessions.presets import COMPUTER, PRESETS, late_entry_minutes

S = Exam.Status
ORDER = [S.DRAFT, S.REGISTRATION, S.SCHEDULED, S.RUNNING, S.MARKING, S.RESULTS, S.APPROVED, S.PUBLISHED]

HR = "hr"
CHAIR = ("council", "chair")
VICE_CHAIR = ("council", "vice_chair")
SECRETARY = ("council", "secretary")
# Who moves an exam from one state to the next (DESIGN.md §9). HR runs the paperwork; the council runs the exam.
TRANSITIONS: dict[tuple[str, str], tuple] = {
    (S.DRAFT, S.REGISTRATION): (HR,),
    (S.REGISTRATION, S.DRAFT): (HR,),
    (S.REGISTRATION, S.SCHEDULED): (HR,),
    (S.SCHEDULED, S.REGISTRATION): (HR,),
    (S.SCHEDULED, S.RUNNING): (CHAIR, VICE_CHAIR),
    (S.RUNNING, S.MARKING): (CHAIR, VICE_CHAIR, SECRETARY),
    (S.MARKING, S.RESULTS): (CHAIR, SECRETARY),
    # results → approved → published are the results' own steps (exams.results.services.approve / publish):
    # they approve and publish a results version, never just the exam's label.
}


def positions_of(*, exam: Exam, user: User) -> set[tuple[str, str]]:
    return set(CouncilMember.objects.filter(exam=exam, user=user).values_list("board", "position"))


def may_transition(*, exam: Exam, to: str, user: User | None) -> bool:
    allowed = TRANSITIONS.get((exam.status, to))
    if allowed is None:
        return False
    if user is None:  # an operator command moves the exam itself (DESIGN.md §9)
        return True
    if HR in allowed and Role.HR_STAFF in roles_of(user):
        return True
    return bool(positions_of(exam=exam, user=user) & set(allowed))


def exam_transition(*, exam: Exam, to: str, actor: User | None, reason: str = "") -> Exam:
    """Move the exam along its lifecycle; refused unless the step exists and the actor holds the position."""
    with transaction.atomic():
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        if (locked.status, to) not in TRANSITIONS:
            raise ValidationError(_("An exam cannot go from “{src}” to “{dst}”.").format(
                src=locked.get_status_display(), dst=S(to).label))
        if not may_transition(exam=locked, to=to, user=actor):
            raise PermissionDenied(_("Your position on this exam does not allow this step."))
        previous = locked.status
        Exam.objects.filter(pk=locked.pk, status=previous).update(status=to)
        audit_record(actor=actor, action="exam.transition", obj=locked,
                     details={"from": previous, "to": to, "reason": reason})
    examday_cache.forget_exam(exam.pk)  # the candidates' pages read the exam through the cache
    exam.status = to
    return exam


def exam_create(*, preset_slug: str, name: str, actor: User | None, quota: int | None = None,
                cutoff: date | None = None, prefix: str | None = None) -> Exam:
    """A new exam in draft, its subjects copied from the preset (every field editable afterwards)."""
    preset = PRESETS[preset_slug]
    with transaction.atomic():
        exam = Exam.objects.create(
            name=name.strip(), preset=preset.slug, cutoff=cutoff or timezone.localdate(),
            quota=quota if preset.has_quota else None, selects_winners=preset.has_quota, number_prefix=prefix or preset.prefix,
            target_rank=Rank.objects.filter(code=preset.target_rank).first() if preset.target_rank else None,
            tie_break=list(preset.tie_break), created_by=actor,
        )
        Subject.objects.bulk_create([
            Subject(exam=exam, code=s.code, name=s.name, format=s.format, question_count=s.question_count,
                    duration_minutes=s.duration_minutes, scale=s.scale, pass_rule=s.pass_rule, is_gate=s.is_gate,
                    exemptible=s.exemptible, ranks=s.ranks, timing=Subject.Timing.FIXED,
                    late_entry_minutes=late_entry_minutes(s.duration_minutes), order=n,
                    appeals_allowed=s.format != COMPUTER)
            for n, s in enumerate(preset.subjects)
        ])
        audit_record(actor=actor, action="exam.create", obj=exam, details={"preset": preset.slug})
    return exam


def exam_update(*, exam: Exam, changed: list[str], actor: User) -> Exam:
    """Store the edited exam (``exam`` as ExamForm validated it; ``changed`` names the fields that changed)."""
    with transaction.atomic():
        exam.save()
        audit_record(actor=actor, action="exam.edit", obj=exam, details={"fields": changed})
    return exam


def subject_update(*, subject: Subject, changed: list[str], actor: User) -> Subject:
    """Store the edited subject (``subject`` as SubjectForm validated it; ``changed`` names the changed fields)."""
    with transaction.atomic():
        subject.save()
        audit_record(actor=actor, action="exam.subject_edit", obj=subject, details={"fields": changed})
    return subject


def _part_add(*, exam: Exam, part: Room | Sitting | InvigilatorAssignment, action: str, actor: User) -> None:
    with transaction.atomic():
        part.save()
        audit_record(actor=actor, action=action, obj=exam, details={"added": str(part)})


def room_add(*, exam: Exam, room: Room, actor: User) -> Room:
    """Add a room (validated by RoomForm) to ``exam``."""
    room.exam = exam
    _part_add(exam=exam, part=room, action="exam.room_add", actor=actor)
    return room


def sitting_add(*, exam: Exam, sitting: Sitting, actor: User) -> Sitting:
    """Add a sitting of one of the exam's subjects (validated by SittingForm, which sets when the room opens)."""
    _part_add(exam=exam, part=sitting, action="exam.sitting_add", actor=actor)
    return sitting


def invigilator_add(*, exam: Exam, assignment: InvigilatorAssignment, actor: User) -> InvigilatorAssignment:
    """Assign an invigilator to a room of a sitting of ``exam`` (validated by InvigilatorForm)."""
    _part_add(exam=exam, part=assignment, action="exam.invigilator_add", actor=actor)
    return assignment


def _quota_details(quota: Quota) -> dict:
    return {"unit": quota.unit_id, "rank": quota.rank_id, "seats": quota.seats}


def quota_save(*, quota: Quota, actor: User) -> Quota:
    """Store one group's quota: a new row, or the group's existing one with its new seats (as QuotaForm chose)."""
    with transaction.atomic():
        quota.save()
        audit_record(actor=actor, action="exam.quota_set", obj=quota.exam, details=_quota_details(quota))
    return quota


def quota_remove(*, quota: Quota, actor: User) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="exam.quota_remove", obj=quota.exam, details=_quota_details(quota))
        quota.delete()


def position_sees_identities(board: str, position: str) -> bool:
    """The positions that open the secret code ↔ candidate table (exams.marking.services.sees_identities)."""
    return board == CouncilMember.Board.ANONYMISATION or (board, position) == SECRETARY


def council_add(*, exam: Exam, user: User, board: str, position: str, actor: User) -> CouncilMember:
    """Appoint ``user`` (or change their position on ``board``). The positions that see who wrote which script are
    fixed once marking starts: the regulation gives the code ↔ candidate table to the anonymisation board and the
    secretary appointed for the exam, and HR, who keeps the council's list, must not add anyone (itself least of all)
    to them while the scripts are marked or after."""
    with transaction.atomic():
        status = Exam.objects.select_for_update().values_list("status", flat=True).get(pk=exam.pk)
        if ORDER.index(status) >= ORDER.index(S.MARKING) and position_sees_identities(board, position):
            raise ValidationError(_("The secretary and the anonymisation board cannot change once marking has "
                                    "started."))
        member, _created = CouncilMember.objects.update_or_create(exam=exam, user=user, board=board,
                                                                  defaults={"position": position})
        audit_record(actor=actor, action="exam.council", obj=exam,
                     details={"user": user.username, "board": board, "position": position})
    return member


def _sorted_for_numbers(registrations: list[Registration]) -> list[Registration]:
    return sorted(registrations, key=lambda r: name_sort_key(r.person.full_name, r.person.date_of_birth,
                                                             r.person.cccd))


def numbers_assign(*, exam: Exam, renumber: bool = False, actor: User | None = None) -> int:
    """Give candidate numbers (prefix + 4 digits) in Vietnamese name order. Without ``renumber`` only the
    registrations that have none get one, after the highest number given; renumbering is allowed only
    before the exam is scheduled."""
    if renumber and exam.status not in (S.DRAFT, S.REGISTRATION):
        raise ValidationError(_("Candidate numbers cannot change once the exam is scheduled."))
    with transaction.atomic():
        registrations = list(Registration.objects.select_for_update().filter(exam=exam).select_related("person"))
        todo = registrations if renumber else [r for r in registrations if not r.candidate_number.startswith(
            exam.number_prefix) or not r.candidate_number[len(exam.number_prefix):].isdigit()]
        keep = [] if renumber else [r for r in registrations if r not in todo]
        start = max((int(r.candidate_number[len(exam.number_prefix):]) for r in keep), default=0)
        ordered = _sorted_for_numbers(todo)
        for r in ordered:  # free the unique numbers first
            r.candidate_number = f"~tmp{r.pk}"
        Registration.objects.bulk_update(ordered, ["candidate_number"])
        for n, r in enumerate(ordered, start=start + 1):
            r.candidate_number = f"{exam.number_prefix}{n:04d}"
        Registration.objects.bulk_update(ordered, ["candidate_number"])
        if ordered and renumber:
            audit_record(actor=actor, action="exam.renumber", obj=exam, details={"count": len(ordered)})
    return len(ordered)


def exam_passwords_ensure(*, exam: Exam) -> int:
    """Every registration gets a random exam password once (printed on the login slips)."""
    missing = list(Registration.objects.filter(exam=exam, exam_password=""))
    for r in missing:
        r.exam_password = "".join(secrets.choice("23456789abcdefghjkmnpqrstuvwxyz") for _ in range(8))
    Registration.objects.bulk_update(missing, ["exam_password"])
    return len(missing)


def rooms_allocate(*, exam: Exam, actor: User) -> int:
    """Fill the rooms in order, candidates in candidate-number order; refused when the rooms cannot hold
    everyone. Replaces any earlier allocation."""
    rooms = list(Room.objects.filter(exam=exam).order_by("name"))
    with transaction.atomic():
        registrations = list(Registration.objects.select_for_update().filter(exam=exam).order_by("candidate_number"))
        if sum(r.capacity for r in rooms) < len(registrations):
            raise ValidationError(_("The rooms hold {seats} candidates; {count} are registered.").format(
                seats=sum(r.capacity for r in rooms), count=len(registrations)))
        slots = [room for room in rooms for _seat in range(room.capacity)]
        for registration, room in zip(registrations, slots, strict=False):
            registration.room = room
        Registration.objects.bulk_update(registrations, ["room"])
        audit_record(actor=actor, action="exam.allocate_rooms", obj=exam, details={"candidates": len(registrations)})
    return len(registrations)


def registration_move(*, registration: Registration, room: Room | None, actor: User) -> Registration:
    """Move one candidate to another room of the same exam, within its capacity."""
    with transaction.atomic():
        if room is not None:
            locked = Room.objects.select_for_update().get(pk=room.pk)
            if locked.exam_id != registration.exam_id:
                raise ValidationError(_("The room belongs to another exam."))
            used = Registration.objects.filter(room=locked).exclude(pk=registration.pk).count()
            if used >= locked.capacity:
                raise ValidationError(_("Room {room} is full ({capacity} places).").format(
                    room=locked.name, capacity=locked.capacity))
        Registration.objects.filter(pk=registration.pk).update(room=room)
        audit_record(actor=actor, action="exam.move_candidate", obj=registration,
                     details={"room": room.name if room else None})
    registration.room = room
    return registration


def room_usage(*, exam: Exam) -> dict[int, int]:
    return dict(Registration.objects.filter(exam=exam, room__isnull=False).values("room")
                .annotate(n=Count("pk")).values_list("room", "n"))
