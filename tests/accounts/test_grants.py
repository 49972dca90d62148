"""What a person's roles grant is remembered between their requests (accounts/grants.py) and forgotten the moment
it changes: a role taken away, a permission taken from a role, a role deleted, a superuser flag."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.grants import remembered
from accounts.models import User
from accounts.permissions import roles_of
from accounts.roles import Role

PERM = "accounts.view_people_register"


def _next_request(user) -> User:
    """The user as the next request loads it: a new object, nothing cached on it."""
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_persons_grants_are_read_once_then_remembered_between_requests(make_user):
    hr = make_user(Role.HR_STAFF)
    first = _next_request(hr)
    with CaptureQueriesContext(connection) as asked:
        assert first.has_perm(PERM) and roles_of(first) == {Role.HR_STAFF.value}
    assert len(asked) == 3  # their roles, their own permissions, their roles' permissions
    again = _next_request(hr)
    with CaptureQueriesContext(connection) as asked:
        assert again.has_perm(PERM) and not again.has_perm("accounts.delete_user")
        assert roles_of(again) == {Role.HR_STAFF.value}
    assert len(asked) == 0


@pytest.mark.django_db
def test_a_change_of_roles_or_of_what_a_role_grants_is_seen_by_the_next_request(make_user):
    hr = make_user(Role.HR_STAFF)
    group = Group.objects.get(name=Role.HR_STAFF.value)
    assert _next_request(hr).has_perm(PERM)

    hr.groups.remove(group)  # the role taken away
    user = _next_request(hr)
    assert not user.has_perm(PERM) and roles_of(user) == frozenset()

    hr.groups.add(group)
    assert _next_request(hr).has_perm(PERM)
    group.permissions.remove(Permission.objects.get(codename="view_people_register"))  # taken from the role
    assert not _next_request(hr).has_perm(PERM)

    group.permissions.add(Permission.objects.get(codename="view_people_register"))
    assert _next_request(hr).has_perm(PERM)
    group.delete()  # its links go without an m2m signal
    user = _next_request(hr)
    assert not user.has_perm(PERM) and roles_of(user) == frozenset()

    User.objects.filter(pk=hr.pk).update(is_superuser=True)  # the flag is part of what is remembered
    assert _next_request(hr).has_perm(PERM)


@pytest.mark.django_db(transaction=True)
def test_a_reading_made_before_a_change_committed_is_not_found_after_it(make_user):
    participant = make_user(None)
    group = Group.objects.get(name=Role.HR_STAFF.value)
    with transaction.atomic():
        participant.groups.add(group)
        # Another request reads the database as it stood before this commits, and remembers it.
        stale = _next_request(participant)
        remembered(stale, "roles", lambda: frozenset())
        remembered(stale, "group", lambda: frozenset())
        assert roles_of(_next_request(participant)) == frozenset()
    user = _next_request(participant)
    assert roles_of(user) == {Role.HR_STAFF.value} and user.has_perm(PERM)
