"""The draft decision recognising an exam's results (Quyết định công nhận kết quả, docs/rules.md, "The draft decision") as .docx.

The layout follows Nghị định 30/2020/NĐ-CP: the authority and the national motto side by side, the number and
the place/date line under them, the title, the legal bases, the articles, the signature block beside
`Nơi nhận:`, then the attached winners list on its own page. HR finishes it in a word processor (the proposal
number, the recipients), so it is a draft by nature; it carries DỰ THẢO above the title until the council has
approved the results. The legal bases are the 2020 regime's (the law moves: docs/rules.md,
"Rules are configuration") and are edited there. The building blocks of the official style are
``accounts.official_docs``'s, shared with the other documents the platform drafts.
"""

from __future__ import annotations

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
TABLE_LEFT_COLUMNS = (1, 4, 7)  # name, unit, note


def _heading(document, profile: OrganisationProfile, version: ResultVersion) -> None:
    """Authority and number on the left, the national motto and the place/date line on the right."""
    heading(document, authority_1=profile.authority_line_1, authority_2=profile.authority_line_2,
            number_line=f"Số: {decision_number_text(version)}",
            date_line=official_date(version.decision_date, profile.place_name))


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
    values = []
    for n, row in enumerate(rows, start=1):
        person, reg = row.person, row.registration
        values.append([str(n), person.full_name, f"{person.date_of_birth:%d/%m/%Y}" if person.date_of_birth else "",
                       person.gender or "", row.unit_label or reg.unit_text, reg.candidate_number,
                       _score_text(row, with_score), row.result.note])
    data_table(document, headers=[*TABLE_HEADERS_BEFORE, header, *TABLE_HEADERS_AFTER], rows=values,
               widths_cm=TABLE_WIDTHS_CM, left_columns=TABLE_LEFT_COLUMNS)


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

    document = new_document()
    _heading(document, profile, version)
    if is_draft(version):
        draft_mark(document, DRAFT_MARK)
    paragraph(document, "QUYẾT ĐỊNH", align=CENTER, bold=True, after=0)
    paragraph(document, f"Về việc công nhận kết quả {phrase}", align=CENTER, bold=True, after=12)
    paragraph(document, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.upper()}", align=CENTER, bold=True, after=12)
    for line in LEGAL_BASES:
        paragraph(document, line, italic=True, indent=True)
    paragraph(document, f"Căn cứ kết quả {phrase} do Hội đồng thi báo cáo;", italic=True, indent=True)
    paragraph(document, f"Theo đề nghị của Giám đốc {home_affairs} tại Tờ trình số …/TTr-SNV ngày … tháng … năm ….",
              italic=True, indent=True, after=12)
    paragraph(document, "QUYẾT ĐỊNH:", align=CENTER, bold=True, after=12)

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
        article(document, n, text)
    paragraph(document, after=6)
    signature(document, recipients=["- Như Điều 3;", f"- Chủ tịch, các PCT UBND {kind};", "- Lưu: VT, SNV."],
              title_lines=signature_lines(profile), signer_name=profile.signatory_name)

    # The attached list starts on a page of its own.
    page_break(document)
    paragraph(document, list_title(exam, LIST_WINNERS), align=CENTER, bold=True, after=0)
    paragraph(document, annex_reference(version, profile), align=CENTER, italic=True, after=12)
    _winners_table(document, version, rows)
    return document_bytes(document), len(rows)
