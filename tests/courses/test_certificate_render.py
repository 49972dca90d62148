"""Certificates rendered once, outside the request lanes (issue 20): the two layouts, the child process, claiming by
compare-and-set, failures kept, the merged printable file and the form layout's shift, the command."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets
import shutil
import subprocess
import sys
import threading
import unicodedata
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
import time_machine
from django.core.management import call_command

from courses import certificate_render
from courses.certificate_print import merged_pdf, single_pdf
from courses.certificate_render import certificate_html, claim, claimable, render_pending
from courses.models import Certificate, Institution
from tests.courses.conftest import at

pytestmark = pytest.mark.django_db
NOW = at(dt.date(2027, 4, 5), 10)
MM = 72 / 25.4


def needs(*binaries: str):
    missing = [name for name in binaries if shutil.which(name) is None]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} (poppler-utils, zbar-tools)")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def institution(world) -> Institution:
    institution = Institution.objects.create(
        name="Trường Chính trị tỉnh Demo", letterhead_line_1="UBND tỉnh Demo", letterhead_line_2="Trường Chính trị tỉnh",
        signer_title="Hiệu trưởng", signer_name="Phạm Văn Ký", serial_prefix="TCT", place_name="Thành phố Demo")
    programme = world.course_class.programme
    programme.institution = institution
    programme.save(update_fields=["institution"])
    return institution


def certificate_for(world, institution, n: int, **fields) -> Certificate:
    """A certificate row as the issuing service writes it (the snapshot of what the paper says)."""
    enrolment = world.learners[n % len(world.learners)]
    token = secrets.token_urlsafe(16)[:22]
    course_class = world.course_class
    values = {
        "enrolment": enrolment, "institution": institution, "serial": f"TCT-QLNN-CV-2027-{n + 1:04d}",
        "register_year": 2027, "register_number": n + 1, "token": token,
        "verify_url": f"http://testserver/verify/{token}/", "issued_on": dt.date(2027, 4, 5),
        "holder_name": enrolment.person.full_name, "holder_birth_date": dt.date(1985, 1, 9), "holder_gender": "Nữ",
        "holder_unit": "Sở Nội vụ tỉnh Demo", "programme_name": course_class.programme.name,
        "class_name": course_class.name, "starts_on": course_class.starts_on, "ends_on": course_class.ends_on,
        "average": Decimal("8.50"), "band": "Giỏi", "institution_name": institution.name,
        "letterhead_line_1": institution.letterhead_line_1, "letterhead_line_2": institution.letterhead_line_2,
        "place_name": institution.place_name, "signer_title": institution.signer_title,
        "signer_name": institution.signer_name, "legal_basis": "Thông tư 01/2018/TT-BNV",
        "status": Certificate.Status.VALID if n < len(world.learners) else Certificate.Status.REVOKED,
        "reason": "" if n < len(world.learners) else "Cấp nhầm",
    }
    values.update(fields)
    return Certificate.objects.create(**values)


@pytest.fixture
def three(world, institution, media) -> list[Certificate]:
    return [certificate_for(world, institution, n) for n in range(3)]


def pdf_text(path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


# --- the pages -----------------------------------------------------------------------------------------------------

def test_the_designed_page_says_it_all_in_vietnamese(three):
    certificate = three[1]
    html = certificate_html(certificate, layout="design")
    assert html == unicodedata.normalize("NFC", html)
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH DEMO",
                 "TRƯỜNG CHÍNH TRỊ TỈNH", ">CHỨNG CHỈ<", "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
                 "Căn cứ Thông tư 01/2018/TT-BNV", "Cấp cho: Bà", certificate.holder_name, "Sinh ngày: 09/01/1985",
                 "Đơn vị công tác: Sở Nội vụ tỉnh Demo",
                 "Đã hoàn thành chương trình bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên, lớp K60 từ "
                 "ngày 01/03/2027 đến ngày 31/03/2027", "Xếp loại: <strong>Giỏi</strong>",
                 "Thành phố Demo, ngày 05 tháng 4 năm 2027", "HIỆU TRƯỞNG", "Phạm Văn Ký",
                 "Số hiệu: <strong>TCT-QLNN-CV-2027-0002</strong>", "Số vào sổ cấp chứng chỉ: 2/2027",
                 "Tra cứu chứng chỉ", certificate.verify_url, 'width="28mm"'):
        assert text in html, text
    assert "GIẤY CHỨNG NHẬN" not in html


def test_the_holder_is_named_by_gender_and_empty_lines_are_left_out(world, institution, media):
    man = certificate_for(world, institution, 0, holder_gender="Nam", band="", holder_birth_date=None,
                          holder_unit="", legal_basis="")
    html = certificate_html(man, layout="design")
    assert "Cấp cho: Ông <span" in html
    assert "Xếp loại" not in html and "Sinh ngày" not in html and "Đơn vị công tác" not in html
    assert "Căn cứ" not in html
    unknown = certificate_for(world, institution, 1, holder_gender="")
    assert "Cấp cho: Ông/Bà <span" in certificate_html(unknown, layout="design")


def test_a_completion_certification_names_the_lost_certificate(world, institution, media):
    lost = certificate_for(world, institution, 0, status=Certificate.Status.REVOKED, reason="Bị mất")
    completion = certificate_for(world, institution, 0, kind=Certificate.Kind.COMPLETION, stands_for=lost,
                                 serial="GCN-TCT-QLNN-CV-2027-0001", register_number=9)
    html = certificate_html(completion, layout="design")
    assert "GIẤY CHỨNG NHẬN HOÀN THÀNH CHƯƠNG TRÌNH BỒI DƯỠNG" in html
    assert "Thay cho chứng chỉ số TCT-QLNN-CV-2027-0001 đã bị mất" in html


def test_the_form_layout_prints_the_values_only(three):
    html = certificate_html(three[0], layout="form")
    assert three[0].holder_name in html and "09/01/1985" in html and "TCT-QLNN-CV-2027-0001" in html
    assert "1/2027" in html and "Thành phố Demo, ngày 05 tháng 4 năm 2027" in html and "<svg" in html
    for fixed in ("CỘNG HÒA", "CHỨNG CHỈ", "Cấp cho", "Sinh ngày", "Số hiệu", "HIỆU TRƯỞNG", "border"):
        assert fixed not in html, fixed
    with pytest.raises(ValueError):
        certificate_html(three[0], layout="poster")


# --- the child and render_pending ------------------------------------------------------------------------------------

@needs("pdftotext", "pdftoppm", "zbarimg")
def test_rendered_once_with_the_exact_text_and_a_qr_code_that_reads_back(three, tmp_path):
    with time_machine.travel(NOW, tick=False):
        report = render_pending()
    assert (report.rendered, report.failed) == (3, 0)
    certificate = Certificate.objects.get(pk=three[0].pk)
    assert certificate.rendered_at == NOW and certificate.render_claimed_at is None and certificate.render_error == ""
    assert certificate.pdf.name.startswith(f"certificates/{certificate.token[:2]}/")
    assert certificate.pdf.name != certificate.form_pdf.name
    text = unicodedata.normalize("NFC", pdf_text(certificate.pdf.path))
    for expected in (certificate.holder_name, "TCT-QLNN-CV-2027-0001", "CHỨNG CHỈ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Thành phố Demo, ngày 05 tháng 4 năm 2027", "Tra cứu chứng chỉ"):
        assert expected in text, expected
    with pikepdf.open(certificate.pdf.path) as pdf:
        assert len(pdf.pages) == 1
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert round(box[2] / MM) == 297 and round(box[3] / MM) == 210  # A4 landscape
    for layout in ("pdf", "form_pdf"):
        prefix = tmp_path / layout
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", getattr(certificate, layout).path,
                        str(prefix)], check=True)
        decoded = subprocess.run(["zbarimg", "--raw", "-q", f"{prefix}.png"], capture_output=True, text=True)
        assert decoded.stdout.strip() == certificate.verify_url
    form_text = unicodedata.normalize("NFC", pdf_text(certificate.form_pdf.path))
    assert certificate.holder_name in form_text and "CHỨNG CHỈ" not in form_text
    with time_machine.travel(NOW, tick=False):
        assert render_pending() == certificate_render.RenderReport(rendered=0, failed=0)


def test_two_claimers_never_hold_the_same_certificate(three):
    fresh, stale, never = three
    with time_machine.travel(NOW, tick=False):
        Certificate.objects.filter(pk=fresh.pk).update(render_claimed_at=NOW - dt.timedelta(seconds=60))
        Certificate.objects.filter(pk=stale.pk).update(render_claimed_at=NOW - dt.timedelta(seconds=601))
        seen_by_first = claimable(10)
        seen_by_second = claimable(10)
        assert [pk for pk, _seen in seen_by_first] == [stale.pk, never.pk]  # a fresh claim is left alone
        assert seen_by_first == seen_by_second
        later = NOW + dt.timedelta(milliseconds=5)
        assert claim(seen_by_second, now=later) == [stale.pk, never.pk]
        assert claim(seen_by_first, now=NOW) == []  # it read them before the second took them: compare-and-set fails
        assert claimable(10) == []
    claims = dict(Certificate.objects.values_list("pk", "render_claimed_at"))
    assert claims[stale.pk] == claims[never.pk] == later


def test_a_failed_job_keeps_its_error_and_is_not_rendered(three, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    real_run_child = certificate_render.run_child

    def first_job_cannot_write(jobs):
        jobs[0]["out"] = str(blocker / "x.pdf")
        return real_run_child(jobs)

    monkeypatch.setattr(certificate_render, "run_child", first_job_cannot_write)
    with time_machine.travel(NOW, tick=False):
        report = render_pending()
    assert (report.rendered, report.failed) == (2, 1)
    failed = Certificate.objects.get(pk=three[0].pk)
    assert failed.rendered_at is None and failed.render_claimed_at is None
    assert failed.render_error.startswith("FileExistsError: ") and len(failed.render_error) <= 500
    assert not failed.pdf.name and not failed.form_pdf.name
    assert not any(Path(failed.pdf.storage.location, "certificates").rglob("*.part"))
    # Its design file was written, then removed with the failure: no orphan files beside the two rendered.
    assert len(list(Path(failed.pdf.storage.location, "certificates").rglob("*.pdf"))) == 4
    monkeypatch.setattr(certificate_render, "run_child", real_run_child)
    with time_machine.travel(NOW, tick=False):
        assert render_pending() == certificate_render.RenderReport(rendered=1, failed=0)  # the next call retries it
    assert Certificate.objects.get(pk=three[0].pk).render_error == ""


def test_the_child_goes_on_after_a_bad_job(tmp_path, settings):
    blocker = tmp_path / "file"
    blocker.write_text("")
    jobs = [{"html": "<p>Một</p>", "out": str(blocker / "one.pdf")},
            {"html": "<p>Hai</p>", "out": str(tmp_path / "out" / "two.pdf")}]
    completed = subprocess.run([sys.executable, "-m", "courses.pdf_child", str(1024 ** 3), "60"],
                               input=json.dumps(jobs).encode(), capture_output=True, check=True,
                               cwd=settings.BASE_DIR)
    answers = json.loads(completed.stdout)
    assert answers[0]["ok"] is False and answers[0]["error"].startswith("FileExistsError: ")
    assert answers[1] == {"ok": True}
    assert (tmp_path / "out" / "two.pdf").read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "out" / "two.pdf.part").exists()


def test_a_job_out_of_memory_fails_by_name(three, settings):
    settings.CERTIFICATE_RENDER_MEMORY_BYTES = 64 * 1024 * 1024  # too little to import WeasyPrint
    with time_machine.travel(NOW, tick=False):
        report = render_pending()
    assert (report.rendered, report.failed) == (0, 3)
    assert all("MemoryError" in error for error in Certificate.objects.values_list("render_error", flat=True))
    assert not Certificate.objects.filter(render_claimed_at__isnull=False).exists()


DIES_AFTER_TWO = """
import json, os, sys
from courses import pdf_child
jobs = json.loads(sys.stdin.read())
for job in jobs[:2]:
    pdf_child.render(job["html"], job["out"])
