"""Public verification of certificates (docs/certificates.md), without login: by the QR code's random token, or by
serial number together with the holder's date of birth (a serial alone finds nothing, so the register cannot be
listed by counting). Both are limited per client address; neither page is indexed by search engines."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.limits import count
from accounts.models import mask_cccd
from accounts.services import client_ip
from courses.certificate_forms import LookupForm
from courses.models import Certificate

WINDOW = 60


def _too_many(request, kind: str, per_minute: int) -> bool:
    return count(f"certificate-{kind}:{client_ip(request) or '-'}", WINDOW) > per_minute


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request):
    return _noindex(render(request, "courses/certificates/verify_limited.html", status=429))


def certificate_facts(certificate: Certificate) -> dict:
    """What the public may read of a certificate: the holder's name and masked CCCD, the training, the issuer, the
    dates and the status (a replacement's serial, never the reason of a revocation)."""
    return {"certificate": certificate, "cccd": mask_cccd(certificate.holder_cccd),
            "replacement": certificate.replaced_by if certificate.status == Certificate.Status.REPLACED else None,
            "original": certificate.stands_for}


def _found(token=None, **lookup):
    queryset = Certificate.objects.select_related("replaced_by", "stands_for")
    return get_object_or_404(queryset, token=token) if token else queryset.filter(**lookup).first()


@never_cache
@require_http_methods(["GET"])
def certificate_verify(request, token: str):
    if _too_many(request, "verify", settings.CERTIFICATE_VERIFY_PER_MINUTE):
        return _refused(request)
    certificate = _found(token=token)
    return _noindex(render(request, "courses/certificates/verify.html", certificate_facts(certificate)))


@never_cache
@require_http_methods(["GET", "POST"])
def certificate_lookup(request):
    """The form posts (a date of birth stays out of addresses and logs); a miss says only that nothing matches."""
    form = LookupForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if _too_many(request, "lookup", settings.CERTIFICATE_LOOKUP_PER_MINUTE):
            return _refused(request)
        if form.is_valid():
            certificate = _found(serial=form.cleaned_data["serial"],
                                 holder_birth_date=form.cleaned_data["birth_date"])
            if certificate is None:
                context["miss"] = _("No certificate matches this serial number and date of birth. Check both "
                                    "against the paper.")
            else:
                return _noindex(render(request, "courses/certificates/verify.html", certificate_facts(certificate)))
    return _noindex(render(request, "courses/certificates/lookup.html", context))
