"""The annex of the decision that recognises an exam's results (docs/rules.md, "The annex"), as an .xlsx workbook.

``annex_xlsx(version, list_kind)`` writes one of the four lists — ``all``, ``winners``, ``by-unit``,
``unit-summary`` — with the letterhead from the organisation profile, the two-row table header, one column per
subject, `Kết quả` and `Ghi chú`, the signature block and the print setup (A4 landscape, fit to width, header
rows repeated, Times New Roman). It reads everything with a fixed number of queries, whatever the number of
candidates, and writes with xlsxwriter in memory. The pieces every document of the decision shares (the exam's
name in titles, the decision reference, the signature block, the refusal while a tie is open) live here too, so
the decision (``exams.results.decision``) and the result notice say exactly the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrganisationProfile
from accounts.official_sheets import (
    LOCAL_TZ,
    Columns,
    SheetFormats,
    birth_columns,
    birth_header,
    collector_paused,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    put_text,
    sheet_format,
    workbook_bytes,
    write_preamble,
)
from accounts.officialdates import BLANK_DATE, official_date
from exams.results.models import CandidateResult, ResultVersion
from exams.results.selectors import (
    EXEMPT_LABEL,
    LIST_ALL,
    LIST_BY_UNIT,
    LIST_UNIT_SUMMARY,
    LIST_WINNERS,
    LISTS,
    ResultRow,
    export_rows,
    subjects_of,
    unit_key,
    unit_summary,
)
from exams.results.services import ResultsError, current_version
from exams.sessions.models import Exam, Sitting, Subject
from exams.sessions.presets import PRESETS

DRAFT_MARK = "DỰ THẢO"
BLANK_NUMBER = "…"
DECISION_SUFFIX = "/QĐ-UBND"
SCORE_FORMAT = "0.0"
# A score with a second decimal (a mean of two marks, an imported 72,25) keeps it: an official list never shows
# a rounded figure that could contradict the ranking.
SCORE_FORMAT_TWO_DECIMALS = "0.00"

FIXED_COLUMNS_BEFORE = [("STT", 6), ("Họ và tên", 24), ("Nam", 11), ("Nữ", 11), ("Chức vụ, đơn vị công tác", 32),
                        ("Ngạch hiện giữ", 14), ("Mã ngạch", 9), ("Số báo danh", 11)]
FIXED_COLUMNS_AFTER = [("Kết quả", 15), ("Ghi chú", 24)]
SUBJECT_WIDTH = 11
SUMMARY_COLUMNS = [("STT", 6), ("Đơn vị", 44), ("Số đăng ký dự thi", 13), ("Số dự thi", 11), ("Số đạt", 11),
                   ("Số trúng tuyển", 12), ("Tỷ lệ đạt (%)", 12)]
SUMMARY_TOTAL = "Tổng cộng"
ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
         (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


class TieUnresolved(ResultsError):
    """The winners list (and the decision built on it) is not final while the council has a tie to resolve."""


class ResultsNotComputed(ResultsError):
    """No results version exists yet for the exam."""


# --- Shared by the annex, the decision and the notice ---------------------------------------------------------

def version_for_export(exam: Exam) -> ResultVersion:
    """The exam's newest version (what the commands and pages export), or ResultsNotComputed."""
    version = current_version(exam)
    if version is None:
        raise ResultsNotComputed(_("The results of this exam have not been computed yet."))
    return version


def refuse_unresolved_ties(version: ResultVersion) -> None:
    """Raise TieUnresolved naming the tied people (name and candidate number) while a tie is open (one query,
    none when there is no tie)."""
    if not version.ties_unresolved:
        return
    tied = (CandidateResult.objects.filter(version=version, outcome=CandidateResult.Outcome.PENDING)
            .select_related("registration__person").order_by("tie_group", "registration__candidate_number"))
    people = ", ".join(f"{r.registration.person.full_name} ({r.registration.candidate_number})" for r in tied)
    raise TieUnresolved(_("The winners list is not final while a tie is unresolved; the council decides between: "
                          "{people}.").format(people=people))


def exam_phrase(exam: Exam) -> str:
    """The exam as the decision names it in running text: "kỳ thi nâng ngạch lên chuyên viên" (from the target
    rank), "kỳ kiểm định chất lượng đầu vào công chức", or "kỳ <preset name>" for other presets."""
    if exam.target_rank_id:
        return f"kỳ thi nâng ngạch lên {exam.target_rank.name.lower()}"
    if exam.preset.startswith("kiem-dinh"):
        return "kỳ kiểm định chất lượng đầu vào công chức"
    preset = PRESETS.get(exam.preset)
    return f"kỳ {preset.name.lower()}" if preset else "kỳ thi"


