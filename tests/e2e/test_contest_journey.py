"""The CCHC contest (issue 21) through the pages, on a new installation (migrate and createsuperuser: no demo data).

The administrator adds the province and a department, imports the organiser, two question authors and a civil
servant and gives them their roles; the authors make a bank with its questions and a blueprint; the organiser sets up
the contest, its group of participants and a round with its questions and prizes. On a phone, An (not in the people
register) opens the contest's public page, signs up (a misread captcha first), takes the round with the connection
dropped in the middle, answers the prediction at the submit and sees his score and time, no ranking; Bích, of the
register, signs in and joins from her dashboard. The organiser looks up An's phone number on the disputed-number
page. The round's close is moved through data (the window would end an
hour later); the organiser closes and ranks it, approves, downloads the draft prize decision and the winners' list,
and publishes; the winner appears on the public page, read by a visitor who is not signed in."""
from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import docx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import django_shell
from tests.e2e.test_class_journey import PHONE, staff_with_roles
from tests.e2e.test_empty_install_journey import approve_all, blueprint_made, download, questions_imported, sign_in
from tests.exams.test_import_questions import q

pytestmark = pytest.mark.e2e

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
ORGANISER, AUTHOR, REVIEWER = "087190000901", "087090000902", "087190000903"
AN, BINH = "087090000911", "087190000912"
STAFF = {ORGANISER: ("Võ Thị Tổ Chức", "Ban tổ chức hội thi"), AUTHOR: ("Lê Văn Soạn", "Người ra đề"),
         REVIEWER: ("Phạm Thị Duyệt", "Người ra đề"), BINH: ("Đinh Thị Bích", "Người dự thi")}
RIGHT, WRONG = "Bộ phận Một cửa", "Văn thư"  # every question's choices (tests.exams.test_import_questions.q)
WAIT = 15_000


def pick(paper: Page, n: int, choice: str) -> None:
    paper.locator(".qwrap").nth(n).locator("label.choice", has_text=choice).locator("input").check()


def joined_from_the_dashboard(browser: Browser, app, cccd: str, shot=None) -> Page:
    phone = browser.new_context(**PHONE).new_page()
    sign_in(phone, app, cccd)
    phone.get_by_role("link", name=re.compile("^Tham gia Hội thi")).click()
    phone.locator("#join").click()
    phone.get_by_label("Đối tượng dự thi").select_option(label="Cán bộ, công chức, viên chức")
    phone.get_by_label(re.compile("^Đơn vị công tác")).select_option(label="Sở Nội vụ – UBND tỉnh Đồng Tháp")
    phone.get_by_label(re.compile("^Tôi đồng ý cho xử lý dữ liệu cá nhân")).check()
    if shot:
        shot(phone, "k03-join")
    phone.get_by_role("button", name="Đăng ký").click()
    expect(phone.locator("#joined")).to_be_visible()
    return phone


