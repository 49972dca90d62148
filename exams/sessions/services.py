"""Exam sessions: creation from a preset, the lifecycle, council, rooms, sittings, numbers and rooms."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Rank, User
from accounts.permissions import roles_of
from accounts.roles import Role
from accounts.services import audit_record
from accounts.vietnamese import name_sort_key
from exams.sessions import examday_cache
from exams.sessions.models import CouncilMember, Exam, InvigilatorAssignment, Quota, Registration, Room, Sitting, Subject
from exams.sessions.presets import COMPUTER, PRESETS, late_entry_minutes
from exams.sessions.readiness import exam_gaps

S = Exam.Status
ORDER = [S.DRAFT, S.REGISTRATION, S.SCHEDULED, S.RUNNING, S.MARKING, S.RESULTS, S.APPROVED, S.PUBLISHED]

HR = "hr"
CHAIR = ("council", "chair")
VICE_CHAIR = ("council", "vice_chair")
SECRETARY = ("council", "secretary")
# Who moves an exam from one state to the next (docs/operations.md, "Exam states"). HR runs the paperwork; the council
# runs the exam.
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


# What each step does, said on its button's confirmation before it happens.
TRANSITION_EFFECTS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.REGISTRATION): gettext_lazy("Registration opens: candidate lists can be imported and numbered."),
    (S.REGISTRATION, S.DRAFT): gettext_lazy("The exam goes back to draft (possible only while nobody is registered)."),
    (S.REGISTRATION, S.SCHEDULED): gettext_lazy(
        "The exam is scheduled: the candidate list closes to imports and the exam-room logins become valid for "
        "its days. Candidates can still be withdrawn."),
    (S.SCHEDULED, S.REGISTRATION): gettext_lazy(
        "The exam goes back to registration (possible only while no sitting has its papers)."),
    (S.SCHEDULED, S.RUNNING): gettext_lazy("The exam starts: its rooms can be opened by their invigilators."),
    (S.RUNNING, S.MARKING): gettext_lazy("The exam day is over: no room opens any more and marking begins."),
    (S.MARKING, S.RESULTS): gettext_lazy("Marking is closed: the results can be computed."),
}


def backward_lock(exam: Exam, to: str) -> str:
    """Why the exam cannot go back to ``to`` ("" when it can): never once numbers, papers or attempts exist."""
    if to == S.DRAFT and exam.registrations.exists():
        return _("Candidates are registered and numbered: the exam cannot go back to draft.")
    if to == S.REGISTRATION and exam.status == S.SCHEDULED:
        if Sitting.objects.filter(subject__exam=exam).filter(paper_set__isnull=False).exists():
            return _("Papers have been made for a sitting: the exam cannot go back to registration. Withdraw a "
                     "candidate on their page; one added late takes a spare paper.")
        if Sitting.objects.filter(subject__exam=exam, attempts__isnull=False).exists():
            return _("Candidates have started: the exam cannot go back to registration.")
    return ""


def positions_of(*, exam: Exam, user: User) -> set[tuple[str, str]]:
    return set(CouncilMember.objects.filter(exam=exam, user=user).values_list("board", "position"))


def may_transition(*, exam: Exam, to: str, user: User | None) -> bool:
    allowed = TRANSITIONS.get((exam.status, to))
    if allowed is None:
        return False
    if user is None:  # an operator command moves the exam itself (docs/operations.md, "Exam states")
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
        lock = backward_lock(locked, to)
        if lock:
            raise ValidationError(lock)
        if to == S.SCHEDULED:
            gaps = [gap for gap in exam_gaps(locked) if gap.blocking]
            if gaps:
                raise ValidationError(_("The exam is not ready for its day: %(gaps)s")
                                      % {"gaps": " ".join(gap.text for gap in gaps)})
        previous = locked.status
        Exam.objects.filter(pk=locked.pk, status=previous).update(status=to)
        audit_record(actor=actor, action="exam.transition", obj=locked,
                     details={"from": previous, "to": to, "reason": reason})
    examday_cache.forget_exam(exam.pk)  # the candidates' pages read the exam through the cache
    exam.status = to
    return exam


def prefixes_in_use(*, exclude: Exam | None = None) -> set[str]:
    """The candidate-number prefixes of the exams still in use (every exam but the published ones): two of them
    sharing one would give two candidates the number CV0001, told apart at the exam login only by password."""
    exams = Exam.objects.exclude(status=S.PUBLISHED)
    if exclude is not None:
        exams = exams.exclude(pk=exclude.pk)
    return set(exams.values_list("number_prefix", flat=True))


def free_prefix(base: str, *, year: int) -> str:
    """``base`` if no exam in use has it, else ``base`` + the year's two digits + the first free letter:
    CV, CV26A, CV26B…"""
    taken = prefixes_in_use()
    for prefix in (base, *(f"{base}{year % 100:02d}{letter}" for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")):
        if prefix not in taken:
            return prefix
    raise ValidationError(_("Every prefix of the form %(base)s%(year)sA…Z is in use: give the exam its own.")
                          % {"base": base, "year": f"{year % 100:02d}"})


def exam_create(*, preset_slug: str, name: str, actor: User | None, quota: int | None = None,
                cutoff: date | None = None, prefix: str | None = None) -> Exam:
    """A new exam in draft, its subjects copied from the preset (every field editable afterwards)."""
    preset = PRESETS[preset_slug]
    with transaction.atomic():
        if prefix and prefix in prefixes_in_use():
            raise ValidationError(_("Another exam in use numbers its candidates %(prefix)s…: choose another prefix.")
                                  % {"prefix": prefix})
        prefix = prefix or free_prefix(preset.prefix, year=timezone.localdate().year)
        exam = Exam.objects.create(
            name=name.strip(), preset=preset.slug, cutoff=cutoff or timezone.localdate(),
            quota=quota if preset.has_quota else None, selects_winners=preset.has_quota, number_prefix=prefix,
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


def subject_update(*, subject: Subject, changed: list[str], actor: User, reason: str = "") -> Subject:
    """Store the edited subject (``subject`` as SubjectForm validated it; ``changed`` names the changed fields).
    Once the exam is scheduled, a change to its exam-day rules is a correction: its reason is required and kept in
    the audit log (Subject.FROZEN_WHEN_SCHEDULED)."""
    with transaction.atomic():
        status = Exam.objects.values_list("status", flat=True).get(pk=subject.exam_id)
        correction = status not in (S.DRAFT, S.REGISTRATION) and bool(set(changed) & Subject.FROZEN_WHEN_SCHEDULED)
        if correction and not reason:
            raise ValidationError(_("The exam is scheduled: say why the subject's rules change."))
        subject.save()
        audit_record(actor=actor, action="exam.subject_correction" if correction else "exam.subject_edit",
                     obj=subject, details={"fields": changed, "reason": reason})
    examday_cache.forget_exam(subject.exam_id)
    return subject


def _part_add(*, exam: Exam, part: Room | Sitting | InvigilatorAssignment, action: str, actor: User) -> None:
    """Save a part its form validated. Two officers adding the same room at once both pass the form's check; the
    constraint refuses the second, which hears it in words rather than as a server error."""
    try:
        with transaction.atomic():
            part.save()
            audit_record(actor=actor, action=action, obj=exam, details={"added": str(part)})
    except IntegrityError as exc:
        raise ValidationError(_("Someone has just added the same thing: reload the page to see it.")) from exc


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
