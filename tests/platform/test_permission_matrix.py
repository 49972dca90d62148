"""Every URL pattern × every role against an explicit table. A new URL without a row fails the test."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from accounts.roles import Role
from accounts.services import unit_create

ANON = "anonymous"
ROLES = [ANON, *[r.value for r in Role]]
STAFF = [r.value for r in Role if r.value not in (ANON,)]

OK = 200
LOGIN = "login"      # 302 to the login page
AWAY = "redirect"    # 302 somewhere else (e.g. already signed in, or re-authentication first)
DENIED = 403
HIDDEN = 404


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {ANON: anonymous, **dict.fromkeys(STAFF, outcome)}


def only(allowed: dict[str, object], others=DENIED, anonymous=LOGIN):
    table = {ANON: anonymous, **dict.fromkeys(STAFF, others)}
    table.update(allowed)
    return table


HR = Role.HR_STAFF.value
COUNCIL = Role.COUNCIL_MEMBER.value

# (url name, variant) -> (method, kwargs key, {role: expected})
MATRIX: dict[tuple[str, str], tuple[str, str | None, dict]] = {
    ("home", ""): ("get", None, {ANON: "redirect-login", **dict.fromkeys(STAFF, AWAY)}),
    ("healthz", ""): ("get", None, everyone(OK)),
    ("livez", ""): ("get", None, everyone(OK)),
    ("set_language", ""): ("post", None, everyone(AWAY)),
    ("account_login", ""): ("get", None, {ANON: OK, **dict.fromkeys(STAFF, AWAY)}),
    ("account_logout", ""): ("get", None, signed_in(OK)),
    ("account_inactive", ""): ("get", None, everyone(OK)),
    ("account_signup", ""): ("get", None, {ANON: OK, **dict.fromkeys(STAFF, AWAY)}),  # "sign-up closed" page
    ("account_reauthenticate", ""): ("get", None, signed_in(OK)),
    ("account_request_reauthentication_code", ""): ("get", None, signed_in(AWAY)),  # codes are off
    ("account_confirm_reauthentication_code", ""): ("get", None, signed_in(AWAY)),
    ("account_email", ""): ("get", None, signed_in(OK)),
    ("account_email_verification_sent", ""): ("get", None, everyone(OK)),
    ("account_change_password", ""): ("get", None, signed_in(OK)),
    ("account_set_password", ""): ("get", None, signed_in(AWAY)),
    ("account_reset_password", ""): ("get", None, everyone(OK)),
    ("account_confirm_login_code", ""): ("get", None, signed_in(AWAY)),
    ("account_confirm_email", ""): ("get", "key", everyone(OK)),
    ("account_reset_password_from_key_done", ""): ("get", None, everyone(OK)),
    ("account_reset_password_from_key", ""): ("get", "reset", everyone(OK)),  # "bad token" page
    ("account_reset_password_done", ""): ("get", None, everyone(OK)),
    ("mfa_index", ""): ("get", None, signed_in(OK)),
    ("mfa_authenticate", ""): ("get", None, signed_in(AWAY)),  # only mid-login
    ("mfa_reauthenticate", ""): ("get", None, signed_in(AWAY)),  # no authenticator yet
    ("mfa_activate_totp", ""): ("get", None, signed_in(AWAY)),   # re-authentication first
    ("mfa_deactivate_totp", ""): ("get", None, signed_in(HIDDEN)),  # nothing to deactivate
    ("mfa_view_recovery_codes", ""): ("get", None, signed_in(HIDDEN)),
    ("mfa_generate_recovery_codes", ""): ("get", None, signed_in(AWAY)),
    ("mfa_download_recovery_codes", ""): ("get", None, signed_in(HIDDEN)),
    ("dashboard", ""): ("get", None, signed_in(OK)),
    ("my_profile", ""): ("get", None, signed_in(OK)),
    ("people_list", ""): ("get", None, only({HR: OK})),
    ("people_import", ""): ("get", None, only({HR: OK})),
    ("people_import_template", ""): ("get", None, only({HR: OK})),
    ("person_detail", ""): ("get", "person", only({HR: OK})),
    ("person_detail", "outside HR scope"): ("get", "outsider", only({HR: HIDDEN})),
    ("person_edit", ""): ("get", "person", only({HR: OK})),
    ("person_edit", "outside HR scope"): ("get", "outsider", only({HR: HIDDEN})),
    ("unit_list", ""): ("get", None, only({HR: OK})),
    ("audit_list", ""): ("get", None, only({HR: OK, COUNCIL: OK})),
    ("profile_edit", ""): ("get", None, only({HR: OK})),
    ("notice_send", ""): ("post", None, only({HR: AWAY, Role.COURSE_MANAGER.value: AWAY,
                                              Role.CONTEST_ORGANISER.value: AWAY})),
}


def all_url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    in_table = {name for name, _ in MATRIX}
    names = all_url_names()
    assert None not in names, "every URL pattern needs a name so the matrix can list it"
    assert names - in_table == set(), "URL patterns missing from the permission matrix"
    assert in_table - names == set(), "rows for URLs that no longer exist"
    for _key, (_method, _kwargs, table) in MATRIX.items():
        assert set(table) == set(ROLES)


@pytest.fixture
def world(db, make_user, province):
    inside = unit_create(name="Sở Nội vụ", parent=province, code="SNV")
    other_root = unit_create(name="UBND tỉnh Khác", parent=None, code="K")
    users = {ANON: None}
    for role in Role:
        scope = {"hr_scope": province} if role == Role.HR_STAFF else {}
        users[role.value] = make_user(role.value, username=f"r_{role.value}", unit=inside, **scope)
    person = make_user(username="someone", unit=inside)
    outsider = make_user(username="outsider", unit=unit_create(name="Sở X", parent=other_root, code="KX"))
    kwargs = {
        None: {},
        "person": {"pk": person.pk},
        "outsider": {"pk": outsider.pk},
        "key": {"key": "not-a-real-key"},
        "reset": {"uidb36": "0", "key": "not-a-real-key"},
    }
    return users, kwargs


def _outcome(response) -> object:
    if response.status_code == 302:
        return "redirect-login" if response.url.startswith(reverse("account_login")) else AWAY
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(MATRIX), ids=[f"{n}{'/' + v if v else ''}" for n, v in MATRIX])
def test_each_role_gets_exactly_what_the_table_says(client, world, key):
    users, kwargs = world
    name, _variant = key
    method, kwargs_key, table = MATRIX[key]
    url = reverse(name, kwargs=kwargs[kwargs_key])
    mismatches = {}
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        data = {"language": "vi", "next": "/"} if name == "set_language" else {"text": "Xin chào"}
        response = client.post(url, data) if method == "post" else client.get(url)
        got = _outcome(response)
        expected = table[role]
        if expected == LOGIN:
            expected = "redirect-login"
        if got != expected:
            mismatches[role] = (expected, got)
    assert mismatches == {}