def signed_up(browser: Browser, app, public_url: str, shot) -> Page:
    """An, on a phone, from the contest's public page: the sign-up form, a misread captcha, then the right one (read
    from the store as a person reads the picture)."""
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(public_url)
    phone.locator("#sign-up").click()
    form = phone.locator("#signup-form")
    form.get_by_label(re.compile("^Họ và tên")).fill("huỳnh văn an")
    form.get_by_label(re.compile("^Ngày sinh")).fill("14/02/1990")
    form.get_by_label(re.compile("^Giới tính")).select_option(label="Nam")
    form.get_by_label(re.compile("^Số điện thoại di động")).fill("0918 000 911")
    form.get_by_label(re.compile("^Số CCCD")).fill(AN)
    form.get_by_label(re.compile("^Đối tượng dự thi")).select_option(label="Cán bộ, công chức, viên chức")
    form.get_by_label(re.compile("^Đơn vị công tác")).select_option(label="Sở Nội vụ – UBND tỉnh Đồng Tháp")
    form.get_by_label(re.compile("^Mật khẩu:?$")).fill("Hoi-thi-CCHC-2027")
    form.get_by_label(re.compile("^Nhập lại mật khẩu")).fill("Hoi-thi-CCHC-2027")
    form.get_by_label(re.compile("^Tôi đồng ý cho xử lý dữ liệu cá nhân")).check()
    form.get_by_label(re.compile("^Nhập các ký tự trong hình")).fill("sai")
    expect(form.locator("img.captcha")).to_be_visible()
    shot(phone, "k02-sign-up")
    form.get_by_role("button", name="Đăng ký và tham gia").click()
    expect(phone.locator("#signup-form")).to_contain_text("không khớp với hình")
    form.get_by_label(re.compile("^Mật khẩu:?$")).fill("Hoi-thi-CCHC-2027")  # passwords are not sent back
    form.get_by_label(re.compile("^Nhập lại mật khẩu")).fill("Hoi-thi-CCHC-2027")
    key = form.locator("input[name=captcha_0]").get_attribute("value")
    answer = django_shell(app, f"from captcha.models import CaptchaStore; "
                               f"print(CaptchaStore.objects.get(hashkey='{key}').response)")
    form.get_by_label(re.compile("^Nhập các ký tự trong hình")).fill(answer.upper())
    form.get_by_role("button", name="Đăng ký và tham gia").click()
    expect(phone.locator("#joined")).to_be_visible()
    expect(phone.locator(".messages")).to_contain_text("Bạn đã đăng ký tài khoản và tham gia hội thi")
    return phone


def submitted(phone: Page, prediction: str) -> None:
    expect(phone.locator("#pending")).to_have_text("", timeout=WAIT)
    phone.get_by_label(re.compile("^Dự đoán")).fill(prediction)
    phone.locator("#submit-btn").click()
    phone.locator("#confirm-yes").click()
    expect(phone).to_have_url(re.compile(r"/result/$"), timeout=WAIT)


