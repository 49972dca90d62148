"""The downloads of issuing certificates (docs/certificates.md): a class's draft decision with its attached list, a
class's issuance register and an institution's register of a year. The course manager's; each download audited
(it holds personal data)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from courses.certificate_exports import (
    class_certificates,
    class_register_lines,
    decision_certificates,
    decision_docx,
    decision_of,
    institution_certificates,
    institution_register_lines,
    register_xlsx,
)
from courses.export_records import class_register_downloaded, decision_downloaded, institution_register_downloaded
from courses.models import Institution
from courses.views.classes import xlsx_response
from courses.views.common import class_for

ISSUE = "courses.issue_certificates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_GET
def certificate_decision(request, pk: int):
    course_class = class_for(request, pk, ISSUE)
    certificates = decision_certificates(course_class)
    data = decision_docx(course_class, certificates)
    decision_downloaded(course_class=course_class, rows=len(certificates), actor=request.user)
    name = "quyet-dinh" if decision_of(certificates)[0] else "du-thao-quyet-dinh"  # DỰ THẢO until it has a number
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}-cap-chung-chi-{course_class.pk}.docx"'
    return response


@login_required
@require_GET
def certificate_register(request, pk: int):
    course_class = class_for(request, pk, ISSUE)
    certificates = class_certificates(course_class)
    data = register_xlsx(certificates, title_lines=class_register_lines(course_class),
                         institution=course_class.programme.institution)
    class_register_downloaded(course_class=course_class, rows=len(certificates), actor=request.user)
    return xlsx_response(data, f"so-cap-chung-chi-lop-{course_class.pk}.xlsx")


def _year(text: str | None) -> int:
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not 1900 <= int(text) <= 9999:
        raise Http404
    return int(text)


@login_required
@require_GET
def institution_register(request, pk: int):
    institution = get_object_or_404(Institution, pk=pk)
    if not request.user.has_perm(ISSUE, institution):
        raise PermissionDenied
    year = _year(request.GET.get("year"))
    certificates = institution_certificates(institution, year)
    data = register_xlsx(certificates, title_lines=institution_register_lines(institution, year),
                         institution=institution)
    institution_register_downloaded(institution=institution, year=year, rows=len(certificates), actor=request.user)
    return xlsx_response(data, f"so-cap-chung-chi-{institution.pk}-{year}.xlsx")
