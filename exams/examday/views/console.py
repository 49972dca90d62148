"""The invigilator's console: the room's live view, one small view per action (each carries a reason and lands in
the audit log: the services write it), more time for the whole sitting, a dispute timeline and the room record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.services import client_ip
from exams.examday import downloads
from exams.examday.models import Attempt, Penalty, RoomEvent, RoomSession
from exams.examday.selectors import console_snapshot
from exams.examday.services import attempts as svc
from exams.examday.services import console as console_svc
from exams.examday.services import entering
from exams.examday.services.login import exam_login_unlock
from exams.sessions.forms import RoomActionForm, SittingExtendForm
from exams.sessions.models import InvigilatorAssignment, Registration, Room, Sitting
from exams.sessions.readiness import sitting_gaps


def _room_session_or_none(sitting: Sitting, room: Room) -> RoomSession | None:
    return RoomSession.objects.filter(sitting=sitting, room=room).select_related("sitting__subject__exam", "room").first()


def _sitting_and_room(sitting_id: int, room_id: int) -> tuple[Sitting, Room]:
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam"), pk=sitting_id)
    return sitting, get_object_or_404(Room, pk=room_id, exam=sitting.subject.exam_id)


def _is_invigilator(request, sitting: Sitting, room: Room) -> bool:
    return sitting.invigilators.filter(user=request.user, room=room).exists()


@login_required
def console(request, sitting_id: int, room_id: int):
    sitting, room = _sitting_and_room(sitting_id, room_id)
    session = _room_session_or_none(sitting, room)
    if not (_is_invigilator(request, sitting, room) or (session and request.user.has_perm("exams.watch_room", session))):
        raise PermissionDenied
    snapshot = console_snapshot(room_session=session) if session else None
    return render(request, "exams/console.html", {
        "sitting": sitting, "room": room, "session": session, "snapshot": snapshot,
        "close_at": svc.room_close_at(session) if session else None, "form": RoomActionForm(),
        # Before the room opens: what would stop it (the papers) and what the exam still lacks for this sitting.
        "gaps": sitting_gaps(sitting) if session is None else [],
        # Only where it adds something to the room's own extension: two rooms or more open.
        "may_extend_sitting": sitting.room_sessions.count() > 1
        and request.user.has_perm("exams.extend_sitting", sitting),
    })


# --- the console's actions ---------------------------------------------------------------------------------------

@dataclass
class RoomAction:
    """One posted console action: the room it is for and the shared form's fields (exams.sessions.forms)."""

    sitting: Sitting
    room: Room
    session: RoomSession | None
    data: dict

    @property
    def reason(self) -> str:
        return (self.data.get("reason") or "").strip()

    @cached_property
    def registration(self) -> Registration | None:
        """The candidate chosen, if one of this room's."""
        return Registration.objects.filter(pk=self.data.get("registration") or 0, room=self.room).first()

    @cached_property
    def attempt(self) -> Attempt | None:
        registration = self.registration
        return Attempt.objects.filter(registration=registration, sitting=self.sitting).first() if registration else None

    def open_session(self) -> RoomSession:
        if self.session is None:
            raise svc.ExamDayError("room_closed", _("Open the room first."))
        return self.session

    def candidate(self) -> Registration:
        if self.registration is None:
            raise _no_candidate()
        return self.registration


def _no_candidate() -> svc.ExamDayError:
    return svc.ExamDayError("bad_action", _("Choose a candidate for this action."))


def console_action(act: Callable[..., str | None]):
    """The view of one console action: the room's invigilator, or whoever may act in the room once it is open,
    posts the console's form; ``act(request, action)`` does the one thing and may say what it did. A refusal is
    shown on the console, as is "Done."."""

    @login_required
    @require_POST
    @wraps(act)
    def view(request, sitting_id: int, room_id: int):
        sitting, room = _sitting_and_room(sitting_id, room_id)
        session = _room_session_or_none(sitting, room)
        if not (_is_invigilator(request, sitting, room) or (session and request.user.has_perm("exams.act_in_room",
                                                                                             session))):
            raise PermissionDenied
        form = RoomActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The action is not valid."))
            return redirect("room_console", sitting_id=sitting.pk, room_id=room.pk)
        try:
            done = act(request, RoomAction(sitting=sitting, room=room, session=session, data=form.cleaned_data))
        except svc.ExamDayError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done or _("Done."))
        return redirect("room_console", sitting_id=sitting.pk, room_id=room.pk)

    return view


@console_action
def room_open(request, action: RoomAction) -> None:
    console_svc.room_open(sitting=action.sitting, room=action.room, actor=request.user)


@console_action
def room_new_code(request, action: RoomAction) -> None:
    svc.room_code_regenerate(room_session=action.open_session(), actor=request.user)


@console_action
def room_pause(request, action: RoomAction) -> None:
    svc.room_pause(room_session=action.open_session(), actor=request.user, reason=action.reason)


