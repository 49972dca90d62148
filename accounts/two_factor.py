"""The staff's second factor: one rule for HTTP pages and websockets (exam_platform/middleware.py asks it).

When ``REQUIRE_STAFF_MFA`` is on (production), a full session of a staff member must have passed the second factor
in this very session: signing in with TOTP (or a recovery code), allauth's MFA re-authentication, or activating
TOTP (which proves the device with a code). Having an authenticator set up is not enough: a password alone must
never open a staff page. allauth records each authentication step of a session; this module reads those records
through its public helper. Exam-room sessions are not asked (they are candidate sessions, exams/candidate/room_scope.py).
"""

from __future__ import annotations

import enum
import time
from types import SimpleNamespace

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY, get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings

from accounts.permissions import is_staff_member

# What a staff member may open before the second factor: the way to it, and the pages every session keeps. Never
# the pages that would replace the factor with the password alone (deactivating TOTP, new recovery codes).
ON_THE_WAY = frozenset({
    "account_login", "account_logout", "account_reauthenticate", "mfa_authenticate", "mfa_reauthenticate",
    "mfa_activate_totp", "mfa_index", "set_language", "healthz", "livez", "exam_login", "activate", "activate_link",
    "ws_ping", "enrolment_code_send",
})


class Step(enum.Enum):
    NONE = "none"
    SET_UP = "set_up"  # no authenticator yet: set up TOTP (which then counts for this session)
    VERIFY = "verify"  # an authenticator, not used in this session: allauth's MFA re-authentication


def passed_in_session(*, session, user) -> bool:
    """Has this session passed the second factor? (allauth's records are per session and per user)."""
    records = get_authentication_records(SimpleNamespace(session=session), user)
    return any(record.get("method") == "mfa" for record in records)


def staff_second_factor_step(*, user, session, route: str | None) -> Step:
    """What a full session still needs before ``route`` (an HTTP url name or a websocket route name)."""
    if not settings.REQUIRE_STAFF_MFA or route in ON_THE_WAY or not user.is_authenticated:
        return Step.NONE
    if passed_in_session(session=session, user=user) or not is_staff_member(user):
        return Step.NONE
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return Step.SET_UP
    return Step.VERIFY


def record_totp_activation(*, request, user, authenticator) -> None:
    """Activating TOTP proves the device with a code: it counts as this session's second factor. Appended to the
    records of the same user only (allauth has already recorded the re-authentication that activation requires; a
    session without records is left as it is and asks for the code)."""
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    records = get_authentication_records(request, user)
    if not records:
        return
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        *records, {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": authenticator.type,
                   "activated": True}]
