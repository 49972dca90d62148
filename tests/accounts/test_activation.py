"""A first permanent password comes from a single-use activation code (accounts/activation.py): HR issues it on the
person's page (a printed slip, or an emailed link where mail works), the person redeems it once within 7 days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import ActivationCode, AuditLog, User
from accounts.roles import Role

GOOD = "Hoa-sen-2026!"
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def newcomer(make_user, province):
    """Imported by HR: no password yet."""
    person = make_user(Role.CANDIDATE, username="nguyenvana", full_name="Nguyễn Văn A", unit=province,
                       cccd="087185000123", email="a@example.org")
    person.set_unusable_password()
    person.save()
    return person


def issue(client, person) -> str:
    """HR's button on the person's page; the code as the slip shows it."""
    response = client.post(reverse("person_activation_code", args=[person.pk]))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    return re.search(r'id="activation-code"[^>]*>([A-Z0-9-]+)<', response.content.decode()).group(1)


def redeem(client, login: str, code: str, password: str = GOOD, ip: str = "10.0.0.9"):
    return client.post(reverse("activate"), {"login": login, "code": code, "password1": password,
                                             "password2": password}, REMOTE_ADDR=ip)


def signs_in(username: str, password: str = GOOD) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": username, "password": password})
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_hr_issues_a_code_shown_once_on_a_printable_slip_and_stored_hashed(client, hr_user, newcomer):
    client.force_login(hr_user)
    page = client.get(reverse("person_detail", args=[newcomer.pk])).content.decode()
    assert "Cấp mã kích hoạt (in phiếu)" in page and "chưa có mật khẩu" in page
    assert "Gửi đường dẫn kích hoạt" not in page  # no outgoing mail configured here
    code = issue(client, newcomer)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    record = ActivationCode.objects.get(person=newcomer)
    assert code.replace("-", "") not in record.code_hash and check_password(code.replace("-", ""), record.code_hash)
    assert record.channel == "printed" and record.issued_by == hr_user
    assert record.expires_at - record.issued_at == dt.timedelta(days=7)
    audit = AuditLog.objects.get(action="person.activation_code", object_id=str(newcomer.pk))
    assert audit.actor == hr_user and code.replace("-", "") not in str(audit.details)
    slip = client.post(reverse("person_activation_code", args=[newcomer.pk])).content.decode()
    assert "Phiếu kích hoạt tài khoản" in slip and "nguyenvana" in slip and "/activate/" in slip
    page = client.get(reverse("person_detail", args=[newcomer.pk])).content.decode()
    assert code not in page and "Cấp mã mới sẽ hủy mã này" in page  # the code itself is never shown again


@pytest.mark.django_db
def test_the_person_redeems_it_once_then_signs_in_normally(client, hr_user, newcomer):
    client.force_login(hr_user)
    code = issue(client, newcomer)
    person = Client()
    assert "Mã kích hoạt" in person.get(reverse("activate")).content.decode()
    response = redeem(person, "nguyenvana", code.lower())  # read off paper: case and dashes do not matter
    assert response.status_code == 302 and response.url == reverse("account_login")
    assert signs_in("nguyenvana")
    assert ActivationCode.objects.get(person=newcomer).used_at is not None
    assert AuditLog.objects.filter(action="account.activate", actor=newcomer).count() == 1
    again = redeem(Client(), "nguyenvana", code, password="Khac-hoan-toan-9")
    assert again.status_code == 200 and "đã được dùng" in again.content.decode()
    assert signs_in("nguyenvana") and not signs_in("nguyenvana", "Khac-hoan-toan-9")


@pytest.mark.django_db
def test_the_cccd_number_works_as_the_login_and_weak_passwords_keep_the_code(client, hr_user, newcomer):
    client.force_login(hr_user)
    code = issue(client, newcomer)
    weak = redeem(Client(), "087185000123", code, password="12345678")
    assert weak.status_code == 200 and not User.objects.get(pk=newcomer.pk).has_usable_password()
    assert ActivationCode.objects.get(person=newcomer).used_at is None
    assert redeem(Client(), "087185000123", code).status_code == 302
    assert signs_in("nguyenvana")


@pytest.mark.django_db
def test_a_new_code_voids_the_previous_one(client, hr_user, newcomer):
    client.force_login(hr_user)
    first = issue(client, newcomer)
    second = issue(client, newcomer)
    assert redeem(Client(), "nguyenvana", first).status_code == 200
    assert ActivationCode.objects.filter(person=newcomer, voided_at__isnull=False).count() == 1
    assert redeem(Client(), "nguyenvana", second).status_code == 302


@pytest.mark.django_db
def test_a_code_works_only_within_seven_days(client, hr_user, newcomer):
    client.force_login(hr_user)
    with time_machine.travel(NOW, tick=False):
        late = issue(client, newcomer)
    with time_machine.travel(NOW + dt.timedelta(days=7, seconds=1), tick=False):
        response = redeem(Client(), "nguyenvana", late)
        assert response.status_code == 200 and "hết hạn" in response.content.decode()
        in_time = issue(client, newcomer)
    with time_machine.travel(NOW + dt.timedelta(days=14), tick=False):
        assert redeem(Client(), "nguyenvana", in_time).status_code == 302
    assert signs_in("nguyenvana")


@pytest.mark.django_db
def test_wrong_codes_lock_that_account_at_that_address_only_and_not_a_room_behind_it(client, hr_user, newcomer,
                                                                                       make_user):
    client.force_login(hr_user)
    with time_machine.travel(NOW, tick=False):  # the lock's window is the server's clock, frozen here
        code = issue(client, newcomer)
        for _ in range(5):  # a stranger who knows the login name (or the CCCD: the same person, the same lock)
            assert redeem(Client(), "087185000123", "AAAA-BBBB-CCCC", ip="203.0.113.5").status_code == 200
        locked = redeem(Client(), "nguyenvana", code, ip="203.0.113.5")  # even the right code, from that address
        assert "chờ 15 phút" in locked.content.decode() and not signs_in("nguyenvana")
        room = [make_user(Role.CANDIDATE, username=f"phong{n}") for n in range(40)]
        codes = [issue(client, person) for person in room]
        for person, person_code in zip(room, codes, strict=True):  # a whole exam room behind one NAT address
            assert redeem(Client(), person.username, person_code, ip="203.0.113.5").status_code == 302, person
        code = issue(client, newcomer)
        assert redeem(Client(), "nguyenvana", code, ip="198.51.100.1").status_code == 302  # the person, elsewhere
    assert signs_in("nguyenvana")


@pytest.mark.django_db
def test_a_lock_lifts_after_its_window(client, hr_user, newcomer):
    client.force_login(hr_user)
    with time_machine.travel(NOW, tick=False):
        code = issue(client, newcomer)
        for _ in range(5):
            redeem(Client(), "nguyenvana", "AAAA-BBBB-CCCC")
        assert "chờ 15 phút" in redeem(Client(), "nguyenvana", code).content.decode()
    with time_machine.travel(NOW + dt.timedelta(minutes=16), tick=False):
        assert redeem(Client(), "nguyenvana", code).status_code == 302


@pytest.mark.django_db
def test_hr_issues_codes_only_within_their_scope_and_never_for_a_superuser(client, hr_user, make_user):
    from accounts.services import unit_create

    outside = make_user(unit=unit_create(name="Tỉnh khác", parent=None, code="K"))
    boss = make_user(unit=hr_user.hr_scope, is_superuser=True)
    candidate = make_user(Role.CANDIDATE)
    client.force_login(hr_user)
    assert client.post(reverse("person_activation_code", args=[outside.pk])).status_code == 404
    assert client.post(reverse("person_activation_code", args=[boss.pk])).status_code == 404
    client.force_login(candidate)
    assert client.post(reverse("person_activation_code", args=[candidate.pk])).status_code == 403
    assert not ActivationCode.objects.exists()


@pytest.mark.django_db(transaction=True)  # the mail leaves once the code is committed
def test_an_emailed_link_where_outgoing_mail_is_configured(client, hr_user, newcomer, settings):
    settings.OUTGOING_MAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(hr_user)
    assert "Gửi đường dẫn kích hoạt tới a@example.org" in client.get(
        reverse("person_detail", args=[newcomer.pk])).content.decode()
    response = client.post(reverse("person_activation_email", args=[newcomer.pk]))
    assert response.status_code == 302 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.org"] and message.subject == "Kích hoạt tài khoản"
    link = re.search(r"http://testserver(/activate/\d+/[A-Z0-9]+/)", message.body).group(1)
    assert "nguyenvana" in message.body and "chỉ dùng được một lần" in message.body
    assert ActivationCode.objects.get(person=newcomer).channel == "email"
    person = Client()
    assert "<strong>nguyenvana</strong>" in person.get(link).content.decode()
    assert person.post(link, {"password1": GOOD, "password2": GOOD}).url == reverse("account_login")
    assert signs_in("nguyenvana")
    assert person.get(link).status_code == 410


@pytest.mark.django_db
def test_no_link_is_sent_without_outgoing_mail_or_without_an_email(client, hr_user, newcomer, make_user, settings):
    client.force_login(hr_user)
    client.post(reverse("person_activation_email", args=[newcomer.pk]))
    settings.OUTGOING_MAIL_ENABLED = True
    no_email = make_user(unit=hr_user.hr_scope)
    client.post(reverse("person_activation_email", args=[no_email.pk]))
    assert mail.outbox == [] and not ActivationCode.objects.exists()


@pytest.mark.django_db
def test_a_session_alone_no_longer_sets_a_password_on_allauths_page(client, hr_user, newcomer):
    client.force_login(newcomer)  # however it came by a session
    url = reverse("account_set_password")
    assert "Mã kích hoạt" in client.get(url).content.decode()
    response = client.post(url, {"password1": GOOD, "password2": GOOD})
    assert response.status_code == 200 and not User.objects.get(pk=newcomer.pk).has_usable_password()
    hr = Client()
    hr.force_login(hr_user)
    code = issue(hr, newcomer)
    assert client.post(url, {"code": "AAAA-BBBB-CCCC", "password1": GOOD, "password2": GOOD}).status_code == 200
    assert not User.objects.get(pk=newcomer.pk).has_usable_password()
    assert client.post(url, {"code": code, "password1": GOOD, "password2": GOOD}).status_code == 302
    assert User.objects.get(pk=newcomer.pk).check_password(GOOD)
    assert ActivationCode.objects.get(person=newcomer).used_at is not None
