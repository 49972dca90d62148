"""The contest's public face and the participant's pages, phone first: the landing page (no sign-in, from the
cache), joining, a round's page with its start or continue, the paper (the engine's page, the prediction asked with
the final submit), and the result (score and time only: no ranking before the round is published)."""
from __future__ import annotations

import time
from functools import wraps

from allauth.account.views import SignupView
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import limits
from accounts.session_life import extend_session
from contests.entries import entry_record, entry_start, entry_submit
from contests.forms import JoinForm
from contests.models import Contest, Entry, Participant, Round
from contests.participation import participant_join
from contests.selectors import landing
from contests.signup import ContestSignupForm, signup_open
from exam_platform.shared_pages import share_with_anonymous_readers
from exams import engine

LANDING_SECONDS = 5  # the public page is rebuilt at most this often, however many read it


class PredictionForm(forms.Form):
    prediction = forms.IntegerField(label=gettext_lazy("Your prediction"), min_value=0, required=False)


def contest_public(request, pk: int):
    """The landing page, for anyone: rules, schedule, the live count of entries, published winners. Its body is the
    same for every reader and comes from the cache with the contest (an anonymous reading asks the database nothing);
    only the reader's own part (sign up, or their rounds to take) is made per request."""
    held = _landing_cached(pk)
    contest = held["contest"]
    joined = (request.user.is_authenticated
              and Participant.objects.filter(contest=contest, person=request.user).exists())
    now = timezone.now()
    rounds = [(r, r.phase(now)) for r in held["rounds"]] if joined else []
    shared = not request.user.is_authenticated
    response = render(request, "contests/public.html", {
        "contest": contest, "body": mark_safe(held["body"]),  # noqa: S308 (rendered from our template)
        "joined": joined, "my_rounds": rounds, "shared_page": shared})
    # An anonymous reader's page has nothing of them in it: the next ones get these bytes before Django is entered.
    return share_with_anonymous_readers(response, LANDING_SECONDS) if shared else response


def _landing_cached(pk: int) -> dict:
    """The contest and its public page's body, rendered in the reader's language at most LANDING_SECONDS ago, with
    the rounds. When it ages, one request rebuilds it (it holds a short lock in the cache) while the others go on
    serving the previous one: thousands of phones reloading at once never rebuild it together (what a plain expiry
    would do: each build reads the whole round), and none of them renders the winners' tables again."""
    key = f"contest-landing:{pk}:{translation.get_language()}"
    held = cache.get(key)
    if held is not None and time.time() - held[0] < LANDING_SECONDS:
        return held[1]
    if held is None or cache.add(f"{key}:building", 1, timeout=30):
        try:
            contest = get_object_or_404(Contest, pk=pk)
            figures = landing(contest)
            body = render_to_string("contests/_public_body.html", {"contest": contest, **figures})
            held = (time.time(), {"contest": contest, "body": str(body), "rounds": figures["rounds"]})
            cache.set(key, held, timeout=LANDING_SECONDS * 60)
        finally:
            cache.delete(f"{key}:building")
    return held[1]


