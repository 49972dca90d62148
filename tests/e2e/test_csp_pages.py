"""Every demo role's pages, allauth's and Django's own pages, under the real Content-Security-Policy.

The journeys cover what people do; these tests cover what they can open: each demo account walks the links it is
shown (one page of each kind) and the pages no link leads to, and a test fails at teardown on any violation
(tests/e2e/conftest.py). Chromium reports an inline event handler only when it runs, so each page is also read for
markup the policy would refuse (style and on… attributes, inline scripts and style blocks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import time
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import django_shell
from tests.e2e.test_question_author_journey import login, logout

pytestmark = pytest.mark.e2e

# Files (downloads, scans, images) and what is not a page to read (signing out, the language switch).
NOT_A_PAGE = re.compile(r"\.(xlsx|csv|pdf|docx)$|/scans/\d+/$|^/media/|^/accounts/logout/|^/i18n/")
MAX_PAGES = 60
MAX_DEPTH = 4

# What the policy refuses, found in the markup: Chromium only reports an inline handler once it runs. JSON data
# (json_script, allauth's data-allauth-onload) is not a script; <template> content is inert and not searched.
INLINE_MARKUP = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name === "style" || attr.name.startsWith("on")) found.push(el.outerHTML.slice(0, 160));
    }
    if (el.tagName === "SCRIPT" && !el.src && !/json/.test(el.type)) found.push(el.outerHTML.slice(0, 160));
    if (el.tagName === "STYLE") found.push(el.outerHTML.slice(0, 160));
    const target = el.getAttribute("href") || el.getAttribute("action") || "";
    if (/^\\s*javascript:/i.test(target)) found.push(el.outerHTML.slice(0, 160));
  }
  return found;
}"""

# Pages no link leads to (statistics), or only from a page of a kind already seen (each exam's results).
PAGES_WITHOUT_LINKS = """
import json
from exams.models import Exam, Paper, Question
pages = []
for exam in Exam.objects.filter(name__contains="(demo").order_by("pk"):
    pages += [f"/exams/{exam.pk}/statistics/", f"/exams/{exam.pk}/results/", f"/exams/{exam.pk}/results/versions/",
              f"/exams/{exam.pk}/appeals/", f"/exams/{exam.pk}/quotas/", f"/exams/{exam.pk}/scores/import/"]
paper = Paper.objects.order_by("pk").first()
question = Question.objects.filter(is_current=True).order_by("pk").first()
published = Exam.objects.filter(name__contains="(demo", result_versions__status="published").first()
print(json.dumps({"demo_hr": pages, "demo_author": [f"/papers/{paper.pk}/", f"/paper-sets/{paper.paper_set_id}/",
                  f"/blueprints/{paper.paper_set.blueprint_id}/", f"/questions/{question.pk}/edit/"],
                  "statistics": f"/exams/{published.pk}/statistics/"}))
"""

# The kind of page each role must have reached (so a walk that stops early cannot pass unseen).
MUST_REACH = {
    "demo_hr": ["/people/N/", "/people/N/edit/", "/units/", "/people/import/", "/exams/N/candidates/",
                "/exams/N/statistics/", "/exams/N/results/", "/organisation/", "/audit/"],
    "demo_council": ["/exams/N/results/", "/banks/N/"],
    "demo_author": ["/banks/N/", "/questions/N/", "/banks/N/import/", "/banks/N/questions/new/", "/papers/N/",
                    "/paper-sets/N/", "/blueprints/N/", "/questions/N/edit/"],
    "demo_invigilator": ["/invigilation/", "/sittings/N/rooms/N/console/"],
    "demo_marker": ["/marking/", "/markings/N/", "/subjects/N/marking/"],
    "demo_candidate": ["/my-exams/", "/my-exams/N/result/", "/sittings/N/enter/"],
}
ROLES = ["demo_hr", "demo_council", "demo_author", "demo_invigilator", "demo_marker", "demo_course", "demo_organiser",
         "demo_candidate", "demo_participant", "demo_lecturer", "demo_learner"]


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def read_page(page: Page, base: str, path: str, refused: list[str]) -> list[str]:
    """Open a page, note markup the policy refuses, and return the same-site links it shows."""
    response = page.goto(base + path)
    assert response is not None and response.status < 500, (path, response and response.status)
    refused.extend(f"{page.url}: {markup}" for markup in page.evaluate(INLINE_MARKUP))
    host = urlsplit(base).netloc
    links = []
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        url = urlsplit(href)
        if url.netloc == host and not NOT_A_PAGE.search(url.path):
            links.append(url.path + (f"?{url.query}" if url.query else ""))
    return links


