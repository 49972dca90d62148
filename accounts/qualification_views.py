"""The qualifications pages of the people register: on a person's page, what they hold, and HR's record, correction
and removal of what they obtained elsewhere (with the scan behind a permission check); the configuration page of
the kinds and of the certificate each rank requires. Every write goes through accounts/qualifications.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import qualification_selectors as selectors
from accounts import qualifications
from accounts.models import Qualification, QualificationKind, Rank, User
from accounts.qualification_forms import KindForm, OutsideQualificationForm, RemoveForm, RequirementForm
from accounts.services import client_ip
from exam_platform.private_files import serve_private

RECORD = "accounts.record_qualification"
CONFIGURE = "accounts.configure_qualifications"


def _person_for(request, pk: int, perm: str) -> User:
    """A person of the HR user's scope: 403 without the role, 404 outside the scope."""
    if not request.user.has_perm("accounts.view_people_register"):
        raise PermissionDenied
    person = get_object_or_404(User.objects.select_related("unit"), pk=pk)
    if not request.user.has_perm(perm, person):
        raise Http404
    return person


def _entry_of(person: User, pk: int) -> Qualification:
    return get_object_or_404(Qualification.objects.select_related("kind", "person"), pk=pk, person=person)


def _back_to(person: User):
    return redirect(reverse("person_detail", args=[person.pk]) + "#qualifications")


def _entry_values(form: OutsideQualificationForm) -> dict:
    data = form.cleaned_data
    return {"kind": data["kind"], "issuer": data["issuer"], "number": data["number"], "issued_on": data["issued_on"],
            "note": data["note"], "scan": data.get("scan") or None}


@login_required
@require_http_methods(["GET", "POST"])
def qualification_add(request, pk: int):
    """HR records a certificate or diploma the person obtained elsewhere (the same form is on the person's page)."""
    person = _person_for(request, pk, RECORD)
    posted = request.method == "POST"
    form = OutsideQualificationForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            entry = qualifications.outside_record(person=person, **_entry_values(form), actor=request.user,
                                                  ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(kind)s no. %(number)s is recorded for %(name)s.")
                             % {"kind": entry.kind.name, "number": entry.number, "name": person.full_name})
            return _back_to(person)
    return render(request, "accounts/qualification_form.html", {"person": person, "form": form, "entry": None})


@login_required
@require_http_methods(["GET", "POST"])
def qualification_edit(request, pk: int, entry: int):
    person = _person_for(request, pk, RECORD)
    found = _entry_of(person, entry)
    try:
        qualifications.refuse_platform(found)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _back_to(person)
    posted = request.method == "POST"
    initial = {"kind": found.kind_id, "number": found.number, "issuer": found.issuer, "issued_on": found.issued_on,
               "note": found.note}
    form = OutsideQualificationForm(request.POST if posted else None, request.FILES if posted else None,
                                    initial=initial, replacing=bool(found.scan))
    if posted and form.is_valid():
        try:
            qualifications.outside_edit(qualification=found, **_entry_values(form), actor=request.user,
                                        ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return _back_to(person)
    return render(request, "accounts/qualification_form.html", {"person": person, "form": form, "entry": found})


@login_required
@require_http_methods(["GET", "POST"])
def qualification_remove(request, pk: int, entry: int):
    """Removing an outside entry asks for the reason (the audit log keeps it and what the entry said)."""
    person = _person_for(request, pk, RECORD)
    found = _entry_of(person, entry)
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            qualifications.outside_remove(qualification=found, reason=form.cleaned_data["reason"], actor=request.user,
                                          ip=client_ip(request))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                messages.error(request, exc.messages[0])
                return _back_to(person)
        else:
            messages.success(request, _("%(kind)s no. %(number)s is removed.")
                             % {"kind": found.kind.name, "number": found.number})
            return _back_to(person)
    else:
        try:
            qualifications.refuse_platform(found)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return _back_to(person)
    return render(request, "accounts/qualification_remove.html", {"person": person, "form": form, "entry": found})


@login_required
def qualification_scan(request, pk: int, entry: int):
    """The scan, to HR of the person's scope only (404 for anyone else, and when there is none)."""
    person = _person_for(request, pk, "accounts.view_person")
    found = _entry_of(person, entry)
    if not found.scan:
        raise Http404
    extension = found.scan.name[found.scan.name.rfind("."):] if "." in found.scan.name else ""
    name = f"ban-chup-{slugify(found.number) or found.pk}{extension}"
    return serve_private(found.scan, name=name, content_type=found.scan_type or "application/octet-stream")


# --- the configuration: kinds and each rank's requirement ----------------------------------------------------------

def _configurer(request) -> None:
    if not request.user.has_perm(CONFIGURE):
        raise PermissionDenied


def _settings_page(anchor: str):
    return redirect(reverse("qualification_settings") + anchor)


def _refused(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def qualification_settings(request):
    _configurer(request)
    kinds = list(selectors.qualification_kinds())
    ranks = [(rank, requirement, RequirementForm(kinds=kinds, requirement=requirement, prefix=f"rank{rank.pk}"))
             for rank, requirement in selectors.rank_requirements()]
    return render(request, "accounts/qualification_settings.html", {
        "kinds": kinds, "kind_form": KindForm(), "ranks": ranks})


@login_required
@require_POST
def qualification_kind_add(request):
    _configurer(request)
    form = KindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the name of the kind of qualification (at most 255 characters)."))
        return _settings_page("#kinds")
    try:
        kind = qualifications.kind_create(name=form.cleaned_data["name"], actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("“%(name)s” is added.") % {"name": kind.name})
    return _settings_page("#kinds")


@login_required
@require_POST
def qualification_kind_edit(request, pk: int):
    _configurer(request)
    kind = get_object_or_404(QualificationKind, pk=pk)
    form = KindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the name of the kind of qualification (at most 255 characters)."))
        return _settings_page("#kinds")
    try:
        kind = qualifications.kind_edit(kind=kind, name=form.cleaned_data["name"], actor=request.user,
                                        ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The kind is now named “%(name)s”.") % {"name": kind.name})
    return _settings_page("#kinds")


@login_required
@require_POST
def qualification_kind_remove(request, pk: int):
    _configurer(request)
    kind = get_object_or_404(QualificationKind, pk=pk)
    try:
        qualifications.kind_remove(kind=kind, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": kind.name})
    return _settings_page("#kinds")


@login_required
@require_POST
def rank_requirement_set(request, pk: int):
    """One rank's form: the required certificate and its equivalents, or none (the requirement is lifted)."""
    _configurer(request)
    rank = get_object_or_404(Rank, pk=pk)
    form = RequirementForm(request.POST, kinds=list(QualificationKind.objects.order_by("name")),
                           prefix=f"rank{rank.pk}")
    anchor = f"#rank-{rank.pk}"
    if not form.is_valid():
        messages.error(request, _("Choose the certificate and its equivalents from the lists."))
        return _settings_page(anchor)
    kind, equivalents = form.chosen()
    if kind is None and equivalents:
        messages.error(request, _("Choose the required certificate before the ones accepted as equivalent."))
        return _settings_page(anchor)
    try:
        if kind is None:
            qualifications.requirement_remove(rank=rank, actor=request.user, ip=client_ip(request))
        else:
            qualifications.requirement_set(rank=rank, kind=kind, equivalents=equivalents, actor=request.user,
                                           ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The requirement of the rank %(rank)s is saved.") % {"rank": rank.name})
    return _settings_page(anchor)
