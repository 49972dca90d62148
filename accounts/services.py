"""State changes of people, units, the profile and the audit log (one function per change)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import AuditLog, Notice, OrganisationProfile, OrgUnit, User
from accounts.notices import audiences_for
from accounts.notices import group_name as notice_group
from accounts.permissions import roles_of, unit_in_scope
from accounts.roles import ROLE_PERMISSIONS, Role


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, read as allauth reads it for its own limits (one configuration: the connection's
    address, unless TRUSTED_PROXY_COUNT / TRUSTED_CLIENT_IP_HEADER say which proxy header to believe)."""
    if request is None:
        return None
    try:
        return get_account_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):  # no address, or a forwarding chain shorter than configured
        return None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    ip: str | None = None,
    details: dict | None = None,
) -> AuditLog:
    """Append one audit record. The only writer of :class:`AuditLog`."""
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor=actor if actor_ok else None,
        actor_repr=(actor.username if actor_ok else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        ip=ip,
        details=details or {},
    )


SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The account that stands for operator commands run without --as (never logs in)."""
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME,
                                               defaults={"full_name": "Hệ thống", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def grantable_roles(actor: User) -> list[str]:
    """The roles ``actor`` may give or take away: the platform's administrator (a superuser, created at install)
    all of them; HR every role but HR's own, which only the administrator gives."""
    if actor.is_superuser:
        return [role.value for role in Role]
    if Role.HR_STAFF in roles_of(actor):
        return [role.value for role in Role if role != Role.HR_STAFF]
    return []


def roles_grantable_to(person: User, *, actor: User) -> list[str]:
    """The roles ``actor`` may give ``person`` or take away: none of their own (but for the administrator)."""
    if person.pk == actor.pk and not actor.is_superuser:
        return []
    return grantable_roles(actor)


def person_roles_set(*, person: User, roles: set[str], actor: User, ip: str | None = None,
                     hr_scope: OrgUnit | None = None) -> User:
    """Give ``person`` exactly ``roles`` among those ``actor`` may grant (the others they hold stay). When ``actor``
    may grant the HR role, ``hr_scope`` is the unit an HR officer manages (inside the actor's own scope); a person
    who is no longer HR staff keeps no scope."""
    allowed = set(roles_grantable_to(person, actor=actor))
    if not allowed:
        raise PermissionDenied(_("You cannot change these roles."))
    current = set(roles_of(person))
    added, removed = (set(roles) - current) & allowed, (current - set(roles)) & allowed
    scope_before = person.hr_scope_id
    if Role.HR_STAFF.value in allowed:
        if Role.HR_STAFF.value in (current | added) - removed:
            if hr_scope is not None and not unit_in_scope(actor.hr_scope, hr_scope) and not actor.is_superuser:
                raise PermissionDenied(_("You cannot give a scope outside your own."))
            person.hr_scope = hr_scope if hr_scope is not None else person.hr_scope
        else:
            person.hr_scope = None
    with transaction.atomic():
        if added:
            person.groups.add(*Group.objects.filter(name__in=added))
        if removed:
            person.groups.remove(*Group.objects.filter(name__in=removed))
        if person.hr_scope_id != scope_before:
            person.save(update_fields=["hr_scope"])
        if added or removed or person.hr_scope_id != scope_before:
            details: dict[str, Any] = {"added": sorted(added), "removed": sorted(removed)}
            if person.hr_scope_id != scope_before:
                details["hr_scope"] = [scope_before, person.hr_scope_id]
            audit_record(actor=actor, action="person.roles", obj=person, ip=ip, details=details)
    person.__dict__.pop("_role_names_cache", None)
    return person


def sync_roles(**kwargs) -> None:
    """Create the role groups and give each exactly its listed permissions (post_migrate handler)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def unit_add(*, name: str, parent: OrgUnit | None, kind: str, code: str | None, actor: User,
             ip: str | None = None) -> OrgUnit:
    """A unit added on the units page (UnitForm checked it), recorded in the audit log."""
    with transaction.atomic():
        unit = unit_create(name=name, parent=parent, kind=kind, code=code)
        audit_record(actor=actor, action="unit.add", obj=unit, ip=ip,
                     details={"parent": parent.pk if parent else None})
    return unit


def unit_create(*, name: str, parent: OrgUnit | None, kind: str = OrgUnit.Kind.OTHER, code: str | None = None,
                valid_from=None, valid_to=None, sort_order: int = 0) -> OrgUnit:
    """Create a unit and its materialised path."""
    from accounts.vietnamese import normalize_name, search_key

    name = normalize_name(name)
    unit = OrgUnit.objects.create(
        name=name, search_name=search_key(name), parent=parent, kind=kind, code=code or None,
        valid_from=valid_from, valid_to=valid_to, sort_order=sort_order,
    )
    unit.path = f"{parent.path if parent else ''}{unit.pk:06d}/"
    unit.save(update_fields=["path"])
    return unit


def profile_update(*, actor: User, data: dict, ip: str | None = None) -> OrganisationProfile:
    with transaction.atomic():
        profile = OrganisationProfile.current()
        changed = {}
        for field, value in data.items():
            if getattr(profile, field) != value:
                changed[field] = [getattr(profile, field), value]
                setattr(profile, field, value)
        if changed:
            profile.save()
            audit_record(actor=actor, action="profile.update", obj=profile, ip=ip, details={"changed": changed})
    return profile


def person_update(*, actor: User, person: User, data: dict, ip: str | None = None) -> User:
    """Apply edited fields to a person, audited with the before/after of each changed field."""
    with transaction.atomic():
        changed = {}
        for field, value in data.items():
            before = getattr(person, field)
            if before != value:
                changed[field] = [_jsonable(before), _jsonable(value)]
                setattr(person, field, value)
        if changed:
            person.save()
            audit_record(actor=actor, action="person.update", obj=person, ip=ip, details={"changed": changed})
    return person


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def notice_send(*, author: User, text: str, audience: str = Notice.EVERYONE, ip: str | None = None) -> Notice:
    """Store a notice and, once committed, push it to the connected pages of its audience (any server process).
    Refused unless the author is responsible for that audience (accounts.notices)."""
    if audience not in audiences_for(roles_of(author)):
        raise ValidationError(_("You cannot send a notice to that audience."))
    with transaction.atomic():
        notice = Notice.objects.create(author=author, text=text.strip(), audience=audience)
        audit_record(actor=author, action="notice.send", obj=notice, ip=ip, details={"audience": audience})
        transaction.on_commit(lambda: _broadcast_notice(notice))
    return notice


def _broadcast_notice(notice: Notice) -> None:
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(
        notice_group(notice.audience),
        {
            "type": "notice.message",
            "id": notice.pk,
            "text": notice.text,
            "author": notice.author.full_name or notice.author.username,
            "sent_at": notice.created_at.isoformat(),
        },
    )
