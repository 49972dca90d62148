"""The documents of issuing certificates (docs/certificates.md): the draft decision on issuing a class's certificates
with its attached list (.docx, in the official style of Nghị định 30/2020/NĐ-CP that the promotion exam's decision
uses, from ``accounts.official_docs``) and the issuance register (sổ cấp chứng chỉ, the annex style of Thông tư
01/2018/TT-BNV, .xlsx, from ``accounts.official_sheets``), for one class or an institution's year.

Both say what the certificates say: their snapshot of the holder, the programme, the institution's letterhead and
signer, never today's register. Read with a fixed number of queries whatever the number of certificates.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Q

from accounts.models import OrganisationProfile
from accounts.official_docs import (
    CENTER,
    article,
    data_table,
    document_bytes,
    draft_mark,
    heading,
    new_document,
    page_break,
    paragraph,
    signature,
)
from accounts.official_sheets import (
    collector_paused,
    date_text,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    put_text,
    workbook_bytes,
    write_preamble,
)
from accounts.officialdates import official_date
from accounts.vietnamese import name_sort_key
from courses.models import Certificate, CourseClass, Institution

BLANK_NUMBER = "…/QĐ-…"
DECISION_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Đơn vị công tác", "Xếp loại", "Số hiệu chứng chỉ", "Số vào sổ"]
DECISION_WIDTHS_CM = [1.0, 3.9, 2.3, 3.6, 1.8, 2.6, 1.6]
DECISION_LEFT_COLUMNS = (1, 3)  # name, unit
REGISTER_TITLE = "SỔ CẤP CHỨNG CHỈ"
REGISTER_COLUMNS = [("STT", 7), ("Họ và tên", 24), ("Ngày sinh", 12), ("Giới tính", 8), ("Đơn vị", 28),
                    ("Chương trình", 30), ("Lớp", 10), ("Xếp loại", 11), ("Số hiệu", 20), ("Ngày cấp", 12),
                    ("Tình trạng", 26), ("Ghi chú", 28)]
REGISTER_CENTRED = {0, 2, 3, 6, 7, 8, 9}
VALID_TEXT = "Còn hiệu lực"
COMPLETION_TEXT = "Giấy chứng nhận hoàn thành"
WHY_TEXT = {Certificate.Why.CORRECTION: "Cấp lại do đính chính", Certificate.Why.LOST: "Mất chứng chỉ"}


# --- What the certificates say of their issuer --------------------------------------------------------------------

@dataclass(frozen=True)
class Issuer:
    institution_name: str
    letterhead_line_1: str
    letterhead_line_2: str
    place_name: str
    signer_title: str
    signer_name: str
    legal_basis: str
    programme_name: str


def issuer_of(course_class: CourseClass, certificates: list[Certificate]) -> Issuer:
    """The issuer as the first certificate wrote it down; the class's institution and programme today when there is
    none (the class is read with ``programme__institution``)."""
    if certificates:
        first = certificates[0]
        return Issuer(first.institution_name, first.letterhead_line_1, first.letterhead_line_2, first.place_name,
                      first.signer_title, first.signer_name, first.legal_basis, first.programme_name)
    programme = course_class.programme
    institution = programme.institution or Institution(name="")
    return Issuer(institution.name, institution.letterhead_line_1, institution.letterhead_line_2,
                  institution.place_name or OrganisationProfile.current().place_name, institution.signer_title,
                  institution.signer_name, programme.legal_basis, programme.name)


def register_entry(certificate: Certificate) -> str:
    """The entry in the issuance register, numbered per institution and year: ``12/2027``."""
    return f"{certificate.register_number}/{certificate.register_year}"


def programme_phrase(name: str) -> str:
    """The programme's name after "chứng chỉ bồi dưỡng": its own "Bồi dưỡng" is not said twice."""
    name = " ".join(name.split())
    if name.casefold().startswith("bồi dưỡng "):
        return name[len("bồi dưỡng "):]
    return name


def _basis(text: str) -> str:
    text = " ".join(text.split()).rstrip(";.")
    return text if text.casefold().startswith("căn cứ") else f"Căn cứ {text}"


# --- The decision ----------------------------------------------------------------------------------------------

def decision_of(certificates: list[Certificate]) -> tuple[str, object]:
    """(number, date) of the decision the certificates were issued under; ("", None) unless they all name the same
    one (a draft: the number is given when it is signed)."""
    numbers = {(c.decision_number.strip(), c.decision_date) for c in certificates}
    if len(numbers) != 1:
        return "", None
    number, day = numbers.pop()
    return (number, day) if number else ("", None)


