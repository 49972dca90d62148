"""Learning online (issue 19) through the pages alone, on a new installation (migrate and createsuperuser: no demo data).

The administrator imports the staff and gives them their roles; an author makes a question bank open to training
courses, imports questions with their explanations, a second author approves them and the first makes a blueprint;
the course manager makes the chuyên viên programme and a class of it, imports its schedule and its learners, and
writes two lessons of CD01 (the first with a PDF); the lecturer, the class's head, sets a practice test, a graded test
(KT1) and a thu hoạch (TH). A learner, on a phone, opens the lessons, leaves and comes back to "continue", takes the
practice test and reads the explanations, takes the graded test with the network dropped in the middle, hands in a
thu hoạch; the lecturer grades it, the learner reads the grade, and the completion list shows KT1 and TH."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from courses.learners import LEARNER_COLUMNS
from courses.schedule import SCHEDULE_COLUMNS
from tests.e2e.test_class_journey import PHONE, activate, staff_with_roles
from tests.e2e.test_empty_install_journey import (
    approve_all,
    blueprint_made,
    check_and_confirm,
    questions_imported,
    sign_in,
)
from tests.exams.test_import_questions import q
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.e2e

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MANAGER, LECTURER, AUTHOR, REVIEWER = "087190000501", "087090000502", "087190000503", "087090000504"
STAFF = {MANAGER: ("Nguyễn Thị Đào Tạo", "Quản lý lớp bồi dưỡng"),
         LECTURER: ("Trần Văn Giảng", "Giảng viên / chủ nhiệm lớp"),
         AUTHOR: ("Lê Thị Soạn", "Người ra đề"),
         REVIEWER: ("Phạm Văn Duyệt", "Người ra đề")}
LEARNERS = {"087090000601": "Huỳnh Văn An", "087190000602": "Đinh Thị Bích"}
LEARNER = "087090000601"  # the one who learns on a phone
RIGHT = "Bộ phận Một cửa"  # every question's correct choice (tests.exams.test_import_questions.q)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
WAIT = 15_000


def choose(select: Locator, text: str) -> None:
    """Pick the option of a list whose words contain ``text`` (options read "CD01 Nhà nước…", "KT1 – Kiểm tra…")."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def answer(paper: Page, n: int, choice: str = RIGHT) -> None:
    paper.locator(".qwrap").nth(n).locator("label.choice", has_text=choice).locator("input").check()


def new_test_created(head: Page, mode: str, title: str, minutes: int, what: str, choice: str, window=None) -> None:
    """The class head's new test, from the Tests tab's form: its mode, title, the one blueprint there is, its time,
    the module (practice) or the assessment (graded) and, graded, its window."""
    new_test = head.locator("#test-new")
    new_test.get_by_label(re.compile(r"^Loại bài:?$")).select_option(mode)
    new_test.get_by_label("Tên bài kiểm tra").fill(title)
    new_test.get_by_label(re.compile("^Ma trận đề")).select_option(index=1)
    new_test.get_by_label("Thời gian làm bài (phút)").fill(str(minutes))
    choose(new_test.get_by_label(re.compile(what)), choice)
    if window:
        new_test.get_by_label(re.compile("^Mở lúc")).fill(window[0].strftime("%d/%m/%Y %H:%M"))
        new_test.get_by_label(re.compile("^Đóng lúc")).fill(window[1].strftime("%d/%m/%Y %H:%M"))
    new_test.get_by_role("button", name="Tạo bài kiểm tra").click()
    expect(head.locator(".messages")).to_contain_text(f"Đã tạo bài kiểm tra “{title}”")


def class_test_opened(phone: Page, learn_url: str, title: str) -> None:
    """From the learner's class page: the test's page (its rules), then "start" and its paper, connected."""
    phone.goto(learn_url)
    phone.locator("#tests-panel").get_by_role("link", name=title).click()
    expect(phone.locator("#test-start")).to_be_visible()


def paper_started(phone: Page) -> None:
    phone.locator("#test-start").click()
    expect(phone.locator(".qwrap")).to_have_count(4)
    expect(phone.locator("#conn")).to_have_text("Đã kết nối", timeout=WAIT)


