"""Statistics pages: distributions, pass rates per unit and subject, item analysis, and the workbook. HR and
anyone on the exam's council or boards; the figures live in ``exams.statistics.figures``, their reads in
``exams.statistics.selectors``."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import client_ip
from exams.sessions.access import get_exam
from exams.statistics import exports, figures
from exams.statistics.exports import bin_label
from exams.statistics.figures import SubjectStatistics
from exams.statistics.selectors import exam_statistics, item_analysis
from exams.statistics.services import item_reviews_flag

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Chart geometry (SVG user units). Floats are fine here: they only place rectangles.
WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 36


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    label_x: float


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    baseline: float
    left: int
    right: float
    top: int
    peak: int


def _chart(entry: SubjectStatistics) -> Chart:
    """Bars for the distribution, scaled to the highest bin (at least 1 so an empty subject draws flat)."""
    peak = max([b.count for b in entry.bins] + [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(entry.bins)
    bars = []
    for i, b in enumerate(entry.bins):
        h = plot_h * b.count / peak
        x = LEFT + i * step
        bars.append(Bar(x=round(x + step * 0.1, 2), y=round(TOP + plot_h - h, 2), width=round(step * 0.8, 2),
                        height=round(h, 2), label=bin_label(b), count=b.count, label_x=round(x + step / 2, 2)))
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, baseline=TOP + plot_h, left=LEFT, right=WIDTH - RIGHT,
                 top=TOP, peak=peak)



@login_required
@require_http_methods(["GET", "POST"])
def statistics(request, pk: int):
    """GET: the figures. POST: send the flagged items to the question board (ItemReview rows, audited)."""
    exam = get_exam(request, pk, "exams.view_statistics")
    if request.method == "POST":
        count = item_reviews_flag(exam=exam, actor=request.user, ip=client_ip(request))
        messages.success(request, _("%(n)s item(s) sent to the question board for review.") % {"n": count})
        return redirect("exam_statistics", pk=exam.pk)
    stats = exam_statistics(exam)
    return render(request, "exams/statistics.html", {
        "exam": exam, "stats": stats, "subjects": [(entry, _chart(entry)) for entry in stats.subjects],
        "items": item_analysis(exam), "flag_below": figures.FLAG_BELOW,
        "min_candidates": figures.MIN_CANDIDATES, "group_share": figures.GROUP_SHARE * 100,
    })


@login_required
def statistics_xlsx(request, pk: int):
    exam = get_exam(request, pk, "exams.view_statistics")
    data = exports.statistics_xlsx(stats=exam_statistics(exam), items=item_analysis(exam))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="thong-ke-ky-thi-{exam.pk}.xlsx"'
    return response
