"""Spreadsheets of an exam session: the call-in list per room, the list by candidate number, the exemptions and
the login slips (docs/rules.md, "Official conventions": letterhead from the organisation profile, dates as text dd/mm/yyyy,
Times New Roman, header rows repeated when printing, user text always written as plain strings).

Every function reads what it needs itself with a fixed number of queries (``select_related``), whatever the
number of candidates, and returns the bytes of an .xlsx workbook made with xlsxwriter; the lists start with the
official preamble (``accounts.official_sheets``).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exports import TEMPLATE_HEADER, help_sheet, template_sheet
from accounts.models import OrganisationProfile, mask_cccd
from accounts.official_sheets import (
    LOCAL_TZ,
    PAPER_A4,
    birth_columns,
    birth_header,
    date_text,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    put_text,
    sheet_format,
    sheet_name,
    workbook_bytes,
    write_preamble,
)
from accounts.vietnamese import name_sort_key
from exams.sessions.candidate_columns import (
    CANDIDATE_COLUMNS,
    COL_EXEMPT_NN,
    COL_EXEMPT_TH,
    COL_NAME,
    COL_NOTE,
    COL_POSITION,
    COL_RANK_NAME,
    COL_UNIT,
)
from exams.sessions.models import Exam, Registration, Room, Sitting
from exams.sessions.reference import EXEMPTIONS, exemption_label

TITLE_CALL_IN = "DANH SÁCH GỌI THÍ SINH VÀO PHÒNG THI"
TITLE_BY_NUMBER = "DANH SÁCH THÍ SINH THEO SỐ BÁO DANH"
TITLE_EXEMPTIONS = "DANH SÁCH THÍ SINH ĐƯỢC MIỄN THI"
TITLE_SLIP = "PHIẾU ĐĂNG NHẬP PHÒNG THI"
UNASSIGNED = "Chưa xếp phòng"

CALL_IN_COLUMNS = [("STT", 6), ("Số báo danh", 13), ("Họ và tên", 26), ("Ngày sinh", 12), ("Số CCCD", 15),
                   ("Đơn vị công tác", 32), ("Ký tên", 14)]
BY_NUMBER_COLUMNS = [("STT", 6), ("Số báo danh", 12), ("Họ và tên", 26), ("Nam", 11), ("Nữ", 11), ("Chức vụ", 18),
                     ("Đơn vị công tác", 32), ("Ngạch hiện giữ", 16), ("Mã ngạch", 10), ("Phòng thi", 14),
                     ("Ghi chú", 20)]
EXEMPTION_COLUMNS = [("STT", 6), ("Số báo danh", 13), ("Họ và tên", 26), ("Ngày sinh", 12), ("Môn được miễn", 14),
                     ("Lý do", 48)]
SUBJECT_FOREIGN_LANGUAGE, SUBJECT_IT = "Ngoại ngữ", "Tin học"

SLIPS_PER_PAGE = 4


# --- Small helpers -----------------------------------------------------------------------------------------------

def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):  # USE_TZ is on; a naive value can only mean local time already
        return moment
    return timezone.localtime(moment, LOCAL_TZ)


def _sitting_line(sitting: Sitting) -> str:
    starts, ends = _local(sitting.starts_at), _local(sitting.ends_at)
    end_text = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%H:%M %d/%m/%Y}"
    return f"{sitting.subject.code} – {sitting.subject.name}: {starts:%H:%M %d/%m/%Y} – {end_text}"


def sittings_text(exam: Exam) -> list[str]:
    """One line per sitting of the exam's subjects, in time order, local time (one query)."""
    sittings = (Sitting.objects.filter(subject__exam=exam).select_related("subject")
                .order_by("starts_at", "subject__order", "pk"))
    return [_sitting_line(s) for s in sittings]


def _natural_key(text: str) -> tuple:
    """"CV0002" before "CV0010", "Phòng 2" before "Phòng 10" (digit runs compare as numbers)."""
    parts = re.split(r"(\d+)", text or "")
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)), text or ""


def _number_order(registration: Registration) -> tuple:
    person = registration.person
    return (not registration.candidate_number, _natural_key(registration.candidate_number),
            name_sort_key(person.full_name, person.date_of_birth, person.cccd))


def _registrations(exam: Exam, *, room: Room | None = None, exempt_only: bool = False) -> list[Registration]:
    """The exam's registrations (one query) in candidate-number order."""
    qs = Registration.objects.filter(exam=exam).select_related("person", "room", "rank")
    if room is not None:
        qs = qs.filter(room=room)
    if exempt_only:
        qs = qs.exclude(exempt_foreign_language="", exempt_it="")
    return sorted(qs, key=_number_order)


