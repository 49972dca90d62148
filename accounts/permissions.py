"""The object-permission registry (django-rules) and the role predicates every app builds on.

Apps register their own rules in ``<app>/rules.py`` (autodiscovered at start-up) through
:func:`register`; this module never imports them, so the arrows keep pointing down.
"""

from __future__ import annotations

import rules
from rules.predicates import Predicate

from accounts.grants import remembered
from accounts.roles import STAFF_ROLES, Role


def register(name: str, predicate: Predicate) -> None:
    """Register (or replace) the object permission ``name`` ("app.codename")."""
    rules.set_perm(name, predicate)


def _role_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_names_cache", None)
    if cached is None:
        cached = remembered(user, "roles", lambda: frozenset(user.groups.values_list("name", flat=True)))
        user._role_names_cache = cached
    return cached


def roles_of(user) -> frozenset[str]:
    """The role (group) names of ``user``, cached on the user object for the request."""
    return _role_names(user)


def has_role(*roles: str) -> Predicate:
    """A predicate true when the user holds any of ``roles``."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def _has_role(user) -> bool:
        return bool(_role_names(user) & wanted)

    return _has_role


def is_staff_member(user) -> bool:
    """Holds a staff role (or is a superuser): such accounts need two-factor login in production."""
    return bool(getattr(user, "is_superuser", False) or _role_names(user) & STAFF_ROLES)


is_hr_staff = has_role(Role.HR_STAFF)
is_council_member = has_role(Role.COUNCIL_MEMBER)


def unit_in_scope(scope_unit, unit) -> bool:
    """True when ``unit`` is ``scope_unit`` or below it."""
    if scope_unit is None:
        return False
    if unit is None:
        return scope_unit.parent_id is None  # people without a unit belong to the top of the tree
    return unit.path.startswith(scope_unit.path)


@rules.predicate
def person_in_hr_scope(user, person) -> bool:
    """In the HR user's scope and in the register (an account made by signing up for a contest is not)."""
    if person is None or person.self_registered:
        return False
    return unit_in_scope(user.hr_scope, person.unit)


@rules.predicate
def person_is_superuser(user, person) -> bool:
    return bool(person is not None and person.is_superuser)
