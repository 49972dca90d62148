"""The organisers' pages: the contests, a contest's set-up (its groups and rounds), a round's settings per group,
and after its close the ranking with the void, the decisions on ties, approval and publication."""
from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import client_ip
from contests import closing, exports, services
from contests.forms import ContestForm, DecideForm, GroupForm, NumberReleaseForm, RoundForm, RoundGroupForm, VoidForm
from contests.models import Contest, ContestGroup, Entry, Round, RoundGroup, Standing
from contests.selectors import contest_rounds, round_entries_count, round_standings
from contests.signup import number_holder, number_release
from exams import engine

MANAGE = "contests.manage_contest"
STANDINGS_PER_PAGE = 100


def _require(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def contest_list(request):
    _require(request)
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contest = services.contest_save(contest=form.instance, actor=request.user, ip=client_ip(request))
        messages.success(request, _("The contest is created: add its groups of participants and its rounds."))
        return redirect("contest_detail", pk=contest.pk)
    return render(request, "contests/contest_list.html", {"contests": Contest.objects.order_by("-created_at"),
                                                           "form": form})


def _contest_page(request, contest: Contest, *, form=None, group_form=None, round_form=None, status=200):
    return render(request, "contests/contest_detail.html", {
        "contest": contest, "form": form or ContestForm(instance=contest),
        "groups": [(g, GroupForm(instance=g, prefix=f"g{g.pk}", form_id=f"group-form-{g.pk}"))
                   for g in contest.groups.all()],
        "group_form": group_form or GroupForm(prefix="group"), "rounds": contest_rounds(contest),
        "round_form": round_form or RoundForm(prefix="round")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contest_detail(request, pk: int):
    _require(request)
    contest = get_object_or_404(Contest, pk=pk)
    if request.method == "GET":
        return _contest_page(request, contest)
    form = ContestForm(request.POST, instance=Contest.objects.get(pk=pk))
    if not form.is_valid():
        return _contest_page(request, contest, form=form, status=400)
    services.contest_save(contest=form.instance, actor=request.user, ip=client_ip(request))
    messages.success(request, _("The contest is saved."))
    return redirect("contest_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def number_release_page(request, pk: int):
    """A disputed CCCD or phone number (docs/contests.md, "Signing up"): the organiser looks up the account that uses
    it, and after checking the dispute releases it from that signed-up account, with the reason (audited)."""
    _require(request)
    contest = get_object_or_404(Contest, pk=pk)
    form = NumberReleaseForm(request.POST or None)  # posted, even to look up: the numbers stay out of the URLs
    holder = number_holder(form.data.get("number", "")) if form.is_bound else None
    status = 200
    if request.POST.get("action") == "release" and form.is_valid():
        try:
            released = number_release(number=form.cleaned_data["number"], actor=request.user,
                                      reason=form.cleaned_data["reason"], ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 400
        else:
            messages.success(request, _("The number is released from the account of %(name)s.") % {
                "name": released.full_name})
            return redirect("contest_number_release", pk=pk)
    joined = list(holder.contest_entries.select_related("contest")) if holder else []
    return render(request, "contests/number_release.html", {
        "contest": contest, "form": form, "holder": holder, "joined": joined, "searched": form.is_bound},
        status=status)


@login_required
@require_POST
def group_add(request, pk: int):
    _require(request)
    contest = get_object_or_404(Contest, pk=pk)
    form = GroupForm(request.POST, prefix="group", instance=ContestGroup(contest=contest))
    if not form.is_valid():
        return _contest_page(request, contest, group_form=form, status=400)
    try:
        services.group_save(group=form.instance, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        form.add_error("name", exc)
        return _contest_page(request, contest, group_form=form, status=400)
    messages.success(request, _("The group is added."))
    return redirect("contest_detail", pk=pk)


@login_required
@require_POST
def group_edit(request, pk: int, group: int):
    _require(request)
    found = get_object_or_404(ContestGroup, pk=group, contest_id=pk)
    form = GroupForm(request.POST, prefix=f"g{found.pk}", instance=found)
    if form.is_valid():
        try:
            services.group_save(group=form.instance, actor=request.user, ip=client_ip(request))
            messages.success(request, _("The group is saved."))
        except ValidationError as exc:
            _refused(request, exc)
    else:
        messages.error(request, _("Check the group's name and order."))
    return redirect("contest_detail", pk=pk)


@login_required
@require_POST
def group_remove(request, pk: int, group: int):
    _require(request)
    found = get_object_or_404(ContestGroup, pk=group, contest_id=pk)
    try:
        services.group_remove(group=found, actor=request.user, ip=client_ip(request))
        messages.success(request, _("The group is removed."))
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("contest_detail", pk=pk)


@login_required
@require_POST
def round_add(request, pk: int):
    _require(request)
    contest = get_object_or_404(Contest, pk=pk)
    form = RoundForm(request.POST, prefix="round", instance=Round(contest=contest))
    if form.is_valid():
        try:
            contest_round = services.round_save(contest_round=form.instance, actor=request.user,
                                                ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Round %(n)s is added: give it its questions for each group.") % {
                "n": contest_round.number})
            return redirect("contest_round", pk=contest_round.pk)
    return _contest_page(request, contest, round_form=form, status=400)


def _round_page(request, contest_round: Round, *, form=None, setting_form=None, status=200):
    contest = contest_round.contest
    settings = list(RoundGroup.objects.filter(round=contest_round).select_related("group"))
    names = {b.id: b.name for b in engine.blueprint_choices()}
    for setting in settings:
        setting.blueprint_name = names.get(setting.blueprint_id, "—")
    page = None
    standings = []
    if contest_round.status != Round.Status.SCHEDULED:  # 100,000 rows: the page shows them a hundred at a time
        page = Paginator(round_standings(contest_round), STANDINGS_PER_PAGE).get_page(request.GET.get("page"))
        standings = list(page.object_list)
    for standing in standings:  # the organisers' decision on a tie at a prize, in its row
        standing.decide_form = DecideForm(standing=standing, prefix=f"d{standing.pk}") if standing.contested else None
    return render(request, "contests/round_detail.html", {
        "round": contest_round, "contest": contest, "form": form or RoundForm(instance=contest_round),
        "settings": [(s, RoundGroupForm(instance=s, contest=contest, prefix=f"s{s.pk}")) for s in settings],
        "setting_form": setting_form or RoundGroupForm(contest=contest, prefix="setting"),
        "entries": round_entries_count(contest_round), "standings": standings,
        "void_form": VoidForm(prefix="void"), "scheduled": contest_round.status == Round.Status.SCHEDULED,
        "groups_left": contest.groups.exclude(pk__in=[s.group_id for s in settings]).exists(),
        "page": page,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk: int):
    _require(request)
    contest_round = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    if request.method == "GET":
        return _round_page(request, contest_round)
    form = RoundForm(request.POST, instance=Round.objects.get(pk=pk))
    if form.is_valid():
        try:
            services.round_save(contest_round=form.instance, actor=request.user, ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The round is saved."))
            return redirect("contest_round", pk=pk)
    return _round_page(request, contest_round, form=form, status=400)


@login_required
@require_POST
def round_remove(request, pk: int):
    _require(request)
    contest_round = get_object_or_404(Round, pk=pk)
    try:
        services.round_remove(contest_round=contest_round, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("contest_round", pk=pk)
    messages.success(request, _("The round is removed."))
    return redirect("contest_detail", pk=contest_round.contest_id)


@login_required
@require_POST
def round_group_add(request, pk: int):
    _require(request)
    contest_round = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    form = RoundGroupForm(request.POST, contest=contest_round.contest, prefix="setting",
                          instance=RoundGroup(round=contest_round))
    if form.is_valid():
        try:
            services.round_group_save(setting=form.instance, actor=request.user, ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The group's questions are set for this round."))
            return redirect("contest_round", pk=pk)
    return _round_page(request, contest_round, setting_form=form, status=400)


@login_required
@require_POST
def round_group_edit(request, pk: int, setting: int):
    _require(request)
    found = get_object_or_404(RoundGroup.objects.select_related("round__contest"), pk=setting, round_id=pk)
    form = RoundGroupForm(request.POST, contest=found.round.contest, prefix=f"s{found.pk}", instance=found)
    if form.is_valid():
        try:
            services.round_group_save(setting=form.instance, actor=request.user, ip=client_ip(request))
            messages.success(request, _("The group's settings are saved."))
        except ValidationError as exc:
            _refused(request, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("contest_round", pk=pk)


@login_required
@require_POST
def round_group_remove(request, pk: int, setting: int):
    _require(request)
    found = get_object_or_404(RoundGroup, pk=setting, round_id=pk)
    try:
        services.round_group_remove(setting=found, actor=request.user, ip=client_ip(request))
        messages.success(request, _("The group's settings are removed from the round."))
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("contest_round", pk=pk)


STEPS = {"close": (closing.round_close, _("The round is closed and ranked.")),
         "approve": (closing.round_approve, _("The round's results are approved.")),
         "publish": (closing.round_publish, _("The round's results are published."))}


@login_required
@require_POST
def round_step(request, pk: int, step: str):
    _require(request)
    if step not in STEPS:
        raise PermissionDenied
    contest_round = get_object_or_404(Round, pk=pk)
    service, done = STEPS[step]
    try:
        service(contest_round=contest_round, actor=request.user, ip=client_ip(request))
        messages.success(request, done)
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("contest_round", pk=pk)


@login_required
@require_POST
def entry_void(request, pk: int, entry: int):
    _require(request)
    found = get_object_or_404(Entry, pk=entry, round_id=pk)
    form = VoidForm(request.POST, prefix="void")
    try:
        closing.entry_void(entry=found, reason=form.data.get("void-reason", ""), actor=request.user,
                           ip=client_ip(request))
        messages.success(request, _("The entry is void; the round is ranked again."))
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("contest_round", pk=pk)


@login_required
@require_POST
def standing_decide(request, pk: int, standing: int):
    _require(request)
    found = get_object_or_404(Standing, pk=standing, round_id=pk)
    form = DecideForm(request.POST, standing=found, prefix=f"d{found.pk}")
    if form.is_valid():
        try:
            closing.prize_decide(standing=found, prize=form.cleaned_data["prize"],
                                 reason=form.cleaned_data["reason"], actor=request.user, ip=client_ip(request))
            messages.success(request, _("The decision is recorded."))
        except ValidationError as exc:
            _refused(request, exc)
    else:
        messages.error(request, _("Choose the prize and give the reason for the decision."))
    return redirect("contest_round", pk=pk)


@login_required
def round_list_download(request, pk: int, list_kind: str):
    """The ranking or the winners (phone and CCCD) of a closed round, as .xlsx (each download audited)."""
    _require(request)
    contest_round = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    if contest_round.status == Round.Status.SCHEDULED:
        messages.error(request, _("The round is not closed and ranked yet: close it first."))
        return redirect("contest_round", pk=pk)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed, and removed, once sent)
    rows = exports.write_list(contest_round, list_kind, handle.name)
    exports.list_exported(contest_round=contest_round, list_kind=list_kind, rows=rows, actor=request.user,
                          ip=client_ip(request))
    name = f"{'dat-giai' if list_kind == exports.WINNERS else 'xep-hang'}-vong-{contest_round.number}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
def round_decision_download(request, pk: int):
    """The draft prize decision of an approved or published round (.docx)."""
    _require(request)
    contest_round = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    if contest_round.status not in (Round.Status.APPROVED, Round.Status.PUBLISHED):
        messages.error(request, _("The prize decision is drafted once the round's results are approved."))
        return redirect("contest_round", pk=pk)
    data = exports.decision_docx(contest_round)
    exports.list_exported(contest_round=contest_round, list_kind="decision", rows=0, actor=request.user,
                          ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml"
                                               ".document")
    response["Content-Disposition"] = f'attachment; filename="quyet-dinh-khen-thuong-vong-{contest_round.number}.docx"'
    return response
