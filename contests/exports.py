"""A closed round's lists and its draft prize decision (docs/contests.md, "Lists and the decision").

- The **ranking** (every ranked participant) and the **winners** (those with a prize, with phone and CCCD so prizes
  can be paid: the organisers' list) as .xlsx, in the official sheet style (``accounts.official_sheets``), written
  to a file row by row in xlsxwriter's constant-memory mode, the rows read from the database in chunks: 100,000
  rows in bounded memory (bench/README.md, "contest"). Every text is a string cell, never a formula.
- The draft **prize decision** (Quyết định khen thưởng, .docx, ``accounts.official_docs``) with its annex, in the
  style of the promotion exam's decision.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import xlsxwriter
from django.utils import timezone

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
    WORKBOOK_OPTIONS,
    SheetFormats,
    collector_paused,
    date_text,
    header_row,
    print_setup,
    put_cell,
    put_text,
    write_preamble,
)
from accounts.officialdates import official_date
from contests.models import Round, Standing

RANKING, WINNERS = "ranking", "winners"
LISTS = (RANKING, WINNERS)
RANKING_COLUMNS = [("Hạng", 7), ("Họ và tên", 26), ("Ngày sinh", 12), ("Nhóm", 22), ("Đơn vị / Xã, phường", 32),
                   ("Số câu đúng", 9), ("Dự đoán", 10), ("Chênh lệch dự đoán", 11), ("Thời gian làm bài (giây)", 13),
                   ("Thời điểm nộp", 24), ("Giải", 16)]
WINNER_COLUMNS = [*RANKING_COLUMNS, ("Số điện thoại", 14), ("Số CCCD", 15)]
CENTRED = {0, 2, 5, 6, 7, 8, 9, 11, 12}
PRIZE_TEXT = dict(Standing.Prize.choices)
PRIZE_WORDS = {Standing.Prize.FIRST: "Giải Nhất", Standing.Prize.SECOND: "Giải Nhì", Standing.Prize.THIRD: "Giải Ba",
               Standing.Prize.CONSOLATION: "Giải Khuyến khích"}
CHUNK = 5000
BLANK_NUMBER = "…/QĐ-…"
DECISION_HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Đơn vị / Xã, phường", "Nhóm", "Giải"]
DECISION_WIDTHS_CM = [1.0, 4.2, 2.3, 4.6, 3.0, 2.4]


def seconds_text(milliseconds: int | None) -> str:
    """Time taken in seconds with three decimals, a decimal comma: ``754,120``."""
    return "" if milliseconds is None else f"{milliseconds / 1000:.3f}".replace(".", ",")


def moment_text(moment: dt.datetime | None) -> str:
    """A submission time to the millisecond, local time: ``07/03/2027 21:59:58.043``."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return local.strftime("%d/%m/%Y %H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def _standings(contest_round: Round, *, winners: bool):
    rows = Standing.objects.filter(round=contest_round)
    if winners:
        rows = rows.exclude(prize="")
    return rows.order_by("group__order", "group_id", "rank", "participant_id").values_list(
        "rank", "participant__full_name", "participant__person__date_of_birth", "group__name",
        "participant__unit_name", "entry__correct", "entry__prediction", "gap", "entry__time_taken_ms",
        "entry__submitted_at", "prize", "participant__person__phone", "participant__person__cccd")


def list_rows(contest_round: Round, list_kind: str) -> Iterator[list[str]]:
    """Each row of a list as the strings of its cells, read in chunks (the database's order: group, rank)."""
    winners = list_kind == WINNERS
    for (rank, name, born, group, unit, correct, prediction, gap, taken, submitted, prize, phone,
         cccd) in _standings(contest_round, winners=winners).iterator(chunk_size=CHUNK):
        row = [str(rank), name, date_text(born), group, unit, str(correct),
               "" if prediction is None else str(prediction), "" if gap is None else str(gap), seconds_text(taken),
               moment_text(submitted), PRIZE_WORDS.get(prize, "")]
        if winners:
            row += [phone or "", cccd or ""]
        yield row