@console_action
def room_resume(request, action: RoomAction) -> None:
    svc.room_resume(room_session=action.open_session(), actor=request.user, reason=action.reason)


@console_action
def room_extend(request, action: RoomAction) -> None:
    """The whole room, or the chosen candidate only."""
    svc.extend(room_session=action.open_session(), minutes=action.data.get("minutes") or 0, reason=action.reason,
               actor=request.user, attempt=action.attempt)


@console_action
def room_admit(request, action: RoomAction) -> None:
    session = action.open_session()
    console_svc.candidate_admit(registration=action.candidate(), room_session=session, actor=request.user,
                                reason=action.reason)


@console_action
def room_release(request, action: RoomAction) -> None:
    """The chosen candidate's paper moves to the next machine that opens it."""
    action.open_session()
    if action.attempt is None:
        raise _no_candidate()
    entering.release(attempt=action.attempt, actor=request.user, reason=action.reason)


@console_action
def room_penalty(request, action: RoomAction) -> None:
    action.open_session()
    if not action.data.get("penalty"):
        raise _no_candidate()
    svc.penalty_record(registration=action.candidate(), sitting=action.sitting, kind=action.data["penalty"],
                       reason=action.reason, actor=request.user)


@console_action
def room_incident(request, action: RoomAction) -> None:
    """A line of the room's minutes, about the chosen candidate or the whole room."""
    svc.incident_record(room_session=action.open_session(), text=action.reason, actor=request.user,
                        registration=action.registration)


@console_action
def room_unlock_login(request, action: RoomAction) -> str:
    """Needs no open room: a candidate locked out before it opens is let in, too."""
    registration = action.candidate()
    exam_login_unlock(registration=registration, actor=request.user, reason=action.reason, ip=client_ip(request))
    return _("The exam login of %(number)s is unlocked.") % {"number": registration.candidate_number}


# --- the whole sitting, disputes, the record ----------------------------------------------------------------------

@login_required
@require_POST
def sitting_extend(request, sitting_id: int):
    """More time for the whole sitting (every open room at once), with a reason and an audit record."""
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam"), pk=sitting_id)
    if not request.user.has_perm("exams.extend_sitting", sitting):
        raise PermissionDenied
    form = SittingExtendForm(request.POST)
    back = request.POST.get("room")
    try:
        if not form.is_valid():
            raise svc.ExamDayError("bad_minutes", _("Give between 1 and 240 minutes, and a reason."))
        updated = svc.extend_sitting(sitting=sitting, minutes=form.cleaned_data["minutes"],
                                     reason=form.cleaned_data["reason"], actor=request.user)
    except svc.ExamDayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("%(n)d candidate has more time.", "%(n)d candidates have more time.",
                                           len(updated)) % {"n": len(updated)})
    if back and back.isdigit() and Room.objects.filter(pk=back, exam=sitting.subject.exam_id).exists():
        return redirect("room_console", sitting_id=sitting.pk, room_id=int(back))
    return redirect("my_sittings")


@login_required
def attempt_timeline(request, pk: int):
    """Every save, event and action of one attempt, in time order, for a dispute (CSV)."""
    attempt = get_object_or_404(Attempt.objects.select_related("room_session", "registration__person"), pk=pk)
    if not request.user.has_perm("exams.watch_room", attempt.room_session):
        raise PermissionDenied
    content = downloads.attempt_timeline_csv(attempt=attempt, actor=request.user, ip=client_ip(request))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dien-bien-{attempt.registration.candidate_number}.csv"'
    return response


@login_required
def room_record(request, pk: int):
    """The printable record of the room: who sat, who was absent, incidents, submission times."""
    session = get_object_or_404(RoomSession.objects.select_related("sitting__subject__exam", "room"), pk=pk)
    if not request.user.has_perm("exams.watch_room", session):
        raise PermissionDenied
    incidents = list(RoomEvent.objects.filter(room_session=session, kind__in=[
        RoomEvent.Kind.INCIDENT, RoomEvent.Kind.PENALTY, RoomEvent.Kind.PAUSED, RoomEvent.Kind.RESUMED,
        RoomEvent.Kind.EXTENDED]).select_related("actor", "registration__person"))
    for event in incidents:  # the penalty in words, as the record is printed and signed
        event.penalty_label = Penalty.label_of(event.details.get("penalty", ""))
    return render(request, "exams/room_record.html", {
        "session": session, "rows": console_snapshot(room_session=session)["rows"],
        "attempts": {a.registration_id: a for a in Attempt.objects.filter(room_session=session)},
        "incidents": incidents,
    })


@login_required
def my_sittings(request):
    """The invigilator's sittings and rooms, each with its console."""
    assignments = (InvigilatorAssignment.objects.filter(user=request.user)
                   .select_related("sitting__subject__exam", "room").order_by("sitting__starts_at"))
    if not assignments.exists() and not request.user.has_perm("exams.manage_exams"):
        raise PermissionDenied
    return render(request, "exams/my_sittings.html", {"assignments": assignments})
