"""In a real browser: HR gives a person an activation code, the person chooses a password and signs in; a candidate
signed in with the exam-room login reaches only their exam's pages."""

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import django_shell
from tests.e2e.test_question_author_journey import login

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Sen-hong-Dong-Thap-2026"

# A person of the demo register, imported without a password (their login name is their CCCD number).
NEWCOMER = """
import json
from accounts.models import User
person = User.objects.filter(cccd__isnull=False, groups__isnull=True, activation_codes__isnull=True,
                             password__startswith="!").order_by("-pk").first()
print(json.dumps({"pk": person.pk, "username": person.username, "name": person.full_name,
                  "usable": person.has_usable_password()}))
"""

# The demo exam's computer sitting opened now (as the exam-day journey does), and a candidate's login slip.
EXAM_ROOM = """
import datetime as dt, json
from django.utils import timezone
from exams.models import Registration, Sitting
from exams.sessions.services import exam_passwords_ensure
sitting = Sitting.objects.get(subject__code="KTC", subject__exam__name__contains="(demo)")
now = timezone.now()
Sitting.objects.filter(pk=sitting.pk).update(starts_at=now - dt.timedelta(minutes=1), opens_at=now - dt.timedelta(minutes=30),
                                             ends_at=now + dt.timedelta(minutes=59))
exam_passwords_ensure(exam=sitting.subject.exam)
r = Registration.objects.filter(exam=sitting.subject.exam).exclude(person__username="demo_candidate").order_by(
    "-candidate_number").first()
print(json.dumps({"number": r.candidate_number, "password": r.exam_password, "name": r.person.full_name}))
"""


def test_hr_issues_an_activation_code_and_the_person_chooses_a_password(browser: Browser, live_app, shot):
    person = json.loads(django_shell(live_app, NEWCOMER))
    assert not person["usable"]
    hr = browser.new_page(viewport={"width": 1366, "height": 900})
    login(hr, live_app, "demo_hr")
    hr.goto(f"{live_app['url']}/people/{person['pk']}/")
    expect(hr.locator("#activation")).to_contain_text("chưa có mật khẩu")
    shot(hr, "70-person-activation")
    hr.get_by_role("button", name="Cấp mã kích hoạt (in phiếu)").click()
    expect(hr.locator(".activation-slip")).to_contain_text("Phiếu kích hoạt tài khoản")
    code = hr.locator("#activation-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    expect(hr.locator(".activation-slip")).to_contain_text(person["username"])
    shot(hr, "71-activation-slip")

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_app['url']}/activate/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_label("Tên đăng nhập hoặc số CCCD").fill(person["username"])
    page.get_by_label("Mã kích hoạt").fill(code.lower())
    page.get_by_label(re.compile(r"^Mật khẩu mới")).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    shot(page, "72-activate")
    page.get_by_role("button", name="Kích hoạt").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator(".messages")).to_contain_text("Tài khoản của bạn đã được kích hoạt")
    shot(page, "73-activated")

    page.get_by_label("Tài khoản").fill(person["username"])
    page.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    again = browser.new_page()  # the code worked once
    again.goto(f"{live_app['url']}/activate/")
    again.get_by_label("Tên đăng nhập hoặc số CCCD").fill(person["username"])
    again.get_by_label("Mã kích hoạt").fill(code)
    again.get_by_label(re.compile(r"^Mật khẩu mới")).fill("Mot-mat-khau-khac-9")
    again.get_by_label("Nhập lại mật khẩu mới").fill("Mot-mat-khau-khac-9")
    again.get_by_role("button", name="Kích hoạt").click()
    expect(again.locator(".errorlist")).to_contain_text("đã được dùng")


def test_an_exam_room_login_opens_only_the_candidates_exam_pages(page: Page, live_app, shot):
    slip = json.loads(django_shell(live_app, EXAM_ROOM))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_app['url']}/exam-login/")
    page.get_by_label("Số báo danh").fill(slip["number"])
    page.get_by_label("Mật khẩu dự thi").fill(slip["password"])
    page.get_by_role("button", name="Vào phòng thi").click()
    expect(page).to_have_url(re.compile(r"/my-exams/$"))
    nav = page.locator("nav.main-nav")
    expect(nav).to_have_text(re.compile(r"^\s*Kỳ thi của tôi\s*$"))
    expect(page.locator(".site-header")).to_contain_text(slip["name"])
    shot(page, "74-exam-room-my-exams")
    for path in ("/dashboard/", "/me/", "/accounts/password/change/", "/accounts/password/set/", "/accounts/2fa/",
                 "/people/"):
        page.goto(f"{live_app['url']}{path}")
        expect(page).to_have_url(re.compile(r"/my-exams/$"))
        expect(page.locator(".messages")).to_contain_text("Đăng nhập phòng thi chỉ mở các trang của kỳ thi")
    shot(page, "75-exam-room-refused")
    page.get_by_role("link", name="Vào phòng thi").first.click()
    expect(page).to_have_url(re.compile(r"/sittings/\d+/enter/$"))
    shot(page, "76-exam-room-code-page")
