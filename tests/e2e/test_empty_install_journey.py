"""A province sets up and runs an exam itself, through the pages alone, on a new installation (migrate, and the
administrator's account created by Django's createsuperuser: no demo data, no shell).

The administrator imports the staff and gives them their roles and activation codes; HR creates the exam from a
preset, imports the candidates from the downloaded template, sets the room, the council, the sitting and its
invigilator; an author imports questions and a second author approves them after reading them; the blueprint is
made, the sitting's sealed papers are made on its page, the readiness check goes green and the exam is scheduled;
the invigilator opens the room; two candidates sit it (one moves to another machine mid-way with the room code);
the chair closes the exam day and approves the results, HR publishes them and downloads the annex.
Every step is saved as a picture and checked with axe-core (tests/e2e/conftest.py)."""
from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from accounts.imports import PEOPLE_COLUMNS
from exams.sessions.candidate_columns import CANDIDATE_COLUMNS
from tests.exams.test_import_questions import q, sheet
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.e2e

PASSWORD = "Mat-khau-2027!"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

STAFF = {  # CCCD: (full name, role label on the person's page)
    "087190000101": ("Nguyễn Thị Nhân Sự", "Cán bộ tổ chức (nhân sự)"),
    "087190000102": ("Trần Văn Soạn", "Người ra đề"),
    "087190000103": ("Lê Thị Duyệt", "Người ra đề"),
    "087190000104": ("Phạm Văn Coi", "Giám thị"),
    "087190000105": ("Võ Thị Chủ Tịch", "Thành viên Hội đồng thi"),
}


def person_row(cccd: str, name: str) -> dict:
    row = {column: "" for column in PEOPLE_COLUMNS}
    row.update({"Họ và tên": name, "Ngày sinh": "14/02/1984", "Giới tính": "Nữ" if "Thị" in name else "Nam",
                "Dân tộc": "Kinh", "Số CCCD": cccd, "Đơn vị": "Sở Nội vụ", "Chức vụ": "Chuyên viên"})
    return row


def candidate_row(n: int, name: str, cccd: str) -> dict:
    return {"STT": str(n), "Họ và tên": name, "Ngày sinh": "03/09/1990", "Giới tính": "Nam", "Dân tộc": "Kinh",
            "Số CCCD": cccd, "Chức vụ": "Chuyên viên", "Đơn vị công tác": "Phòng Nội vụ / UBND huyện Lai Vung",
            "Ngạch hiện giữ": "Cán sự", "Mã ngạch": "01.004", "Ngày bắt đầu công tác": "01/09/2015"}


