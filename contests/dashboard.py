"""The contest's card on the organisers' dashboard, and the names of the contest's audited actions."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "contest.create": _("Contest created"), "contest.edit": _("Contest edited"),
    "contest_group.create": _("Group of participants added"), "contest_group.edit": _("Group of participants edited"),
    "contest_group.remove": _("Group of participants removed"),
    "contest_round.create": _("Contest round added"), "contest_round.edit": _("Contest round edited"),
    "contest_round.remove": _("Contest round removed"),
    "contest_round_group.save": _("Round's questions for a group set"),
    "contest_round_group.remove": _("Round's questions for a group removed"),
    "contest_round.close": _("Contest round closed and ranked"), "contest_entry.void": _("Contest entry voided"),
    "contest_prize.decide": _("Prize of a tie decided"), "contest_round.approve": _("Contest round approved"),
    "contest_round.publish": _("Contest round published"),
    "contest_round.export_ranking": _("Contest round's ranking downloaded"),
    "contest_round.export_winners": _("Contest round's winners list downloaded (phones and CCCD)"),
    "contest_round.export_decision": _("Contest round's prize decision downloaded"),
    "contest.signup": _("Signed up for a contest"),
    "contest.number_release": _("Disputed CCCD or phone number released"),
}


def organiser_items(user):
    from contests.models import Contest

    return [(_("Contests (%(n)s)") % {"n": Contest.objects.count()}, reverse("contest_list"))]


def participant_items(user):
    """Everyone's own card: the contests they joined (each one's page), or else the latest contest with a round, to
    join (one query)."""
    from django.db.models import Exists, OuterRef

    from accounts.permissions import roles_of
    from contests.entries import BARRED_ROLES
    from contests.models import Contest, Participant

    if BARRED_ROLES & set(roles_of(user)):
        return []
    contests = list(Contest.objects.filter(rounds__isnull=False).annotate(
        joined=Exists(Participant.objects.filter(contest=OuterRef("pk"), person=user))).distinct()
        .order_by("-joined", "-created_at")[:3])
    if contests and not contests[0].joined:
        return [(_("Take part in %(name)s") % {"name": contests[0].name}, reverse("contest_public",
                                                                                  args=[contests[0].pk]))]
    return [(c.name, reverse("contest_public", args=[c.pk])) for c in contests if c.joined]
