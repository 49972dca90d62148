import pytest
import rules

from accounts.permissions import has_role, register, roles_of, unit_in_scope
from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.services import unit_create


@pytest.mark.django_db
def test_an_app_registers_an_object_rule_and_has_perm_follows_it(make_user):
    owner = make_user(Role.QUESTION_AUTHOR)
    other = make_user(Role.QUESTION_AUTHOR)

    class Thing:
        def __init__(self, author):
            self.author = author

    @rules.predicate
    def is_author(user, thing):
        return thing is not None and thing.author == user

    register("tests.edit_thing", has_role(Role.QUESTION_AUTHOR) & is_author)
    try:
        thing = Thing(owner)
        assert owner.has_perm("tests.edit_thing", thing)
        assert not other.has_perm("tests.edit_thing", thing)
        assert not make_user(Role.CANDIDATE).has_perm("tests.edit_thing", Thing(owner))
    finally:
        rules.remove_perm("tests.edit_thing")


@pytest.mark.django_db
def test_every_role_group_exists_with_exactly_its_permissions(make_user):
    from django.contrib.auth.models import Group

    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=str(role))
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(perms), role
    user = make_user(Role.MARKER)
    assert roles_of(user) == {"marker"}


@pytest.mark.django_db
def test_scope_covers_the_unit_and_everything_below_it(province):
    district = unit_create(name="UBND huyện A", parent=province)
    commune = unit_create(name="UBND xã B", parent=district)
    sibling = unit_create(name="UBND huyện C", parent=province)
    assert unit_in_scope(district, commune) and unit_in_scope(district, district)
    assert not unit_in_scope(district, sibling) and not unit_in_scope(district, province)
    assert unit_in_scope(province, None) and not unit_in_scope(district, None)
    assert not unit_in_scope(None, commune)


def test_accounts_never_imports_the_apps_above_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "accounts"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for app in ("exams", "courses", "contests"):
            assert f"from {app}" not in text and f"import {app}" not in text, path
