"""The exam-room login's limits (candidate number + exam password) and the invigilator's unlock.

Candidate numbers are sequential and printed on lists pinned at the door: a lock keyed on the number alone is a lock
anyone in the room can put on everyone else (five wrong passwords, and the real candidate cannot sign in). So wrong
passwords count per number *and* the address *and* the browser they come from: behind one NAT address a whole room
shares the address, and only the browser tells one machine from another (a cookie the login page gives; a script
that sends none shares one bucket per address and number, which no candidate who opened the page is in). The exam
password (8 characters of 31, about 39 bits) makes guessing hopeless under the per-address cap, which counts every
try, right or wrong, and is sized for a whole exam room behind one address: only a runaway script reaches it.

Windows follow the server's clock (accounts/limits.py). The invigilator unlocks a number from the room console: every
lock of that number is forgotten at once (a new generation of its keys), audited.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts import limits
from accounts.models import User
from accounts.services import audit_record
from exams.examday.auth import active_registrations
from exams.sessions.models import Registration

KEY_FAILURES = 5  # wrong passwords per number, address and browser in a window
KEY_WINDOW_S = 5 * 60
ADDRESS_WINDOW_S = 60  # the per-address cap: settings.EXAM_LOGIN_ADDRESS_TRIES tries a minute
BROWSER_COOKIE = "exam_login_browser"
BROWSER_COOKIE_AGE_S = 24 * 3600
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{16,43}")


class ExamLoginRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def new_browser_id() -> str:
    return secrets.token_urlsafe(16)


def browser_id(cookies: dict[str, str]) -> str:
    """The login page's browser id from its cookie; "" for none (or anything not shaped like one)."""
    value = cookies.get(BROWSER_COOKIE, "")
    return value if _BROWSER_ID.fullmatch(value) else ""


def _generation_key(number: str) -> str:
    return f"exam-login-generation:{number}"


def _failures_key(number: str, ip: str | None, browser: str) -> str:
    generation = cache.get(_generation_key(number), 0)
    return f"exam-login-failures:{number}:{generation}:{ip or '-'}:{browser or '-'}"


def exam_login_match(*, candidate_number: str, password: str, exam_id: int | None, ip: str | None,
                     browser: str) -> list[Registration]:
    """The open registrations this number and password sign in to (of exam ``exam_id`` when given); none counts as
    a wrong try of this number from this address and browser. Raises ExamLoginRefused when the address has tried too
    often this minute, or this number is locked here."""
    number = candidate_number.strip().upper()
    if ip and limits.count(f"exam-login-address:{ip}", ADDRESS_WINDOW_S) > settings.EXAM_LOGIN_ADDRESS_TRIES:
        raise ExamLoginRefused("busy", _("Too many tries from this network; wait a minute."))
    key = _failures_key(number, ip, browser)
    if limits.counted(key, KEY_WINDOW_S) >= KEY_FAILURES:
        raise ExamLoginRefused("locked", _("Too many wrong attempts for this candidate number on this machine; wait a "
                                           "few minutes or ask the invigilator to unlock it."))
    matches = active_registrations(candidate_number=number, password=password)
    if exam_id:
        matches = [r for r in matches if r.exam_id == exam_id]
    if not matches:
        limits.count(key, KEY_WINDOW_S)
    return matches


def exam_login_unlock(*, registration: Registration, actor: User, reason: str = "", ip: str | None = None) -> None:
    """Forget every lock of the registration's candidate number, wherever it was typed (audited)."""
    # A fresh generation names new keys; it outlives every window that counted under the one before (once it is
    # swept away, the keys of the first generation are windows long past).
    cache.set(_generation_key(registration.candidate_number), secrets.token_hex(4), 2 * KEY_WINDOW_S)
    audit_record(actor=actor, action="exam.login_unlock", obj=registration, ip=ip,
                 details={"candidate_number": registration.candidate_number, "reason": reason})
