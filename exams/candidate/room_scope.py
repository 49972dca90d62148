"""The exam-room session: what a candidate number + exam password signs in to, and the one rule of what it reaches.

The login slip is a credential anyone near the candidate may read, so the session it opens is not the person's
account: it reaches this registration's candidate pages and nothing else, whatever roles the person holds (an HR
officer who sits a promotion exam is a candidate there, without their staff pages and without a second factor).
The HTTP middleware and the websocket middleware (exam_platform/middleware.py) both ask :func:`exam_room_reach`.

A session is exam-room scoped when Django says it was authenticated by the exam credential backend: a later normal
sign-in (allauth's backend) is a full session again, and a scoped session whose scope data were lost reaches
nothing but the pages every session keeps (sign-out, language, health checks).
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, login, logout
from django.core.cache import cache
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.utils import timezone

from accounts.services import audit_record, client_ip
from exams.examday.models import Attempt
from exams.sessions import examday_cache
from exams.sessions.models import Registration, Sitting

BACKEND = "exams.examday.auth.ExamCredentialBackend"
SCOPE_SESSION_KEY = "exam_room_scope"

# Route names (HTTP url names and websocket route names share this list) an exam-room session always reaches.
ALWAYS = frozenset({
    "account_logout", "set_language", "healthz", "livez", "exam_login",
    "my_exams",  # the view shows only the scoped registration (scoped_registration_id)
    "question_image",  # the paper's pictures
    "ws_ping",  # the server clock
})
# ... and those it reaches for its own sitting, attempt or exam only (the URL keyword that names it).
BY_SITTING = {"sitting_enter": "sitting_id"}
BY_ATTEMPT = {"attempt_page": "pk", "attempt_save": "pk", "attempt_flag": "pk", "attempt_state": "pk",
              "attempt_submit": "pk", "attempt_result": "pk", "ws_attempt": "attempt_id"}
BY_EXAM = {"my_result": "pk", "my_result_notice": "pk", "my_result_appeal": "pk"}

APPEAL_CLOSE_CACHE_SECONDS = 60


class Reach(enum.Enum):
    ALLOWED = "allowed"
    REFUSED = "refused"  # outside the scope: the candidate's exam page instead
    ENDED = "ended"  # the scope is over: the session ends


@dataclass(frozen=True)
class Scope:
    registration_id: int
    exam_id: int
    sittings_close: float  # timestamps: the session stores JSON
    ends: float


def is_exam_room_session(session) -> bool:
    return session.get(BACKEND_SESSION_KEY) == BACKEND


def scope_of(session) -> Scope | None:
    data = session.get(SCOPE_SESSION_KEY)
    try:
        return Scope(int(data["registration"]), int(data["exam"]), float(data["sittings_close"]), float(data["ends"]))
    except (TypeError, KeyError, ValueError):
        return None


def scoped_registration_id(session) -> int | None:
    """The registration an exam-room session is limited to; None for a full session."""
    if not is_exam_room_session(session):
        return None
    scope = scope_of(session)
    return scope.registration_id if scope else 0


# --- when the scope ends ----------------------------------------------------------------------------------------

def provisional_end(sittings_close: dt.datetime) -> dt.datetime:
    return sittings_close + dt.timedelta(days=settings.EXAM_ROOM_SESSION_MAX_DAYS)


def access_ends_at(*, scope: Scope, now: dt.datetime) -> float:
    """When an exam-room session stops reaching anything (a timestamp).

    - Until the exam's last sitting closes: not before then (no database read: this is the exam day's hot path).
    - Results published: the close of the appeal window (``appeal_deadline``), for every exam, also one without
      appealable subjects (computer MCQ): the same days are the candidate's time to read the result and download
      the notice, and one rule is simpler to tell candidates than two.
    - Results not published yet: the session waits for them, at most ``EXAM_ROOM_SESSION_MAX_DAYS`` after the last
      sitting closed (the session's expiry, set at sign-in). Whichever of the two comes first ends it; afterwards
      the person reads the result with their own account (an activation code from HR gives its first password).
    """
    if now.timestamp() <= scope.sittings_close:
        return scope.ends
    appeal_close = _appeal_close(scope.exam_id)
    return min(scope.ends, appeal_close) if appeal_close else scope.ends


def _appeal_close(exam_id: int) -> float | None:
    """Cached a minute: read by every request of a scoped session after the exam (results, notice, appeal)."""
    key = f"exam-room-appeal-close:{exam_id}"
    cached = cache.get(key)
    if cached is None:
        from exams.marking.selectors import appeal_deadline
        from exams.sessions.models import Exam

        exam = Exam.objects.filter(pk=exam_id).first()
        deadline = appeal_deadline(exam) if exam else None
        cached = deadline.timestamp() if deadline else 0.0
        cache.set(key, cached, APPEAL_CLOSE_CACHE_SECONDS)
    return cached or None


# --- which registration an attempt belongs to (never changes: kept in this process) ----------------------------

_ATTEMPT_REGISTRATIONS: dict[int, int] = {}
_ATTEMPT_REGISTRATIONS_MAX = 100_000
_lock = threading.Lock()


def remember_attempt(attempt_id: int, registration_id: int) -> None:
    with _lock:
        if len(_ATTEMPT_REGISTRATIONS) >= _ATTEMPT_REGISTRATIONS_MAX:
            _ATTEMPT_REGISTRATIONS.clear()  # a new exam day; the next lookups read again
        _ATTEMPT_REGISTRATIONS[attempt_id] = registration_id


def forget_attempts() -> None:
    """Tests: each test's database starts afresh and may number its attempts as an earlier test did."""
    with _lock:
        _ATTEMPT_REGISTRATIONS.clear()


def attempt_registration_id(attempt_id: int) -> int | None:
    """The registration of an attempt: from this process's memory, else one query (an unknown id is not kept: it may
    be created later)."""
    found = _ATTEMPT_REGISTRATIONS.get(attempt_id)
    if found is None:
        found = Attempt.objects.filter(pk=attempt_id).values_list("registration_id", flat=True).first()
        if found is not None:
            remember_attempt(attempt_id, found)
    return found


def _sitting_exam_id(sitting_id: int) -> int | None:
    try:  # the cache the room-code page reads next: no query of its own
        return examday_cache.sitting_with_exam(sitting_id).subject.exam_id
    except Http404:
        return None


# --- the rule ---------------------------------------------------------------------------------------------------

def exam_room_reach(*, session, route: str | None, kwargs: dict, now: dt.datetime | None = None) -> Reach:
    """What an exam-room session reaches: ``route`` is the resolved HTTP url name or websocket route name, ``kwargs``
    its keyword arguments. The caller has checked :func:`is_exam_room_session`.

    Every page and socket not listed is refused: account management (/accounts/* but sign-out), staff pages, the
    console and notices sockets. During the exam day this reads no database: the scope is in the session, the
    sitting in the exam-day cache, an attempt's registration in this process's memory after its first lookup."""
    scope = scope_of(session)
    now = now or timezone.now()
    if scope is None:
        return Reach.ALLOWED if route in ("account_logout", "set_language", "healthz", "livez") else Reach.ENDED
    if now.timestamp() > access_ends_at(scope=scope, now=now):
        return Reach.ENDED
    if route in ALWAYS:
        return Reach.ALLOWED
    if route in BY_ATTEMPT:
        allowed = _int(kwargs.get(BY_ATTEMPT[route])) and attempt_registration_id(
            _int(kwargs[BY_ATTEMPT[route]])) == scope.registration_id
    elif route in BY_SITTING:
        allowed = _int(kwargs.get(BY_SITTING[route])) and _sitting_exam_id(
            _int(kwargs[BY_SITTING[route]])) == scope.exam_id
    elif route in BY_EXAM:
        allowed = _int(kwargs.get(BY_EXAM[route])) == scope.exam_id
    else:
        allowed = False
    return Reach.ALLOWED if allowed else Reach.REFUSED


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- signing in -------------------------------------------------------------------------------------------------

def exam_room_sign_in(*, request: HttpRequest, registration: Registration) -> None:
    """Sign ``registration``'s person in for this exam only. Nothing of an earlier session in this browser carries
    over (a staff member's full session least of all): the session is emptied first. The session expires at the
    provisional end (``access_ends_at``); the rule ends it earlier once the appeal window has closed. An earlier
    session is signed out, as by its own sign-out (its sockets close: accounts/sockets.py)."""
    now = timezone.now()
    closes = getattr(registration, "sittings_close", None) or Sitting.objects.filter(
        subject__exam=registration.exam_id).aggregate(closes=Max("ends_at"))["closes"] or now
    ends = provisional_end(closes)
    logout(request)  # empties the session, whoever it was
    login(request, registration.person, backend=BACKEND)
    request.session[SCOPE_SESSION_KEY] = {"registration": registration.pk, "exam": registration.exam_id,
                                          "sittings_close": closes.timestamp(), "ends": ends.timestamp()}
    request.session.set_expiry(ends)
    audit_record(actor=registration.person, action="exam.login", obj=registration, ip=client_ip(request),
                 details={"scope_ends": ends.isoformat()})
