"""HR creates an exam from a preset, imports candidates (one error, fixed), allocates rooms, downloads lists, adds a
sitting, is told what it lacks, gives its subject a blueprint and makes the sitting's sealed papers on its page."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from exams.sessions.candidate_columns import CANDIDATE_COLUMNS
from tests.e2e.conftest import django_shell
from tests.e2e.test_question_author_journey import login
from tests.helpers import xlsx_bytes

pytestmark = pytest.mark.e2e


def row(n: int, name: str, cccd: str, **cells) -> dict:
    base = {"STT": str(n), "Họ và tên": name, "Ngày sinh": "12/05/1988", "Giới tính": "Nữ", "Dân tộc": "Kinh",
            "Số CCCD": cccd, "Chức vụ": "Cán sự", "Đơn vị công tác": "Phòng Nội vụ / UBND huyện Cao Lãnh",
            "Ngạch hiện giữ": "Cán sự", "Mã ngạch": "01.004", "Ngày bắt đầu công tác": "01/09/2010"}
    base.update(cells)
    return base


def test_hr_sets_up_an_exam(page: Page, live_app, shot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_app, "demo_hr")
    page.get_by_role("link", name="Kỳ thi", exact=True).first.click()
    page.get_by_label("Mẫu kỳ thi").select_option("nang-ngach-chuyen-vien-chinh-2020")
    page.get_by_label("Tên").fill("Kỳ thi nâng ngạch chuyên viên chính năm 2027")
    page.get_by_label("Chỉ tiêu (để trống: chưa xác định)").fill("2")
    page.get_by_label("Ngày chốt điều kiện dự thi").fill("01/03/2027")
    page.get_by_role("button", name="Tạo").click()
    expect(page.locator("h1")).to_have_text("Kỳ thi nâng ngạch chuyên viên chính năm 2027")
    expect(page.locator("table.list").first).to_contain_text("Chuyên môn, nghiệp vụ")

    for name, capacity in (("Phòng A", "2"), ("Phòng B", "2")):
        page.locator("form[action$='/rooms/']").get_by_label("Tên").fill(name)
        page.locator("form[action$='/rooms/']").get_by_label("Sức chứa (số máy)").fill(capacity)
        page.locator("form[action$='/rooms/']").get_by_role("button", name="Thêm").click()
        expect(page.locator(".messages")).to_contain_text("Đã lưu")

    rows = [row(1, "Trương Thị Mỹ Hạnh", "087188001001"), row(2, "Lê Văn Đức", "087088001002", **{"Giới tính": "Nam"}),
            row(3, "Phan Thị Anh", "087188001003", **{"Dân tộc": "Kinhh"}),
            row(4, "Đỗ Văn Bình", "087088001004", **{"Giới tính": "Nam"})]
    bad = tmp_path / "dang-ky.xlsx"
    bad.write_bytes(xlsx_bytes(rows, columns=CANDIDATE_COLUMNS))
    page.get_by_role("link", name=re.compile("^Thí sinh")).click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-problems li")).to_have_count(1)
    expect(page.locator("#import-problems li")).to_contain_text("Dòng 4, cột «Dân tộc»")
    shot(page, "20-candidates-error")

    rows[2]["Dân tộc"] = "Kinh"
    good = tmp_path / "dang-ky-da-sua.xlsx"
    good.write_bytes(xlsx_bytes(rows, columns=CANDIDATE_COLUMNS))
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-summary")).to_contain_text("thêm mới 4 dòng")
    page.get_by_role("button", name="Xác nhận nhập dữ liệu").click()
    table = page.locator("#registrations tbody tr")
    expect(table).to_have_count(4)
    # Numbers in Vietnamese name order: Anh, Bình, Đức, Hạnh. The demo's exams in use hold the prefix CVC (and
    # CVC<yy>A): this one numbers from CVC<yy>B0001, so no two exams open at once share a number.
    first_number = re.search(r"CVC\d\d[A-Z]0001", table.nth(0).inner_text()).group(0)
    expect(table.nth(0)).to_contain_text(first_number)
    expect(table.nth(0)).to_contain_text("Phan Thị Anh")
    expect(table.nth(2)).to_contain_text("Lê Văn Đức")

    page.get_by_role("button", name="Xếp phòng tự động").click()
    expect(page.locator(".messages")).to_contain_text("4")
    shot(page, "21-candidates-allocated")

    with page.expect_download() as call_in:
        page.get_by_role("link", name="Danh sách gọi vào phòng thi (xlsx)").click()
    sheets = load_workbook(io.BytesIO(open(call_in.value.path(), "rb").read())).sheetnames
    assert sheets[:2] == ["Phòng A", "Phòng B"]
    with page.expect_download() as slips:
        page.get_by_role("link", name="Phiếu đăng nhập (xlsx)").click()
    workbook = load_workbook(io.BytesIO(open(slips.value.path(), "rb").read()))
    text = " ".join(str(c.value) for ws in workbook.worksheets for r in ws.iter_rows() for c in r if c.value)
    assert first_number in text and "Phan Thị Anh" in text

    # A sitting for KTC: the exam page says what it lacks, the sitting's page makes its papers.
    exam_id = int(re.search(r"/exams/(\d+)/", page.url).group(1))
    subject_id, blueprint_id, count = django_shell(live_app, (
        "from exams.models import Blueprint, Subject\n"
        f"s = Subject.objects.get(exam_id={exam_id}, code='KTC')\n"
        "b = Blueprint.objects.get(name='Kiểm tra kiến thức CCHC (demo)')\n"
        "print(s.pk, b.pk, sum(r.count for r in b.rows.all()))")).split()
    page.goto(f"{live_app['url']}/exams/{exam_id}/")
    add = page.locator("form[action$='/sittings/']")
    add.get_by_label("Môn thi").select_option(subject_id)
    add.get_by_label("Bắt đầu lúc").fill("12/01/2027 08:00")
    add.get_by_label("Kết thúc lúc").fill("12/01/2027 09:00")
    add.get_by_role("button", name="Thêm").click()
    expect(page.locator("#readiness")).to_contain_text("KTC, ca thi 08:00 12/01/2027: môn thi chưa có ma trận đề.")
    expect(page.locator("#readiness")).to_contain_text("chưa có bộ đề đã niêm phong")
    shot(page, "22-exam-readiness")
    page.locator("#readiness a").first.click()
    expect(page.locator("#papers")).to_contain_text("Môn thi chưa có ma trận đề")
    expect(page.locator("#make-papers")).to_have_count(0)

    page.goto(f"{live_app['url']}/subjects/{subject_id}/edit/")
    page.get_by_label("Ma trận đề").select_option(blueprint_id)
    page.get_by_label("Số câu hỏi").fill(count)
    page.get_by_role("button", name="Lưu").click()
    page.goto(f"{live_app['url']}/exams/{exam_id}/")
    page.locator("#readiness a").first.click()
    page.locator("#make-papers").click()
    expect(page.locator(".messages")).to_contain_text("Đã tạo và niêm phong bộ đề: 5 đề")
    expect(page.locator("#paper-set")).to_contain_text("4 đề và 1 đề dự phòng")
    expect(page.locator("#readiness")).not_to_contain_text("bộ đề")
    shot(page, "23-sitting-papers-sealed")

