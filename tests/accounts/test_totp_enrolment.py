"""A staff member's first authenticator needs a second proof besides the password (accounts/enrolment.py): an
enrolment code HR prints, or one emailed to the person where outgoing mail works."""

from __future__ import annotations

import datetime as dt
import io
import re
from contextlib import redirect_stdout

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.models import ActivationCode, AuditLog
from accounts.roles import Role

PASSWORD = "pw-Secret-123"
NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Ho_Chi_Minh


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(NOW.timestamp()) // 30))


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A code belongs to a 30-second window: on a running clock the window can turn between the code and the post."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _staff_mfa_on(settings):
    settings.REQUIRE_STAFF_MFA = True


@pytest.fixture
def staff(make_user, province):
    return make_user(Role.INVIGILATOR, username="giamthi", unit=province, email="giamthi@example.org")


def set_up_page(user) -> tuple[Client, str, str]:
    """Signed in with the password, sent to set up TOTP, past allauth's re-authentication: the page and its secret."""
    client = Client()
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return client, response.content.decode(), response.context["form"].secret


def activate(client: Client, secret: str, enrolment: str | None = None):
    data = {"code": totp_code(secret)} | ({"enrolment_code": enrolment} if enrolment is not None else {})
    return client.post(reverse("mfa_activate_totp"), data)


def hr_slip(client: Client, hr_user, person) -> str:
    """HR's button on the person's page (HR has passed its own second factor in this session)."""
    client.force_login(hr_user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": NOW.timestamp(), "type": "totp"}]
    session["account_authentication_methods_user"] = str(hr_user.pk)
    session.save()
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Cấp mã đăng ký xác thực hai lớp (in phiếu)" in page
    slip = client.post(reverse("person_activation_code", args=[person.pk]), {"purpose": "enrolment"}).content.decode()
    assert "Phiếu đăng ký xác thực hai lớp" in slip and reverse("mfa_activate_totp") in slip
    return re.search(r'id="activation-code"[^>]*>([A-Z0-9-]+)<', slip).group(1)


@pytest.mark.django_db
def test_the_password_alone_does_not_bind_a_first_authenticator(staff):
    client, page, secret = set_up_page(staff)
    assert "Mã đăng ký xác thực hai lớp" in page
    response = activate(client, secret)  # whoever holds the password, with their own phone
    assert response.status_code == 200 and not Authenticator.objects.filter(user=staff).exists()
    response = activate(client, secret, "AAAA-BBBB-CCCC")
    assert "Mã đăng ký xác thực hai lớp không đúng" in response.content.decode()
    assert not Authenticator.objects.filter(user=staff).exists()


@pytest.mark.django_db(transaction=True)  # allauth announces the activation on commit, inside the request
def test_hr_prints_an_enrolment_code_that_binds_the_first_authenticator_once(client, hr_user, staff):
    code = hr_slip(client, hr_user, staff)
    assert ActivationCode.objects.get(person=staff).purpose == "enrolment"
    assert not AuditLog.objects.filter(action="person.activation_code").exists()
    audit = AuditLog.objects.get(action="person.enrolment_code")
    assert audit.actor == hr_user and code.replace("-", "") not in str(audit.details)
    own, _page, secret = set_up_page(staff)
    assert activate(own, secret, code.lower()).status_code == 302
    assert Authenticator.objects.filter(user=staff, type="totp").exists()
    assert ActivationCode.objects.get(person=staff).used_at is not None
    assert AuditLog.objects.filter(action="account.enrolment_code_used", actor=staff).count() == 1
    assert own.get(reverse("dashboard")).status_code == 200  # the activation is this session's second factor


@pytest.mark.django_db
def test_an_enrolment_code_never_sets_a_password(client, hr_user, staff):
    code = hr_slip(client, hr_user, staff)
    response = Client().post(reverse("activate"), {"login": "giamthi", "code": code, "password1": "Hoa-sen-2026!",
                                                   "password2": "Hoa-sen-2026!"})
    assert response.status_code == 200 and ActivationCode.objects.get(person=staff).used_at is None


@pytest.mark.django_db(transaction=True)
def test_the_person_has_a_code_sent_to_their_email_where_mail_works(settings, staff):
    client, page, secret = set_up_page(staff)
    assert 'id="enrolment-email"' not in page  # no outgoing mail configured: HR's slip only
    response = client.post(reverse("enrolment_code_send"))
    assert "chưa cấu hình gửi thư" in [str(m) for m in get_messages(response.wsgi_request)][0] and not mail.outbox
    settings.OUTGOING_MAIL_ENABLED = True
    client, page, secret = set_up_page(staff)
    assert 'id="enrolment-email"' in page
    response = client.post(reverse("enrolment_code_send"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    [message] = mail.outbox
    assert message.to == ["giamthi@example.org"] and message.subject == "Mã đăng ký xác thực hai lớp của bạn"
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)
    assert activate(client, secret, code).status_code == 302
    assert Authenticator.objects.filter(user=staff, type="totp").exists()


@pytest.mark.django_db(transaction=True)  # the mails leave on commit
def test_emailed_codes_are_limited_per_person(settings, staff):
    settings.OUTGOING_MAIL_ENABLED = True
    client, _page, _secret = set_up_page(staff)
    for _ in range(3):
        client.post(reverse("enrolment_code_send"))
    response = client.post(reverse("enrolment_code_send"))
    assert "chờ 15 phút" in [str(m) for m in get_messages(response.wsgi_request)][-1] and len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_a_candidate_and_a_later_authenticator_need_no_enrolment_code(make_user, settings):
    candidate = make_user(Role.CANDIDATE, username="thisinh")
    client, page, secret = set_up_page(candidate)
    assert "Mã đăng ký xác thực hai lớp" not in page
    assert activate(client, secret).status_code == 302
    settings.REQUIRE_STAFF_MFA = False
    staff = make_user(Role.HR_STAFF, username="nhansu")
    client, page, secret = set_up_page(staff)
    assert activate(client, secret).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_operator_issues_one_for_the_first_staff_account_or_a_superuser(make_user):
    admin = make_user(username="quantri", is_superuser=True)
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("enrolment_code", "QUANTRI", stdout=out)
    code = out.getvalue().strip().splitlines()[-1].removeprefix("code=")
    client, _page, secret = set_up_page(admin)
    assert activate(client, secret, code).status_code == 302
    with pytest.raises(CommandError) as refused:
        call_command("enrolment_code", "quantri", stdout=io.StringIO())
    assert refused.value.returncode == 1  # already has an authenticator
