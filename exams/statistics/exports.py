"""An exam's statistics as an .xlsx workbook (distributions, pass rates per unit and subject, item analysis)."""
from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _

from accounts.official_sheets import WORKBOOK_OPTIONS, sheet_name
from exams.statistics.figures import Bin, ExamStatistics
from exams.statistics.selectors import SubjectItems


def bin_label(b: Bin) -> str:
    return f"{_plain(b.low)}–{_plain(b.high)}"


def _plain(value: Decimal) -> str:
    value = value.normalize()
    return f"{value:f}".replace(".", ",")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def statistics_xlsx(*, stats: ExamStatistics, items: list[SubjectItems]) -> bytes:
    """The workbook: a sheet per subject (distribution table + a native column chart), the unit × subject pass
    rates, and the items. User text goes in with ``write_string`` only (never read as a formula)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
    rate_fmt = book.add_format({"num_format": "0.0%"})
    decimal_fmt = book.add_format({"num_format": "0.00"})
    used: set[str] = set()

    for entry in stats.subjects:
        subject = entry.subject
        sheet = book.add_worksheet(sheet_name(subject.code, used))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 2, 14)
        sheet.write_string(0, 0, f"{subject.code} – {subject.name}", bold)
        what = _("Number correct (0–%(n)s)") % {"n": _plain(entry.upper)} if entry.by_correct \
            else _("Score (0–%(n)s)") % {"n": _plain(entry.upper)}
        sheet.write_string(1, 0, what)
        summary = entry.summary
        facts = [(_("Candidates who sat"), summary.count, None), (_("Mean"), _number(summary.mean), decimal_fmt),
                 (_("Standard deviation"), _number(summary.sd), decimal_fmt),
                 (_("Lowest"), _number(summary.minimum), decimal_fmt),
                 (_("Highest"), _number(summary.maximum), decimal_fmt), (_("Passed"), entry.passes.passed, None),
                 (_("Pass rate"), _number(entry.passes.rate), rate_fmt)]
        for offset, (label, value, fmt) in enumerate(facts, start=3):
            sheet.write_string(offset, 0, label)
            if value is None:
                sheet.write_blank(offset, 1, None)
            else:
                sheet.write_number(offset, 1, value, fmt)
        top = 3 + len(facts) + 1
        sheet.write_string(top, 0, _("Range"), header)
        sheet.write_string(top, 1, _("Candidates"), header)
        for i, b in enumerate(entry.bins, start=top + 1):
            sheet.write_string(i, 0, bin_label(b))
            sheet.write_number(i, 1, b.count)
        last = top + len(entry.bins)
        chart = book.add_chart({"type": "column"})
        chart.add_series({"name": _("Candidates"),
                          "categories": [sheet.name, top + 1, 0, last, 0],
                          "values": [sheet.name, top + 1, 1, last, 1], "gap": 30})
        chart.set_title({"name": _("Score distribution: %(code)s") % {"code": subject.code}})
        chart.set_x_axis({"name": what})
        chart.set_y_axis({"name": _("Candidates"), "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        sheet.insert_chart(top, 3, chart)

    sheet = book.add_worksheet(sheet_name(_("Pass rates by unit"), used))
    sheet.set_column(0, 0, 40)
    heads = [_("Unit")]
    for entry in stats.subjects:
        heads += [f"{entry.subject.code}: {_('sat')}", f"{entry.subject.code}: {_('passed')}",
                  f"{entry.subject.code}: {_('pass rate')}"]
    heads += [_("Sat at least one subject"), _("Passed every subject"), _("Pass rate")]
    for col, text in enumerate(heads):
        sheet.write_string(0, col, text, header)
    for r, unit in enumerate(stats.units, start=1):
        sheet.write_string(r, 0, unit.label)
        col = 1
        for cell in [*unit.cells, unit.total]:
            sheet.write_number(r, col, cell.sat)
            sheet.write_number(r, col + 1, cell.passed)
            if cell.rate is None:
                sheet.write_blank(r, col + 2, None)
            else:
                sheet.write_number(r, col + 2, float(cell.rate), rate_fmt)
            col += 3

    sheet = book.add_worksheet(sheet_name(_("Items"), used))
    heads = [_("Subject"), _("Question"), _("Text"), _("Bank"), _("Candidates"), _("Correct"),
             _("Facility (p)"), _("Discrimination (D)"), _("Flagged")]
    for col, text in enumerate(heads):
        sheet.write_string(0, col, text, header)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 3, 24)
    r = 1
    for entry in items:
        for row in entry.rows:
            f = row.figures
            sheet.write_string(r, 0, entry.subject.code)
            sheet.write_string(r, 1, row.label)
            sheet.write_string(r, 2, row.excerpt)
            sheet.write_string(r, 3, row.question.bank.name)
            sheet.write_number(r, 4, f.answered)
            sheet.write_number(r, 5, f.correct)
            sheet.write_number(r, 6, float(f.facility), decimal_fmt)
            if f.discrimination is None:
                sheet.write_blank(r, 7, None)
            else:
                sheet.write_number(r, 7, float(f.discrimination), decimal_fmt)
            sheet.write_string(r, 8, _("yes") if f.flagged else "")
            r += 1
    book.close()
    return buffer.getvalue()
