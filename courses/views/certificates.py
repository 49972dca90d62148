"""The course manager's certificate pages (docs/certificates.md): a closed class's certificates issued, their
rendering followed and their printable file downloaded; one certificate reissued, replaced by a completion
certification or revoked. The holder downloads their own."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import certificate_render
from courses.certificate_forms import IssueForm, ReplaceForm, RevokeForm
from courses.certificate_print import merged_pdf
from courses.certificates import (
    awaiting_certificates,
    certificate_reissue,
    certificate_revoke,
    certificates_issue,
    completion_certify,
)
from courses.export_records import certificates_printed
from courses.models import Certificate
from courses.views.common import class_for

ISSUE = "courses.issue_certificates"
LAYOUTS = {"design": "chung-chi", "form": "in-phoi"}


def public_site_url(request) -> str:
    """The address printed in the QR codes: PUBLIC_SITE_URL when the operator set it (the site behind a proxy),
    else the address the manager reached the site by."""
    return settings.PUBLIC_SITE_URL or request.build_absolute_uri("/")


def _layout(request) -> str:
    layout = request.GET.get("layout", "design")
    if layout not in LAYOUTS:
        raise Http404
    return layout


def _offsets(institution) -> dict:
    if institution is None:
        return {"offset_x_mm": Decimal(0), "offset_y_mm": Decimal(0)}
    return {"offset_x_mm": institution.form_offset_x_mm, "offset_y_mm": institution.form_offset_y_mm}


def _class_certificates(course_class):
    return (Certificate.objects.filter(enrolment__course_class=course_class)
            .select_related("replaced_by").order_by("register_year", "register_number"))


@login_required
@require_http_methods(["GET", "POST"])
def class_certificates(request, pk: int):
    """Who qualifies and what was issued; the issuing form while someone who qualifies has no certificate."""
    course_class = class_for(request, pk, ISSUE)
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = certificates_issue(course_class=course_class, issued_on=data["issued_on"],
                                        decision_number=data["decision_number"], decision_date=data["decision_date"],
                                        site_url=public_site_url(request), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)s certificates issued, %(first)s to %(last)s. Their printable files are "
                                        "being prepared.") % {"n": len(issued), "first": issued[0].serial,
                                                              "last": issued[-1].serial})
            return redirect("class_certificates", pk=pk)
    certificates = list(_class_certificates(course_class))
    valid = [c for c in certificates if c.status == Certificate.Status.VALID]
    pending = sum(c.rendered_at is None for c in valid)
    failed = sum(bool(c.render_error) for c in valid)
    if pending and not certificate_render.busy():
        certificate_render.wake()  # a restart lost the queue, or rendering stopped: look again
    waiting = awaiting_certificates(course_class) if course_class.closed_at else []
    return render(request, "courses/certificates/class.html", {
        "course_class": course_class, "can_run": True, "closed": course_class.closed_at is not None,
        "institution": course_class.programme.institution, "certificates": certificates, "valid": len(valid),
        "pending": pending, "failed": failed, "waiting": waiting, "form": form if waiting else None})


@login_required
@require_GET
def class_certificates_print(request, pk: int):
    """The class's valid certificates merged into one PDF, in the register's order: the designed certificate, or
    the values alone for the pre-printed forms, moved by the institution's offsets."""
    course_class = class_for(request, pk, ISSUE)
    layout = _layout(request)
    certificates = list(_class_certificates(course_class).filter(status=Certificate.Status.VALID))
    if not certificates:
        messages.error(request, _("The class has no valid certificate to print."))
        return redirect("class_certificates", pk=pk)
    if any(c.rendered_at is None for c in certificates):
        messages.error(request, _("Some certificates are still being prepared; download the file once all are "
                                  "ready."))
        return redirect("class_certificates", pk=pk)
    output = merged_pdf(certificates, layout=layout, **_offsets(course_class.programme.institution))
    certificates_printed(course_class=course_class, layout=layout, rows=len(certificates), actor=request.user)
    return FileResponse(output, as_attachment=True, content_type="application/pdf",
                        filename=f"{LAYOUTS[layout]}-lop-{course_class.pk}.pdf")


def _certificate(request, pk: int) -> Certificate:
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__course_class__programme__institution", "enrolment__person",
                                           "replaced_by", "stands_for", "issued_by", "revoked_by"), pk=pk)
    if not request.user.has_perm(ISSUE, certificate.enrolment.course_class):
        raise PermissionDenied
    return certificate


def _chain(certificate: Certificate) -> list[Certificate]:
    """Every certificate of the same learner in the class, the first issued first."""
    return list(Certificate.objects.filter(enrolment=certificate.enrolment).select_related("replaced_by")
                .order_by("issued_at", "pk"))


@login_required
@require_GET
def certificate_detail(request, pk: int):
    certificate = _certificate(request, pk)
    return _detail_page(request, certificate)


def _detail_page(request, certificate, **forms):
    valid = certificate.status == Certificate.Status.VALID
    return render(request, "courses/certificates/detail.html", {
        "certificate": certificate, "course_class": certificate.enrolment.course_class, "can_run": True,
        "chain": _chain(certificate), "valid": valid,
        "reissue_form": forms.get("reissue") or ReplaceForm(prefix="reissue") if valid else None,
        "completion_form": forms.get("completion") or ReplaceForm(prefix="completion") if valid else None,
        "revoke_form": forms.get("revoke") or RevokeForm(prefix="revoke") if valid else None})


ACTIONS = {
    "reissue": (ReplaceForm, _("Reissued as %(serial)s; the old certificate now says it was replaced.")),
    "completion": (ReplaceForm, _("Completion certification %(serial)s issued in place of the lost certificate.")),
    "revoke": (RevokeForm, _("The certificate %(serial)s is revoked.")),
}


@login_required
@require_POST
def certificate_change(request, pk: int, action: str):
    """Reissue on correction, completion certification for a lost one, or revocation: each with its reason."""
    certificate = _certificate(request, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, done = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "revoke":
                result = certificate_revoke(certificate=certificate, reason=data["reason"], actor=request.user)
            else:
                service = certificate_reissue if action == "reissue" else completion_certify
                result = service(certificate=certificate, reason=data["reason"], issued_on=data["issued_on"],
                                 site_url=public_site_url(request), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done % {"serial": result.serial})
            return redirect("certificate_detail", pk=result.pk)
    return _detail_page(request, certificate, **{action: form})


@login_required
@require_GET
def certificate_pdf(request, pk: int):
    """One certificate's PDF: the course manager's (either layout), or the holder's own while it is valid."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__course_class__programme__institution"), pk=pk)
    layout = _layout(request)
    course_class = certificate.enrolment.course_class
    manager = request.user.has_perm(ISSUE, course_class)
    holder = (certificate.enrolment.person_id == request.user.pk and layout == "design"
              and certificate.status == Certificate.Status.VALID)
    if not (manager or holder):
        raise PermissionDenied
    if certificate.rendered_at is None:
        raise Http404(_("The certificate's file is still being prepared."))
    output = merged_pdf([certificate], layout=layout, **_offsets(course_class.programme.institution))
    return FileResponse(output, as_attachment=True, content_type="application/pdf",
                        filename=f"{LAYOUTS[layout]}-{certificate.serial}.pdf")