def exam_year(exam: Exam) -> int:
    """The year of the exam: its first sitting's (local time), else the year of its cut-off date (one query)."""
    first = Sitting.objects.filter(subject__exam=exam).order_by("starts_at").values_list("starts_at", flat=True)[:1]
    for starts_at in first:
        return timezone.localtime(starts_at, LOCAL_TZ).year
    return exam.cutoff.year


def exam_title(exam: Exam) -> str:
    """"KỲ THI NÂNG NGẠCH LÊN CHUYÊN VIÊN NĂM 2026"."""
    return f"{exam_phrase(exam)} năm {exam_year(exam)}".upper()


def decision_number_text(version: ResultVersion) -> str:
    """"123/QĐ-UBND", or "…/QĐ-UBND" before the decision has a number."""
    number = (version.decision_number or "").strip()
    if not number:
        return f"{BLANK_NUMBER}{DECISION_SUFFIX}"
    return number if "/" in number else f"{number}{DECISION_SUFFIX}"


def decision_date_text(version: ResultVersion) -> str:
    return official_date(version.decision_date) if version.decision_date else BLANK_DATE


def province_phrase(profile: OrganisationProfile) -> str:
    """"tỉnh Đồng Tháp": the kind of province comes from the letterhead's second line ("TỈNH ĐỒNG THÁP",
    "THÀNH PHỐ HÀ NỘI"), the name from the profile; "tỉnh" when the letterhead does not say."""
    name = profile.province_name.strip()
    line = " ".join(profile.authority_line_2.split())
    kind = "tỉnh"
    if name and line.upper().endswith(name.upper()) and len(line) > len(name):
        kind = line[: len(line) - len(name)].strip().lower() or kind
    return f"{kind} {name}".strip()


def province_kind(profile: OrganisationProfile) -> str:
    """"tỉnh" or "thành phố" (for "Ủy ban nhân dân tỉnh")."""
    phrase, name = province_phrase(profile), profile.province_name.strip()
    return phrase[: len(phrase) - len(name)].strip() if name and phrase.endswith(name) else "tỉnh"


def annex_reference(version: ResultVersion, profile: OrganisationProfile) -> str:
    """"(Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm … của Chủ tịch UBND tỉnh Đồng Tháp)"."""
    return (f"(Kèm theo Quyết định số {decision_number_text(version)} {decision_date_text(version)} "
            f"của Chủ tịch UBND {province_phrase(profile)})")


def signature_lines(profile: OrganisationProfile) -> list[str]:
    """["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] when a deputy signs, else ["CHỦ TỊCH"]."""
    title = (profile.signatory_title or "CHỦ TỊCH").strip().upper()
    deputy = profile.signatory_deputy_title.strip().upper()
    return [f"KT. {title}", deputy] if deputy else [title]


def is_draft(version: ResultVersion) -> bool:
    """Before the council approves, every document carries DỰ THẢO above its title."""
    return not version.is_final


def ranking_subjects(subjects: list[Subject]) -> list[Subject]:
    return [s for s in subjects if s.ranks]


def winner_rows(version: ResultVersion) -> list[ResultRow]:
    """Selected candidates by place; for exams without a quota (kiểm định), everyone who passed, in name order.
    Refuses while a tie is unresolved."""
    refuse_unresolved_ties(version)
    if version.exam.selects_winners:
        return export_rows(version, LIST_WINNERS)
    return [row for row in export_rows(version, LIST_ALL) if row.result.outcome == CandidateResult.Outcome.PASSED]


def list_title(exam: Exam, list_kind: str) -> str:
    heading = exam_title(exam)
    if list_kind == LIST_WINNERS:
        who = "CÔNG CHỨC" if exam.selects_winners else "THÍ SINH"
        return f"DANH SÁCH {who} ĐẠT KẾT QUẢ {heading}"
    if list_kind == LIST_UNIT_SUMMARY:
        return f"TỔNG HỢP KẾT QUẢ {heading} THEO ĐƠN VỊ"
    return f"DANH SÁCH KẾT QUẢ {heading}"


