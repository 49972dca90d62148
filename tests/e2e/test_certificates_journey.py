"""Certificates (issue 20) through the pages alone, on a new installation (migrate and createsuperuser: no demo data).

The class of tests/e2e/test_class_journey.py closes with two learners who qualify. The course manager opens its
Certificates page and is told the programme has no training institution; adds the institution with its signer and
gives it to the programme; issues the certificates (a future date is refused first), waits for the printable files
and downloads them (the text and the QR codes are read back from the PDF), the draft decision and the issuance
register. A visitor without an account verifies a certificate by its QR code and another by serial number and date
of birth (a wrong date finds nothing). A learner declares hers lost and gets a completion certification: her old QR
code now says so. The holder downloads his own certificate from his class page. The administrator adds the
province's first unit and makes an HR officer of it (refused first without the unit they manage); HR says which
certificate the chuyên viên rank requires and what is equivalent, records a diploma a learner obtained elsewhere,
and creates a promotion exam whose candidate import warns about the one candidate without either (the lecturer) and
whose candidate list shows who holds what."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from zoneinfo import ZoneInfo

import docx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from accounts.imports import PEOPLE_COLUMNS
from exams.sessions.candidate_columns import CANDIDATE_COLUMNS
from tests.e2e.test_class_journey import LEARNERS, LECTURER, activate, class_closed
from tests.e2e.test_empty_install_journey import candidate_row, check_and_confirm, download, person_row, sign_in
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.e2e

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
HR = "087190000311"
AN, BICH, CUONG = LEARNERS  # the completion list: An and Bích qualify, Cường does not
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + bytes.fromhex(
    "0000000a49444154789c6300010000050001") + b"\x0d\x0a\x2d\xb4" + bytes.fromhex("0000000049454e44ae426082")


def pdf_text_and_codes(pdf: bytes, work) -> tuple[str, list[str]]:
    """What a person reads on the PDF's pages, and what a phone reads from its QR codes (each page as an image)."""
    work.mkdir(exist_ok=True)
    path = work / "print.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(path), str(work / "page")], check=True)
    codes = []
    for image in sorted(work.glob("page*.png")):
        found = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
        codes += found.stdout.split()
    return text, codes


