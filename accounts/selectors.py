"""Reads of people and units that need care (scope, search, N+1)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import AuditLog, OrgUnit, User
from accounts.vietnamese import search_key


def people_in_scope(*, user: User) -> QuerySet[User]:
    """People an HR user may see: their scope unit and everything below it. Accounts made by signing up for a contest
    are not in the register (docs/contests.md, "Signing up")."""
    scope = user.hr_scope
    register = User.objects.filter(self_registered=False)
    if user.is_superuser:
        return register
    if scope is None:
        return User.objects.none()
    condition = Q(unit__path__startswith=scope.path)
    if scope.parent_id is None:
        condition |= Q(unit__isnull=True)
    return register.filter(condition)


def people_list(*, user: User, query: str = "", unit_id: int | None = None, rank_id: int | None = None,
                gender: str = "") -> QuerySet[User]:
    """The people register page: scoped, accent-insensitive search over the stored search column."""
    people = people_in_scope(user=user).select_related("unit__parent", "rank", "ethnicity")
    words = search_key(query).split()
    for word in words:
        if word.isdigit():
            people = people.filter(Q(cccd__contains=word) | Q(phone__contains=word))
        else:
            people = people.filter(Q(search_name__contains=word) | Q(username__icontains=word))
    if unit_id:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        people = people.filter(unit__path__startswith=unit.path) if unit else people.none()
    if rank_id:
        people = people.filter(rank_id=rank_id)
    if gender:
        people = people.filter(gender=gender)
    return people.order_by("search_name", "pk")


def units_tree() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.select_related("parent").order_by("path")


def audit_list(*, action: str = "", actor: str = "", object_type: str = "", day_from=None, day_to=None
               ) -> QuerySet[AuditLog]:
    records = AuditLog.objects.select_related("actor")
    if action:
        records = records.filter(action__startswith=action)
    if actor:
        records = records.filter(actor_repr__icontains=actor)
    if object_type:
        records = records.filter(object_type=object_type)
    if day_from:
        records = records.filter(at__date__gte=day_from)
    if day_to:
        records = records.filter(at__date__lte=day_to)
    return records.order_by("-at", "-id")