def position_and_unit(row: ResultRow) -> str:
    reg = row.registration
    unit = reg.unit_text or (reg.unit.name if reg.unit_id else "")
    return ", ".join(part for part in (reg.position_text.strip(), unit.strip()) if part)


def score_has_second_decimal(value: Decimal) -> bool:
    return value != value.quantize(Decimal("0.1"))


def score_text(value: Decimal) -> str:
    """A score as running text writes it: "72,5", "80,0", "72,25" (one decimal, two when it has them)."""
    places = Decimal("0.01") if score_has_second_decimal(value) else Decimal("0.1")
    return f"{value.quantize(places):f}".replace(".", ",")


def roman(n: int) -> str:
    out = []
    for value, letters in ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


# --- The workbook ------------------------------------------------------------------------------------------------

@dataclass
class _Annex:
    """The formats this annex adds to the official sheet's."""

    group: object
    group_label: object
    gate: object
    score: object
    score_two: object
    percent: object
    total: object
    total_number: object
    total_percent: object
    sign_name: object


def _annex_formats(workbook) -> _Annex:
    add = partial(sheet_format, workbook)
    return _Annex(
        group=add(border=1, bold=True, align="center"),
        group_label=add(border=1, bold=True),
        gate=add(border=1, align="center", num_format="0"),
        score=add(border=1, align="center", num_format=SCORE_FORMAT),
        score_two=add(border=1, align="center", num_format=SCORE_FORMAT_TWO_DECIMALS),
        percent=add(border=1, align="center", num_format="0.0%"),
        total=add(border=1, bold=True),
        total_number=add(border=1, bold=True, align="center", num_format="0"),
        total_percent=add(border=1, bold=True, align="center", num_format="0.0%"),
        sign_name=add(align="center", bold=True),
    )


def _heading(sheet, f: SheetFormats, *, profile: OrganisationProfile, version: ResultVersion, title: str,
             columns: Columns) -> int:
    """The official preamble with DỰ THẢO while a draft, the (two-line) title and the decision reference; returns
    the row the table starts on."""
    return write_preamble(sheet, f, profile=profile, columns=columns, title=title, title_height=36,
                          mark=DRAFT_MARK if is_draft(version) else "", lines=[annex_reference(version, profile)],
                          line_format=f.reference)


def _signature(sheet, f: SheetFormats, a: _Annex, *, profile: OrganisationProfile, row: int, first: int,
               last: int) -> None:
    for line in signature_lines(profile):
        put_text(sheet, row, first, last, line, f.sign_title)
        row += 1
    row += 4  # the space for the signature and the seal
    if profile.signatory_name.strip():
        put_text(sheet, row, first, last, profile.signatory_name.strip(), a.sign_name)


def _candidate_row(sheet, f: SheetFormats, a: _Annex, row: int, n: int, item: ResultRow, subjects: list[Subject]
                   ) -> None:
    reg, person = item.registration, item.person
    male, female, birth_note = birth_columns(person)
    note = "; ".join(part for part in (item.result.note, birth_note) if part)
    sheet.write_number(row, 0, n, f.cell_center)
    put_cell(sheet, row, 1, person.full_name, f.cell)
    put_cell(sheet, row, 2, male, f.cell_center)
    put_cell(sheet, row, 3, female, f.cell_center)
    put_cell(sheet, row, 4, position_and_unit(item), f.cell)
    put_cell(sheet, row, 5, reg.rank_text or (reg.rank.name if reg.rank_id else ""), f.cell)
    put_cell(sheet, row, 6, reg.rank.code if reg.rank_id else "", f.cell_center)
    put_cell(sheet, row, 7, reg.candidate_number, f.cell_center)
    col = 8
    for subject in subjects:
        value = item.cell(subject)
        if value is None:
            sheet.write_blank(row, col, None, f.cell_center)
        elif value == EXEMPT_LABEL:
            sheet.write_string(row, col, EXEMPT_LABEL, f.cell_center)
        elif isinstance(value, int):
            sheet.write_number(row, col, value, a.gate)
        else:
            fmt = a.score_two if score_has_second_decimal(value) else a.score
            sheet.write_number(row, col, float(value), fmt)
        col += 1
    sheet.write_string(row, col, item.outcome_label, f.cell_center)
    put_cell(sheet, row, col + 1, note, f.cell)