def _rooms(exam: Exam, room: Room | None) -> list[Room]:
    if room is not None:
        if room.exam_id != exam.pk:
            raise ValueError("The room belongs to another exam.")
        return [room]
    return sorted(Room.objects.filter(exam=exam), key=lambda r: _natural_key(r.name))


def _room_text(room: Room | None) -> str:
    if room is None:
        return UNASSIGNED
    return f"{room.name} — {room.location}" if room.location else room.name


def _group_by_room(rooms: list[Room], registrations: list[Registration], *,
                   only_room: bool) -> list[tuple[Room | None, list[Registration]]]:
    """(room, its registrations) for every room in order, then the candidates without a room when there are any
    (and no room was asked for)."""
    by_room: dict[int | None, list[Registration]] = {}
    for r in registrations:
        by_room.setdefault(r.room_id, []).append(r)
    groups: list[tuple[Room | None, list[Registration]]] = [(room, by_room.get(room.pk, [])) for room in rooms]
    if not only_room and by_room.get(None):
        groups.append((None, by_room[None]))
    if not groups:
        groups.append((None, []))
    return groups


# --- 1. Call-in list -------------------------------------------------------------------------------------------------

def call_in_list_xlsx(*, exam: Exam, room: Room | None = None, full_cccd: bool = True) -> bytes:
    """DANH SÁCH GỌI THÍ SINH VÀO PHÒNG THI: one worksheet per room (only ``room`` when given), candidates in
    candidate-number order with their CCCD for the identity check (TT 001/2025): in full, or masked
    (``087******123``, docs/rules.md) with ``full_cccd=False`` — the caller decides who may have which and audits the
    download."""
    profile = OrganisationProfile.current()
    rooms = _rooms(exam, room)
    registrations = _registrations(exam, room=room)
    sittings = sittings_text(exam)
    buffer, workbook, f = new_workbook()
    used: set[str] = set()
    last = len(CALL_IN_COLUMNS) - 1
    for group_room, people in _group_by_room(rooms, registrations, only_room=room is not None):
        sheet = workbook.add_worksheet(sheet_name(group_room.name if group_room else UNASSIGNED, used))
        header = row = write_preamble(sheet, f, profile=profile, columns=CALL_IN_COLUMNS, title=TITLE_CALL_IN, lines=[
            f"Kỳ thi: {exam.name}", f"Phòng thi: {_room_text(group_room)}", *sittings])
        header_row(sheet, header, CALL_IN_COLUMNS, f.header)
        row += 1
        for n, reg in enumerate(people, start=1):
            person = reg.person
            sheet.write_number(row, 0, n, f.cell_center)
            put_cell(sheet, row, 1, reg.candidate_number, f.cell_center)
            put_cell(sheet, row, 2, person.full_name, f.cell)
            put_cell(sheet, row, 3, date_text(person.date_of_birth), f.cell_center)
            put_cell(sheet, row, 4, (person.cccd if full_cccd else mask_cccd(person.cccd)) or "", f.cell_center)
            put_cell(sheet, row, 5, reg.unit_text, f.cell)
            sheet.write_blank(row, 6, None, f.cell)
            sheet.set_row(row, 30)  # room to sign
            row += 1
        row += 1
        put_text(sheet, row, 0, last, f"Tổng số thí sinh trong danh sách: {len(people)}.", f.line)
        row += 1
        put_text(sheet, row, 0, last, "Số thí sinh có mặt: ………………        Số thí sinh vắng mặt: ………………", f.line)
        row += 2
        put_text(sheet, row, 0, 2, "Giám thị 1", f.sign_title)
        put_text(sheet, row, 4, last, "Giám thị 2", f.sign_title)
        row += 1
        put_text(sheet, row, 0, 2, "(Ký và ghi rõ họ tên)", f.sign_hint)
        put_text(sheet, row, 4, last, "(Ký và ghi rõ họ tên)", f.sign_hint)
        # the blank rows below are the space for the signatures
        print_setup(sheet, landscape=False, repeat=(header, header))
    return workbook_bytes(buffer, workbook)


# --- 2. List by candidate number -------------------------------------------------------------------------------

