"""The documents of issuing certificates (issue 20): the draft decision with its attached list (.docx) and the issuance
register (.xlsx), opened back and read; their downloads, audited. Certificates are written as rows: the documents
read what the certificates say, not how they were issued."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditLog
from courses.certificate_exports import (
    class_certificates,
    class_register_lines,
    decision_certificates,
    decision_docx,
    institution_register_lines,
    register_xlsx,
)
from courses.models import Certificate, CourseClass, Enrolment, Institution

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://x","y")'
TIMES = "Times New Roman"
DECISION_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Đơn vị công tác", "Xếp loại", "Số hiệu chứng chỉ", "Số vào sổ"]
REGISTER_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Đơn vị", "Chương trình", "Lớp", "Xếp loại",
                    "Số hiệu", "Ngày cấp", "Tình trạng", "Ghi chú"]


@pytest.fixture
def school(world):
    institution = Institution.objects.create(
        name="Trường Chính trị tỉnh Đồng Tháp", letterhead_line_1="UBND TỈNH ĐỒNG THÁP",
        letterhead_line_2="TRƯỜNG CHÍNH TRỊ", signer_title="HIỆU TRƯỞNG", signer_name="Nguyễn Văn Hiệu",
        serial_prefix="TCT", place_name="Đồng Tháp")
    programme = world.course_class.programme
    programme.institution = institution
    programme.save()
    return institution


def certify(enrolment: Enrolment, number: int, institution: Institution, **fields) -> Certificate:
    """A certificate as issuing writes it (register entry ``number`` of 2027 unless said)."""
    person, course_class = enrolment.person, enrolment.course_class
    year = fields.pop("register_year", 2027)
    data = {
        "enrolment": enrolment, "institution": institution, "serial": f"TCT-QLNN-CV-{year}-{number:04d}",
        "register_year": year, "register_number": number, "token": f"t{year}-{number}",
        "verify_url": f"https://thi.example.vn/verify/t{year}-{number}/", "issued_on": dt.date(year, 4, 5),
        "holder_name": person.full_name, "holder_birth_date": person.date_of_birth, "holder_gender": person.gender,
        "holder_unit": "Sở Nội vụ", "programme_name": course_class.programme.name, "class_name": course_class.name,
        "starts_on": course_class.starts_on, "ends_on": course_class.ends_on, "average": Decimal("7.50"),
        "band": "Khá", "institution_name": institution.name, "letterhead_line_1": institution.letterhead_line_1,
        "letterhead_line_2": institution.letterhead_line_2, "place_name": institution.place_name,
        "signer_title": institution.signer_title, "signer_name": institution.signer_name,
        "legal_basis": course_class.programme.legal_basis,
    }
    data.update(fields)
    return Certificate.objects.create(**data)


@pytest.fixture
def issued(world, school):
    """The three learners certified in list order (Bình 1, An 2, Cường 3), under decision 12/QĐ-TCT."""
    return [certify(e, n, school, decision_number="12/QĐ-TCT", decision_date=dt.date(2027, 4, 5))
            for n, e in enumerate(world.learners, start=1)]


def read_class(world) -> CourseClass:
    return CourseClass.objects.select_related("programme__institution").get(pk=world.course_class.pk)


def opened(data: bytes):
    return docx.Document(io.BytesIO(data))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def cell_texts(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def sheet_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def table_rows(sheet) -> tuple[int, list[tuple]]:
    """(1-based header row, the rows below it up to the first blank one)."""
    values = list(sheet.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(values) if row[0] == "STT")
    rows = []
    for row in values[top + 1:]:
        if row[0] is None:
            break
        rows.append(row)
    return top + 1, rows


# --- The decision ------------------------------------------------------------------------------------------------

class TestDecision:
    def test_title_bases_and_articles(self, world, issued):
        document = opened(decision_docx(read_class(world), issued))
        lines = texts(document)
        order = ["QUYẾT ĐỊNH", "Về việc cấp chứng chỉ bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
                 "HIỆU TRƯỞNG TRƯỜNG CHÍNH TRỊ TỈNH ĐỒNG THÁP", "Căn cứ Thông tư 01/2018/TT-BNV;", "QUYẾT ĐỊNH:",
                 "DANH SÁCH HỌC VIÊN ĐƯỢC CẤP CHỨNG CHỈ"]
        positions = [lines.index(line) for line in order]
        assert positions == sorted(positions)
        assert any(line.startswith("Căn cứ kết quả học tập của học viên lớp K60") and "01/03/2027" in line
                   and "31/03/2027" in line for line in lines)
        articles = [line for line in lines if line.startswith("Điều ")]
        assert [a[:7] for a in articles] == ["Điều 1.", "Điều 2.", "Điều 3."]
        assert "cho 3 học viên lớp K60" in articles[0] and "(có danh sách kèm theo)" in articles[0]
        assert "hiệu lực kể từ ngày ký" in articles[1]
        assert "chịu trách nhiệm thi hành Quyết định này" in articles[2]
        title = next(p for p in document.paragraphs if p.text.startswith("Về việc cấp chứng chỉ"))
        assert all(run.bold for run in title.runs)
        assert "DỰ THẢO" not in lines
        assert "(Kèm theo Quyết định số 12/QĐ-TCT ngày 05/04/2027 của Trường Chính trị tỉnh Đồng Tháp)" in lines

    def test_heading_and_signature(self, world, issued):
        heading, signature, _annex = opened(decision_docx(read_class(world), issued)).tables
        left, right = (cell.text.split("\n") for cell in heading.rows[0].cells)
        assert left == ["UBND TỈNH ĐỒNG THÁP", "TRƯỜNG CHÍNH TRỊ", "", "Số: 12/QĐ-TCT"]
        assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
                         "Đồng Tháp, ngày 05 tháng 4 năm 2027"]
        recipients, signs = (cell.text.split("\n") for cell in signature.rows[0].cells)
        assert recipients[0] == "Nơi nhận:" and recipients[-1] == "- Lưu: VT."
        assert signs[0] == "HIỆU TRƯỞNG" and signs[-1] == "Nguyễn Văn Hiệu"

    def test_the_annex_is_in_vietnamese_name_order(self, world, issued):
        annex = opened(decision_docx(read_class(world), issued)).tables[2]
        assert cell_texts(annex) == [
            DECISION_HEADERS,
            ["1", "Lê Thị An", "01/01/1985", "Sở Nội vụ", "Khá", "TCT-QLNN-CV-2027-0002", "2/2027"],
            ["2", "Trần Văn Bình", "01/01/1985", "Sở Nội vụ", "Khá", "TCT-QLNN-CV-2027-0001", "1/2027"],
            ["3", "Nguyễn Văn Cường", "01/01/1985", "Sở Nội vụ", "Khá", "TCT-QLNN-CV-2027-0003", "3/2027"],
        ]

    def test_without_a_number_it_is_a_draft(self, world, school):
        certificates = [certify(e, n, school) for n, e in enumerate(world.learners, start=1)]
        document = opened(decision_docx(read_class(world), certificates))
        lines = texts(document)
        assert lines.index("DỰ THẢO") < lines.index("QUYẾT ĐỊNH")
        draft = next(p for p in document.paragraphs if p.text == "DỰ THẢO")
        assert draft.runs[0].bold and str(draft.runs[0].font.color.rgb) == "C00000"
        left, right = (cell.text.split("\n") for cell in document.tables[0].rows[0].cells)
        assert left[-1] == "Số: …/QĐ-…" and right[-1] == "Đồng Tháp, ngày … tháng … năm …"
        assert "(Kèm theo Quyết định số …/QĐ-… ngày … tháng … năm … của Trường Chính trị tỉnh Đồng Tháp)" in lines

    def test_only_valid_certificates_are_listed(self, world, school, issued):
        issued[2].status, issued[2].reason = Certificate.Status.REVOKED, "Cấp nhầm"
        issued[2].save()
        chosen = decision_certificates(world.course_class)
        assert {c.pk for c in chosen} == {issued[0].pk, issued[1].pk}
        document = opened(decision_docx(read_class(world), [*chosen, issued[2]]))
        assert "cho 2 học viên lớp K60" in next(line for line in texts(document) if line.startswith("Điều 1."))
        assert len(document.tables[2].rows) == 3

    def test_times_new_roman_throughout(self, world, issued):
        document = opened(decision_docx(read_class(world), issued))
        assert document.styles["Normal"].font.name == TIMES
        runs = [r for p in document.paragraphs for r in p.runs]
        runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
        assert runs and {r.font.name for r in runs} == {TIMES}

    def test_one_query_whatever_the_class_size(self, world, school, make_user, django_assert_num_queries):
        for n in range(4, 40):
            enrolment = Enrolment.objects.create(course_class=world.course_class, list_order=n,
                                                 person=make_user(full_name=f"Học Viên Số {n}"))
            certify(enrolment, n, school)
        course_class = read_class(world)
        with django_assert_num_queries(1):
            data = decision_docx(course_class, Certificate.objects.filter(enrolment__course_class=course_class))
        assert len(opened(data).tables[2].rows) == 1 + 36


# --- The register ------------------------------------------------------------------------------------------------

def step_aside(certificate: Certificate) -> None:
    """As a replacement does first: one valid certificate per learner."""
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED, reason="…")


@pytest.fixture
def history(world, school, issued):
    """Bình's certificate reissued after a correction (entry 4), Cường's revoked, An's (register of 2028) lost and
    replaced by a completion certification."""
    first, second, third = issued
    step_aside(first)
    new = certify(world.learners[0], 4, school, serial="TCT-QLNN-CV-2027-0004", holder_name="Trần Văn Bính")
    Certificate.objects.filter(pk=first.pk).update(status=Certificate.Status.REPLACED, replaced_by=new,
                                                   replaced_why=Certificate.Why.CORRECTION, reason="Sai tên")
    Certificate.objects.filter(pk=third.pk).update(status=Certificate.Status.REVOKED, reason="Cấp nhầm")
    step_aside(second)
    completion = certify(world.learners[1], 1, school, register_year=2028, kind=Certificate.Kind.COMPLETION,
                         serial="GCN-TCT-QLNN-CV-2028-0001", stands_for=second)
    Certificate.objects.filter(pk=second.pk).update(status=Certificate.Status.REPLACED, replaced_by=completion,
                                                    replaced_why=Certificate.Why.LOST, reason="Mất do hỏa hoạn")
    return new, completion


class TestRegister:
    def test_columns_order_and_statuses(self, world, history):
        data = register_xlsx(class_certificates(world.course_class), title_lines=class_register_lines(
            read_class(world)))
        sheet = sheet_of(data)
        top, rows = table_rows(sheet)
        assert [c.value for c in sheet[top]] == REGISTER_HEADERS
        assert [(r[0], r[1], r[8], r[10], r[11]) for r in rows] == [
            ("1", "Trần Văn Bình", "TCT-QLNN-CV-2027-0001", "Đã thay thế bằng TCT-QLNN-CV-2027-0004",
             "Cấp lại do đính chính: Sai tên"),
            ("2", "Lê Thị An", "TCT-QLNN-CV-2027-0002", "Đã thay thế bằng GCN-TCT-QLNN-CV-2028-0001",
             "Mất chứng chỉ: Mất do hỏa hoạn"),
            ("3", "Nguyễn Văn Cường", "TCT-QLNN-CV-2027-0003", "Đã thu hồi: Cấp nhầm", None),
            ("4", "Trần Văn Bính", "TCT-QLNN-CV-2027-0004", "Còn hiệu lực", "Cấp thay số hiệu TCT-QLNN-CV-2027-0001"),
            ("1", "Lê Thị An", "GCN-TCT-QLNN-CV-2028-0001", "Còn hiệu lực",
             "Giấy chứng nhận hoàn thành; Cấp thay số hiệu TCT-QLNN-CV-2027-0002"),
        ]
        first = rows[0]
        assert first[2:8] == ("01/01/1985", "Nam", "Sở Nội vụ",
                              "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên", "K60", "Khá")
        assert first[9] == "05/04/2027"

    def test_official_style(self, world, issued):
        sheet = sheet_of(register_xlsx(issued, title_lines=class_register_lines(read_class(world))))
        assert sheet["A1"].value == "UBND TỈNH ĐỒNG THÁP" and sheet["A2"].value == "TRƯỜNG CHÍNH TRỊ"
        values = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert "SỔ CẤP CHỨNG CHỈ" in values and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values
        assert "Lớp K60 – Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên" in values
        top, rows = table_rows(sheet)
        assert {sheet["A1"].font.name, sheet.cell(top, 1).font.name, sheet.cell(top + 1, 2).font.name} == {TIMES}
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == f"${top}:${top}"

    def test_a_name_like_a_formula_stays_text(self, world, school):
        certificate = certify(world.learners[0], 1, school, holder_name=EVIL_NAME, holder_unit="=1+1")
        sheet = sheet_of(register_xlsx([certificate], title_lines=[]))
        top, _rows = table_rows(sheet)
        name, unit = sheet.cell(top + 1, 2), sheet.cell(top + 1, 5)
        assert (name.value, name.data_type) == (EVIL_NAME, "s")
        assert (unit.value, unit.data_type) == ("=1+1", "s")

    def test_an_institution_year_and_constant_queries(self, world, school, history, django_assert_num_queries):
        certificates = Certificate.objects.filter(institution=school, register_year=2027)
        with django_assert_num_queries(2):
            data = register_xlsx(certificates, title_lines=institution_register_lines(school, 2027))
        _top, rows = table_rows(sheet_of(data))
        assert [r[8] for r in rows] == [f"TCT-QLNN-CV-2027-{n:04d}" for n in (1, 2, 3, 4)]
        assert rows[1][10] == "Đã thay thế bằng GCN-TCT-QLNN-CV-2028-0001"  # its successor is in another year


    def test_an_empty_register_carries_the_institutions_letterhead(self):
        other = Institution.objects.create(name="Phân viện", letterhead_line_1="HỌC VIỆN HÀNH CHÍNH QUỐC GIA")
        sheet = sheet_of(register_xlsx([], title_lines=institution_register_lines(other, 2027), institution=other))
        assert sheet["A1"].value == "HỌC VIỆN HÀNH CHÍNH QUỐC GIA"
        _top, rows = table_rows(sheet)
        assert rows == []

# --- The downloads -----------------------------------------------------------------------------------------------

class TestDownloads:
    def test_the_decision_is_the_course_managers_and_audited(self, client, world, issued):
        url = reverse("certificate_decision", args=[world.course_class.pk])
        client.force_login(world.head)
        assert client.get(url).status_code == 403
        client.force_login(world.manager)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
        assert "cho 3 học viên" in "\n".join(texts(opened(response.content)))
        assert 'filename="quyet-dinh-cap-chung-chi-' in response["Content-Disposition"]  # 12/QĐ-TCT: not a draft
        log = AuditLog.objects.get(action="certificates.decision_download")
        assert log.actor == world.manager and log.details == {"rows": 3} and log.object_id == str(
            world.course_class.pk)

    def test_the_class_register_download_is_audited(self, client, world, history):
        client.force_login(world.manager)
        response = client.get(reverse("certificate_register", args=[world.course_class.pk]))
        assert response.status_code == 200
        _top, rows = table_rows(sheet_of(response.content))
        assert len(rows) == 5
        log = AuditLog.objects.get(action="certificates.register_download")
        assert log.details == {"rows": 5} and log.object_type == "courses.courseclass"

    def test_the_institution_register_of_a_year(self, client, world, school, history):
        client.force_login(world.manager)
        url = reverse("institution_register", args=[school.pk])
        _top, rows = table_rows(sheet_of(client.get(url + "?year=2028").content))
        assert [r[8] for r in rows] == ["GCN-TCT-QLNN-CV-2028-0001"]
        log = AuditLog.objects.get(action="certificates.register_download")
        assert log.details == {"year": 2028, "rows": 1} and log.object_type == "courses.institution"
        assert client.get(url + "?year=abc").status_code == 404