def sign_in(page: Page, app, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{app['url']}/accounts/login/")
    page.get_by_label("Tài khoản").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def check_and_confirm(page: Page, label: str, path) -> None:
    page.get_by_label(label).set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-problems")).to_have_count(0)
    page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()


def download(page: Page, locator) -> bytes:
    with page.expect_download() as info:
        locator.click()
    return open(info.value.path(), "rb").read()


def questions_imported(author: Page, path, rows: list[dict], co_author: str) -> None:
    """On the bank's page: its questions from an Excel file (every row checked, then confirmed), and a second author
    who will read and approve them."""
    path.write_bytes(sheet(rows))
    author.get_by_role("link", name="Nhập", exact=True).click()
    check_and_confirm(author, "Tệp (.xlsx, hoặc .txt đối với Aiken/GIFT)", path)
    expect(author.locator("table.list tbody tr")).to_have_count(len(rows))
    author.get_by_label("Thêm người ra đề").select_option(label=co_author)
    author.get_by_role("button", name="Thêm", exact=True).click()


def approve_all(reviewer: Page, bank_url: str, count: int, shot=None) -> None:
    """The second author reads every question of the bank (the bulk approval shows them) and approves them."""
    reviewer.goto(bank_url)
    for box in reviewer.locator("table.list tbody input[type=checkbox]").all():
        box.check()
    reviewer.get_by_label("Với các câu hỏi đã chọn").select_option("approve")
    reviewer.get_by_role("button", name="Thực hiện").click()
    expect(reviewer.locator("#bulk-questions > li")).to_have_count(count)
    if shot is not None:
        shot(reviewer, "e08-bulk-approval-read")
    reviewer.locator("#bulk-read").check()
    reviewer.locator("#bulk-approve").click()
    expect(reviewer.locator("td.status-approved")).to_have_count(count)


def blueprint_made(author: Page, bank_url: str, name: str, count: int) -> None:
    """A blueprint of the bank drawing ``count`` medium questions of its topic "Một cửa", on a 10-point scale."""
    author.goto(bank_url)
    author.get_by_role("link", name="Ma trận đề và đề thi").click()
    author.get_by_label("Tên").fill(name)
    author.get_by_label("Thang điểm").fill("10")
    author.get_by_role("button", name="Tạo").click()
    author.locator("select[name$='0-topic']").select_option(label="Một cửa")
    author.locator("select[name$='0-difficulty']").select_option("medium")
    author.locator("input[name$='0-count']").fill(str(count))
    author.get_by_role("button", name="Lưu ma trận đề").click()
    expect(author.locator(".messages")).to_contain_text("Đã lưu")


def test_a_province_runs_an_exam_from_an_empty_installation(browser: Browser, empty_app, shot, tmp_path):
    app = empty_app
    wide = {"viewport": {"width": 1366, "height": 900}}

    # --- the administrator: the staff, their roles and their activation codes --------------------------------------
    admin = browser.new_page(**wide)
    sign_in(admin, app, "quantri", app["admin_password"])
    shot(admin, "e01-admin-dashboard")
    # The province and its department of home affairs: the first units, added on the units page.
    admin.goto(f"{app['url']}/units/")
    admin.get_by_label("Tên đơn vị").fill("UBND tỉnh Đồng Tháp")
    admin.get_by_label("Loại đơn vị").select_option("province")
    admin.locator("#unit-add").get_by_role("button", name="Thêm").click()
    admin.get_by_label("Tên đơn vị").fill("Sở Nội vụ")
    admin.get_by_label(re.compile("^Đơn vị cấp trên")).select_option(label="UBND tỉnh Đồng Tháp")
    admin.get_by_label("Loại đơn vị").select_option("department")
    admin.locator("#unit-add").get_by_role("button", name="Thêm").click()
    expect(admin.locator(".messages")).to_contain_text("Đã thêm đơn vị Sở Nội vụ")
    shot(admin, "e01b-units")
    admin.goto(f"{app['url']}/people/import/")
    staff_file = tmp_path / "can-bo.xlsx"
    staff_file.write_bytes(xlsx_bytes([person_row(c, n) for c, (n, _r) in STAFF.items()], columns=PEOPLE_COLUMNS))
    admin.get_by_label(re.compile("Tệp Excel")).set_input_files(str(staff_file))
    admin.get_by_role("button", name="Kiểm tra tệp").click()
    shot(admin, "e02-people-import-checked")
    admin.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(admin.locator(".messages")).to_contain_text("5")

    for cccd, (name, role) in STAFF.items():
        admin.goto(f"{app['url']}/people/?q={cccd}")
        admin.get_by_role("link", name=name).click()
        admin.locator("#roles").get_by_label(role).check()
        if role == "Cán bộ tổ chức (nhân sự)":  # HR manages the people of a unit and below: here, the province
            admin.locator("#roles").get_by_label(re.compile("^Phạm vi quản lý nhân sự")).select_option(
                label="UBND tỉnh Đồng Tháp")
        admin.locator("#roles").get_by_role("button", name="Lưu vai trò").click()
        expect(admin.locator(".messages")).to_contain_text("Đã lưu vai trò")
        expect(admin.locator("#roles")).to_contain_text(role)
        if cccd.endswith("101"):
            shot(admin, "e03-person-roles")
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

    # --- HR creates the exam from a preset ------------------------------------------------------------------------
    hr = browser.new_page(**wide)
    sign_in(hr, app, "087190000101")
    hr.get_by_role("link", name="Kỳ thi", exact=True).first.click()
    hr.get_by_label("Mẫu kỳ thi").select_option(label="Sát hạch nội bộ")
    hr.get_by_label("Tên").fill("Sát hạch kiến thức cải cách hành chính năm 2027")
    hr.get_by_label("Ngày chốt điều kiện dự thi").fill("01/01/2027")
    shot(hr, "e04-exam-new")
    hr.get_by_role("button", name="Tạo").click()
    expect(hr.locator("h1")).to_have_text("Sát hạch kiến thức cải cách hành chính năm 2027")
    exam_url = hr.url

    rooms = hr.locator("form[action$='/rooms/']")
    rooms.get_by_label("Tên").fill("Phòng máy 1")
    rooms.get_by_label("Sức chứa (số máy)").fill("20")
    rooms.get_by_role("button", name="Thêm").click()
    expect(hr.locator(".messages")).to_contain_text("Đã lưu")
    rooms.get_by_label("Tên").fill("phòng máy 1")  # the same name again: said in words, nothing added
    rooms.get_by_label("Sức chứa (số máy)").fill("20")
    rooms.get_by_role("button", name="Thêm").click()
    expect(hr.locator(".messages")).to_contain_text("Kỳ thi đã có phòng thi tên")

    council = hr.locator("form[action$='/council/']")
    council.locator("select[name=user]").select_option(label="Võ Thị Chủ Tịch")
    council.locator("select[name=board]").select_option("council")
    council.locator("select[name=position]").select_option("chair")
    council.get_by_role("button", name="Thêm").click()
    expect(hr.locator("#council")).to_contain_text("Võ Thị Chủ Tịch")
    council = hr.locator("form[action$='/council/']")  # a board: the invigilator sits on the invigilation board
    council.locator("select[name=user]").select_option(label="Phạm Văn Coi")
    council.locator("select[name=board]").select_option("invigilation")
    council.locator("select[name=position]").select_option("member")
    council.get_by_role("button", name="Thêm").click()
    expect(hr.locator("#council")).to_contain_text("Phạm Văn Coi")
    council = hr.locator("form[action$='/council/']")  # a second chair of the council: refused, in words
    council.locator("select[name=user]").select_option(label="Trần Văn Soạn")
    council.locator("select[name=board]").select_option("council")
    council.locator("select[name=position]").select_option("chair")
    council.get_by_role("button", name="Thêm").click()
    expect(hr.locator(".messages")).to_contain_text("Võ Thị Chủ Tịch")
    expect(hr.locator("#council")).not_to_contain_text("Trần Văn Soạn")

    # The candidates, from the template the page gives.
    hr.get_by_role("link", name=re.compile("^Thí sinh")).click()
    template = load_workbook(io.BytesIO(download(hr, hr.locator("#candidate-template"))))
    assert [c.value for c in template.worksheets[0][1]] == CANDIDATE_COLUMNS
    assert any("NN_DTTS" in str(row[0].value) for row in template.worksheets[1].iter_rows())
    candidates_file = tmp_path / "thi-sinh.xlsx"
    candidates_file.write_bytes(xlsx_bytes([
        candidate_row(1, "Huỳnh Văn An", "087090000201"), candidate_row(2, "Đinh Thị Bích", "087190000202"),
        candidate_row(3, "Lý Văn Cường", "087090000203")], columns=CANDIDATE_COLUMNS))
    hr.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(candidates_file))
    hr.get_by_role("button", name="Kiểm tra tệp").click()
    expect(hr.locator("#import-preview tbody tr")).to_have_count(3)
    expect(hr.locator("#import-summary")).to_contain_text("thêm mới 3 dòng")
    shot(hr, "e05-candidates-preview")
    hr.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(hr.locator(".messages")).to_contain_text("Đã ghi")
    # One of them leaves the service: withdrawn on their page, with the reason.
    hr.locator("#registrations tr", has_text="Lý Văn Cường").get_by_role("link", name="Sửa hoặc rút tên").click()
    hr.get_by_label("Lý do (lưu trong nhật ký)").fill("Nghỉ việc từ 01/12")
    hr.get_by_role("button", name="Rút tên khỏi kỳ thi").click()
    expect(hr.locator(".messages")).to_contain_text("Đã rút tên Lý Văn Cường")
    hr.get_by_role("button", name="Xếp phòng tự động").click()
    expect(hr.locator("#registrations tbody tr")).to_have_count(2)
    shot(hr, "e06-candidates")

    # The sitting: it began a minute ago and lasts an hour (the journey sits it now).
    hr.goto(exam_url)
    start = dt.datetime.now(LOCAL).replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    sitting_form = hr.locator("form[action$='/sittings/']")
    sitting_form.locator("select[name=subject]").select_option(index=1)  # the preset's one subject
    sitting_form.get_by_label("Bắt đầu lúc").fill(start.strftime("%d/%m/%Y %H:%M"))
    sitting_form.get_by_label("Kết thúc lúc").fill((start + dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"))
    sitting_form.get_by_role("button", name="Thêm").click()
    expect(hr.locator(".messages")).to_contain_text("Đã lưu")
    invigilators = hr.locator("form[action$='/invigilators/']")
    invigilators.locator("select[name=sitting]").select_option(index=1)
    invigilators.locator("select[name=room]").select_option(label="Phòng máy 1")
    invigilators.locator("select[name=user]").select_option(label="Phạm Văn Coi")
    invigilators.get_by_role("button", name="Thêm").click()
    expect(hr.locator("#invigilators")).to_contain_text("Phạm Văn Coi")
    expect(hr.locator("#readiness")).to_contain_text("chưa có bộ đề đã niêm phong")
    shot(hr, "e07-readiness-red")

    # --- the authors: questions, four-eyes approval, the blueprint ------------------------------------------------
    author = browser.new_page(**wide)
    sign_in(author, app, "087190000102")
    author.get_by_role("link", name="Ngân hàng câu hỏi").first.click()
    author.get_by_label("Tên ngân hàng").fill("Cải cách hành chính")
    author.get_by_role("button", name="Tạo").click()
    questions_imported(author, tmp_path / "cau-hoi.xlsx", [
        q(f"Câu hỏi số {n} về một cửa liên thông?", **{"Chủ đề": "Một cửa"}) for n in range(1, 6)], "Lê Thị Duyệt")
    bank_url = author.url

    reviewer = browser.new_page(**wide)
    sign_in(reviewer, app, "087190000103")
    approve_all(reviewer, bank_url, 5, shot)
    blueprint_made(author, bank_url, "Ma trận sát hạch 2027", 5)

    # --- HR: the subject takes the blueprint, the sitting its sealed papers; the exam is scheduled ------------------
    hr.goto(exam_url)
    hr.locator("table.list").first.get_by_role("link", name="Chỉnh sửa").click()
    hr.get_by_label("Ma trận đề").select_option(index=1)  # the one blueprint there is
    hr.get_by_label("Số câu hỏi").fill("5")
    hr.get_by_role("button", name="Lưu").click()
    expect(hr.locator(".messages")).to_contain_text("Đã lưu môn thi")
    hr.locator("#readiness a").first.click()
    shot(hr, "e09-sitting-before-papers")
    hr.locator("#make-papers").click()
    expect(hr.locator(".messages")).to_contain_text("Đã tạo và niêm phong bộ đề")
    expect(hr.locator("#paper-set")).to_contain_text("2 đề và 1 đề dự phòng")
    shot(hr, "e10-sitting-papers-sealed")
    hr.goto(exam_url)
    expect(hr.locator("#readiness")).to_contain_text("Đã đủ mọi thứ")
    shot(hr, "e10b-exam-ready")
    hr.locator("#next-steps").get_by_role("button", name="→ Đã xếp lịch").click()
    expect(hr.locator(".messages")).to_contain_text("Trạng thái kỳ thi: Đã xếp lịch")
    expect(hr.locator("#next-steps")).to_contain_text("không thể quay về")  # no way back once papers exist
    shot(hr, "e11-exam-scheduled")
    slips = load_workbook(io.BytesIO(download(hr, hr.get_by_role("link", name="Phiếu đăng nhập").first)))
    logins = {}
    for sheet_rows in slips.worksheets:
        cells = [str(c.value or "") for row in sheet_rows.iter_rows() for c in row]
        for n, value in enumerate(cells):
            if value == "Số báo danh (tên đăng nhập):":
                logins[cells[n + 1]] = cells[cells.index("Mật khẩu:", n) + 1]
    assert len(logins) == 2 and all(number.startswith("SH") for number in logins), logins
    assert "Sát hạch kiến thức cải cách hành chính năm 2027" in " ".join(  # the slip names the exam
        str(c.value) for row in slips.worksheets[0].iter_rows() for c in row if c.value)

    # --- exam day ---------------------------------------------------------------------------------------------------
    invigilator = browser.new_page(**wide)
    sign_in(invigilator, app, "087190000104")
    invigilator.goto(f"{app['url']}/invigilation/")
    invigilator.get_by_role("link", name=re.compile("Phòng máy 1")).first.click()
    expect(invigilator.locator("#readiness")).to_contain_text("Đã sẵn sàng")
    invigilator.get_by_role("button", name="Mở phòng thi").click()
    room_code = invigilator.locator("#room-code").inner_text().strip()
    shot(invigilator, "e12-console-open")

    sat = []
    for number, password in sorted(logins.items()):
        machine = browser.new_page(**wide)
        machine.goto(f"{app['url']}/exam-login/")
        machine.get_by_label("Số báo danh").fill(number)
        machine.get_by_label("Mật khẩu dự thi").fill(password)
        machine.get_by_role("button", name="Vào phòng thi").click()
        expect(machine).to_have_url(re.compile(r"/my-exams/$"))
        machine.get_by_role("link", name="Vào phòng thi").first.click()
        machine.get_by_label(re.compile("Mã phòng thi")).fill(room_code)
        machine.get_by_role("button", name="Vào phòng thi").click()
        expect(machine).to_have_url(re.compile(r"/attempts/\d+/$"))
        expect(machine.locator("#conn")).to_have_attribute("data-state", re.compile("online|http"), timeout=15000)
        sat.append((number, password, machine))
    first_number, first_password, first = sat[0]
    # Three keys to the first answer: Tab to the skip link, Enter, Tab to the first choice.
    first.keyboard.press("Tab")
    expect(first.locator(".skip-link")).to_be_focused()
    first.keyboard.press("Enter")
    first.keyboard.press("Tab")
    expect(first.locator(".qwrap").nth(0).locator("input[type=radio]").first).to_be_focused()
    for n in range(3):
        first.locator(".qwrap").nth(n).locator("input[type=radio]").first.check()
    expect(first.locator("#pending")).to_have_text("", timeout=10000)
    shot(first, "e13-exam-page")

    # Their machine fails: the invigilator releases their paper, they sign in on another machine with the room code,
    # and find their answers there.
    first.close()
    invigilator.reload()
    invigilator.get_by_label("Thao tác", exact=True).select_option("release")
    chosen = invigilator.get_by_label("Thí sinh (để trống: cả phòng)")
    chosen.select_option(chosen.locator("option", has_text=first_number).get_attribute("value"))
    invigilator.get_by_label("Lý do", exact=True).fill("Máy treo, chuyển sang máy dự phòng")
    invigilator.get_by_role("button", name="Thực hiện").click()
    expect(invigilator.locator(".messages")).to_contain_text("Đã thực hiện")
    second_machine = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    second_machine.goto(f"{app['url']}/exam-login/")
    second_machine.get_by_label("Số báo danh").fill(first_number)
    second_machine.get_by_label("Mật khẩu dự thi").fill(first_password)
    second_machine.get_by_role("button", name="Vào phòng thi").click()
    second_machine.get_by_role("link", name="Vào phòng thi").first.click()
    second_machine.get_by_label(re.compile("Mã phòng thi")).fill(room_code)
    second_machine.get_by_role("button", name="Vào phòng thi").click()
    expect(second_machine).to_have_url(re.compile(r"/attempts/\d+/$"))
    for n in range(3):
        expect(second_machine.locator(".qwrap").nth(n).locator("input[type=radio]").first).to_be_checked()
    for page in (second_machine, sat[1][2]):
        page.locator(".qwrap").nth(4).locator("input[type=radio]").first.check()
        expect(page.locator("#pending")).to_have_text("", timeout=10000)
        page.locator("#submit-btn").click()
        expect(page.locator("#confirm-no")).to_be_focused()  # the dialog's default is to keep working
        page.locator("#confirm-yes").click()
        expect(page).to_have_url(re.compile(r"/result/$"), timeout=20000)
    shot(second_machine, "e14-result-slip")

    # --- results: the chair closes the day and approves, HR publishes and downloads the annex ------------------------
    chair = browser.new_page(**wide)
    sign_in(chair, app, "087190000105")
    chair.goto(exam_url)
    for state in ("Đang thi", "Đang chấm", "Có kết quả"):
        chair.locator("#next-steps").get_by_role("button", name=f"→ {state}").click()
        expect(chair.locator(".messages")).to_contain_text(state)
    chair.get_by_role("link", name="Kết quả kỳ thi").click()
    chair.locator("#compute-button").click()
    expect(chair.locator(".messages")).to_contain_text("2 thí sinh")
    chair.locator("#approve-button").click()
    expect(chair.locator(".messages")).to_contain_text("Hội đồng thi đã phê duyệt")
    shot(chair, "e15-results-approved")

    hr.goto(exam_url)
    hr.get_by_role("link", name="Kết quả kỳ thi").click()
    hr.get_by_label("Số quyết định").fill("15/QĐ-SNV")
    hr.get_by_label("Ngày quyết định").fill(dt.datetime.now(LOCAL).strftime("%d/%m/%Y"))
    hr.locator("#publish-button").click()
    expect(hr.locator(".messages")).to_contain_text("Đã công bố phiên bản")
    annex = load_workbook(io.BytesIO(download(hr, hr.locator("a[href*='annex-']").first)))
    text = " ".join(str(c.value) for row in annex.worksheets[0].iter_rows() for c in row if c.value)
    assert "Huỳnh Văn An" in text and "Đinh Thị Bích" in text and "Lý Văn Cường" not in text
    shot(hr, "e16-results-published")
