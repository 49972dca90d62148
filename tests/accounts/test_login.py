import datetime as dt

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role

LOGIN = "/accounts/login/"
TOTP_NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Ho_Chi_Minh


def _login(client: Client, login: str, password: str, ip: str = "10.0.0.7"):
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
class TestLogin:
    def test_it_logs_in_by_username_and_lands_on_the_dashboard(self, client, make_user):
        user = make_user(Role.CANDIDATE, username="thisinh")
        response = _login(client, "thisinh", "pw-Secret-123")
        assert response.status_code == 302 and response.url == reverse("dashboard")
        assert int(client.session["_auth_user_id"]) == user.pk
        assert AuditLog.objects.filter(action="auth.login", actor=user).count() == 1

    def test_it_logs_in_by_email_in_any_case(self, client, make_user):
        user = make_user(Role.CANDIDATE, username="thisinh", email="thi.sinh@example.org")
        response = _login(client, "Thi.Sinh@Example.org", "pw-Secret-123")
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == user.pk

    def test_it_refuses_a_wrong_password_with_a_vietnamese_message(self, client, make_user):
        make_user(Role.CANDIDATE, username="thisinh")
        response = _login(client, "thisinh", "wrong")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_login_page_speaks_vietnamese(self, client):
        html = client.get(LOGIN).content.decode()
        assert '<html lang="vi"' in html
        assert "Đăng nhập" in html and "Mật khẩu" in html

    def test_sign_up_is_closed(self, client):
        response = client.post("/accounts/signup/", {"username": "x", "password1": "Abcdef-123456",
                                                     "password2": "Abcdef-123456"})
        assert response.status_code == 200
        assert "closed" in response.templates[0].name or "signup_closed" in response.templates[0].name
        from accounts.models import User
        assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
class TestRateLimits:
    def test_sixty_people_log_in_from_one_address_within_a_minute(self, make_user):
        users = [make_user(Role.CANDIDATE, username=f"room{n}") for n in range(60)]
        for user in users:
            client = Client()
            response = _login(client, user.username, "pw-Secret-123", ip="203.0.113.5")
            assert response.status_code == 302, user.username
            assert int(client.session["_auth_user_id"]) == user.pk

    def test_it_locks_one_account_after_five_failures_but_not_its_neighbours(self, make_user):
        make_user(Role.CANDIDATE, username="victim")
        make_user(Role.CANDIDATE, username="neighbour")
        attacker = Client()
        for _ in range(5):
            assert _login(attacker, "victim", "wrong", ip="203.0.113.5").status_code == 200
        # Even the right password is refused now, from any address...
        owner = Client()
        locked = _login(owner, "victim", "pw-Secret-123", ip="198.51.100.1")
        assert "_auth_user_id" not in owner.session
        assert "thử lại sau" in locked.content.decode()
        # ...while another account behind the same address signs in normally.
        other = Client()
        assert _login(other, "neighbour", "pw-Secret-123", ip="203.0.113.5").status_code == 302

    def test_the_username_and_the_email_of_one_account_share_its_five_tries(self, make_user):
        make_user(Role.CANDIDATE, username="victim", email="Victim@Example.org")
        attacker = Client()
        for login in ("victim", "VICTIM", "victim@example.org", "Victim@Example.org", "victim"):
            assert _login(attacker, login, "wrong", ip="203.0.113.5").status_code == 200
        for login in ("victim@example.org", "victim"):  # the sixth try, whichever way the account is named
            owner = Client()
            assert "thử lại sau" in _login(owner, login, "pw-Secret-123", ip="198.51.100.1").content.decode(), login
            assert "_auth_user_id" not in owner.session


@pytest.mark.django_db
class TestStaffTwoFactor:
    @override_settings(REQUIRE_STAFF_MFA=True)
    def test_staff_without_an_authenticator_are_sent_to_set_one_up(self, client, hr_user):
        client.force_login(hr_user)
        response = client.get(reverse("people_list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_activate_totp"))
        # The set-up page itself is reachable (after allauth's re-authentication step).
        page = client.get(reverse("mfa_activate_totp"), follow=True)
        assert page.status_code == 200
        assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))

    @override_settings(REQUIRE_STAFF_MFA=True)
    @time_machine.travel(TOTP_NOW, tick=False)  # the code's 30-second window cannot turn before the post
    def test_staff_with_totp_log_in_with_a_code_and_reach_staff_pages(self, client, hr_user):
        secret = generate_totp_secret()
        TOTP.activate(hr_user, secret)
        response = _login(client, "hr", "pw-Secret-123")
        assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        code = format_hotp_value(hotp_value(secret, int(TOTP_NOW.timestamp()) // 30))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302
        assert client.get(reverse("people_list")).status_code == 200

    @override_settings(REQUIRE_STAFF_MFA=True)
    def test_candidates_are_not_asked_for_two_factor(self, client, make_user):
        client.force_login(make_user(Role.CANDIDATE))
        assert client.get(reverse("dashboard")).status_code == 200

    def test_production_mode_enforces_it_by_default(self, settings):
        from exam_platform import settings as real_settings

        assert real_settings.REQUIRE_STAFF_MFA is real_settings.IS_PRODUCTION