os._exit(9)
"""


def test_a_dead_child_keeps_what_it_finished_and_fails_the_rest(three, monkeypatch):
    monkeypatch.setattr(certificate_render, "child_command", lambda: [sys.executable, "-c", DIES_AFTER_TWO])
    with time_machine.travel(NOW, tick=False):
        report = render_pending()
    assert (report.rendered, report.failed) == (1, 2)  # the first certificate's two files were whole
    first, *rest = Certificate.objects.order_by("pk")
    assert first.rendered_at == NOW and Path(first.form_pdf.path).read_bytes().startswith(b"%PDF-")
    assert [c.render_error for c in rest] == ["việc tạo tệp PDF dừng bất thường (mã thoát 9)"] * 2
    assert not any(c.pdf.name or c.render_claimed_at for c in rest)


def test_render_pending_takes_batches_and_a_limit(world, institution, media, settings, monkeypatch):
    settings.CERTIFICATE_RENDER_BATCH = 2
    for n in range(5):
        certificate_for(world, institution, n)
    batches = []
    real_run_child = certificate_render.run_child

    def counting(jobs):
        batches.append(len(jobs))
        return real_run_child(jobs)

    monkeypatch.setattr(certificate_render, "run_child", counting)
    assert render_pending(limit=3) == certificate_render.RenderReport(rendered=3, failed=0)
    assert batches == [4, 2]  # one child per batch, two layouts per certificate
    assert render_pending() == certificate_render.RenderReport(rendered=2, failed=0)
    assert not Certificate.objects.filter(rendered_at__isnull=True).exists()


def test_wake_renders_on_a_thread_and_never_raises(three, monkeypatch):
    calls = []
    done = threading.Event()

    def pretend(**kwargs):
        calls.append(threading.current_thread().name)
        done.set()
        return certificate_render.RenderReport(rendered=0, failed=0)

    monkeypatch.setattr(certificate_render, "render_pending", pretend)
    certificate_render.wake()
    assert done.wait(10)
    for _ in range(200):
        if not certificate_render.busy():
            break
        threading.Event().wait(0.05)
    assert not certificate_render.busy()
    assert calls == ["certificate-render"]

    def broken(**kwargs):
        done.set()
        raise RuntimeError("database gone")

    done.clear()
    monkeypatch.setattr(certificate_render, "render_pending", broken)
    certificate_render.wake()  # logs, never raises
    assert done.wait(10)


@pytest.mark.django_db(transaction=True)
def test_wake_after_the_commit_renders_what_was_issued(three):
    certificate_render.wake()
    for _ in range(600):
        threading.Event().wait(0.05)
        if not certificate_render.busy():
            break
    assert not certificate_render.busy()
    assert Certificate.objects.filter(rendered_at__isnull=False).count() == 3


# --- printing --------------------------------------------------------------------------------------------------------

@pytest.fixture
def rendered(three) -> list[Certificate]:
    render_pending()
    return list(Certificate.objects.filter(pk__in=[c.pk for c in three]).order_by("register_number"))


@needs("pdftotext")
def test_merged_pdf_has_a_page_per_certificate_in_order(rendered):
    with merged_pdf(rendered, layout="design") as merged:
        data = merged.read()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 3
    path = Path(rendered[0].pdf.storage.location, "merged.pdf")
    path.write_bytes(data)
    text = unicodedata.normalize("NFC", pdf_text(path))
    assert [text.index(c.serial) for c in rendered] == sorted(text.index(c.serial) for c in rendered)


def words_at(path, word: str) -> tuple[float, float]:
    """(xMin, yMin) of ``word`` on the first page, from ``pdftotext -bbox`` (points, y down)."""
    page = pdf_text(path, "-bbox", "-f", "1", "-l", "1")
    match = re.search(rf'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>{re.escape(word)}</word>', page)
    assert match, word
    return float(match.group(1)), float(match.group(2))


@needs("pdftotext")
def test_the_form_layout_is_shifted_by_the_printers_offset(rendered):
    certificate = rendered[0]
    folder = Path(certificate.pdf.storage.location)
    with single_pdf(certificate, layout="form") as plain:
        (folder / "plain.pdf").write_bytes(plain.read())
    with single_pdf(certificate, layout="form", offset_x_mm=Decimal("3.5"), offset_y_mm=Decimal("-2")) as moved:
        (folder / "moved.pdf").write_bytes(moved.read())
    with merged_pdf(rendered, layout="form", offset_x_mm=Decimal("3.5"), offset_y_mm=Decimal("-2")) as merged:
        (folder / "merged.pdf").write_bytes(merged.read())
    with pikepdf.open(folder / "moved.pdf") as pdf:
        streams = pdf.pages[0].obj.Contents
        assert streams[0].read_bytes().strip() == b"q 1 0 0 1 9.921 5.669 cm"
        assert streams[-1].read_bytes().strip() == b"Q"
    serial = certificate.serial
    x0, y0 = words_at(folder / "plain.pdf", serial)
    for path in (folder / "moved.pdf", folder / "merged.pdf"):
        x1, y1 = words_at(path, serial)
        assert x1 - x0 == pytest.approx(3.5 * MM, abs=0.05)  # to the right
        assert y1 - y0 == pytest.approx(-2 * MM, abs=0.05)  # up the paper: a negative offset down
    with single_pdf(certificate, layout="design", offset_x_mm=Decimal(5)) as design:  # plain paper: never shifted
        (folder / "design.pdf").write_bytes(design.read())
    assert words_at(folder / "design.pdf", serial) == words_at(Path(certificate.pdf.path), serial)


def test_printing_what_is_not_rendered_is_refused(three):
    with pytest.raises(ValueError, match="not rendered yet"):
        merged_pdf(three, layout="design")
    with pytest.raises(ValueError, match="no certificate"):
        merged_pdf([], layout="design")


# --- the command -----------------------------------------------------------------------------------------------------

def test_the_render_command(three, monkeypatch):
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("render_certificates")
    assert out.getvalue().strip() == "rendered=3 failed=0"
    assert not Certificate.objects.filter(rendered_at__isnull=True).exists()
    Certificate.objects.filter(pk=three[0].pk).update(rendered_at=None, pdf="", form_pdf="")
    monkeypatch.setattr(certificate_render, "run_child",
                        lambda jobs: [{"ok": False, "error": "Lỗi thử"} for _job in jobs])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited, redirect_stdout(out):
        call_command("render_certificates", stderr=err)
    assert exited.value.code == 1
    assert out.getvalue().strip() == "rendered=0 failed=1"
    assert Certificate.objects.get(pk=three[0].pk).render_error == "Lỗi thử"