def walk(page: Page, base: str, start: list[str], refused: list[str]) -> list[str]:
    """Open ``start`` and the pages linked from it, breadth first, one page of each kind (ids count as one)."""
    seen: set[str] = set()
    visited: list[str] = []
    queue = deque((path, 0) for path in start)
    while queue and len(visited) < MAX_PAGES:
        path, depth = queue.popleft()
        if kind_of(path) in seen:
            continue
        seen.add(kind_of(path))
        links = read_page(page, base, path, refused)
        visited.append(path)
        if depth < MAX_DEPTH:
            queue.extend((link, depth + 1) for link in links)
    return visited


@pytest.fixture(scope="module")
def unlinked_pages(live_app) -> dict[str, list[str]]:
    return json.loads(django_shell(live_app, PAGES_WITHOUT_LINKS))


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_demo_role_reaches_runs_under_the_policy(browser: Browser, live_app, unlinked_pages, username):
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live_app, username)
    # The notices channel is a websocket to the same host: connect-src 'self' lets it through.
    expect(page.locator("#live-notices")).to_have_attribute("data-connected", "1")
    refused: list[str] = []
    visited = walk(page, live_app["url"], ["/dashboard/"], refused)
    for path in unlinked_pages.get(username, []):  # each one, whatever kind was seen
        read_page(page, live_app["url"], path, refused)
        visited.append(path)
    assert not refused, "\n".join(refused)
    reached = {kind_of(path) for path in visited}
    assert set(MUST_REACH.get(username, ["/dashboard/", "/me/"])) <= reached, sorted(reached)


def test_the_pages_restyled_for_the_policy_look_as_before(browser: Browser, live_app, unlinked_pages, shot):
    """The styles that were inline now come from site.css: the unit tree is indented, the narrow forms are narrow,
    the activation slip's code is large and monospace, and its Print button (once onclick=) prints."""
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live_app, "demo_hr")
    page.goto(f"{live_app['url']}/units/")
    cells = page.locator("table.list tbody td:first-child")
    expect(cells.first).to_have_css("padding-left", "8px")  # depth 0: 0.5rem
    expect(page.locator("td.unit-depth-2").first).to_have_css("padding-left", "40px")  # depth 2: 2.5rem
    shot(page, "80-csp-unit-tree")
    # The language menu (once onchange=) still switches the language at once.
    page.locator("#lang-select").select_option("en")
    expect(page.locator("h1")).to_have_text("Organisation units")
    page.locator("#lang-select").select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_url(re.compile(r"/units/$"))
    page.goto(live_app["url"] + unlinked_pages["statistics"])
    expect(page.locator("figure svg").first).to_be_visible()
    shot(page, "81-csp-statistics")

    page.goto(f"{live_app['url']}/people/")
    page.locator("table.list tbody a").first.click()
    expect(page.locator("#activation")).to_have_css("max-width", "640px")  # 40rem
    page.get_by_role("button", name="Cấp mã kích hoạt (in phiếu)").click()
    expect(page.locator("#activation-code")).to_have_css("font-family", "monospace")
    expect(page.locator("#activation-code")).to_have_css("font-size", "24px")  # 1.5rem
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.get_by_role("button", name="In", exact=True).click()
    assert page.evaluate("window.printed") is True
    shot(page, "82-csp-activation-slip")

    logout(page)
    page.goto(f"{live_app['url']}/exam-login/")
    expect(page.locator("form.card")).to_have_css("max-width", "448px")  # 28rem
    shot(page, "83-csp-exam-login")


