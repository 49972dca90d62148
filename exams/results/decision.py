"""The draft decision recognising an exam's results (Quyết định công nhận kết quả, docs/rules.md, "The draft decision") as .docx.

The layout follows Nghị định 30/2020/NĐ-CP: the authority and the national motto side by side, the number and
the place/date line under them, the title, the legal bases, the articles, the signature block beside
`Nơi nhận:`, then the attached winners list on its own page. HR finishes it in a word processor (the proposal
number, the recipients), so it is a draft by nature; it carries DỰ THẢO above the title until the council has
approved the results. The legal bases are the 2020 regime's (the law moves: docs/rules.md,
"Rules are configuration") and are edited there.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from accounts.models import OrganisationProfile
from accounts.officialdates import official_date
from exams.results.exports import (
    DRAFT_MARK,
    annex_reference,
    decision_number_text,
    exam_phrase,
    exam_year,
    is_draft,
    list_title,
    province_kind,
    province_phrase,
    ranking_subjects,
    score_text,
    signature_lines,
    winner_rows,
)
from exams.results.models import ResultVersion
from exams.results.selectors import LIST_WINNERS, ResultRow, subjects_of

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(12)

LEGAL_BASES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều của "
    "Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
    "Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008; Luật sửa đổi, bổ sung một số điều của Luật Cán bộ, "
    "công chức và Luật Viên chức ngày 25 tháng 11 năm 2019;",
    "Căn cứ Nghị định số 138/2020/NĐ-CP ngày 27 tháng 11 năm 2020 của Chính phủ quy định về tuyển dụng, sử dụng và "
    "quản lý công chức;",
    "Căn cứ Thông tư số 06/2020/TT-BNV ngày 02 tháng 12 năm 2020 của Bộ trưởng Bộ Nội vụ ban hành Quy chế tổ chức "
    "thi tuyển, xét tuyển công chức, viên chức; thi nâng ngạch công chức, thi hoặc xét thăng hạng chức danh nghề "
    "nghiệp viên chức; Nội quy thi tuyển, xét tuyển công chức, viên chức; thi nâng ngạch công chức, thi hoặc xét "
    "thăng hạng chức danh nghề nghiệp viên chức;",
]
TABLE_HEADERS_BEFORE = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Đơn vị", "Số báo danh"]
TABLE_HEADERS_AFTER = ["Ghi chú"]
TABLE_WIDTHS_CM = [1.0, 4.2, 2.4, 1.6, 4.6, 2.2, 2.0, 2.6]


def _font(run, *, size=None, bold=None, italic=None) -> None:
    run.font.name = FONT
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def _para(container, text: str = "", *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold=False, italic=False, size=None,
          indent: bool = False, after: int = 6, underline: bool = False):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    if text:
        run = paragraph.add_run(text)
        _font(run, size=size, bold=bold, italic=italic)
        run.underline = underline
    return paragraph


def _cell_lines(cell, lines: list[tuple[str, dict]]) -> None:
    """Replace a table cell's content by centred lines (text, run options)."""
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for text, options in lines:
        _para(cell, text, align=options.get("align", WD_ALIGN_PARAGRAPH.CENTER), bold=options.get("bold", False),
              italic=options.get("italic", False), size=options.get("size", Pt(13)), after=0,
              underline=options.get("underline", False))


def _document() -> Document:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    return document


