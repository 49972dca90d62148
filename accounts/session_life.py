"""How long a signed-in session lives. By default until the browser closes (or two weeks with "remember me"); an app
registers a longer life for the people it serves: a contest's participant signs in once a contest, not once a round
(docs/contests.md, "Signing up"). Staff never get one: their pages ask for their second factor in each session."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from accounts.permissions import roles_of
from accounts.roles import STAFF_ROLES

_PROVIDERS: list[Callable] = []


def register_session_life(provider: Callable) -> None:
    """``provider(user) -> datetime | None``: until when a session of ``user`` may live, for what the app serves."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def session_lives_until(user) -> dt.datetime | None:
    if STAFF_ROLES & roles_of(user):
        return None
    until = max((moment for provider in _PROVIDERS if (moment := provider(user)) is not None), default=None)
    return until if until is not None and until > timezone.now() else None


def extend_session(request, user) -> None:
    """Give the signed-in session the longest life an app registered for ``user`` (none: left as it is)."""
    until = session_lives_until(user)
    if until is not None:
        request.session.set_expiry(until)
