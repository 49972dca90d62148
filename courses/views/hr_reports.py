"""HR's reports on training: who holds which certificate and who is in training, per unit of their scope
(docs/certificates.md). A superuser reports on every unit."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.export_records import qualification_report_downloaded
from courses.qualification_report import qualification_report as full_report
from courses.qualification_report import report_people, report_rows, report_units, report_xlsx
from courses.report_forms import QualificationReportForm
from courses.views.classes import xlsx_response

VIEW = "courses.view_qualification_report"
PAGE_SIZE = 50


@login_required
@require_GET
def qualification_report(request):
    user = request.user
    if not user.has_perm(VIEW):
        raise PermissionDenied
    form = QualificationReportForm(request.GET or None, units=report_units(user))
    filters = form.cleaned_data if form.is_valid() else {}
    unit = filters.get("unit") or (None if user.is_superuser else user.hr_scope)
    kind = filters.get("kind")
    if not user.has_perm(VIEW, unit):
        raise PermissionDenied
    if request.GET.get("format") == "xlsx":
        rows = full_report(unit=unit, kind=kind)
        qualification_report_downloaded(unit=unit, kind_id=kind.pk if kind else None, rows=len(rows), actor=user)
        return xlsx_response(report_xlsx(rows, unit=unit, kind=kind), "chung-chi-va-dang-hoc.xlsx")
    page = Paginator(report_people(unit=unit, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "courses/qualification_report.html", {
        "form": form, "page": page, "rows": report_rows(page.object_list, unit=unit, kind=kind), "unit": unit,
        "kind": kind, "query": query.urlencode()})
