"""Reads of the organisers' pages (a fixed number of queries however many rounds, entries or participants)."""
from __future__ import annotations

from django.db.models import Count, Q

from contests.models import Contest, Entry, Round, Standing


def contest_rounds(contest: Contest) -> list[Round]:
    """The contest's rounds, each with its count of entries and of groups with questions (one query)."""
    return list(Round.objects.filter(contest=contest).annotate(
        entry_count=Count("entries", distinct=True), group_count=Count("groups", distinct=True)).order_by("number"))


def round_entries_count(contest_round: Round) -> dict[str, int]:
    counts = Entry.objects.filter(round=contest_round).aggregate(
        all=Count("pk"), open=Count("pk", filter=Q(status=Entry.Status.OPEN)),
        void=Count("pk", filter=Q(voided_at__isnull=False)))
    return counts


def round_standings(contest_round: Round):
    """The stored ranking, group by group, with the counted entry and who it is (a page of it: one query, and one to
    count)."""
    return (Standing.objects.filter(round=contest_round).select_related("participant", "group", "entry")
            .order_by("group__order", "group_id", "rank", "participant_id"))


def landing(contest: Contest) -> dict:
    """What the public page shows (cached by the view for a few seconds): the rounds with their count of entries,
    the number of participants, the units or communes with the most participants, and the winners of published
    rounds, names and units only (four queries)."""
    rounds = list(Round.objects.filter(contest=contest).annotate(
        entry_count=Count("entries", filter=~Q(entries__status=Entry.Status.OPEN))).order_by("number"))
    places = list(contest.participants.values("unit_name").annotate(n=Count("pk")).order_by("-n", "unit_name")[:10])
    winners = list(Standing.objects.filter(round__contest=contest, round__status=Round.Status.PUBLISHED)
                   .exclude(prize="").select_related("round", "group", "participant")
                   .order_by("-round__number", "group__order", "rank", "participant__full_name"))
    return {"rounds": rounds, "participants": contest.participants.count(), "places": places,
            "winners": [{"round": w.round.number, "group": w.group.name, "name": w.participant.full_name,
                         "unit": w.participant.unit_name, "prize": w.get_prize_display()} for w in winners]}
