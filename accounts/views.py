from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import activation, enrolment, selectors
from accounts.dashboard import cards_for
from accounts.exports import people_template_xlsx
from accounts.forms import (
    ActivationForm,
    ActivationLinkForm,
    AuditFilterForm,
    NoticeForm,
    PeopleFilterForm,
    PeopleImportForm,
    PersonForm,
    ProfileForm,
    RolesForm,
    UnitForm,
)
from accounts.import_flow import ImportFlow, ImportResult
from accounts.imports import import_people
from accounts.models import ActivationCode, Notice, OrganisationProfile, OrgUnit, User
from accounts.notices import AUDIENCE_LABELS, audiences_for, audiences_of_reader
from accounts.permissions import roles_of
from accounts.qualification_forms import OutsideQualificationForm
from accounts.qualification_selectors import person_qualifications
from accounts.roles import Role
from accounts.services import (
    client_ip,
    notice_send,
    person_roles_set,
    person_update,
    profile_update,
    roles_grantable_to,
    unit_add,
)

PEOPLE_IMPORT = ImportFlow(session_key="people_import", form_class=PeopleImportForm)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _get_person_for_hr(request, pk: int, perm: str) -> User:
    """A person the HR user may see: 403 without the role, 404 outside their scope."""
    _require(request, "accounts.view_people_register")
    person = get_object_or_404(User.objects.select_related("unit__parent", "rank", "ethnicity"), pk=pk)
    if not request.user.has_perm(perm, person):
        raise Http404
    return person


def _scope_units(user):
    if user.is_superuser:
        return OrgUnit.objects.select_related("parent").order_by("path")
    if user.hr_scope is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=user.hr_scope.path).select_related("parent").order_by("path")


@login_required
def dashboard(request):
    roles = roles_of(request.user)
    notices = Notice.objects.filter(audience__in=audiences_of_reader(roles)).select_related("author")[:5]
    audiences = audiences_for(roles) if request.user.has_perm("accounts.add_notice") else []
    return render(request, "accounts/dashboard.html", {
        "cards": cards_for(request.user), "notices": notices,
        "can_send_notice": bool(audiences), "notice_form": NoticeForm(audiences=audiences) if audiences else None,
    })


@login_required
def my_profile(request):
    person = User.objects.select_related("unit", "rank", "ethnicity").get(pk=request.user.pk)
    return render(request, "accounts/my_profile.html", {"person": person})


