"""Signing up for a contest through its page (docs/contests.md, "Signing up"): the captcha, the account out of HR's
register, a taken CCCD, phone or email refused in words that name no account, the register person who signs in and
joins instead, the number an organiser releases after a dispute, the per-address limit, the long-lived session."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.urls import reverse

from accounts.imports import import_people
from accounts.models import AuditLog, User
from accounts.roles import Role
from contests.models import ContestGroup, Participant
from tests.contests.conftest import CLOSES, NINE
from tests.helpers import person_row, xlsx_bytes

pytestmark = pytest.mark.django_db
BEFORE = NINE - dt.timedelta(days=3)  # sign-ups come before the round opens, too


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's per-address counts live in the cache


@pytest.fixture
def citizens(contest_round):
    return ContestGroup.objects.create(contest=contest_round.contest, name="Nhân dân", order=2)


def signup_url(contest_round) -> str:
    return reverse("contest_signup", args=[contest_round.contest_id])


def solved_captcha(client, url: str) -> dict:
    """Open the page and read its captcha the way a person reads the picture: its answer is in the store."""
    page = client.get(url)
    assert page.status_code == 200
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page.content.decode()).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def form_data(group, **changes) -> dict:
    return {"full_name": "  lê   thị  dân ", "date_of_birth": "02/09/1990", "gender": "Nữ", "phone": "+84 912 000 111",
            "cccd": "087190000111", "email": "", "group": group.pk, "commune": "Phường 1, TP Cao Lãnh",
            "password1": "Hoi-thi-CCHC-2027", "password2": "Hoi-thi-CCHC-2027", "consent": "on", **changes}


def sign_up(client, contest_round, group, **changes):
    url = signup_url(contest_round)
    with time_machine.travel(BEFORE, tick=False):
        return client.post(url, {**form_data(group, **changes), **solved_captcha(client, url)})


def test_a_citizen_signs_up_and_is_signed_in_joined_and_kept_signed_in_for_the_contest(client, contest_round, citizens):
    response = sign_up(client, contest_round, citizens)
    assert response.status_code == 302 and response.url == reverse("contest_public", args=[contest_round.contest_id])
    person = User.objects.get(cccd="087190000111")
    assert (person.username, person.full_name, person.phone, person.date_of_birth, person.gender) == (
        "087190000111", "Lê Thị Dân", "0912000111", dt.date(1990, 9, 2), "Nữ")
    assert person.self_registered and person.check_password("Hoi-thi-CCHC-2027")
    assert Role.PARTICIPANT.value in set(person.groups.values_list("name", flat=True))
    joined = Participant.objects.get(person=person)
    assert (joined.contest_id, joined.group, joined.unit_name) == (contest_round.contest_id, citizens,
                                                                   "Phường 1, TP Cao Lãnh")
    assert int(client.session["_auth_user_id"]) == person.pk
    # signed in once a contest: the session lives a week past the contest's last round, not until the browser closes
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_date() == CLOSES + dt.timedelta(days=7)
    assert AuditLog.objects.filter(action="contest.signup", object_id=str(person.pk)).exists()


def test_a_wrong_captcha_changes_nothing_and_says_nothing_about_the_numbers(client, contest_round, citizens,
                                                                          make_user):
    make_user(cccd="087190000111")  # the CCCD is taken: the page must not say so before the captcha is solved
    people = User.objects.count()
    url = signup_url(contest_round)
    with time_machine.travel(BEFORE, tick=False):
        data = {**form_data(citizens), **solved_captcha(client, url)}
        response = client.post(url, {**data, "captcha_1": "sai"})
        again = client.post(url, data)  # the same picture twice: one try per picture
    for answer in (response, again):
        assert answer.status_code == 400
        text = answer.content.decode()
        assert "không khớp với hình" in text and "đã được một tài khoản sử dụng" not in text
    assert User.objects.count() == people and not Participant.objects.exists()


@pytest.mark.parametrize("taken", ["cccd", "phone", "email"])
def test_a_taken_cccd_phone_or_email_is_refused_in_one_message_naming_no_account(client, contest_round, citizens,
                                                                                  make_user, taken):
    other = make_user(username="nguoi_khac", full_name="Phạm Văn Đã Có", cccd="087190000999", phone="0912999999",
                      email="da.co@example.org")
    mine = {"cccd": {"cccd": "087190000999"}, "phone": {"phone": "0912 999 999"},
            "email": {"email": "DA.CO@example.org"}}[taken]
    people = User.objects.count()
    response = sign_up(client, contest_round, citizens, **mine)
    text = response.content.decode()
    assert response.status_code == 400
    assert "CCCD, số điện thoại hoặc email này đã được một tài khoản sử dụng" in text
    for detail in (other.full_name, other.username, "da.co@", "0912999999", "087190000999"[-4:] + "<"):
        assert detail not in text
    assert User.objects.count() == people and not Participant.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_person_of_the_register_signs_in_and_joins_creating_nothing(client, contest_round, citizens, make_user):
    """The register person cannot sign up with their CCCD (told to sign in); signed in, they join the contest."""
    servant = make_user(Role.CANDIDATE, username="087185000001", cccd="087185000001", full_name="Trần Công Chức",
                        phone="0913000001")
    people = User.objects.count()
    assert sign_up(client, contest_round, citizens, cccd="087185000001").status_code == 400
    with time_machine.travel(BEFORE, tick=False):
        signed_in = client.post(reverse("account_login"), {"login": "087185000001", "password": "pw-Secret-123"})
        assert signed_in.status_code == 302
        assert client.session.get_expire_at_browser_close()  # not a participant yet
        joined = client.post(reverse("contest_join", args=[contest_round.contest_id]),
                             {"group": citizens.pk, "commune": "Xã Mỹ Tân", "consent": "on"})
        assert joined.status_code == 302
        assert client.session.get_expiry_date() == CLOSES + dt.timedelta(days=7)
        client.logout()
        client.post(reverse("account_login"), {"login": "087185000001", "password": "pw-Secret-123"})
        assert client.session.get_expiry_date() == CLOSES + dt.timedelta(days=7)  # and at every later sign-in
    assert User.objects.count() == people
    assert Participant.objects.get().person == servant
    assert not User.objects.get(pk=servant.pk).self_registered


def test_staff_who_take_part_keep_sessions_that_end_with_the_browser(client, contest_round, citizens, make_user):
    officer = make_user(Role.HR_STAFF, username="can_bo_nhan_su")
    Participant.objects.create(contest=contest_round.contest, person=officer, group=citizens, full_name="x",
                               unit_name="Xã A", consent_at=BEFORE)
    with time_machine.travel(BEFORE, tick=False):
        client.post(reverse("account_login"), {"login": "can_bo_nhan_su", "password": "pw-Secret-123"})
    assert client.session.get_expire_at_browser_close()


def test_signed_up_accounts_stay_out_of_hrs_register_until_an_import_takes_them_in(client, contest_round, citizens,
                                                                                   hr_user, province):
    sign_up(client, contest_round, citizens, cccd="087185000003")
    person = User.objects.get(cccd="087185000003")
    person.unit = province  # even inside HR's scope
    person.save()
    client.force_login(hr_user)
    listed = client.get(reverse("people_list"), {"q": "Dân"})
    assert "Lê Thị Dân" not in listed.content.decode()
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404
    # HR's file has the same CCCD: the register takes the account over; whoever typed that CCCD at sign-up no longer
    # holds it (no password until HR's activation code), the participation stays with the account
    with time_machine.travel(BEFORE, tick=False):
        result = import_people(xlsx_bytes([person_row(3, **{"Họ và tên": "Lê Thị Dân"})]), actor=hr_user,
                               dry_run=False)
    assert result.applied and result.adopted == 1 and result.created == 0
    person.refresh_from_db()
    assert not person.self_registered and not person.has_usable_password()
    assert person.email == "mau3@example.org" and Participant.objects.get().person == person
    assert "Lê Thị Dân" in client.get(reverse("people_list"), {"q": "Dân"}).content.decode()


def test_an_organiser_releases_a_disputed_number_and_its_holder_signs_up(client, contest_round, citizens, make_user):
    sign_up(client, contest_round, citizens, cccd="087190000555", phone="0912000555")  # not the holder's own CCCD
    impostor = User.objects.get(cccd="087190000555")
    client.logout()
    organiser = make_user(Role.CONTEST_ORGANISER, username="btc")
    page = reverse("contest_number_release", args=[contest_round.contest_id])
    client.force_login(organiser)
    found = client.post(page, {"number": "087190000555", "action": "find"})
    assert found.status_code == 200 and "Lê Thị Dân" in found.content.decode()
    no_reason = client.post(page, {"number": "087190000555", "action": "release", "reason": " "})
    assert no_reason.status_code == 400 and User.objects.get(pk=impostor.pk).cccd == "087190000555"
    released = client.post(page, {"number": "087190000555", "action": "release",
                                  "reason": "Chủ CCCD mang căn cước đến Sở đối chiếu"})
    assert released.status_code == 302
    impostor.refresh_from_db()
    assert impostor.cccd is None and impostor.username == f"ts{impostor.pk}" and impostor.phone == "0912000555"
    audit = AuditLog.objects.get(action="contest.number_release")
    assert audit.actor == organiser and "087190000555" not in str(audit.details)
    client.logout()
    owner = sign_up(client, contest_round, citizens, cccd="087190000555", phone="0912000556",
                    full_name="Võ Văn Chủ")
    assert owner.status_code == 302 and User.objects.get(cccd="087190000555").full_name == "Võ Văn Chủ"
    # a number of the people register is HR's to correct
    make_user(cccd="087185000009", phone="0913000009")
    client.force_login(organiser)
    refused = client.post(page, {"number": "0913000009", "action": "release", "reason": "Tranh chấp"})
    assert refused.status_code == 400 and "phòng nhân sự" in refused.content.decode().lower()


def test_under_the_minimum_age_a_guardian_consents(client, contest_round, citizens):
    young = {"date_of_birth": "01/01/2015"}
    assert sign_up(client, contest_round, citizens, **young).status_code == 400
    assert not User.objects.filter(self_registered=True).exists()
    assert sign_up(client, contest_round, citizens, **young, guardian="Lê Văn Cha").status_code == 302
    assert Participant.objects.get().guardian == "Lê Văn Cha"


def test_sign_up_is_limited_per_address(client, contest_round, citizens, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    responses = []
    for n in range(3):
        responses.append(sign_up(client, contest_round, citizens, cccd=f"08719000012{n}", phone=f"091200012{n}"))
        client.logout()
    assert [r.status_code for r in responses] == [302, 302, 429]
    assert "Quá nhiều lần thử" in responses[2].content.decode()
    assert User.objects.filter(self_registered=True).count() == 2


def test_sign_up_opens_for_a_contest_page_only_and_closes_with_its_last_round(client, contest_round, citizens):
    assert "signup-form" not in client.get(reverse("account_signup")).content.decode()
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        closed = client.get(signup_url(contest_round))
    assert "signup-form" not in closed.content.decode() and "captcha" not in closed.content.decode()
    assert not CaptchaStore.objects.exists()