def candidates_by_number_xlsx(*, exam: Exam) -> bytes:
    """DANH SÁCH THÍ SINH THEO SỐ BÁO DANH (no CCCD at all): the birth date under Nam or Nữ, the registration's
    snapshot (position, unit, rank as written) and the room."""
    profile = OrganisationProfile.current()
    registrations = _registrations(exam)
    buffer, workbook, f = new_workbook()
    sheet = workbook.add_worksheet("Danh sách")
    last = len(BY_NUMBER_COLUMNS) - 1
    row = write_preamble(sheet, f, profile=profile, columns=BY_NUMBER_COLUMNS, title=TITLE_BY_NUMBER,
                         lines=[f"Kỳ thi: {exam.name}"])
    top, bottom = birth_header(sheet, row, BY_NUMBER_COLUMNS, f.header, heights=(22, 22))
    row = bottom + 1
    for n, reg in enumerate(registrations, start=1):
        person = reg.person
        male, female, birth_note = birth_columns(person)
        note = "; ".join(part for part in (reg.note, birth_note) if part)
        sheet.write_number(row, 0, n, f.cell_center)
        put_cell(sheet, row, 1, reg.candidate_number, f.cell_center)
        put_cell(sheet, row, 2, person.full_name, f.cell)
        put_cell(sheet, row, 3, male, f.cell_center)
        put_cell(sheet, row, 4, female, f.cell_center)
        put_cell(sheet, row, 5, reg.position_text, f.cell)
        put_cell(sheet, row, 6, reg.unit_text, f.cell)
        put_cell(sheet, row, 7, reg.rank_text, f.cell)
        put_cell(sheet, row, 8, reg.rank.code if reg.rank else "", f.cell_center)
        put_cell(sheet, row, 9, reg.room.name if reg.room else "", f.cell_center)
        put_cell(sheet, row, 10, note, f.cell)
        row += 1
    row += 1
    put_text(sheet, row, 0, last, f"Danh sách có {len(registrations)} thí sinh.", f.line)
    print_setup(sheet, landscape=True, repeat=(top, bottom))
    return workbook_bytes(buffer, workbook)


# --- 3. Exemptions -------------------------------------------------------------------------------------------------

def exemptions_xlsx(*, exam: Exam) -> bytes:
    """DANH SÁCH THÍ SINH ĐƯỢC MIỄN THI: one row per exemption (foreign language, IT), candidate-number order."""
    profile = OrganisationProfile.current()
    registrations = _registrations(exam, exempt_only=True)
    buffer, workbook, f = new_workbook()
    sheet = workbook.add_worksheet("Miễn thi")
    last = len(EXEMPTION_COLUMNS) - 1
    header = row = write_preamble(sheet, f, profile=profile, columns=EXEMPTION_COLUMNS, title=TITLE_EXEMPTIONS,
                                  lines=[f"Kỳ thi: {exam.name}"])
    header_row(sheet, header, EXEMPTION_COLUMNS, f.header)
    row += 1
    n = 0
    for reg in registrations:
        person = reg.person
        for subject, code in ((SUBJECT_FOREIGN_LANGUAGE, reg.exempt_foreign_language), (SUBJECT_IT, reg.exempt_it)):
            if not code:
                continue
            n += 1
            sheet.write_number(row, 0, n, f.cell_center)
            put_cell(sheet, row, 1, reg.candidate_number, f.cell_center)
            put_cell(sheet, row, 2, person.full_name, f.cell)
            put_cell(sheet, row, 3, date_text(person.date_of_birth), f.cell_center)
            put_cell(sheet, row, 4, subject, f.cell_center)
            put_cell(sheet, row, 5, exemption_label(code), f.cell)
            row += 1
    row += 1
    put_text(sheet, row, 0, last, f"Danh sách có {n} lượt miễn thi của {len(registrations)} thí sinh.", f.line)
    print_setup(sheet, landscape=False, repeat=(header, header))
    return workbook_bytes(buffer, workbook)


# --- 4. Login slips ---------------------------------------------------------------------------------------------

SLIP_TITLE_HEIGHT = 22
# A4 is 842 pt tall; less the 0.4 in margins and a little slack, each of the four slips gets this much.
SLIP_HEIGHT = (842 - 2 * 0.4 * 72 - 20) / SLIPS_PER_PAGE


class _SlipFormats:
    """The slips are cut out, not an official list: no letterhead, formats of their own."""

    def __init__(self, workbook):
        self.slip_title = sheet_format(workbook, align="center", font_size=13, bold=True)
        self.slip_label = sheet_format(workbook)
        self.slip_value = sheet_format(workbook, bold=True)
        self.slip_password = sheet_format(workbook, bold=True, font_size=14)
        self.slip_cut = sheet_format(workbook, align="center", font_color="#808080", bottom=3)


