"""A training class run through the pages alone, on a new installation (migrate and createsuperuser: no demo data).

The administrator imports the course manager and a lecturer and gives them their roles; the course manager makes
the chuyên viên programme from its preset and a class of it, imports its schedule and its learners (the learners
are new to the register, which says where they came from); the administrator gives two learners their activation
codes; the lecturer, the class's head, opens self check-in and two learners check in from their phones (one types
the code, one follows the QR code's link); the head imports the sign-in sheet and the scores (a faulty score sheet
is refused first, naming its cells), closes the class and downloads the completion list."""
from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from accounts.imports import PEOPLE_COLUMNS
from courses.learners import LEARNER_COLUMNS
from courses.schedule import SCHEDULE_COLUMNS
from tests.e2e.test_empty_install_journey import PASSWORD, check_and_confirm, download, person_row, sign_in
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.e2e

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MANAGER, LECTURER = "087190000301", "087090000302"
STAFF = {MANAGER: ("Nguyễn Thị Đào Tạo", "Quản lý lớp bồi dưỡng"),
         LECTURER: ("Trần Văn Giảng", "Giảng viên / chủ nhiệm lớp")}
LEARNERS = {"087090000401": "Huỳnh Văn An", "087190000402": "Đinh Thị Bích", "087090000403": "Lý Văn Cường"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def activate(browser: Browser, app, admin: Page, cccd: str) -> None:
    """On the person's page: an activation code, redeemed by the person."""
    admin.get_by_role("button", name="Cấp mã kích hoạt (in phiếu)").click()
    code = admin.locator("#activation-code").inner_text().strip()
    newcomer = browser.new_page()
    newcomer.goto(f"{app['url']}/activate/")
    newcomer.get_by_label("Tên đăng nhập hoặc số CCCD").fill(cccd)
    newcomer.get_by_label("Mã kích hoạt").fill(code)
    newcomer.get_by_label(re.compile(r"^Mật khẩu mới")).fill(PASSWORD)
    newcomer.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    newcomer.get_by_role("button", name="Kích hoạt").click()
    expect(newcomer.locator(".messages")).to_contain_text("đã được kích hoạt")
    newcomer.close()


def staff_with_roles(browser: Browser, app, admin: Page, staff: dict, path) -> None:
    """The administrator imports ``staff`` (CCCD: (name, role label)), gives each their role and activates them."""
    admin.goto(f"{app['url']}/people/import/")
    path.write_bytes(xlsx_bytes([person_row(c, n) | {"Đơn vị": ""} for c, (n, _r) in staff.items()],
                                columns=PEOPLE_COLUMNS))
    check_and_confirm(admin, re.compile("Tệp Excel"), path)
    for cccd, (name, role) in staff.items():
        admin.goto(f"{app['url']}/people/?q={cccd}")
        admin.get_by_role("link", name=name).click()
        admin.locator("#roles").get_by_label(role).check()
        admin.locator("#roles").get_by_role("button", name="Lưu vai trò").click()
        expect(admin.locator("#roles")).to_contain_text(role)
        activate(browser, app, admin, cccd)


def fresh_code(screen: Page) -> str:
    """The code on the lecturer's screen, read as a person does: not in its last seconds (it would change while
    being typed)."""
    expect(screen.locator("#check-in-code")).to_have_text(re.compile(r"^\d{6}$"))
    while int(screen.locator("#check-in-left").inner_text()) < 7:
        screen.wait_for_timeout(500)
    return screen.locator("#check-in-code").inner_text().strip()


def test_a_training_class_runs_from_an_empty_installation(browser: Browser, empty_app, shot, tmp_path):
    class_closed(browser, empty_app, shot, tmp_path)


def class_closed(browser: Browser, app, shot, tmp_path) -> dict[str, Page]:
    """The whole class, from the administrator's first import to the head's completion list (the module's
    docstring tells it); its pages by role: ``admin``, ``manager`` and ``head``."""
    wide = {"viewport": {"width": 1366, "height": 900}}
    today = dt.datetime.now(LOCAL).date()
    yesterday = today - dt.timedelta(days=1)

    # --- the administrator: the course manager and the lecturer ---------------------------------------------------
    admin = browser.new_page(**wide)
    sign_in(admin, app, "quantri", app["admin_password"])
    staff_with_roles(browser, app, admin, STAFF, tmp_path / "can-bo.xlsx")

    # --- the course manager: programme, class, schedule, learners --------------------------------------------------
    manager = browser.new_page(**wide)
    sign_in(manager, app, MANAGER)
    manager.get_by_role("link", name="Chương trình bồi dưỡng", exact=True).first.click()
    manager.get_by_label("Mẫu chương trình").select_option("qlnn-chuyen-vien")
    manager.get_by_role("button", name="Tạo").click()
    expect(manager.locator("h1")).to_contain_text("QLNN-CV")
    manager.goto(f"{app['url']}/courses/classes/")
    manager.get_by_label("Chương trình").select_option(index=1)
    manager.get_by_label("Tên lớp (ví dụ K60)").fill("K1")
    manager.get_by_label("Ngày khai giảng").fill(yesterday.strftime("%d/%m/%Y"))
    manager.get_by_label("Ngày bế giảng").fill(today.strftime("%d/%m/%Y"))
    manager.get_by_role("button", name="Tạo").click()
    expect(manager.locator("h1")).to_have_text("Lớp K1")
    for role in ("head", "lecturer"):
        manager.locator("select[name=user]").select_option(label="Trần Văn Giảng")
        manager.get_by_label("Nhiệm vụ trong lớp").select_option(role)
        manager.get_by_role("button", name="Thêm").click()
    expect(manager.locator("#staff")).to_contain_text("Chủ nhiệm lớp: Trần Văn Giảng")
    schedule = tmp_path / "lich.xlsx"
    schedule.write_bytes(xlsx_bytes([dict(zip(SCHEDULE_COLUMNS, values, strict=True)) for values in (
        [yesterday.strftime("%d/%m/%Y"), "Sáng", "CD01", "4", LECTURER],
        [yesterday.strftime("%d/%m/%Y"), "Chiều", "CD02", "4", LECTURER],
        [today.strftime("%d/%m/%Y"), "Sáng", "CD03", "4", LECTURER])], columns=SCHEDULE_COLUMNS))
    manager.locator("#schedule-import").get_by_label("Tệp Excel (.xlsx)").set_input_files(str(schedule))
    manager.locator("#schedule-import").get_by_role("button", name="Kiểm tra tệp").click()
    manager.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(manager.locator("#sessions tbody tr")).to_have_count(3)
    shot(manager, "c01-class-scheduled")
    manager.locator("nav.tabs").get_by_role("link", name="Học viên", exact=True).click()
    template = load_workbook(io.BytesIO(download(manager, manager.get_by_role("link", name="Tải tệp mẫu"))))
    assert [c.value for c in template.worksheets[0][1]] == LEARNER_COLUMNS
    learners_file = tmp_path / "hoc-vien.xlsx"
    learners_file.write_bytes(xlsx_bytes([
        {"STT": str(n), "Họ và tên": name, "Ngày sinh": "03/09/1990", "Giới tính": "Nữ" if "Thị" in name else "Nam",
         "Số CCCD": cccd, "Đơn vị": "UBND huyện Lai Vung", "Chức vụ": "Chuyên viên", "Ngạch": "Cán sự"}
        for n, (cccd, name) in enumerate(LEARNERS.items(), start=1)], columns=LEARNER_COLUMNS))
    manager.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(learners_file))
    manager.get_by_role("button", name="Kiểm tra tệp").click()
    expect(manager.locator("#import-summary")).to_contain_text("3")
    manager.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(manager.locator("#learners tbody tr")).to_have_count(3)
    shot(manager, "c02-learners")

    # --- the administrator: two learners get their activation codes (the register says where they came from) -------
    for cccd in list(LEARNERS)[:2]:
        admin.goto(f"{app['url']}/people/?q={cccd}")
        admin.get_by_role("link", name=LEARNERS[cccd]).click()
        expect(admin.locator("#person-origin")).to_have_text("Danh sách học viên lớp K1 (QLNN-CV)")
        activate(browser, app, admin, cccd)

    # --- the lecturer opens self check-in; two learners check in from their phones ---------------------------------
    screen = browser.new_page(**wide)
    sign_in(screen, app, LECTURER)
    screen.get_by_role("link", name="K1 – QLNN-CV").click()
    screen.locator("#sessions tr", has_text=today.strftime("%d/%m/%Y")).get_by_role("link", name="Tự điểm danh").click()
    screen.get_by_role("button", name="Mở điểm danh").click()
    expect(screen.locator("#check-in-qr svg")).to_be_visible()
    shot(screen, "c03-check-in-screen")
    phones = []
    for n, cccd in enumerate(list(LEARNERS)[:2]):
        phone = browser.new_context(**PHONE).new_page()
        sign_in(phone, app, cccd)
        code = fresh_code(screen)
        if n == 0:  # types the code
            phone.goto(f"{app['url']}/courses/check-in/")
            phone.get_by_label("Mã trên màn hình").fill(code)
        else:  # the QR code's link brings the code with it
            phone.goto(f"{app['url']}/courses/check-in/?code={code}")
            expect(phone.get_by_label("Mã trên màn hình")).to_have_value(code)
        phone.get_by_role("button", name="Điểm danh").click()
        expect(phone.locator(".messages")).to_contain_text("Đã điểm danh")
        shot(phone, f"c04-phone-checked-in-{n}")
        phones.append(phone)
    expect(screen.locator("#check-in-count")).to_have_text("2", timeout=10_000)
    expect(screen.locator("#check-in-list")).to_contain_text("Huỳnh Văn An")
    shot(screen, "c05-check-in-live")
    # A code typed after it has changed is refused.
    stale = screen.locator("#check-in-code").inner_text().strip()
    phones[0].goto(f"{app['url']}/courses/check-in/")
    phones[0].get_by_label("Mã trên màn hình").fill(f"{(int(stale) + 1) % 1_000_000:06d}")
    phones[0].get_by_role("button", name="Điểm danh").click()
    expect(phones[0].locator(".messages")).to_contain_text("Mã không đúng")
    screen.get_by_role("button", name="Đóng điểm danh").click()

    # --- the head: sign-in sheet, scores, closing, the completion list ----------------------------------------------
    screen.goto(screen.url.split("/courses/")[0] + "/courses/classes/")
    screen.get_by_role("link", name="K1").click()
    screen.locator("nav.tabs").get_by_role("link", name="Điểm danh", exact=True).click()
    sheet = load_workbook(io.BytesIO(download(screen, screen.get_by_role("link", name="Tải bảng điểm danh của lớp"))))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][2:] == (f"{yesterday:%d/%m/%Y} Sáng", f"{yesterday:%d/%m/%Y} Chiều", f"{today:%d/%m/%Y} Sáng")
    marks = {"087090000401": ["x", "x", "x"], "087190000402": ["x", "x", "x"], "087090000403": ["x", "x", "K"]}
    filled = tmp_path / "diem-danh.xlsx"
    filled.write_bytes(xlsx_bytes([dict(zip(rows[0], [r[0], r[1], *marks[r[0]]], strict=True)) for r in rows[1:]],
                                  columns=list(rows[0])))
    check_and_confirm(screen, "Tệp Excel (.xlsx)", filled)
    expect(screen.locator("#attendance")).to_contain_text("66,67")
    shot(screen, "c06-attendance")
    screen.locator("nav.tabs").get_by_role("link", name="Điểm", exact=True).click()
    scores = {"087090000401": ["8", "9", "8,5"], "087190000402": ["7,25", "6", "11"], "087090000403": ["5", "", ""]}
    columns = ["Số CCCD", "Họ và tên", "KT1", "KT2", "TH"]
    scores_file = tmp_path / "diem.xlsx"
    scores_file.write_bytes(xlsx_bytes([dict(zip(columns, [c, LEARNERS[c], *v], strict=True))
                                        for c, v in scores.items()], columns=columns))
    screen.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(scores_file))
    screen.get_by_role("button", name="Kiểm tra tệp").click()
    expect(screen.locator("#import-problems")).to_contain_text("Dòng 3, cột «TH»")
    shot(screen, "c07-scores-refused")
    scores["087190000402"][2] = "7"
    scores_file.write_bytes(xlsx_bytes([dict(zip(columns, [c, LEARNERS[c], *v], strict=True))
                                        for c, v in scores.items()], columns=columns))
    check_and_confirm(screen, "Tệp Excel (.xlsx)", scores_file)
    screen.locator("nav.tabs").get_by_role("link", name="Hoàn thành", exact=True).click()
    expect(screen.locator("#completion-summary")).to_contain_text("2/3")
    expect(screen.locator("#completion tr", has_text="Lý Văn Cường")).to_contain_text("Thiếu điểm TH")
    screen.get_by_role("button", name="Kết thúc lớp").click()
    expect(screen.locator("#class-closed")).to_be_visible()
    expect(screen.locator("#correct-score")).to_be_visible()
    shot(screen, "c08-class-closed")
    book = load_workbook(io.BytesIO(download(screen, screen.locator("#completion-download"))))
    table = [r for r in book.active.iter_rows(values_only=True) if r[0] and str(r[0]).isdigit()]
    assert [r[1] for r in table] == ["Huỳnh Văn An", "Đinh Thị Bích", "Lý Văn Cường"]  # An, Bích, Cường
    assert [r[11] for r in table] == ["Đủ điều kiện", "Đủ điều kiện", "Không đủ điều kiện"]
    assert table[0][9:11] == ("8,50", "Giỏi")
    return {"admin": admin, "manager": manager, "head": screen}
