"""The course manager's catalogue in a real browser: a programme from a preset, its sample titles replaced."""
import re

import pytest
from playwright.sync_api import Page, expect

from courses.schedule import SCHEDULE_COLUMNS
from tests.e2e.test_question_author_journey import login
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.e2e


def test_the_course_manager_makes_a_programme_from_a_preset_and_names_its_modules(page: Page, live_app, shot,
                                                                                 tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_app, "demo_course")
    page.get_by_role("link", name="Chương trình bồi dưỡng", exact=True).first.click()
    expect(page.locator("#programmes")).to_contain_text("QLNN-CV")  # the demo's
    page.get_by_label("Mẫu chương trình").select_option("lanh-dao-cap-phong")
    page.get_by_label("Mã (để trống: theo mẫu)").fill("LDCP-2027")
    page.get_by_role("button", name="Tạo").click()
    expect(page.locator("h1")).to_contain_text("LDCP-2027")
    expect(page.locator(".exam-alert")).to_contain_text("khung mặc định")
    expect(page.locator("#assessments")).to_contain_text("KT1")
    shot(page, "50-programme-from-preset")
    page.locator("#programme-edit").click()
    page.get_by_label("CD01 – Tên chuyên đề").fill("Lãnh đạo trong cơ quan hành chính cấp huyện")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu chương trình LDCP-2027")
    first = page.locator("table.list tbody tr", has_text="CD01")
    expect(first).to_contain_text("Lãnh đạo trong cơ quan hành chính cấp huyện")
    expect(first).not_to_contain_text("tên mẫu")
    expect(page).to_have_url(re.compile(r"/courses/programmes/\d+/$"))
    shot(page, "51-programme-named")

    # A class of it, and its head.
    page.get_by_role("link", name="← Chương trình bồi dưỡng").click()
    page.get_by_role("link", name="Lớp bồi dưỡng", exact=True).first.click()
    page.get_by_label("Chương trình").select_option(label="LDCP-2027 – Bồi dưỡng lãnh đạo, quản lý cấp phòng")
    page.get_by_label("Tên lớp (ví dụ K60)").fill("K12")
    page.get_by_label("Ngày khai giảng").fill("05/04/2027")
    page.get_by_label("Ngày bế giảng").fill("30/04/2027")
    page.get_by_label("Địa điểm").fill("Hội trường B")
    page.get_by_role("button", name="Tạo").click()
    expect(page.locator("h1")).to_have_text("Lớp K12")
    page.locator("select[name=user]").select_option(label="Trương Văn Giảng")
    page.get_by_label("Nhiệm vụ trong lớp").select_option("head")
    page.get_by_role("button", name="Thêm").click()
    expect(page.locator("#staff")).to_contain_text("Chủ nhiệm lớp: Trương Văn Giảng")
    shot(page, "52-class-opened")

    # Its schedule, from Excel: a faulty file is refused with its rows named, the corrected one is written.
    rows = [dict(zip(SCHEDULE_COLUMNS, values, strict=True)) for values in (
        ["05/04/2027", "Sáng", "CD01", "4", ""], ["05/04/2027", "Chiều", "CD02", "4", "demo_course"],
        ["06/04/2027", "Tối", "CD03", "4", ""])]
    bad = tmp_path / "lich-hoc.xlsx"
    bad.write_bytes(xlsx_bytes(rows, columns=SCHEDULE_COLUMNS))
    page.locator("#schedule-import").get_by_label("Tệp Excel (.xlsx)").set_input_files(str(bad))
    page.locator("#schedule-import").get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-problems li")).to_have_count(1)
    expect(page.locator("#import-problems")).to_contain_text("Dòng 4, cột «Buổi»")
    rows[2]["Buổi"] = "Sáng"
    good = tmp_path / "lich-hoc-da-sua.xlsx"
    good.write_bytes(xlsx_bytes(rows, columns=SCHEDULE_COLUMNS))
    page.locator("#schedule-import").get_by_label("Tệp Excel (.xlsx)").set_input_files(str(good))
    page.locator("#schedule-import").get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(page.locator("#sessions tbody tr")).to_have_count(3)
    shot(page, "53-class-schedule")