def _candidate_sheet(workbook, f: SheetFormats, a: _Annex, *, version: ResultVersion, list_kind: str,
                     profile: OrganisationProfile) -> int:
    exam = version.exam
    subjects = subjects_of(exam)
    rows = winner_rows(version) if list_kind == LIST_WINNERS else export_rows(version, list_kind)
    columns = FIXED_COLUMNS_BEFORE + [(s.name, SUBJECT_WIDTH) for s in subjects] + FIXED_COLUMNS_AFTER
    ncols, last = len(columns), len(columns) - 1
    sheet = workbook.add_worksheet("Danh sách")
    row = _heading(sheet, f, profile=profile, version=version, title=list_title(exam, list_kind), columns=columns)
    top, bottom = birth_header(sheet, row, columns, f.header, heights=(24, 30))
    row = bottom + 1
    current_unit, groups = None, 0
    for n, item in enumerate(rows, start=1):
        if list_kind == LIST_BY_UNIT:
            key = unit_key(item.registration)
            if key != current_unit:
                current_unit, groups = key, groups + 1
                sheet.write_string(row, 0, roman(groups), a.group)
                sheet.merge_range(row, 1, row, last, "", a.group_label)
                sheet.write_string(row, 1, item.unit_label or "—", a.group_label)
                row += 1
        _candidate_row(sheet, f, a, row, n, item, subjects)
        row += 1
    row += 1
    put_text(sheet, row, 0, last, f"Danh sách có {len(rows)} người.", f.line)
    row += 2
    _signature(sheet, f, a, profile=profile, row=row, first=max(0, ncols - 5), last=last)
    print_setup(sheet, landscape=True, repeat=(top, bottom))
    return len(rows)


def _summary_sheet(workbook, f: SheetFormats, a: _Annex, *, version: ResultVersion, profile: OrganisationProfile) -> int:
    summaries = unit_summary(export_rows(version, LIST_BY_UNIT))
    ncols, last = len(SUMMARY_COLUMNS), len(SUMMARY_COLUMNS) - 1
    sheet = workbook.add_worksheet("Tổng hợp")
    header = row = _heading(sheet, f, profile=profile, version=version,
                            title=list_title(version.exam, LIST_UNIT_SUMMARY), columns=SUMMARY_COLUMNS)
    header_row(sheet, header, SUMMARY_COLUMNS, f.header)
    row += 1
    for n, s in enumerate(summaries, start=1):
        sheet.write_number(row, 0, n, f.cell_center)
        put_cell(sheet, row, 1, s.label, f.cell)
        for col, value in enumerate((s.registered, s.sat, s.passed, s.selected), start=2):
            sheet.write_number(row, col, value, a.gate)
        if s.pass_rate is None:
            sheet.write_blank(row, 6, None, a.percent)
        else:
            sheet.write_number(row, 6, float(s.pass_rate), a.percent)
        row += 1
    totals = [sum(getattr(s, name) for s in summaries) for name in ("registered", "sat", "passed", "selected")]
    sheet.write_blank(row, 0, None, a.total)
    sheet.write_string(row, 1, SUMMARY_TOTAL, a.total)
    for col, value in enumerate(totals, start=2):
        sheet.write_number(row, col, value, a.total_number)
    if totals[1]:
        sheet.write_number(row, 6, totals[2] / totals[1], a.total_percent)
    else:
        sheet.write_blank(row, 6, None, a.total_percent)
    row += 3
    _signature(sheet, f, a, profile=profile, row=row, first=max(0, ncols - 3), last=last)
    print_setup(sheet, landscape=True, repeat=(header, header))
    return len(summaries)


def annex_xlsx(version: ResultVersion, list_kind: str) -> tuple[bytes, int]:
    """The annex for one list of ``version``: the workbook's bytes and its number of data rows (candidates, or
    units for ``unit-summary``). ``winners`` raises TieUnresolved while a tie is open. A fixed number of
    queries whatever the number of candidates."""
    if list_kind not in LISTS:
        raise ValueError(f"unknown list {list_kind!r}")
    version = ResultVersion.objects.select_related("exam__target_rank").get(pk=version.pk)
    if list_kind == LIST_WINNERS:
        refuse_unresolved_ties(version)  # before anything is written
    profile = OrganisationProfile.current()
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        annex = _annex_formats(workbook)
        if list_kind == LIST_UNIT_SUMMARY:
            count = _summary_sheet(workbook, formats, annex, version=version, profile=profile)
        else:
            count = _candidate_sheet(workbook, formats, annex, version=version, list_kind=list_kind,
                                     profile=profile)
        return workbook_bytes(buffer, workbook), count
