"""The feedback summaries as workbooks (docs/courses.md, "Feedback"), in the official list style: a class's (module ×
lecturer) and the institution's (per programme code, per lecturer). Counts, means and comments only: no column
anywhere names, numbers or otherwise points to a learner. Every cell is a plain string, a comment included (one that
starts with "=" stays text)."""
from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from accounts.models import OrganisationProfile
from accounts.official_sheets import (
    collector_paused,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    workbook_bytes,
    write_preamble,
)
from courses.feedback_selectors import Summary, class_summary, lecturer_summaries, min_group, programme_summaries
from courses.models import CourseClass, Institution

STAR_COLUMNS = [(f"{star} sao", 7) for star in (5, 4, 3, 2, 1)]
COMMENT_COLUMNS = [("STT", 6), ("Nhóm", 40), ("Ý kiến", 90)]


def mean_text(summary: Summary) -> str:
    return "" if summary.mean is None else f"{summary.mean:.1f}".replace(".", ",")


def comments_note(summary: Summary) -> str:
    if not summary.count:
        return ""
    if summary.hidden:
        return f"Ẩn đến khi đủ {min_group()} đánh giá"
    return str(len(summary.comments or []))


def _figures(summary: Summary) -> list[str]:
    return [str(summary.count), mean_text(summary), *[str(n) for _star, n in summary.star_counts],
            comments_note(summary)]


def _letterhead(institution: Institution | None):
    if institution is None:
        return OrganisationProfile.current()
    return SimpleNamespace(authority_line_1=institution.letterhead_line_1,
                           authority_line_2=institution.letterhead_line_2)


def _sheet(workbook, formats, *, name: str, letterhead, title: str, lines: list[str], columns, rows) -> None:
    sheet = workbook.add_worksheet(name)
    start = write_preamble(sheet, formats, profile=letterhead, columns=columns, title=title, lines=lines)
    header_row(sheet, start, columns, formats.header)
    for n, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            put_cell(sheet, start + n, col, value, formats.cell_center if col == 0 else formats.cell)
    print_setup(sheet, landscape=True, repeat=(start, start))


def _comment_rows(groups: list[tuple[str, Summary]]) -> list[list[str]]:
    rows = []
    for label, summary in groups:
        if summary.hidden:
            if summary.count:
                rows.append([label, f"(Ẩn đến khi đủ {min_group()} đánh giá)"])
            continue
        rows.extend([label, comment] for comment in summary.comments or [])
    return [[str(n), *row] for n, row in enumerate(rows, start=1)]


def _as_of() -> str:
    return f"Tính đến {timezone.localtime():%H:%M} ngày {timezone.localdate():%d/%m/%Y}"


def _lecturer_name(summary: Summary) -> str:
    return summary.lecturer.full_name if summary.lecturer is not None else "(không ghi giảng viên)"


def class_feedback_xlsx(course_class: CourseClass) -> bytes:
    """The class's summary: one row per module × lecturer, then the comments of the groups that may show them."""
    overall, groups = class_summary(course_class)
    programme = course_class.programme
    letterhead = _letterhead(programme.institution)
    columns = [("STT", 6), ("Mã chuyên đề", 10), ("Chuyên đề", 40), ("Giảng viên", 24), ("Số đánh giá", 10),
               ("Trung bình (sao)", 10), *STAR_COLUMNS, ("Ý kiến", 16)]
    rows = [[str(n), s.code, s.title, _lecturer_name(s), *_figures(s)] for n, s in enumerate(groups, start=1)]
    rows.append(["", "", "Cả lớp", "", *_figures(overall)[:-1], ""])
    title = f"TỔNG HỢP Ý KIẾN PHẢN HỒI CỦA HỌC VIÊN LỚP {course_class.name.upper()}"
    lines = [programme.name, _as_of()]
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        _sheet(workbook, formats, name="Tổng hợp", letterhead=letterhead, title=title, lines=lines, columns=columns,
               rows=rows)
        _sheet(workbook, formats, name="Ý kiến", letterhead=letterhead, title=title, lines=lines,
               columns=COMMENT_COLUMNS, rows=_comment_rows(
                   [(f"{s.code} – {_lecturer_name(s)}", s) for s in groups]))
        return workbook_bytes(buffer, workbook)


def summary_feedback_xlsx(institution: Institution | None = None) -> bytes:
    """The institution's summaries: per programme code (its modules across classes and versions), per lecturer, and
    the comments of the groups that may show them."""
    programmes, lecturers = programme_summaries(institution), lecturer_summaries(institution)
    letterhead = _letterhead(institution)
    lines = [institution.name if institution else "Tất cả cơ sở đào tạo", _as_of()]
    programme_columns = [("STT", 6), ("Chương trình", 14), ("Mã chuyên đề", 10), ("Chuyên đề", 40), ("Số lớp", 8),
                         ("Số đánh giá", 10), ("Trung bình (sao)", 10), *STAR_COLUMNS, ("Ý kiến", 16)]
    programme_rows, n = [], 0
    for item in programmes:
        top = item.overall
        programme_rows.append(["", top.code, "", f"{top.title} (cả chương trình)", str(top.classes),
                               *_figures(top)[:-1], ""])
        for module in item.modules:
            n += 1
            programme_rows.append([str(n), top.code, module.code, module.title, "", *_figures(module)])
    lecturer_columns = [("STT", 6), ("Giảng viên", 28), ("Số lớp", 8), ("Số đánh giá", 10), ("Trung bình (sao)", 10),
                        *STAR_COLUMNS, ("Ý kiến", 16)]
    lecturer_rows = [[str(n), s.title, str(s.classes), *_figures(s)] for n, s in enumerate(lecturers, start=1)]
    comments = [(f"{item.overall.code} {m.code}", m) for item in programmes for m in item.modules]
    comments += [(f"Giảng viên {s.title}", s) for s in lecturers]
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        _sheet(workbook, formats, name="Theo chương trình", letterhead=letterhead,
               title="TỔNG HỢP Ý KIẾN PHẢN HỒI CỦA HỌC VIÊN THEO CHƯƠNG TRÌNH", lines=lines,
               columns=programme_columns, rows=programme_rows)
        _sheet(workbook, formats, name="Theo giảng viên", letterhead=letterhead,
               title="TỔNG HỢP Ý KIẾN PHẢN HỒI CỦA HỌC VIÊN THEO GIẢNG VIÊN", lines=lines,
               columns=lecturer_columns, rows=lecturer_rows)
        _sheet(workbook, formats, name="Ý kiến", letterhead=letterhead, title="Ý KIẾN CỦA HỌC VIÊN", lines=lines,
               columns=COMMENT_COLUMNS, rows=_comment_rows(comments))
        return workbook_bytes(buffer, workbook)