@login_required
def people_list(request):
    _require(request, "accounts.view_people_register")
    units = _scope_units(request.user)
    form = PeopleFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_list(
        user=request.user, query=filters.get("q") or "",
        unit_id=filters["unit"].pk if filters.get("unit") else None, gender=filters.get("gender") or "",
        rank_id=filters["rank"].pk if filters.get("rank") else None,
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/people_list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def person_detail(request, pk: int):
    person = _get_person_for_hr(request, pk, "accounts.view_person")
    return render(request, "accounts/person_detail.html", {
        "person": person,
        "show_cccd": request.user.has_perm("accounts.view_person_cccd", person),
        "can_edit": request.user.has_perm("accounts.change_person", person),
        "can_issue_code": request.user.has_perm("accounts.issue_activation_code", person),
        "live_code": activation.live_code(person), "can_email_code": activation.email_activation_available(person),
        "needs_enrolment_code": enrolment.enrolment_code_required(person),
        "live_enrolment_code": activation.live_code(person, ActivationCode.Purpose.ENROLMENT),
        "roles": sorted(Role(r).label for r in roles_of(person) if r in Role.values),
        "roles_form": _roles_form(request, person),
        "qualifications": person_qualifications(person),
        "can_record_qualification": request.user.has_perm("accounts.record_qualification", person),
        "qualification_form": OutsideQualificationForm(),
    })


def _roles_form(request, person: User, data=None) -> RolesForm | None:
    grantable = roles_grantable_to(person, actor=request.user)
    if not grantable:
        return None
    return RolesForm(data, grantable=grantable, scopes=_scope_units(request.user),
                     initial={"roles": [r for r in roles_of(person) if r in grantable], "hr_scope": person.hr_scope_id})


@login_required
@require_POST
def person_roles(request, pk: int):
    person = _get_person_for_hr(request, pk, "accounts.change_person")
    form = _roles_form(request, person, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        person_roles_set(person=person, roles=set(form.cleaned_data["roles"]), actor=request.user,
                         ip=client_ip(request), hr_scope=form.cleaned_data.get("hr_scope"))
        messages.success(request, _("The roles of %(name)s are saved.") % {"name": person.full_name})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("person_detail", pk=person.pk)


@never_cache
@login_required
@require_POST
def person_activation_code(request, pk: int):
    """Issue an activation code (or, with ``purpose=enrolment``, a staff member's two-factor enrolment code:
    accounts/enrolment.py) and show it once, on a printable slip (reloading issues another and voids this)."""
    person = _get_person_for_hr(request, pk, "accounts.issue_activation_code")
    if request.POST.get("purpose") == ActivationCode.Purpose.ENROLMENT:
        issued = enrolment.enrolment_code_issue(person=person, actor=request.user, ip=client_ip(request))
        url = request.build_absolute_uri(reverse("mfa_activate_totp"))
    else:
        issued = activation.activation_code_issue(person=person, actor=request.user, ip=client_ip(request))
        url = request.build_absolute_uri(reverse("activate"))
    return render(request, "accounts/activation_slip.html", {"person": person, "issued": issued, "activate_url": url})


@login_required
@require_POST
def enrolment_code_send(request):
    """From the authenticator set-up page: the person's own enrolment code, to their own email."""
    if enrolment.enrolment_code_required(request.user):
        try:
            enrolment.enrolment_code_email(person=request.user, ip=client_ip(request))
        except activation.ActivationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("An enrolment code has been sent to your email; it works for 30 minutes."))
    return redirect("mfa_activate_totp")


@login_required
@require_POST
def person_activation_email(request, pk: int):
    person = _get_person_for_hr(request, pk, "accounts.issue_activation_code")
    try:
        activation.activation_link_send(person=person, actor=request.user, site_url=request.build_absolute_uri("/"),
                                        ip=client_ip(request))
    except activation.ActivationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("An activation link has been sent to %(email)s.") % {"email": person.email})
    return redirect("person_detail", pk=person.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    """The public page: login name (or CCCD) + activation code, then a password of the person's choosing."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = activation.person_for_login(data["login"])
        if _redeemed(request, form, person=person, login=data["login"], code=data["code"]):
            return redirect("account_login")
    return render(request, "accounts/activate.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def activate_link(request, pk: int, code: str):
    """The emailed link: the code is in it, the person only chooses a password."""
    record = ActivationCode.objects.select_related("person").filter(pk=pk).first()
    person = record.person if record else None
    form = ActivationLinkForm(request.POST or None)
    try:
        if person is None:  # no code to guess: nothing to count either
            raise activation.ActivationError("bad_code", _("This link is not valid any more: it was used, replaced "
                                                           "or has expired. Ask HR for a new code."))
        activation.activation_check(person=person, code=code, ip=client_ip(request))
    except activation.ActivationError as exc:
        return render(request, "accounts/activate.html", {"link_error": exc.message},
                      status=410 if exc.code == "bad_code" else 429)
    if request.method == "POST" and form.is_valid() and _redeemed(request, form, person=person, code=code):
        return redirect("account_login")
    return render(request, "accounts/activate.html", {"form": form, "link_person": person})


def _redeemed(request, form, *, person, code: str, login: str = "") -> bool:
    try:
        activation.activation_redeem(person=person, code=code, password=form.cleaned_data["password1"],
                                     ip=client_ip(request), login=login)
    except activation.ActivationError as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        form.add_error("password1", exc)
    else:
        messages.success(request, _("Your account is active. Sign in with your login name and the password you "
                                    "chose."))
        return True
    return False


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = _get_person_for_hr(request, pk, "accounts.change_person")
    _require(request, "accounts.change_user")
    form = PersonForm(request.POST or None, instance=User.objects.get(pk=pk), units=_scope_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        person_update(actor=request.user, person=person, data=data, ip=client_ip(request))
        messages.success(request, _("The changes have been saved."))
        return redirect("person_detail", pk=person.pk)
    return render(request, "accounts/person_edit.html", {"person": person, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request):
    """Upload → full validation and preview (nothing written) → confirm → atomic import."""
    _require(request, "accounts.import_people")
    page = PEOPLE_IMPORT.handle(request, run=partial(import_people, actor=request.user, ip=client_ip(request)),
                                on_written=partial(_people_imported, request))
    if page.response is not None:
        return page.response
    return render(request, "accounts/people_import.html", page.context)


def _people_imported(request, result: ImportResult) -> HttpResponse:
    messages.success(request, _("Import finished: %(created)s created, %(updated)s updated, "
                                "%(unchanged)s unchanged.") % vars(result))
    return redirect("people_list")


@login_required
def people_import_template(request):
    _require(request, "accounts.import_people")
    response = HttpResponse(people_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-nhan-su.xlsx"'
    return response


@login_required
def unit_list(request):
    """The unit tree; the administrator adds top units (the province, on a new installation), HR adds units under
    those they manage."""
    _require(request, "accounts.view_orgunit")
    form = UnitForm(request.POST or None, parents=_scope_units(request.user).select_related("parent"),
                    may_add_top=request.user.is_superuser)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            unit = unit_add(name=data["name"], parent=data["parent"], kind=data["kind"], code=data["code"],
                            actor=request.user, ip=client_ip(request))
            messages.success(request, _("The unit %(name)s is added.") % {"name": unit.name})
            return redirect("unit_list")
    return render(request, "accounts/unit_list.html", {"units": selectors.units_tree(), "form": form})


@login_required
def audit_list(request):
    _require(request, "accounts.view_auditlog")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    records = selectors.audit_list(**{k: v for k, v in filters.items() if v})
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    _require(request, "accounts.change_organisationprofile")
    profile = OrganisationProfile.current()
    form = ProfileForm(request.POST or None, instance=OrganisationProfile.objects.get(pk=profile.pk))
    if request.method == "POST" and form.is_valid():
        profile_update(actor=request.user, data=form.cleaned_data, ip=client_ip(request))
        messages.success(request, _("The organisation profile has been saved."))
        return redirect("profile_edit")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_POST
def notice_send_view(request):
    _require(request, "accounts.add_notice")
    audiences = audiences_for(roles_of(request.user))
    if not audiences:
        raise PermissionDenied
    form = NoticeForm(request.POST, audiences=audiences)
    if form.is_valid():
        notice_send(author=request.user, text=form.cleaned_data["text"], audience=form.cleaned_data["audience"],
                    ip=client_ip(request))
        messages.success(request, _("The notice has been sent to: %(audience)s.")
                         % {"audience": AUDIENCE_LABELS[form.cleaned_data["audience"]]})
    else:
        messages.error(request, _("The notice is empty or too long."))
    return redirect("dashboard")