def decision_certificates(course_class: CourseClass) -> list[Certificate]:
    """What a class's decision lists: its valid certificates (not the completion certifications that stand for lost
    ones), one query."""
    return list(Certificate.objects.filter(enrolment__course_class=course_class, status=Certificate.Status.VALID,
                                           kind=Certificate.Kind.CERTIFICATE))


def decision_docx(course_class: CourseClass, certificates: Iterable[Certificate]) -> bytes:
    """The draft decision on issuing the class's certificates, and its attached list in Vietnamese name order.

    ``certificates`` are the class's valid certificates of kind certificate (:func:`decision_certificates`); any
    other passed in is left out. The number and date are the certificates' decision's when they all name one; else
    the number is dotted and DỰ THẢO stands above the title. No query beyond reading ``certificates`` (the class is
    read with ``programme__institution``; one more when it has no certificate and no place name)."""
    rows = [c for c in certificates
            if c.status == Certificate.Status.VALID and c.kind == Certificate.Kind.CERTIFICATE]
    rows.sort(key=lambda c: (name_sort_key(c.holder_name, c.holder_birth_date, c.holder_cccd or None), c.serial))
    issuer = issuer_of(course_class, rows)
    number, day = decision_of(rows)
    subject = programme_phrase(issuer.programme_name)
    title = issuer.signer_title.strip().upper()
    name = issuer.institution_name.strip()
    authority = f"{title} {name.upper()}" if title and name else title or name.upper()
    class_name = course_class.name

    document = new_document()
    heading(document, authority_1=issuer.letterhead_line_1, authority_2=issuer.letterhead_line_2,
            number_line=f"Số: {number or BLANK_NUMBER}", date_line=official_date(day, issuer.place_name or None))
    if not number:
        draft_mark(document)
    paragraph(document, "QUYẾT ĐỊNH", align=CENTER, bold=True, after=0)
    paragraph(document, f"Về việc cấp chứng chỉ bồi dưỡng {subject}", align=CENTER, bold=True, after=12)
    paragraph(document, authority, align=CENTER, bold=True, after=12)
    if issuer.legal_basis.strip():
        paragraph(document, f"{_basis(issuer.legal_basis)};", italic=True, indent=True)
    paragraph(document, f"Căn cứ kết quả học tập của học viên lớp {class_name} bồi dưỡng {subject} (từ ngày "
              f"{date_text(course_class.starts_on)} đến ngày {date_text(course_class.ends_on)});",
              italic=True, indent=True, after=12)
    paragraph(document, "QUYẾT ĐỊNH:", align=CENTER, bold=True, after=12)
    articles = (
        f"Cấp chứng chỉ bồi dưỡng {subject} cho {len(rows)} học viên lớp {class_name} đã hoàn thành chương trình "
        f"(có danh sách kèm theo).",
        "Quyết định này có hiệu lực kể từ ngày ký.",
        f"Thủ trưởng các đơn vị có liên quan{f' thuộc {name}' if name else ''} và các học viên có tên tại Điều 1 "
        f"chịu trách nhiệm thi hành Quyết định này./.",
    )
    for n, text in enumerate(articles, start=1):
        article(document, n, text)
    paragraph(document, after=6)
    signature(document, recipients=["- Như Điều 3;", "- Lưu: VT."], title_lines=[title or name.upper()],
              signer_name=issuer.signer_name)

    page_break(document)
    paragraph(document, "DANH SÁCH HỌC VIÊN ĐƯỢC CẤP CHỨNG CHỈ", align=CENTER, bold=True, after=0)
    paragraph(document, f"Lớp {class_name} – {issuer.programme_name}", align=CENTER, bold=True, after=0)
    on = f"ngày {date_text(day)}" if day else "ngày … tháng … năm …"
    paragraph(document, f"(Kèm theo Quyết định số {number or BLANK_NUMBER} {on}{f' của {name}' if name else ''})",
              align=CENTER, italic=True, after=12)
    data_table(document, headers=DECISION_HEADERS, widths_cm=DECISION_WIDTHS_CM, left_columns=DECISION_LEFT_COLUMNS,
               rows=[[str(n), c.holder_name, date_text(c.holder_birth_date), c.holder_unit, c.band, c.serial,
                      register_entry(c)] for n, c in enumerate(rows, start=1)])
    return document_bytes(document)