def per_account_limit(view):
    """Every page of a round, counted per account (docs/contests.md, "Limits"): beyond CONTEST_REQUESTS_PER_MINUTE in
    a minute of the server's clock, a 429 page until the next minute. A phone taking a round makes a handful."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if limits.count(f"contest-requests:{request.user.pk}", 60) > settings.CONTEST_REQUESTS_PER_MINUTE:
            return render(request, "429.html", status=429)
        return view(request, *args, **kwargs)

    return limited


def _participant(request, contest: Contest) -> Participant | None:
    participant = Participant.objects.filter(contest=contest, person=request.user).select_related("group").first()
    if participant is not None:
        participant.person = request.user  # the signed-in user, already read: not read again
    return participant


@login_required
@require_http_methods(["GET", "POST"])
@per_account_limit
def contest_join(request, pk: int):
    contest = get_object_or_404(Contest, pk=pk)
    if _participant(request, contest) is not None:
        return redirect("contest_public", pk=pk)
    form = JoinForm(request.POST or None, contest=contest)
    if request.method == "POST" and form.is_valid():
        try:
            participant_join(contest=contest, person=request.user, joining=form.joining)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            extend_session(request, request.user)  # a participant signs in once a contest
            messages.success(request, _("You have joined the contest."))
            return redirect("contest_public", pk=pk)
    return render(request, "contests/join.html", {"contest": contest, "form": form},
                  status=400 if form.errors else 200)


class ContestSignupView(SignupView):
    """allauth's sign-up, open for this contest's page only (accounts/adapter.py reads ``request.signup_open``),
    with its per-address limit; on success the person is signed in, has joined, and stays signed in for the contest.
    Someone already signed in is sent to joining."""

    template_name = "contests/signup.html"
    form_class = ContestSignupForm

    def dispatch(self, request, *args, **kwargs):
        self.contest = get_object_or_404(Contest, pk=kwargs["pk"])
        request.signup_open = signup_open(self.contest)
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.form_class  # not ACCOUNT_FORMS["signup"]: this form is the contest's

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "contest": self.contest}

    def get_authenticated_redirect_url(self) -> str:
        return reverse("contest_join", args=[self.contest.pk])

    def get_success_url(self) -> str:
        return reverse("contest_public", args=[self.contest.pk])

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "contest": self.contest}

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.user is None:  # a number taken by a sign-up a moment earlier
            return self.form_invalid(form)
        extend_session(self.request, self.user)
        messages.success(self.request, _("You have signed up and joined the contest."))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


contest_signup = ContestSignupView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
@per_account_limit
def participant_round(request, pk: int):
    """A round for the participant: its window and time, their entries (score and time), start or continue."""
    contest_round = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    participant = _participant(request, contest_round.contest)
    if participant is None:
        return redirect("contest_join", pk=contest_round.contest_id)
    if request.method == "POST":
        device = engine.device_from(request) or engine.device_new()
        try:
            entry = entry_start(contest_round=contest_round, participant=participant, device=device)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("contest_participant_round", pk=pk)
        response = redirect("contest_entry", pk=entry.pk)
        engine.device_attach(response, device)
        return response
    entries = list(Entry.objects.filter(round=contest_round, participant=participant).order_by("number"))
    for entry in entries:
        if entry.status == Entry.Status.OPEN:
            entry_record(attempt_id=entry.attempt_id)  # one whose time ran out reads as finished
            entry.refresh_from_db()
    setting = contest_round.groups.filter(group=participant.group_id).first()
    return render(request, "contests/participant_round.html", {
        "round": contest_round, "contest": contest_round.contest, "participant": participant, "entries": entries,
        "setting": setting, "open_now": contest_round.is_open(),
        "has_open": any(e.status == Entry.Status.OPEN for e in entries),
        "attempts_left": contest_round.attempts - len(entries)})


def _own_entry(request, pk: int) -> Entry:
    entry = Entry.objects.select_related("round__contest", "participant").filter(
        pk=pk, participant__person=request.user).first()
    if entry is None:
        raise Http404
    return entry


@login_required
@per_account_limit
def entry_paper(request, pk: int):
    """The paper of an open entry, on the phone that started it; the prediction is asked with the final submit."""
    entry = _own_entry(request, pk)
    back = reverse("contest_participant_round", args=[entry.round_id])
    fields = render_to_string("contests/_prediction.html", {"form": PredictionForm(prefix="p"),
                                                            "round": entry.round}, request=request)
    try:
        context = engine.paper_page(
            attempt_id=entry.attempt_id, owner_id=request.user.pk, device=engine.device_from(request),
            heading=str(entry.round), reenter_url=back, reenter_label=_("Back to the round"),
            one_per_screen=False, submit_url=reverse("contest_entry_submit", args=[entry.pk]), submit_fields=fields)
    except engine.Refusal as exc:
        if exc.code == "finished":
            entry_record(attempt_id=entry.attempt_id)
            return redirect("contest_entry_result", pk=pk)
        return render(request, "contests/entry_paper.html", {"entry": entry, "refusal": exc.message, "back": back},
                      status=409)
    return render(request, "contests/entry_paper.html", {**context, "entry": entry, "back": back,
                                                         "paper_script": engine.PAPER_SCRIPT})


@login_required
@require_POST
@per_account_limit
def entry_submit_view(request, pk: int):
    entry = _own_entry(request, pk)
    form = PredictionForm(request.POST, prefix="p")
    prediction = form.cleaned_data["prediction"] if form.is_valid() else None
    try:
        entry_submit(entry=entry, prediction=prediction, owner_id=request.user.pk, device=engine.device_from(request))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("contest_entry", pk=pk)
    return redirect("contest_entry_result", pk=pk)


@login_required
@per_account_limit
def entry_result(request, pk: int):
    """A finished entry: correct answers, time taken, submission time, valid or not; the ranking only once the round
    is published."""
    entry = _own_entry(request, pk)
    if entry.status == Entry.Status.OPEN:
        entry_record(attempt_id=entry.attempt_id)
        entry.refresh_from_db()
        if entry.status == Entry.Status.OPEN:
            return redirect("contest_entry", pk=pk)
    published = entry.round.status == Round.Status.PUBLISHED
    standing = entry.round.standings.filter(participant=entry.participant).first() if published else None
    return render(request, "contests/entry_result.html", {"entry": entry, "round": entry.round, "standing": standing})