def _slip_line_height(lines: int) -> float:
    """Row height (pt) so that four slips fit on a page before the manual break, between 12 and 18 pt."""
    return max(12.0, min(18.0, round((SLIP_HEIGHT - SLIP_TITLE_HEIGHT) / lines, 1)))


def login_slips_xlsx(*, exam: Exam, room: Room | None = None) -> bytes:
    """Login slips to cut out: one worksheet per room (only ``room`` when given, then the candidates without a
    room), a block per candidate in candidate-number order, a page break every four slips.

    No fit-to-page here: Excel ignores manual page breaks under "Fit to", so the columns are sized for A4
    portrait at 100 %."""
    rooms = _rooms(exam, room)
    registrations = _registrations(exam, room=room)
    sittings = sittings_text(exam)
    buffer, workbook, _formats = new_workbook()
    f = _SlipFormats(workbook)
    used: set[str] = set()
    for group_room, people in _group_by_room(rooms, registrations, only_room=room is not None):
        sheet = workbook.add_worksheet(sheet_name(group_room.name if group_room else UNASSIGNED, used))
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, 1, 60)
        breaks: list[int] = []
        row = 0
        for n, reg in enumerate(people):
            if n and n % SLIPS_PER_PAGE == 0:
                breaks.append(row)
            put_text(sheet, row, 0, 1, TITLE_SLIP, f.slip_title)
            sheet.set_row(row, SLIP_TITLE_HEIGHT)
            row += 1
            lines = [
                ("Kỳ thi:", exam.name, f.slip_label),
                ("Họ và tên:", reg.person.full_name, f.slip_value),
                ("Số báo danh (tên đăng nhập):", reg.candidate_number, f.slip_password),
                ("Mật khẩu:", reg.exam_password, f.slip_password),
                ("Phòng thi:", _room_text(reg.room), f.slip_value),
            ]
            lines += [("Lịch thi:" if i == 0 else "", text, f.slip_label) for i, text in enumerate(sittings)]
            height = _slip_line_height(len(lines) + 1)
            for label, value, value_format in lines:
                put_cell(sheet, row, 0, label, f.slip_label)
                put_cell(sheet, row, 1, value, value_format)
                sheet.set_row(row, height)
                row += 1
            put_text(sheet, row, 0, 1, "- " * 44, f.slip_cut)
            sheet.set_row(row, height)
            row += 1
        sheet.set_h_pagebreaks(breaks)
        sheet.set_paper(PAPER_A4)
        sheet.set_portrait()
        sheet.set_print_scale(100)
        sheet.set_margins(left=0.5, right=0.4, top=0.4, bottom=0.4)
        sheet.center_horizontally()
    return workbook_bytes(buffer, workbook)


def candidate_template_xlsx(*, exam: Exam) -> bytes:
    """The candidate list to fill in: the exact header, identifiers and dates as text, and a guide sheet with the
    exemption codes and their texts (either may be written) and this exam's exemptible subjects."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format({**TEMPLATE_HEADER, "text_wrap": True, "font_name": "Times New Roman"})
    as_text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman"})
    wide = {COL_NAME: 26, COL_UNIT: 36, COL_POSITION: 22, COL_RANK_NAME: 22, COL_EXEMPT_NN: 30, COL_EXEMPT_TH: 30,
            COL_NOTE: 24}
    template_sheet(workbook, name="Danh sách", header=header,
                   columns=[(name, wide.get(name, 14), as_text) for name in CANDIDATE_COLUMNS])
    exemptible = list(exam.subjects.filter(exemptible=True).values_list("code", "name"))
    lines = [
        _("One candidate per row, from row 2, in the agency's order (STT). Required: full name, date of birth "
          "(dd/mm/yyyy), gender (Nam/Nữ), ethnic group, CCCD (12 digits), unit, current rank and its code."),
        _("Unit: as the agency writes it, with its parent (Phòng Nội vụ / UBND huyện …); it is linked to the unit "
          "register when it can be matched."),
        _("Exemptions: write the code or its text in the column of its subject; leave it empty when none applies."),
        *(_("Exemptible in this exam: %(code)s – %(name)s") % {"code": code, "name": name} for code, name in exemptible),
        "",
        _("Exemption codes:"),
        *(f"{code}: {label}" for code, (label, _kind) in EXEMPTIONS.items()),
    ]
    help_sheet(workbook, lines, width=120)
    workbook.close()
    return buffer.getvalue()
