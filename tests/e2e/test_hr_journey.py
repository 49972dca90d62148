"""HR logs in, sees the dashboard, changes text size, imports people and finds one by an unaccented search."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import person_row, xlsx_bytes

pytestmark = pytest.mark.e2e


def test_hr_imports_people_and_finds_one_without_accents(page: Page, live_app, shot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_app['url']}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    expect(page.locator(".demo-banner")).to_be_visible()
    shot(page, "01-login")

    page.get_by_label("Tài khoản").fill("demo_hr")
    page.get_by_label("Mật khẩu").fill(live_app["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("[data-role=hr_staff] h2")).to_have_text("Cán bộ tổ chức (nhân sự)")
    shot(page, "02-dashboard")

    page.get_by_role("button", name="Chữ lớn hơn").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\btext-l\b"))
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\btext-l\b"))  # remembered
    page.get_by_role("button", name="Cỡ chữ bình thường").click()

    rows = [
        person_row(1, **{"Họ và tên": "Thạch Thị Sô Phi", "Dân tộc": "Khmer", "Số CCCD": "087195123401",
                         "Email": "sophi@example.org", "Đơn vị": "Phòng Nội vụ / UBND huyện Cao Lãnh"}),
        person_row(2, **{"Họ và tên": "Quách Văn Đạt", "Giới tính": "Nam", "Số CCCD": "087095123402",
                         "Email": "dat@example.org", "Đơn vị": "DT.SNV"}),
    ]
    upload = tmp_path / "nhan-su.xlsx"
    upload.write_bytes(xlsx_bytes(rows))
    page.get_by_role("link", name="Nhập nhân sự từ Excel").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-summary")).to_contain_text("2")
    shot(page, "03-import-check")
    page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(page.locator(".messages")).to_contain_text("2")

    page.get_by_label("Tìm kiếm").fill("thach thi so phi")
    page.get_by_role("button", name="Tìm kiếm").click()
    results = page.locator("table.list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Thạch Thị Sô Phi")
    expect(results.first).to_contain_text("Phòng Nội vụ")
    shot(page, "04-search")

    page.get_by_label("Tìm kiếm").fill("QUACH VAN DAT")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Quách Văn Đạt").click()
    expect(page.locator("dl.details")).to_contain_text("087095123402")  # HR in scope sees the full CCCD
