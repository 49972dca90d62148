"""Results in a real browser, on the demo exam whose results are computed: the council chair resolves the flagged
tie and approves; HR publishes and downloads the annex and the decision; a candidate sees their own result."""

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from exams.results.demo import DEMO_RESULTS_EXAM
from tests.e2e.conftest import django_shell
from tests.e2e.test_question_author_journey import login, logout

pytestmark = pytest.mark.e2e


def open_results(page: Page) -> None:
    page.get_by_role("link", name=DEMO_RESULTS_EXAM).click()
    page.locator("#results-link").click()
    expect(page).to_have_url(re.compile(r"/exams/\d+/results/$"))


def downloaded(page: Page, selector: str) -> bytes:
    with page.expect_download() as download:
        page.locator(selector).click()
    with open(download.value.path(), "rb") as handle:
        return handle.read()


def test_council_resolves_and_approves_hr_publishes_a_candidate_sees_their_result(page: Page, live_app, shot):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_app, "demo_council")
    page.goto(f"{live_app['url']}/exams/")
    open_results(page)
    expect(page.locator("#version-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("[data-counter=ties]")).to_have_text("2")
    tie = page.locator("#tie-1")
    expect(tie.locator("tbody tr")).to_have_count(2)
    shot(page, "60-results-tie-flagged")

    # Approval is refused while the tie is open, and nothing changes.
    page.locator("#approve-button").click()
    expect(page.locator(".messages .msg-error")).to_be_visible()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "draft")

    chosen_name = tie.locator("tbody tr").first.locator("td").nth(2).inner_text()
    tie.locator("input[type=checkbox]").first.check()
    tie.locator("textarea").fill("Hội đồng thi xét thành tích công tác, đề nghị chọn thí sinh này")
    tie.locator("button[type=submit]").click()
    expect(page.locator("[data-counter=ties]")).to_have_text("0")
    expect(page.locator("[data-counter=selected]")).to_have_text("8")
    chosen_row = page.locator("#results-table tbody tr", has_text=chosen_name)
    expect(chosen_row.locator(".outcome")).to_have_text("Trúng tuyển")
    shot(page, "61-results-tie-resolved")
    page.locator("#approve-button").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "approved")
    logout(page)

    login(page, live_app, "demo_hr")
    page.goto(f"{live_app['url']}/exams/")
    open_results(page)
    page.locator("input[name=decision_number]").fill("125/QĐ-UBND")
    page.locator("input[name=decision_date]").fill("05/02/2026")
    shot(page, "62-results-approved-publish-form")
    page.locator("#publish-button").click()
    expect(page.locator("#version-status")).to_have_attribute("data-status", "published")

    annex = load_workbook(io.BytesIO(downloaded(page, "#annex-winners")))
    cells = [str(c.value) for ws in annex.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert chosen_name in cells and "Bùi Thị Thanh Thúy" in cells
    assert any("125/QĐ-UBND" in c for c in cells) and not any("DỰ THẢO" in c for c in cells)
    decision = Document(io.BytesIO(downloaded(page, "#decision-docx")))
    text = "\n".join(p.text for p in decision.paragraphs)
    text += "\n".join(cell.text for table in decision.tables for row in table.rows for cell in row.cells)
    assert "QUYẾT ĐỊNH" in text and chosen_name in text
    shot(page, "63-results-published")
    logout(page)

    login(page, live_app, "demo_candidate")
    page.goto(f"{live_app['url']}/my-exams/")
    page.locator("section", has_text=DEMO_RESULTS_EXAM).locator("a[href$='/result/']").click()
    expect(page.locator("#my-outcome")).to_have_text("Trúng tuyển")
    expect(page.locator("#my-result")).to_contain_text("Chuyên môn, nghiệp vụ")
    expect(page.locator("body")).not_to_contain_text(chosen_name)
    shot(page, "64-my-result")
    assert downloaded(page, "#my-notice").startswith(b"%PDF")
    assert django_shell(live_app, (
        "from exams.models import ResultVersion; "
        f"print(ResultVersion.objects.get(exam__name={DEMO_RESULTS_EXAM!r}, status='published').decision_number)"
    )) == "125/QĐ-UBND"