def test_certificates_are_issued_printed_verified_and_read_by_a_promotion_exam(browser: Browser, empty_app, shot,
                                                                               tmp_path):
    app = empty_app
    pages = class_closed(browser, app, shot, tmp_path)
    admin, manager = pages["admin"], pages["manager"]
    today = dt.datetime.now(LOCAL).date()

    # --- the course manager: no institution yet, then the institution and its signer ------------------------------
    manager.goto(f"{app['url']}/courses/classes/")
    manager.get_by_role("link", name="K1").click()
    manager.locator("#nav-certificates").click()
    expect(manager.locator("#no-institution")).to_contain_text("chưa có cơ sở đào tạo")
    expect(manager.locator("#issue-certificates")).to_have_count(0)
    shot(manager, "z01-no-institution")
    manager.goto(f"{app['url']}/courses/programmes/")
    manager.get_by_role("link", name="Cơ sở đào tạo, bồi dưỡng").click()
    form = manager.locator("#institution-form")
    form.get_by_label(re.compile(r"^Tên:?$")).fill("Trường Chính trị tỉnh")
    form.get_by_label("Tiêu đề, dòng thứ nhất").fill("UBND TỈNH ĐỒNG THÁP")
    form.get_by_label("Tiêu đề, dòng thứ hai").fill("TRƯỜNG CHÍNH TRỊ")
    form.get_by_label("Địa danh ghi trước ngày tháng").fill("Đồng Tháp")
    form.get_by_label("Chức danh người ký").fill("HIỆU TRƯỞNG")
    form.get_by_label("Họ và tên người ký").fill("Nguyễn Văn Hiệu")
    form.get_by_label("Ký hiệu sê-ri chứng chỉ").fill("TCT")
    form.get_by_role("button", name="Lưu").click()
    expect(manager.locator("#institutions")).to_contain_text("Nguyễn Văn Hiệu")
    shot(manager, "z02-institution")
    manager.goto(f"{app['url']}/courses/programmes/")
    manager.locator("#programmes tr", has_text="QLNN-CV").get_by_role("link").first.click()
    manager.locator("#programme-edit").click()
    manager.get_by_label("Cơ sở đào tạo, bồi dưỡng").select_option(label="Trường Chính trị tỉnh")
    manager.get_by_role("button", name="Lưu").click()
    expect(manager.locator("main")).to_contain_text("Trường Chính trị tỉnh")

    # --- issuing: serials in the completion list's order, rendered in the background, printed -----------------------
    manager.goto(f"{app['url']}/courses/classes/")
    manager.get_by_role("link", name="K1").click()
    manager.locator("#nav-certificates").click()
    issue = manager.locator("#issue")
    expect(issue).to_contain_text("Huỳnh Văn An, Đinh Thị Bích")
    issue.get_by_label("Ngày cấp").fill((today + dt.timedelta(days=1)).strftime("%d/%m/%Y"))  # a future day: refused
    issue.get_by_role("button", name="Cấp chứng chỉ").click()
    expect(manager.locator("#certificates")).to_have_count(0)
    expect(manager.locator("#issue")).to_contain_text("không được sau ngày hôm nay")
    manager.locator("#issue").get_by_label("Ngày cấp").fill(today.strftime("%d/%m/%Y"))
    manager.locator("#issue").get_by_role("button", name="Cấp chứng chỉ").click()
    rows = manager.locator("#certificates tbody tr")
    expect(rows).to_have_count(2)
    year = today.year
    expect(rows.nth(0)).to_contain_text(f"TCT-QLNN-CV-{year}-0001")
    expect(rows.nth(0)).to_contain_text("Huỳnh Văn An")
    expect(rows.nth(1)).to_contain_text(f"TCT-QLNN-CV-{year}-0002")
    expect(rows.nth(1)).to_contain_text(f"2/{year}")  # the register's second entry of the year
    for _ in range(60):  # the printable files are made after the issuing, outside the request
        if manager.locator("#print-design").count():
            break
        manager.wait_for_timeout(1000)
        manager.reload()
    expect(manager.locator("#print-design")).to_be_visible()
    shot(manager, "z03-issued")
    text, codes = pdf_text_and_codes(download(manager, manager.locator("#print-design")), tmp_path / "d")
    assert "Huỳnh Văn An" in text and "Đinh Thị Bích" in text and "Lý Văn Cường" not in text
    assert f"TCT-QLNN-CV-{year}-0001" in text and "Nguyễn Văn Hiệu" in text
    assert len(codes) == 2 and all(code.startswith(f"{app['url']}/verify/") for code in codes), codes
    form_text, form_codes = pdf_text_and_codes(download(manager, manager.locator("#print-form")), tmp_path / "f")
    assert "Đinh Thị Bích" in form_text and "TRƯỜNG CHÍNH TRỊ" not in form_text  # the blank form has the letterhead
    decision = docx.Document(io.BytesIO(download(manager, manager.locator("#decision-download"))))
    words = "\n".join([p.text for p in decision.paragraphs]
                      + [c.text for t in decision.tables for r in t.rows for c in r.cells])
    assert "DỰ THẢO" in words and "Huỳnh Văn An" in words and f"TCT-QLNN-CV-{year}-0002" in words
    register = load_workbook(io.BytesIO(download(manager, manager.locator("#register-download"))))
    cells = " ".join(str(c.value) for row in register.active.iter_rows() for c in row if c.value)
    assert "Đinh Thị Bích" in cells and f"TCT-QLNN-CV-{year}-0001" in cells

    # --- a visitor, without an account: the QR code, then the lookup --------------------------------------------------
    visitor = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    visitor.goto(codes[0])
    expect(visitor.locator("#verdict")).to_have_text("Chứng chỉ còn hiệu lực.")
    expect(visitor.locator("#verified-holder")).to_contain_text("Huỳnh Văn An")
    expect(visitor.locator("#verified-holder")).to_contain_text("087******401")  # the CCCD, masked
    shot(visitor, "z04-verified-by-qr")
    visitor.goto(f"{app['url']}/verify/")
    visitor.get_by_label("Số hiệu").fill(f"TCT-QLNN-CV-{year}-0002")
    visitor.get_by_label("Ngày sinh của người được cấp").fill("04/09/1990")
    visitor.get_by_role("button", name="Kiểm tra").click()
    expect(visitor.locator("#lookup-miss")).to_be_visible()
    shot(visitor, "z05-lookup-miss")
    visitor.get_by_label("Số hiệu").fill(f"TCT-QLNN-CV-{year}-0002")
    visitor.get_by_label("Ngày sinh của người được cấp").fill("03/09/1990")
    visitor.get_by_role("button", name="Kiểm tra").click()
    expect(visitor.locator("#verified-holder")).to_contain_text("Đinh Thị Bích")

    # --- Bích's certificate is lost: a completion certification; the old one says so ---------------------------------
    manager.locator("#certificates").get_by_role("link", name=f"TCT-QLNN-CV-{year}-0002").click()
    completion = manager.locator("#completion")
    completion.get_by_label("Lý do").fill("Mất bản gốc do nhà bị ngập lụt")
    completion.get_by_role("button", name="Cấp giấy chứng nhận hoàn thành").click()
    expect(manager.locator("h1")).to_contain_text("GCN-")
    expect(manager.locator("#certificate-chain")).to_contain_text("Mất bản gốc do nhà bị ngập lụt")
    shot(manager, "z06-completion-certification")
    visitor.goto(codes[1])  # Bích's paper, its QR code
    expect(visitor.locator("#verdict")).to_contain_text("GCN-")
    shot(visitor, "z07-verify-replaced")

    # --- the holder: his certificate on his class page ----------------------------------------------------------------
    holder = browser.new_page()
    sign_in(holder, app, AN)
    holder.get_by_role("link", name=re.compile("^Học tập của tôi")).click()  # one class: straight to it
    expect(holder.locator("#my-certificate")).to_contain_text(f"TCT-QLNN-CV-{year}-0001")
    assert download(holder, holder.get_by_role("link", name="Tải về (PDF)")).startswith(b"%PDF")
    shot(holder, "z08-holder")

    # --- the administrator: the province's first unit, and an HR officer who manages its people -----------------------
    admin.goto(f"{app['url']}/units/")
    admin.get_by_label("Tên đơn vị").fill("UBND tỉnh Đồng Tháp")
    admin.get_by_label("Loại đơn vị").select_option("province")
    admin.locator("#unit-add").get_by_role("button", name="Thêm").click()
    admin.goto(f"{app['url']}/people/import/")
    (tmp_path / "nhan-su.xlsx").write_bytes(xlsx_bytes([person_row(HR, "Võ Thị Tổ Chức") | {"Đơn vị": ""}],
                                                       columns=PEOPLE_COLUMNS))
    check_and_confirm(admin, re.compile("Tệp Excel"), tmp_path / "nhan-su.xlsx")
    admin.goto(f"{app['url']}/people/?q={HR}")
    admin.get_by_role("link", name="Võ Thị Tổ Chức").click()
    roles = admin.locator("#roles")
    roles.get_by_label("Cán bộ tổ chức (nhân sự)").check()
    roles.get_by_role("button", name="Lưu vai trò").click()  # without the unit they manage: refused, in words
    expect(admin.locator(".messages")).to_contain_text("Chọn đơn vị mà cán bộ tổ chức này quản lý nhân sự")
    roles.get_by_label("Cán bộ tổ chức (nhân sự)").check()
    roles.get_by_label(re.compile("^Phạm vi quản lý nhân sự")).select_option(label="UBND tỉnh Đồng Tháp")
    roles.get_by_role("button", name="Lưu vai trò").click()
    expect(admin.locator("#hr-scope")).to_contain_text("UBND tỉnh Đồng Tháp")
    shot(admin, "z09-hr-scope")
    activate(browser, app, admin, HR)

    # --- HR: what the chuyên viên rank requires, a diploma obtained elsewhere -----------------------------------------
    hr = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(hr, app, HR)
    hr.goto(f"{app['url']}/people/qualifications/")
    hr.get_by_label("Tên loại chứng chỉ, văn bằng mới").fill("Bằng cao cấp lý luận chính trị - hành chính")
    hr.locator("#kind-add").get_by_role("button", name="Thêm").click()
    expect(hr.locator("#kind-list input[value='Bằng cao cấp lý luận chính trị - hành chính']")).to_have_count(1)
    rank = hr.locator("#requirements form", has_text="01.003")
    required = rank.get_by_label("Chứng chỉ bắt buộc")  # the programme's own, added when it first issued
    required.select_option(required.locator("option", has_text="ngạch chuyên viên").first.get_attribute("value"))
    rank.get_by_label("Bằng cao cấp lý luận chính trị - hành chính").check()  # accepted as equivalent
    rank.get_by_role("button", name="Lưu").click()
    expect(hr.locator(".messages")).to_be_visible()
    shot(hr, "z10-rank-requirement")
    hr.goto(f"{app['url']}/people/?q={CUONG}")
    hr.get_by_role("link", name=LEARNERS[CUONG]).click()
    hr.locator("#qualification-add summary").click()
    outside = hr.locator("#qualification-add")
    outside.get_by_label("Loại chứng chỉ, văn bằng").select_option(label="Bằng cao cấp lý luận chính trị - hành chính")
    outside.get_by_label("Số hiệu chứng chỉ, văn bằng").fill("LLCT-2019-0457")
    outside.get_by_label("Cơ quan, đơn vị cấp").fill("Học viện Chính trị khu vực IV")
    outside.get_by_label("Ngày cấp (ngày/tháng/năm)").fill("15/06/2019")
    (tmp_path / "bang.png").write_bytes(PNG)
    outside.get_by_label(re.compile("^Bản chụp")).set_input_files(str(tmp_path / "bang.png"))
    outside.get_by_role("button", name="Ghi nhận").click()
    expect(hr.locator("#qualification-list")).to_contain_text("LLCT-2019-0457")
    expect(hr.locator("#qualification-list")).to_contain_text("Học viện Chính trị khu vực IV")
    shot(hr, "z11-outside-diploma")
    hr.goto(f"{app['url']}/people/?q={BICH}")
    hr.get_by_role("link", name=LEARNERS[BICH]).click()
    expect(hr.locator("#qualification-list")).to_contain_text("GCN-")  # the platform's entry follows the change

    # --- HR: a promotion exam reads the register ----------------------------------------------------------------------
    hr.get_by_role("link", name="Kỳ thi", exact=True).first.click()
    hr.get_by_label("Mẫu kỳ thi").select_option(label="Thi nâng ngạch chuyên viên")
    hr.get_by_label("Tên").fill(f"Thi nâng ngạch chuyên viên năm {year + 1}")
    hr.get_by_label("Ngày chốt điều kiện dự thi").fill(f"01/01/{year + 1}")
    hr.get_by_role("button", name="Tạo").click()
    hr.get_by_role("link", name=re.compile("^Thí sinh")).click()
    people = [(AN, "Huỳnh Văn An", "Nam", "03/09/1990"), (BICH, "Đinh Thị Bích", "Nữ", "03/09/1990"),
              (CUONG, "Lý Văn Cường", "Nam", "03/09/1990"),
              (LECTURER, "Trần Văn Giảng", "Nam", "14/02/1984")]  # the register knows him; he holds nothing
    candidates = tmp_path / "thi-sinh.xlsx"
    candidates.write_bytes(xlsx_bytes([candidate_row(n, name, cccd) | {"Giới tính": gender, "Ngày sinh": born}
                                       for n, (cccd, name, gender, born) in enumerate(people, start=1)],
                                      columns=CANDIDATE_COLUMNS))
    hr.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(candidates))
    hr.get_by_role("button", name="Kiểm tra tệp").click()
    warned = hr.locator("main p", has_text="chưa có chứng chỉ bồi dưỡng theo yêu cầu của ngạch Chuyên viên")
    expect(warned).to_have_count(1)
    expect(warned).to_contain_text("Trần Văn Giảng")
    shot(hr, "z12-candidates-warned")
    hr.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    expect(hr.locator(".messages")).to_contain_text("Đã ghi")
    listed = hr.locator("#registrations")
    expect(listed).to_contain_text("Chứng chỉ Chuyên viên")
    expect(listed.locator("tr", has_text="Huỳnh Văn An").locator("td.certificate")).to_contain_text(
        f"TCT-QLNN-CV-{year}-0001")
    expect(listed.locator("tr", has_text="Đinh Thị Bích").locator("td.certificate")).to_contain_text("GCN-")
    expect(listed.locator("tr", has_text="Lý Văn Cường").locator("td.certificate")).to_contain_text("LLCT-2019-0457")
    expect(listed.locator("tr", has_text="Trần Văn Giảng").locator("td.certificate")).not_to_contain_text("-")
    shot(hr, "z13-candidates-certificates")

