"""Reads for exam day: the invigilator's room view and a candidate's attempt view (each a few queries)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exams.examday.models import Admission, Attempt, Penalty, RoomEvent, RoomSession
from exams.sessions.models import Registration


@dataclass
class ConsoleRow:
    registration_id: int
    candidate_number: str
    name: str
    state: str  # not_arrived | absent | admitted | waiting | in_progress | finished | voided
    state_label: str
    attempt_id: int | None
    answered: int
    total: int
    seconds_left: int | None
    last_seen: str
    drops: int
    focus_losses: int
    penalties: list[str]

    @property
    def time_left(self) -> str:
        """Minutes:seconds, as the console's script also writes it."""
        if self.seconds_left is None:
            return ""
        return f"{self.seconds_left // 60}:{self.seconds_left % 60:02d}"


STATE_LABELS = {
    "not_arrived": _("Not yet arrived"), "absent": _("Absent"), "waiting": _("Waiting to be admitted"), "admitted": _("Admitted"),
    "in_progress": _("In progress"), "finished": _("Finished"), "voided": _("Voided"),
}


def derived_state(*, admission: Admission | None, attempt: Attempt | None) -> str:
    """The console's state is derived from the admission and the attempt, never stored twice."""
    if attempt is not None:
        if attempt.status == Attempt.Status.VOIDED:
            return "voided"
        if attempt.status != Attempt.Status.OPEN:
            return "finished"
        return "in_progress"
    if admission is None:
        return "absent"
    return "admitted" if admission.admitted_at or not admission.room_session.sitting.subject.exam.admit_needs_invigilator \
        else "waiting"


def _before_start(state: str, now, room_session: RoomSession) -> str:
    """Nobody is absent before the sitting starts: they have not arrived yet."""
    return "not_arrived" if state == "absent" and now < room_session.sitting.starts_at else state


def console_rows(*, room_session: RoomSession) -> list[ConsoleRow]:
    now = timezone.now()
    registrations = list(Registration.objects.filter(exam=room_session.sitting.subject.exam_id,
                                                     room=room_session.room_id).select_related("person")
                         .order_by("candidate_number"))
    admissions = {a.registration_id: a for a in Admission.objects.filter(room_session=room_session).select_related(
        "room_session__sitting__subject__exam")}
    attempts = {a.registration_id: a for a in Attempt.objects.filter(room_session=room_session).annotate(
        answered=Count("items", filter=Q(items__answer__isnull=False)), total=Count("items"))}
    events = {row["registration"]: row for row in RoomEvent.objects.filter(room_session=room_session).values(
        "registration").annotate(drops=Count("pk", filter=Q(kind=RoomEvent.Kind.DISCONNECTED)),
                                 focus=Count("pk", filter=Q(kind__in=[RoomEvent.Kind.FOCUS_LOST,
                                                                      RoomEvent.Kind.PAGE_HIDDEN])),
                                 last=Max("at"))}
    penalties: dict[int, list[str]] = {}
    for event in RoomEvent.objects.filter(room_session=room_session, kind=RoomEvent.Kind.PENALTY):
        penalties.setdefault(event.registration_id, []).append(Penalty.label_of(event.details.get("penalty", "")))
    rows = []
    for r in registrations:
        attempt = attempts.get(r.pk)
        stats = events.get(r.pk, {})
        left = None
        if attempt is not None and attempt.status == Attempt.Status.OPEN:
            left = max(0, int((attempt.deadline - now).total_seconds()))
        seen = attempt.last_seen if attempt and attempt.last_seen else stats.get("last")
        rows.append(ConsoleRow(
            registration_id=r.pk, candidate_number=r.candidate_number, name=r.person.full_name,
            state=(state := _before_start(derived_state(admission=admissions.get(r.pk), attempt=attempt), now,
                                          room_session)),
            state_label=str(STATE_LABELS[state]),
            attempt_id=attempt.pk if attempt else None, answered=getattr(attempt, "answered", 0) if attempt else 0,
            total=getattr(attempt, "total", 0) if attempt else 0, seconds_left=left,
            last_seen=timezone.localtime(seen).strftime("%H:%M:%S") if seen else "",
            drops=stats.get("drops", 0), focus_losses=stats.get("focus", 0), penalties=penalties.get(r.pk, []),
        ))
    return rows


def console_snapshot(*, room_session: RoomSession) -> dict:
    room_session.refresh_from_db()
    return {
        "paused": room_session.paused_since is not None,
        "code": room_session.code,
        "rows": [row.__dict__ for row in console_rows(room_session=room_session)],
    }
