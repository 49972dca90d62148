"""The exam-room device pass: which machine this browser is, as the server issued it when the room code was entered.

A device enters the live paper only with the room code (docs/exam-day.md). Entering it on a machine gives that
browser a signed cookie naming its device; the attempt records which device holds it (``Attempt.device``, set
only by the room-code entry). The paper page, its socket and its saves take the device from this cookie and
nothing else: a second browser that has only the login slip has no pass and is sent to the room code, and a
device id read elsewhere (an audit export names devices) cannot be turned into a pass without the server's key.

The same pass serves every later room of the same browser, so a candidate who reloads, signs in again or sits the
next subject on the same machine stays the same device.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

COOKIE = "exam_device"
_SALT = "exams.examday.devicepass"
MAX_AGE_S = 24 * 3600  # a whole exam day; a pass is renewed at every room-code entry


def new_device() -> str:
    return secrets.token_hex(16)


def _signer() -> signing.TimestampSigner:
    return signing.get_cookie_signer(salt=COOKIE + _SALT)


def sign(device: str) -> str:
    """The cookie's value for ``device``."""
    return _signer().sign(device)


def device_from(cookies: dict[str, str]) -> str:
    """The device this browser's pass names, or "" when it has none (or a forged or expired one)."""
    value = cookies.get(COOKIE)
    if not value:
        return ""
    try:
        return _signer().unsign(value, max_age=MAX_AGE_S)
    except signing.BadSignature:
        return ""


def attach(response, device: str) -> None:
    """Give the browser its pass (again: a fresh one at every room-code entry)."""
    response.set_cookie(COOKIE, sign(device), max_age=MAX_AGE_S, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