def submit(paper: Page) -> None:
    expect(paper.locator("#save-status")).to_have_text("Đã lưu mọi câu trả lời", timeout=WAIT)
    paper.locator("#submit-btn").click()
    expect(paper.locator("#confirm-text")).to_contain_text("Bạn đã trả lời tất cả các câu.")
    paper.locator("#confirm-yes").click()
    expect(paper).to_have_url(re.compile(r"/result/$"), timeout=20_000)


def test_a_learner_learns_online_from_an_empty_installation(browser: Browser, empty_app, shot, tmp_path):
    app = empty_app
    wide = {"viewport": {"width": 1366, "height": 900}}
    now = dt.datetime.now(LOCAL)
    today = now.date()
    yesterday = today - dt.timedelta(days=1)

    # --- the administrator: the course manager, the lecturer, two question authors ---------------------------------
    admin = browser.new_page(**wide)
    sign_in(admin, app, "quantri", app["admin_password"])
    staff_with_roles(browser, app, admin, STAFF, tmp_path / "can-bo.xlsx")

    # --- the authors: a bank open to training courses, questions with explanations, approval, a blueprint ----------
    author = browser.new_page(**wide)
    sign_in(author, app, AUTHOR)
    author.get_by_role("link", name="Ngân hàng câu hỏi").first.click()
    author.get_by_label("Tên ngân hàng").fill("Bồi dưỡng chuyên viên – Một cửa")
    author.get_by_label("Mở cho các lớp bồi dưỡng").check()
    author.get_by_role("button", name="Tạo").click()
    expect(author.locator("#bank-training")).to_contain_text("Ngân hàng này đã mở cho các lớp bồi dưỡng")
    questions_imported(author, tmp_path / "cau-hoi.xlsx", [
        q(f"Câu hỏi luyện tập số {n} về cơ chế một cửa?",
          **{"Chủ đề": "Một cửa", "Giải thích": f"Giải thích câu {n}: theo Điều {n}."}) for n in range(1, 7)],
        "Phạm Văn Duyệt")
    shot(author, "l01-training-bank")
    bank_url = author.url

    reviewer = browser.new_page(**wide)
    sign_in(reviewer, app, REVIEWER)
    approve_all(reviewer, bank_url, 6)
    reviewer.close()
    blueprint_made(author, bank_url, "Luyện tập một cửa", 4)
    author.close()

    # --- the course manager: programme, class, schedule, learners, two lessons of CD01 ------------------------------
    manager = browser.new_page(**wide)
    sign_in(manager, app, MANAGER)
    manager.get_by_role("link", name="Chương trình bồi dưỡng", exact=True).first.click()
    manager.get_by_label("Mẫu chương trình").select_option("qlnn-chuyen-vien")
    manager.get_by_role("button", name="Tạo").click()
    expect(manager.locator("h1")).to_contain_text("QLNN-CV")
    programme_url = manager.url
    manager.goto(f"{app['url']}/courses/classes/")
    manager.get_by_label("Chương trình").select_option(index=1)
    manager.get_by_label("Tên lớp (ví dụ K60)").fill("K1")
    manager.get_by_label("Ngày khai giảng").fill(yesterday.strftime("%d/%m/%Y"))
    manager.get_by_label("Ngày bế giảng").fill((today + dt.timedelta(days=10)).strftime("%d/%m/%Y"))
    manager.get_by_role("button", name="Tạo").click()
    expect(manager.locator("h1")).to_have_text("Lớp K1")
    for role in ("head", "lecturer"):
        manager.locator("select[name=user]").select_option(label="Trần Văn Giảng")
        manager.get_by_label("Nhiệm vụ trong lớp").select_option(role)
        manager.get_by_role("button", name="Thêm").click()
    expect(manager.locator("#staff")).to_contain_text("Chủ nhiệm lớp: Trần Văn Giảng")
    schedule = tmp_path / "lich.xlsx"
    schedule.write_bytes(xlsx_bytes([dict(zip(SCHEDULE_COLUMNS, [yesterday.strftime("%d/%m/%Y"), "Sáng", "CD01", "4",
                                                                 LECTURER], strict=True))], columns=SCHEDULE_COLUMNS))
    manager.locator("#schedule-import").get_by_label("Tệp Excel (.xlsx)").set_input_files(str(schedule))
    manager.locator("#schedule-import").get_by_role("button", name="Kiểm tra tệp").click()
    manager.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(manager.locator("#sessions tbody tr")).to_have_count(1)
    manager.locator("nav.tabs").get_by_role("link", name="Học viên", exact=True).click()
    learners_file = tmp_path / "hoc-vien.xlsx"
    learners_file.write_bytes(xlsx_bytes([
        {"STT": str(n), "Họ và tên": name, "Ngày sinh": "03/09/1990", "Giới tính": "Nữ" if "Thị" in name else "Nam",
         "Số CCCD": cccd, "Đơn vị": "UBND huyện Lai Vung", "Chức vụ": "Chuyên viên", "Ngạch": "Cán sự"}
        for n, (cccd, name) in enumerate(LEARNERS.items(), start=1)], columns=LEARNER_COLUMNS))
    check_and_confirm(manager, "Tệp Excel (.xlsx)", learners_file)
    expect(manager.locator("#learners tbody tr")).to_have_count(2)

    manager.goto(programme_url)
    manager.locator("#module-lessons-CD01").click()
    lessons = [("Bài 1: Nhà nước và hệ thống chính trị",
                "Nhà nước là trung tâm của hệ thống chính trị.\n\nBài này giới thiệu vị trí và vai trò của Nhà nước."),
               ("Bài 2: Bộ máy nhà nước Việt Nam", "Bộ máy nhà nước gồm các cơ quan lập pháp, hành pháp, tư pháp.")]
    for n, (title, body) in enumerate(lessons):
        manager.get_by_label("Tiêu đề").fill(title)
        manager.get_by_label("Nội dung").fill(body)
        manager.get_by_label("Thời lượng dự kiến (phút)").fill("10")
        manager.get_by_role("button", name="Thêm bài học").click()
        expect(manager.locator(".messages")).to_contain_text("Đã thêm bài học")
        expect(manager.locator("h1")).to_have_text(title)
        if n == 0:
            material = tmp_path / "tai-lieu-bai-1.pdf"
            material.write_bytes(PDF)
            manager.get_by_label("Tệp (PDF, Word, PowerPoint)").set_input_files(str(material))
            manager.get_by_role("button", name="Đính kèm tệp").click()
            expect(manager.locator(".messages")).to_contain_text("Đã đính kèm tệp")
            expect(manager.locator("#lesson-files")).to_contain_text("tai-lieu-bai-1.pdf")
            shot(manager, "l02-lesson-edit")
        manager.get_by_role("link", name=re.compile(r"^← CD01")).click()
    expect(manager.locator("#lessons tbody tr")).to_have_count(2)
    shot(manager, "l03-module-lessons")
    manager.close()

    # --- the administrator gives one learner an activation code ----------------------------------------------------
    admin.goto(f"{app['url']}/people/?q={LEARNER}")
    admin.get_by_role("link", name=LEARNERS[LEARNER]).click()
    activate(browser, app, admin, LEARNER)
    admin.close()

    # --- the head: a practice test, a graded test (KT1), a thu hoạch (TH) ------------------------------------------
    head = browser.new_page(**wide)
    sign_in(head, app, LECTURER)
    head.get_by_role("link", name="K1 – QLNN-CV").click()
    class_url = head.url
    head.locator("nav.tabs").get_by_role("link", name="Bài kiểm tra", exact=True).click()
    new_test_created(head, "practice", "Luyện tập chuyên đề 1", 15, "^Chuyên đề luyện tập", "CD01")
    new_test_created(head, "graded", "Kiểm tra phần Kiến thức chung", 20, "^Nội dung đánh giá được tính điểm", "KT1",
                 window=(now - dt.timedelta(hours=1), now + dt.timedelta(hours=2)))
    expect(head.locator("#tests tbody tr")).to_have_count(2)
    shot(head, "l04-class-tests")

    head.locator("nav.tabs").get_by_role("link", name="Bài viết", exact=True).click()
    head.locator("#written-new").click()
    head.get_by_label("Loại bài viết").select_option("reflection")
    head.get_by_label("Tiêu đề bài viết").fill("Thu hoạch cuối khóa")
    head.get_by_label("Hướng dẫn cho học viên").fill("Viết 3–5 trang về cải cách hành chính ở đơn vị mình.")
    deadline = (now + dt.timedelta(days=1)).replace(hour=17, minute=0)
    head.get_by_label("Hạn nộp (dd/mm/yyyy hh:mm)").fill(deadline.strftime("%d/%m/%Y %H:%M"))
    choose(head.get_by_label("Điểm bài được ghi vào"), "TH")
    for n, (name, points) in enumerate([("Nội dung", "6"), ("Hình thức trình bày", "4")], start=1):
        head.locator("#rubric").get_by_label(f"Tiêu chí {n}", exact=True).fill(name)
        head.locator("#rubric").get_by_label(f"Điểm {n}", exact=True).fill(points)
    shot(head, "l05-assignment-form")
    head.locator("#assignment-save").click()
    expect(head.locator("h1")).to_have_text("Thu hoạch cuối khóa")
    expect(head.locator("#rubric")).to_contain_text("Nội dung: 6")
    expect(head.locator("#rubric")).to_contain_text("Hình thức trình bày: 4")
    assignment_url = head.url

    # --- the learner, on a phone: lessons, leaving and continuing ---------------------------------------------------
    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    sign_in(phone, app, LEARNER)
    shot(phone, "l06-phone-dashboard")
    phone.get_by_role("link", name=re.compile("^Học tập của tôi")).click()  # one class: straight to it
    expect(phone.locator("h1")).to_have_text("Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên")
    learn_url = phone.url
    expect(phone.locator("#continue")).to_contain_text(lessons[0][0])  # nothing opened yet: the first lesson
    shot(phone, "l07-phone-class")
    phone.locator(".lesson-list").get_by_role("link", name=lessons[0][0]).click()
    expect(phone.locator("h1")).to_have_text(lessons[0][0])
    expect(phone.locator("#lesson-body")).to_contain_text("Nhà nước là trung tâm của hệ thống chính trị.")
    document = phone.locator("#lesson-files").get_by_role("link", name="tai-lieu-bai-1.pdf")
    expect(document).to_be_visible()
    fetched = phone.request.get(app["url"] + document.get_attribute("href"))
    assert fetched.ok and fetched.body().startswith(b"%PDF-")
    expect(phone.locator("#lesson-state")).to_have_text("Chưa học xong")
    shot(phone, "l08-phone-lesson-1")
    phone.get_by_role("button", name="Tôi đã học xong bài này").click()  # done: on to the next lesson
    expect(phone.locator("h1")).to_have_text(lessons[1][0])
    phone.locator("#lesson-previous").click()
    expect(phone.locator("#lesson-state")).to_have_text("Đã học xong")
    expect(phone.get_by_role("button", name="Tôi đã học xong bài này")).to_have_count(0)
    phone.locator("#lesson-next").click()
    expect(phone.locator("h1")).to_have_text(lessons[1][0])
    shot(phone, "l09-phone-lesson-2")
    # The learner leaves (the dashboard) and comes back: the class page offers lesson 2, where they stopped.
    phone.goto(f"{app['url']}/dashboard/")
    phone.get_by_role("link", name=re.compile("^Học tập của tôi")).click()
    expect(phone.locator("#continue")).to_have_text(f"Học tiếp từ chỗ đã dừng: {lessons[1][0]}")
    lesson_items = phone.locator(".lesson-list li")
    expect(lesson_items.nth(0)).to_contain_text("✓ đã học xong")
    expect(lesson_items.nth(1)).to_contain_text("đang học")
    shot(phone, "l10-phone-continue")
    phone.locator("#continue").click()
    expect(phone.locator("h1")).to_have_text(lessons[1][0])

    # --- the practice test: every question, then the explanations ---------------------------------------------------
    class_test_opened(phone, learn_url, "Luyện tập chuyên đề 1")
    expect(phone.locator("#test-rules")).to_contain_text("Bài luyện tập")
    shot(phone, "l11-phone-practice-rules")
    paper_started(phone)
    answer(phone, 0, "Văn thư")  # one wrong answer: the review shows it beside the correct one
    for n in range(1, 4):
        answer(phone, n)
    expect(phone.locator("#save-status")).to_have_text("Đã lưu mọi câu trả lời", timeout=WAIT)
    shot(phone, "l12-phone-practice-paper")
    submit(phone)
    expect(phone.locator("#try-score")).to_contain_text("Điểm của bạn: 7,50 / 10")
    expect(phone.locator(".review-item")).to_have_count(4)
    first = phone.locator("#review-1")
    expect(first.locator("li", has_text="Văn thư")).to_contain_text("câu trả lời của bạn")
    expect(first.locator("li", has_text=RIGHT)).to_contain_text("đúng")
    for item in phone.locator(".review-item").all():
        expect(item.locator(".explanation")).to_contain_text(re.compile(r"Giải thích: Giải thích câu \d: theo Điều \d\."))
    shot(phone, "l13-phone-practice-review")

    # --- the graded test, with the network dropped in the middle ---------------------------------------------------
    class_test_opened(phone, learn_url, "Kiểm tra phần Kiến thức chung")
    expect(phone.locator("#test-tries")).to_contain_text("0")
    shot(phone, "l14-phone-graded-rules")
    paper_started(phone)
    answer(phone, 0)
    expect(phone.locator("#save-status")).to_have_text("Đã lưu mọi câu trả lời", timeout=WAIT)
    phone_context.set_offline(True)
    expect(phone.locator("#conn")).to_contain_text("Mất kết nối")  # the page says so at once
    answer(phone, 1)
    # Nothing comes back from the server while offline: the answer is kept on the phone and shown as not saved.
    expect(phone.locator("#pending")).to_have_text("1 chưa lưu")
    expect(phone.locator("#save-status")).to_have_text("Đang lưu…")
    expect(phone.locator(".qbtn").nth(1)).to_have_class(re.compile(r"\bunsaved\b"))
    shot(phone, "l15-phone-graded-offline")
    expect(phone.locator("#pending")).to_have_text("1 chưa lưu")  # a moment later, still offline: still not saved
    phone_context.set_offline(False)
    expect(phone.locator("#save-status")).to_have_text("Đã lưu mọi câu trả lời", timeout=30_000)
    expect(phone.locator("#pending")).to_have_text("")
    expect(phone.locator(".qbtn").nth(1)).not_to_have_class(re.compile(r"\bunsaved\b"))
    expect(phone.locator("#conn")).to_have_text("Đã kết nối")
    shot(phone, "l16-phone-graded-back-online")
    for n in (2, 3):
        answer(phone, n)
    submit(phone)
    expect(phone.locator("#try-score")).to_contain_text("Điểm của bạn: 10,00 / 10")
    expect(phone.locator("#test-counted")).to_have_text("10,00")
    shot(phone, "l17-phone-graded-result")

    # --- the thu hoạch, handed in from the phone ---------------------------------------------------------------------
    phone.goto(learn_url)
    expect(phone.locator("#tests-panel")).to_contain_text("10,00")
    phone.locator("#written-panel").get_by_role("link", name="Thu hoạch cuối khóa").click()
    expect(phone.locator("#rubric")).to_contain_text("Hình thức trình bày")
    work = tmp_path / "thu-hoach-huynh-van-an.pdf"
    work.write_bytes(PDF)
    phone.get_by_label("Bài của bạn (PDF hoặc Word .docx)").set_input_files(str(work))
    phone.locator("#upload-submit").click()
    expect(phone.locator("#my-uploads")).to_contain_text("thu-hoach-huynh-van-an.pdf")
    shot(phone, "l18-phone-written-handed-in")

    # --- the lecturer grades it; the learner reads the grade ---------------------------------------------------------
    head.goto(assignment_url)
    row = head.locator("#roster tr", has_text=LEARNERS[LEARNER])
    expect(row).to_contain_text("thu-hoach-huynh-van-an.pdf")
    row.get_by_role("link", name="Chấm bài").click()
    head.get_by_label("Nội dung", exact=True).fill("5")
    head.get_by_label("Hình thức trình bày").fill("3,5")
    head.get_by_label("Nhận xét cho học viên").fill("Bài viết có liên hệ thực tiễn tốt; cần trình bày gọn hơn.")
    shot(head, "l19-grade-form")
    head.get_by_role("button", name="Lưu điểm").click()
    head.goto(assignment_url)
    expect(head.locator("#roster tr", has_text=LEARNERS[LEARNER])).to_contain_text("8,50")

    phone.goto(learn_url)
    expect(phone.locator("#written-panel")).to_contain_text("Đã chấm: 8,50")
    expect(phone.locator("#my-scores tr", has_text="Bài thu hoạch")).to_contain_text("8,50")
    expect(phone.locator("#my-scores tr", has_text="Kiểm tra phần Kiến thức chung")).to_contain_text("10")
    shot(phone, "l20-phone-class-scores")
    phone.locator("#written-panel").get_by_role("link", name="Thu hoạch cuối khóa").click()
    expect(phone.locator("#my-grade")).to_contain_text("Điểm bài của bạn: 8,50 / 10")
    expect(phone.locator("#grade-comment")).to_have_text("Bài viết có liên hệ thực tiễn tốt; cần trình bày gọn hơn.")
    shot(phone, "l21-phone-grade")
    # CD01 was taught yesterday morning: the learner rates it and its lecturer, anonymously.
    phone.goto(learn_url)
    rating = phone.locator("#feedback form", has_text="CD01")
    rating.get_by_label("4 sao").check()
    rating.get_by_label("Nhận xét (không bắt buộc)").fill("Bài giảng dễ hiểu, nhiều ví dụ thực tế.")
    rating.get_by_role("button", name="Gửi phản hồi").click()
    expect(phone.locator("#feedback-given")).to_contain_text("CD01")
    expect(phone.locator("#feedback")).not_to_contain_text("4 sao")  # never shown back, not even to its author
    shot(phone, "l22-phone-feedback-given")
    phone_context.close()

    # --- the head: who is behind, and the feedback with nobody's name next to it ----------------------------------
    head.goto(class_url)
    head.locator("nav.tabs").get_by_role("link", name="Tiến độ", exact=True).click()
    expect(head.locator("#progress-summary")).to_contain_text("2/2 học viên chậm tiến độ")  # CD01's lesson 2 is due
    expect(head.locator("#progress-learners tr", has_text=LEARNERS[LEARNER])).to_contain_text("CD01")
    shot(head, "l23-progress-report")
    head.locator("nav.tabs").get_by_role("link", name="Phản hồi", exact=True).click()
    expect(head.locator("#feedback-overall")).to_contain_text("1")
    expect(head.locator("#feedback-groups")).to_contain_text("CD01")
    expect(head.locator("main")).not_to_contain_text(LEARNERS[LEARNER])
    expect(head.locator("main")).not_to_contain_text("nhiều ví dụ thực tế")  # one rating: its comment stays hidden
    shot(head, "l24-feedback-summary")

    # --- the completion list shows the scores ------------------------------------------------------------------------
    head.goto(class_url)
    head.locator("nav.tabs").get_by_role("link", name="Hoàn thành", exact=True).click()
    headers = [h.strip() for h in head.locator("#completion thead th").all_inner_texts()]
    learner_cells = [c.strip() for c in head.locator("#completion tr", has_text=LEARNERS[LEARNER])
                     .locator("td").all_inner_texts()]
    scores = dict(zip(headers, learner_cells, strict=True))
    assert (scores["KT1"], scores["TH"]) == ("10,00", "8,50"), scores
    other = head.locator("#completion tr", has_text=LEARNERS["087190000602"])
    expect(other).to_contain_text("Thiếu điểm")
    shot(head, "l25-completion")