def test_a_contest_round_runs_from_an_empty_installation(browser: Browser, empty_app, shot, tmp_path):
    app = empty_app
    wide = {"viewport": {"width": 1366, "height": 900}}

    # --- the administrator: the province, a department, the people and their roles ----------------------------------
    admin = browser.new_page(**wide)
    sign_in(admin, app, "quantri", app["admin_password"])
    admin.goto(f"{app['url']}/units/")
    for name, kind, parent in (("UBND tỉnh Đồng Tháp", "province", None), ("Sở Nội vụ", "department",
                                                                           "UBND tỉnh Đồng Tháp")):
        admin.get_by_label("Tên đơn vị").fill(name)
        if parent:
            admin.get_by_label(re.compile("^Đơn vị cấp trên")).select_option(label=parent)
        admin.get_by_label("Loại đơn vị").select_option(kind)
        admin.locator("#unit-add").get_by_role("button", name="Thêm").click()
        expect(admin.locator(".messages")).to_contain_text(f"Đã thêm đơn vị {name}")
    staff_with_roles(browser, app, admin, STAFF, tmp_path / "nguoi.xlsx")

    # --- the authors: a bank open to hosted tests, its questions, approval, a blueprint of four ----------------------
    author = browser.new_page(**wide)
    sign_in(author, app, AUTHOR)
    author.get_by_role("link", name="Ngân hàng câu hỏi").first.click()
    author.get_by_label("Tên ngân hàng").fill("Hội thi CCHC")
    author.get_by_label("Mở cho các lớp bồi dưỡng").check()
    author.get_by_role("button", name="Tạo").click()
    questions_imported(author, tmp_path / "cau-hoi.xlsx",
                       [q(f"Câu hỏi hội thi số {n} về cơ chế một cửa?") for n in range(1, 5)], "Phạm Thị Duyệt")
    bank_url = author.url
    reviewer = browser.new_page(**wide)
    sign_in(reviewer, app, REVIEWER)
    approve_all(reviewer, bank_url, 4)
    blueprint_made(author, bank_url, "Đề hội thi tuần 1", 4)

    # --- the organiser: the contest, its group, a round open now with its questions and prizes -----------------------
    organiser = browser.new_page(**wide)
    sign_in(organiser, app, ORGANISER)
    organiser.get_by_role("link", name="Hội thi", exact=True).first.click()
    new = organiser.locator("#contest-new")
    new.get_by_label(re.compile("^Tên")).fill("Hội thi tìm hiểu cải cách hành chính năm 2027")
    new.get_by_label(re.compile("^Cơ quan tổ chức")).fill("Sở Nội vụ tỉnh Đồng Tháp")
    new.get_by_label(re.compile("^Thể lệ")).fill("<p>Mỗi tuần một vòng thi trực tuyến.</p>")
    new.get_by_role("button", name="Tạo").click()
    expect(organiser.locator("h1")).to_have_text("Hội thi tìm hiểu cải cách hành chính năm 2027")
    group = organiser.locator("#group-add")
    group.get_by_label(re.compile("^Tên")).fill("Cán bộ, công chức, viên chức")
    group.get_by_label(re.compile("^dành cho cán bộ|^Dành cho cán bộ")).check()
    group.get_by_role("button", name="Thêm đối tượng").click()
    expect(organiser.locator("#group-list")).to_be_visible()
    now = dt.datetime.now(LOCAL).replace(second=0, microsecond=0)
    add_round = organiser.locator("#round-add")
    add_round.get_by_label(re.compile("^Mở lúc")).fill((now - dt.timedelta(minutes=1)).strftime("%d/%m/%Y %H:%M"))
    add_round.get_by_label(re.compile("^Đóng lúc")).fill((now + dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"))
    add_round.get_by_role("button", name="Thêm vòng thi").click()
    expect(organiser.locator("h1")).to_have_text("Vòng 1")
    setting = organiser.locator("#setting-add")
    setting.get_by_label(re.compile("^Đối tượng dự thi")).select_option(label="Cán bộ, công chức, viên chức")
    setting.get_by_label(re.compile("^Ma trận đề")).select_option(index=1)
    setting.get_by_label(re.compile("^Thời gian làm bài")).fill("10")
    for label, count in (("^Số giải nhất", "1"), ("^Số giải nhì", "1"), ("^Số giải ba", "1"),
                         ("^Số giải khuyến khích", "0")):
        setting.get_by_label(re.compile(label)).fill(count)
    setting.get_by_role("button", name="Thiết lập đề cho đối tượng").click()
    expect(organiser.locator("#setting-list")).to_contain_text("Cán bộ, công chức, viên chức")
    shot(organiser, "k01-round-set-up")
    round_url = organiser.url
    organiser.get_by_role("link", name=re.compile("^← Hội thi")).click()
    public_url = f"{app['url']}{organiser.locator('#public-page').get_attribute('href')}"

    # --- An, on a phone: signs up, takes the round with the connection dropped, predicts, submits --------------------
    an = signed_up(browser, app, public_url, shot)
    sockets, network = [], {"up": True}

    def through(ws):
        if network["up"]:
            ws.connect_to_server()
            sockets.append(ws)

    an.route_web_socket(re.compile(r".*/ws/attempt/.*"), through)
    an.get_by_role("link", name="Làm bài vòng này").click()
    an.locator("#entry-start").click()
    expect(an.locator("#conn")).to_have_attribute("data-state", "online", timeout=WAIT)
    pick(an, 0, RIGHT)
    pick(an, 1, RIGHT)
    expect(an.locator("#pending")).to_have_text("", timeout=WAIT)
    network["up"] = False
    sockets[-1].close()
    expect(an.locator("#conn")).not_to_have_attribute("data-state", "online")
    pick(an, 2, RIGHT)
    expect(an.locator("#pending")).not_to_have_text("")
    shot(an, "k04-connection-dropped")
    network["up"] = True
    pick(an, 3, RIGHT)
    expect(an.locator("#conn")).to_have_attribute("data-state", re.compile("online|http"), timeout=WAIT)
    submitted(an, "2")
    expect(an.locator("#entry-score")).to_have_text("4/4")
    expect(an.locator("#entry-validity")).to_have_text("Hợp lệ")
    expect(an.locator("#no-ranking-yet")).to_be_visible()
    shot(an, "k05-result")

    # --- Bích, of the people register: signs in, joins from her dashboard, three right, the same prediction ----------
    bich = joined_from_the_dashboard(browser, app, BINH, shot)
    bich.get_by_role("link", name="Làm bài vòng này").click()
    bich.locator("#entry-start").click()
    for n, choice in enumerate((RIGHT, RIGHT, WRONG, RIGHT)):
        pick(bich, n, choice)
    submitted(bich, "2")
    expect(bich.locator("#entry-score")).to_have_text("3/4")

    # --- the organiser looks up An's phone number (a dispute would be settled here) --------------------------------
    organiser.goto(public_url.replace("/public/", "/numbers/"))
    organiser.get_by_label("Số CCCD hoặc số điện thoại đang tranh chấp").fill("0918000911")
    organiser.get_by_role("button", name="Tra cứu").click()
    expect(organiser.locator("#number-holder")).to_contain_text("Huỳnh Văn An")
    expect(organiser.locator("#number-holder")).to_contain_text("Tự đăng ký ngày")
    expect(organiser.locator("#number-holder")).not_to_contain_text(AN)  # the CCCD masked
    shot(organiser, "k09-disputed-number")

    # --- the close (moved through data), the ranking, approval, publication ------------------------------------------
    django_shell(app, """
import datetime as dt
from django.utils import timezone
from contests.models import Round
Round.objects.update(closes_at=timezone.now() - dt.timedelta(seconds=1))
""")
    organiser.goto(round_url)
    organiser.locator("#round-close").click()
    expect(organiser.locator(".messages")).to_contain_text("Đã kết thúc và xếp hạng vòng thi")
    rows = organiser.locator("#standing-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Huỳnh Văn An")
    expect(rows.nth(0)).to_contain_text("Giải Nhất")
    expect(rows.nth(1)).to_contain_text("Giải Nhì")
    expect(organiser.locator("#setting-list")).to_contain_text("2")  # the actual value: two valid entries
    shot(organiser, "k06-ranked")
    organiser.locator("#round-approve").click()
    decision = docx.Document(io.BytesIO(download(organiser, organiser.locator("#decision-download"))))
    words = "\n".join([p.text for p in decision.paragraphs]
                      + [c.text for t in decision.tables for r in t.rows for c in r.cells])
    assert "DỰ THẢO" in words and "Huỳnh Văn An" in words and "Giải Nhất" in words
    winners = load_workbook(io.BytesIO(download(organiser, organiser.locator("#winners-download"))))
    cells = [str(c.value) for row in winners.active.iter_rows() for c in row if c.value]
    assert AN in cells and "Giải Nhì" in cells  # the winners' list carries the CCCD for paying the prizes
    organiser.locator("#round-publish").click()
    expect(organiser.locator("#round-published")).to_be_visible()
    shot(organiser, "k07-published")

    # --- a visitor, not signed in, on a phone: the winners ------------------------------------------------------------
    visitor = browser.new_context(**PHONE).new_page()
    visitor.goto(f"{app['url']}/contests/")  # the organisers' list is not for visitors
    expect(visitor).to_have_url(re.compile(r"/accounts/login/"))
    for _ in range(8):  # the public page is rebuilt from the cache every few seconds
        visitor.goto(public_url)
        if visitor.locator("#winners").count():
            break
        visitor.wait_for_timeout(1000)
    expect(visitor.locator("#winners")).to_contain_text("Huỳnh Văn An")
    expect(visitor.locator("#winners")).to_contain_text("Sở Nội vụ")
    expect(visitor.locator("#winners")).to_contain_text("Giải Nhất")
    shot(visitor, "k08-public-winners")
