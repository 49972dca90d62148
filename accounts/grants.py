"""What a person's roles grant (their role names and the permissions of their groups and their own), remembered in
the cache between their requests: every page's menu asks, and asking the database costs three queries a page.

Nothing stale is ever used: every entry is filed under a generation, and any change of who holds which role or of
what a role grants (a person's roles, a group's permissions, a group or permission added or deleted: the signals
below) starts a new generation at once and again when that change commits, so a reading made meanwhile from the
database as it stood is never found again. An account's superuser or active flag is part of the entry's key."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "grants:generation"
KEEP_SECONDS = 600


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # first use, or the cache was emptied: a new generation, whoever writes it first
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY) or ""
    return generation


def grants_changed(**_signal) -> None:
    """Forget every remembered grant: now, and once the change that called this commits."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None))


def remembered(user, part: str, compute: Callable[[], frozenset | set]):
    """``part`` ("roles", "user", "group") of what ``user`` is granted: from the cache, or computed and kept."""
    key = f"grants:{_generation()}:{user.pk}:{int(user.is_superuser)}:{int(user.is_active)}"
    entry = cache.get(key) or {}
    if part not in entry:
        entry = {**entry, part: compute()}
        cache.set(key, entry, timeout=KEEP_SECONDS)
    return entry[part]


class RememberedModelBackend(ModelBackend):
    """Django's model permissions, each person's remembered between requests (``remembered``). Listed before
    ModelBackend, which then finds them on the user object. It checks no password (ModelBackend and allauth do: a
    sign-in is not hashed twice more), so existing sessions keep the backend that signed them in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        attribute = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, attribute):
            setattr(user_obj, attribute, set(remembered(
                user_obj, from_name, lambda: frozenset(super(RememberedModelBackend, self)._get_permissions(
                    user_obj, obj, from_name)))))
        return getattr(user_obj, attribute)
