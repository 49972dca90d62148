"""The invigilator's console, where an action needs more than one exam-day service: opening a room also builds its
papers ahead of the candidates, and admitting a candidate needs their entry of the room code first."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from exams.examday.models import Admission, RoomSession
from exams.examday.services import attempts, entering
from exams.sessions import examday_cache
from exams.sessions.models import Registration, Room, Sitting


def room_open(*, sitting: Sitting, room: Room, actor: User) -> RoomSession:
    """Open the room (exams.examday.services.attempts.room_open) and build its candidates' papers into the cache."""
    session = attempts.room_open(sitting=sitting, room=room, actor=actor)
    examday_cache.warm_room(sitting=sitting, room=room)
    return session


def candidate_admit(*, registration: Registration, room_session: RoomSession, actor: User, reason: str) -> Admission:
    """Let in a candidate waiting in the room (the exam wants the invigilator to admit each one); refused while the
    candidate has not entered the room code."""
    admission = Admission.objects.filter(registration=registration, room_session=room_session).first()
    if admission is None:
        raise attempts.ExamDayError("not_entered", _("The candidate has not entered the room code yet."))
    return entering.admit(admission=admission, actor=actor, reason=reason)
