"""An author imports a file with errors, fixes it, imports; a second author approves; a question is previewed."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.exams.test_import_questions import q, sheet

pytestmark = pytest.mark.e2e


def login(page: Page, live_app, username: str) -> None:
    page.goto(f"{live_app['url']}/accounts/login/")
    page.get_by_label("Tài khoản").fill(username)
    page.get_by_label("Mật khẩu").fill(live_app["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def logout(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def test_import_fix_approve_preview(page: Page, live_app, shot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_app, "demo_author")
    page.get_by_role("link", name="Ngân hàng câu hỏi").first.click()
    page.get_by_label("Tên ngân hàng").fill("Ngân hàng thử nghiệm")
    page.get_by_role("button", name="Tạo").click()
    expect(page.locator("h1")).to_have_text("Ngân hàng thử nghiệm")

    rows = [q("Bộ phận Một cửa do cơ quan nào thành lập?", **{"Chủ đề": "Một cửa"}),
            q("Phiếu hẹn trả kết quả do ai lập?", **{"Đáp án": "E"}),
            q("Ai ký văn bản xin lỗi khi trễ hạn?", **{"Phương án B": None, "Phương án C": None})]
    bad = tmp_path / "cau-hoi.xlsx"
    bad.write_bytes(sheet(rows))
    page.get_by_role("link", name="Nhập", exact=True).click()
    page.get_by_label("Tệp (.xlsx, hoặc .txt đối với Aiken/GIFT)").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    problems = page.locator("#import-problems li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("Dòng 3, cột «Đáp án»")
    expect(problems.nth(1)).to_contain_text("Dòng 4, cột «Phương án B»")
    shot(page, "10-import-errors")

    rows[1]["Đáp án"] = "B"
    rows[2]["Phương án B"] = "Thủ trưởng cơ quan giải quyết"
    good = tmp_path / "cau-hoi-da-sua.xlsx"
    good.write_bytes(sheet(rows))
    page.get_by_label("Tệp (.xlsx, hoặc .txt đối với Aiken/GIFT)").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-summary")).to_contain_text("3")
    page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(page.locator("table.list tbody tr")).to_have_count(3)
    expect(page.locator("table.list tbody tr").first).to_contain_text("Bản nháp")
    page.get_by_label("Thêm người ra đề").select_option(label="Lâm Thị Kiều Oanh")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Lâm Thị Kiều Oanh")
    logout(page)

    login(page, live_app, "demo_author2")
    page.goto(f"{live_app['url']}/banks/")
    page.get_by_role("link", name="Ngân hàng thử nghiệm").click()
    page.locator("table.list tbody input[type=checkbox]").nth(0).check()
    page.locator("table.list tbody input[type=checkbox]").nth(1).check()
    page.get_by_label("Với các câu hỏi đã chọn").select_option("approve")
    page.get_by_role("button", name="Thực hiện").click()
    # Four eyes means reading: both questions are shown in full before they can be approved.
    expect(page.locator("#bulk-questions > li")).to_have_count(2)
    expect(page.locator("#bulk-questions")).to_contain_text("Bộ phận Một cửa do cơ quan nào thành lập?")
    shot(page, "10b-bulk-approval-confirm")
    page.locator("#bulk-read").check()
    page.locator("#bulk-approve").click()
    expect(page.locator(".messages")).to_contain_text("2")
    expect(page.locator("td.status-approved")).to_have_count(2)

    page.get_by_role("link", name=re.compile("Phiếu hẹn trả kết quả")).click()
    expect(page.locator(".candidate-item .choice")).to_have_count(3)
    expect(page.locator(".candidate-item")).to_contain_text("Phiếu hẹn trả kết quả do ai lập?")
    expect(page.locator("#correct-answer")).to_have_text(re.compile(r"^\s*B\s*$"))
    shot(page, "11-question-preview")

    page.get_by_role("link", name="Chỉnh sửa").click()
    page.get_by_label("Phương án C").fill("Lãnh đạo <strong>Văn phòng</strong>")
    expect(page.locator("#question-preview")).to_contain_text("Lãnh đạo Văn phòng")  # the live preview follows
    shot(page, "12-editor-live-preview")