def totp(secret: str) -> str:
    """The authenticator app's current code (RFC 6238: SHA-1, 30-second steps, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def enter_totp(page: Page, secret: str, done: re.Pattern) -> None:
    """Type the current code; one typed at the very end of its 30 seconds may reach the server in the next step,
    so a refusal is followed by the next code (once)."""
    for _ in range(2):
        page.locator("#id_code").fill(totp(secret))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        if done.search(page.url):
            return
    expect(page).to_have_url(done)


def test_allauth_pages_and_the_authenticator_qr_code_work_under_the_policy(browser: Browser, live_app, shot):
    """Sign-in, password and two-factor pages are allauth's; the TOTP QR code is an SVG data: image (img-src data:)."""
    django_shell(live_app, f"""
from accounts.models import User
User.objects.filter(username="csp_mfa").delete()
User.objects.create_user("csp_mfa", password="{live_app['password']}", full_name="Kiểm Thử Chính Sách")
""")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    refused: list[str] = []
    for path in ("/accounts/login/", "/accounts/password/reset/", "/accounts/signup/", "/exam-login/", "/activate/"):
        read_page(page, live_app["url"], path, refused)
    login(page, live_app, "csp_mfa")
    for path in ("/accounts/password/change/", "/accounts/email/", "/accounts/2fa/", "/me/"):
        read_page(page, live_app["url"], path, refused)

    page.goto(f"{live_app['url']}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.locator("#id_password").fill(live_app["password"])
        page.locator("main form button[type=submit]").click()
    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())  # it was loaded
    refused.extend(page.evaluate(INLINE_MARKUP))
    shot(page, "84-csp-totp-qr-code")
    secret = page.locator("#authenticator_secret").input_value()
    enter_totp(page, secret, re.compile(r"/accounts/2fa/recovery-codes/"))
    refused.extend(page.evaluate(INLINE_MARKUP))
    shot(page, "85-csp-recovery-codes")

    logout(page)
    page.goto(f"{live_app['url']}/accounts/login/")
    page.get_by_label("Tài khoản").fill("csp_mfa")
    page.get_by_label("Mật khẩu").fill(live_app["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    refused.extend(page.evaluate(INLINE_MARKUP))
    shot(page, "86-csp-mfa-authenticate")
    enter_totp(page, secret, re.compile(r"/dashboard/$"))
    assert not refused, "\n".join(refused)


def test_the_watch_sees_a_violation(page: Page, live_app, csp_violations):
    """The guard itself: a page that arrives with an inline style and an inline handler (the server's own page, its
    policy header kept) is reported; the reports are then forgotten, so this test passes. Without it a watch that
    saw nothing would look like a clean site."""

    def with_inline_markup(route):
        response = route.fetch()
        assert "style-src 'self'" in response.headers["content-security-policy"]
        body = response.text().replace(
            "</main>", '<p style="color: red">x</p><img src="/static/missing.png" onerror="document.title = 1"></main>')
        route.fulfill(response=response, body=body)

    page.route("**/accounts/login/", with_inline_markup)
    page.goto(f"{live_app['url']}/accounts/login/")
    expect(page.locator("p[style]")).to_have_css("color", "rgb(26, 26, 26)")  # the style was not applied
    # Chromium reports each violation in a task of its own: wait for both, then for the test to hold them.
    page.wait_for_function("""() => ["<p style", "<img src"].every(
        (tag) => window.__cspViolations.some((report) => report.includes(tag)))""")
    reports = csp_violations.collect()
    assert any("style-src-attr" in r and '<p style="color: red">' in r for r in reports), reports
    assert any("script-src-attr" in r and "onerror=" in r for r in reports), reports
    csp_violations.forget()


def test_django_s_csrf_failure_page_runs_under_the_policy(browser: Browser, live_app, shot):
    """A form sent without its CSRF cookie (expired, or cookies cleared) gets Django's refusal page, in the site's
    frame: Django's built-in one carries an inline <style> block."""
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{live_app['url']}/accounts/login/")
    page.context.clear_cookies()
    page.get_by_label("Tài khoản").fill("demo_hr")
    page.get_by_label("Mật khẩu").fill(live_app["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Không gửi được biểu mẫu (403)")
    assert not page.evaluate(INLINE_MARKUP)
    shot(page, "87-csp-csrf-failure")