# --- The issuance register -------------------------------------------------------------------------------------

def class_certificates(course_class: CourseClass) -> list[Certificate]:
    """Every certificate a class issued, whatever became of it (one query)."""
    return list(Certificate.objects.filter(enrolment__course_class=course_class))


def institution_certificates(institution: Institution, year: int) -> list[Certificate]:
    """An institution's register of a year (one query)."""
    return list(Certificate.objects.filter(institution=institution, register_year=year))


def class_register_lines(course_class: CourseClass) -> list[str]:
    programme = course_class.programme
    return [f"Lớp {course_class.name} – {programme.name}",
            f"Từ ngày {date_text(course_class.starts_on)} đến ngày {date_text(course_class.ends_on)}"]


def institution_register_lines(institution: Institution, year: int) -> list[str]:
    return [institution.name, f"Năm {year}"]


def _serials(certificates: list[Certificate]) -> tuple[dict[int, str], dict[int, str]]:
    """(successor's serial by certificate, predecessor's serial by certificate), in one query: every replaced
    certificate of the institutions concerned (few: a replacement is rare), whichever list they are on."""
    institutions = {c.institution_id for c in certificates}
    if not institutions:
        return {}, {}
    successor, predecessor = {}, {}
    for pk, serial, new_pk, new_serial in Certificate.objects.filter(
            Q(institution__in=institutions) | Q(replaced_by__institution__in=institutions),
            replaced_by__isnull=False).values_list("pk", "serial", "replaced_by", "replaced_by__serial"):
        successor[pk], predecessor[new_pk] = new_serial, serial
    return successor, predecessor


def status_text(certificate: Certificate, successor: str = "") -> str:
    if certificate.status == Certificate.Status.REPLACED:
        return f"Đã thay thế bằng {successor}" if successor else "Đã thay thế"
    if certificate.status == Certificate.Status.REVOKED:
        return f"Đã thu hồi: {certificate.reason}"
    return VALID_TEXT


def note_text(certificate: Certificate, predecessor: str = "") -> str:
    parts = []
    if certificate.kind == Certificate.Kind.COMPLETION:
        parts.append(COMPLETION_TEXT)
    if predecessor:
        parts.append(f"Cấp thay số hiệu {predecessor}")
    if certificate.status == Certificate.Status.REPLACED and certificate.reason:
        why = WHY_TEXT.get(certificate.replaced_why)
        parts.append(f"{why}: {certificate.reason}" if why else certificate.reason)
    return "; ".join(parts)


def register_xlsx(certificates: Iterable[Certificate], *, title_lines: Iterable[str],
                  institution: Institution | None = None) -> bytes:
    """The issuance register: one row per certificate, valid, replaced or revoked, by register year and number
    (STT is the entry); the letterhead the certificates carry (``institution``'s when there is none); the
    ``title_lines`` under the title (:func:`class_register_lines`, :func:`institution_register_lines`). One
    query besides reading ``certificates``."""
    rows = sorted(certificates, key=lambda c: (c.register_year, c.register_number))
    successor, predecessor = _serials(rows)
    source = rows[0] if rows else institution
    letterhead = SimpleNamespace(authority_line_1=getattr(source, "letterhead_line_1", ""),
                                 authority_line_2=getattr(source, "letterhead_line_2", ""))
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        sheet = workbook.add_worksheet("Sổ cấp chứng chỉ")
        start = write_preamble(sheet, formats, profile=letterhead, columns=REGISTER_COLUMNS, title=REGISTER_TITLE,
                               lines=list(title_lines))
        header_row(sheet, start, REGISTER_COLUMNS, formats.header)
        for r, c in enumerate(rows, start=start + 1):
            values = [str(c.register_number), c.holder_name, date_text(c.holder_birth_date), c.holder_gender,
                      c.holder_unit, c.programme_name, c.class_name, c.band, c.serial, date_text(c.issued_on),
                      status_text(c, successor.get(c.pk, "")), note_text(c, predecessor.get(c.pk, ""))]
            for col, value in enumerate(values):
                put_cell(sheet, r, col, value, formats.cell_center if col in REGISTER_CENTRED else formats.cell)
        put_text(sheet, start + len(rows) + 2, 0, 4, f"Tổng số: {len(rows)} chứng chỉ.", formats.line)
        print_setup(sheet, landscape=True, repeat=(start, start))
        return workbook_bytes(buffer, workbook)