def write_list(contest_round: Round, list_kind: str, path: str) -> int:
    """Write the ranking or the winners of ``contest_round`` to ``path`` (.xlsx); returns the number of rows."""
    columns = WINNER_COLUMNS if list_kind == WINNERS else RANKING_COLUMNS
    title = ("DANH SÁCH CÁ NHÂN ĐẠT GIẢI" if list_kind == WINNERS else "BẢNG XẾP HẠNG") + f" VÒNG {contest_round.number}"
    options = {**WORKBOOK_OPTIONS, "in_memory": False, "constant_memory": True}
    count = 0
    with collector_paused():
        workbook = xlsxwriter.Workbook(path, options)
        formats = SheetFormats(workbook)
        sheet = workbook.add_worksheet("Danh sách")
        start = write_preamble(sheet, formats, profile=OrganisationProfile.current(), columns=columns, title=title,
                               lines=[contest_round.contest.name])
        header_row(sheet, start, columns, formats.header)
        for count, row in enumerate(list_rows(contest_round, list_kind), start=1):
            for col, value in enumerate(row):
                put_cell(sheet, start + count, col, value, formats.cell_center if col in CENTRED else formats.cell)
        put_text(sheet, start + count + 2, 0, 4, f"Tổng số: {count} người.", formats.line)
        print_setup(sheet, landscape=True, repeat=(start, start))
        workbook.close()
    return count


def decision_docx(contest_round: Round) -> bytes:
    """The draft prize decision of a round, with its annex: the winners in the ranking's order, group by group."""
    profile = OrganisationProfile.current()
    contest = contest_round.contest
    winners = list(Standing.objects.filter(round=contest_round).exclude(prize="").select_related(
        "participant__person", "group").order_by("group__order", "group_id", "rank", "participant_id"))
    authority = " ".join(f"{profile.signatory_title} {profile.home_affairs_name}".split()).upper()
    document = new_document()
    heading(document, authority_1=profile.authority_line_1, authority_2=profile.authority_line_2,
            number_line=f"Số: {BLANK_NUMBER}", date_line=official_date(None, profile.place_name or None))
    draft_mark(document)
    paragraph(document, "QUYẾT ĐỊNH", align=CENTER, bold=True, after=0)
    paragraph(document, f"Về việc khen thưởng các cá nhân đạt giải vòng {contest_round.number} {contest.name}",
              align=CENTER, bold=True, after=12)
    paragraph(document, authority, align=CENTER, bold=True, after=12)
    paragraph(document, f"Căn cứ Thể lệ {contest.name} do {contest.organiser} ban hành;", italic=True, indent=True)
    paragraph(document, f"Căn cứ kết quả vòng {contest_round.number} đã được Ban Tổ chức phê duyệt;", italic=True,
              indent=True, after=12)
    paragraph(document, "QUYẾT ĐỊNH:", align=CENTER, bold=True, after=12)
    counts = {}
    for standing in winners:
        counts[standing.prize] = counts.get(standing.prize, 0) + 1
    detail = ", ".join(f"{n} {PRIZE_WORDS[p].lower()}" for p, n in sorted(
        counts.items(), key=lambda item: list(PRIZE_WORDS).index(item[0])))
    article(document, 1, f"Khen thưởng {len(winners)} cá nhân đạt giải vòng {contest_round.number} {contest.name}"
                         f"{f' ({detail})' if detail else ''} (có danh sách kèm theo).")
    article(document, 2, "Quyết định này có hiệu lực kể từ ngày ký.")
    article(document, 3, "Ban Tổ chức hội thi, các cơ quan, đơn vị có liên quan và các cá nhân có tên tại Điều 1 "
                         "chịu trách nhiệm thi hành Quyết định này./.")
    paragraph(document, after=6)
    signature(document, recipients=["- Như Điều 3;", "- Lưu: VT."], title_lines=[profile.signatory_title.upper()],
              signer_name=profile.signatory_name)
    page_break(document)
    paragraph(document, f"DANH SÁCH CÁ NHÂN ĐẠT GIẢI VÒNG {contest_round.number}", align=CENTER, bold=True, after=0)
    paragraph(document, contest.name, align=CENTER, bold=True, after=0)
    paragraph(document, f"(Kèm theo Quyết định số {BLANK_NUMBER} ngày … tháng … năm …)", align=CENTER, italic=True,
              after=12)
    data_table(document, headers=DECISION_HEADERS, widths_cm=DECISION_WIDTHS_CM, left_columns=(1, 3),
               rows=[[str(n), s.participant.full_name, date_text(s.participant.person.date_of_birth),
                      s.participant.unit_name, s.group.name, PRIZE_WORDS[s.prize]]
                     for n, s in enumerate(winners, start=1)])
    return document_bytes(document)


def list_exported(*, contest_round: Round, list_kind: str, rows: int, actor, ip: str | None = None,
                  file: str = "") -> None:
    """The audit record of a list written (the winners' list carries phone and CCCD numbers)."""
    from accounts.services import audit_record

    audit_record(actor=actor, action=f"contest_round.export_{list_kind}", obj=contest_round, ip=ip,
                 details={"rows": rows, **({"file": file} if file else {})})
