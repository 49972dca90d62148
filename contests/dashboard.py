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
}


def organiser_items(user):
    from contests.models import Contest

    return [(_("Contests (%(n)s)") % {"n": Contest.objects.count()}, reverse("contest_list"))]


def participant_items(user):
    """Everyone's own card: the contests they joined (each one's page), and one they may join."""
    from accounts.permissions import roles_of
    from contests.entries import BARRED_ROLES
    from contests.models import Contest, Participant

    if BARRED_ROLES & set(roles_of(user)):
        return []
    joined = list(Participant.objects.filter(person=user).select_related("contest").order_by("-joined_at")[:3])
    items = [(p.contest.name, reverse("contest_public", args=[p.contest_id])) for p in joined]
    if not joined:
        latest = Contest.objects.order_by("-created_at").first()
        if latest is not None and latest.rounds.exists():
            items.append((_("Take part in %(name)s") % {"name": latest.name},
                          reverse("contest_public", args=[latest.pk])))
    return items