def _heading(document, profile: OrganisationProfile, version: ResultVersion) -> None:
    """Authority and number on the left, the national motto and the place/date line on the right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    _cell_lines(left, [(profile.authority_line_1, {}), (profile.authority_line_2, {"bold": True}),
                       ("", {}), (f"Số: {decision_number_text(version)}", {})])
    _cell_lines(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"bold": True}),
                        ("Độc lập - Tự do - Hạnh phúc", {"bold": True, "underline": True}), ("", {}),
                        (official_date(version.decision_date, profile.place_name), {"italic": True})])
    _para(document, after=6)


def _signature(document, profile: OrganisationProfile, recipients: list[str]) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8), Cm(8.5)
    left_lines = [("Nơi nhận:", {"bold": True, "italic": True, "align": WD_ALIGN_PARAGRAPH.LEFT, "size": Pt(12)})]
    left_lines += [(line, {"align": WD_ALIGN_PARAGRAPH.LEFT, "size": Pt(11)}) for line in recipients]
    _cell_lines(left, left_lines)
    right_lines = [(line, {"bold": True, "size": BODY_SIZE}) for line in signature_lines(profile)]
    right_lines += [("", {})] * 4
    right_lines.append((profile.signatory_name.strip(), {"bold": True, "size": BODY_SIZE}))
    _cell_lines(right, right_lines)


def _score_header(version: ResultVersion) -> tuple[str, bool]:
    """The ranking column's header, and whether it holds a score (else the outcome, for exams that rank
    nobody)."""
    ranking = ranking_subjects(subjects_of(version.exam))
    if not ranking:
        return "Kết quả", False
    return "Điểm " + " + ".join(s.name.lower() for s in ranking), True


def _score_text(row: ResultRow, with_score: bool) -> str:
    if not with_score:
        return row.outcome_label
    value = row.result.ranking_score
    return "" if value is None else score_text(value)


def _winners_table(document, version: ResultVersion, rows: list[ResultRow]) -> None:
    header, with_score = _score_header(version)
    headers = [*TABLE_HEADERS_BEFORE, header, *TABLE_HEADERS_AFTER]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_lines(cell, [(text, {"bold": True, "size": TABLE_SIZE})])
    _repeat_header(table.rows[0])
    for n, row in enumerate(rows, start=1):
        person, reg = row.person, row.registration
        values = [str(n), person.full_name, f"{person.date_of_birth:%d/%m/%Y}" if person.date_of_birth else "",
                  person.gender or "", row.unit_label or reg.unit_text, reg.candidate_number,
                  _score_text(row, with_score), row.result.note]
        cells = table.add_row().cells
        for col, (cell, text) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if col in (1, 4, 7) else WD_ALIGN_PARAGRAPH.CENTER
            _cell_lines(cell, [(text, {"size": TABLE_SIZE, "align": align})])
    for col, width in enumerate(TABLE_WIDTHS_CM):
        for cell in table.columns[col].cells:
            cell.width = Cm(width)


def _repeat_header(row) -> None:
    """Mark a table row as a header repeated on every page."""
    properties = row._tr.get_or_add_trPr()
    element = properties.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    properties.append(element)


def decision_docx(version: ResultVersion) -> tuple[bytes, int]:
    """The draft decision and its attached winners list: the .docx bytes and the number of winners. Raises
    TieUnresolved (naming the tied people) while a tie is open. A fixed number of queries."""
    version = ResultVersion.objects.select_related("exam__target_rank").get(pk=version.pk)
    exam = version.exam
    rows = winner_rows(version)
    profile = OrganisationProfile.current()
    year = exam_year(exam)
    phrase = f"{exam_phrase(exam)} năm {year}"
    province = province_phrase(profile)
    kind = province_kind(profile)
    home_affairs = profile.home_affairs_name.strip() or "Sở Nội vụ"
    who = "công chức" if exam.selects_winners else "thí sinh"

    document = _document()
    _heading(document, profile, version)
    if is_draft(version):
        paragraph = _para(document, DRAFT_MARK, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        paragraph.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    _para(document, "QUYẾT ĐỊNH", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=0)
    _para(document, f"Về việc công nhận kết quả {phrase}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)
    _para(document, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.upper()}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
          after=12)
    for line in LEGAL_BASES:
        _para(document, line, italic=True, indent=True)
    _para(document, f"Căn cứ kết quả {phrase} do Hội đồng thi báo cáo;", italic=True, indent=True)
    _para(document, f"Theo đề nghị của Giám đốc {home_affairs} tại Tờ trình số …/TTr-SNV ngày … tháng … năm ….",
          italic=True, indent=True, after=12)
    _para(document, "QUYẾT ĐỊNH:", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)

    article_1 = (f"Công nhận kết quả {phrase} đối với {len(rows)} {who} trúng tuyển (có danh sách kèm theo)."
                 if exam.selects_winners else
                 f"Công nhận {len(rows)} {who} đạt kết quả {phrase} (có danh sách kèm theo).")
    if exam.target_rank_id:
        rank = exam.target_rank
        article_2 = (f"Giao Giám đốc {home_affairs} hướng dẫn các cơ quan, đơn vị quản lý công chức trúng tuyển tại "
                     f"Điều 1 quyết định bổ nhiệm vào ngạch {rank.name.lower()} (mã ngạch {rank.code}) và xếp lương "
                     f"theo quy định hiện hành.")
    else:
        article_2 = (f"Giao Giám đốc {home_affairs} thông báo kết quả đến các cơ quan, đơn vị và {who} có tên tại "
                     f"Điều 1 theo quy định.")
    article_3 = (f"Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân {kind}, Giám đốc "
                 f"{home_affairs}, Thủ trưởng các cơ quan, đơn vị có liên quan và các {who} có tên tại Điều 1 chịu "
                 f"trách nhiệm thi hành Quyết định này./.")
    for n, text in enumerate((article_1, article_2, article_3), start=1):
        paragraph = _para(document, indent=True)
        _font(paragraph.add_run(f"Điều {n}. "), bold=True)
        _font(paragraph.add_run(text))
    _para(document, after=6)
    _signature(document, profile, ["- Như Điều 3;", f"- Chủ tịch, các PCT UBND {kind};", "- Lưu: VT, SNV."])

    # The attached list starts on a page of its own.
    page_break = _para(document).add_run()
    _font(page_break)
    page_break.add_break(WD_BREAK.PAGE)
    _para(document, list_title(exam, LIST_WINNERS), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=0)
    _para(document, annex_reference(version, profile), align=WD_ALIGN_PARAGRAPH.CENTER, italic=True, after=12)
    _winners_table(document, version, rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), len(rows)
