"""The organisers' writes on a contest's set-up (docs/contests.md, "Setting a contest up"): the contest, its groups,
its rounds and each round's settings per group, created, corrected and removed, with guards where a change would
corrupt what participants have done. Every write is audited."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from contests.html import rules_clean
from contests.models import Contest, ContestGroup, Entry, Round, RoundGroup

# What a round's settings for a group may still change once its participants have entries: the prizes.
PRIZE_FIELDS = ("first_prizes", "second_prizes", "third_prizes", "consolation_prizes")


def contest_save(*, contest: Contest, actor: User, ip: str | None = None) -> Contest:
    """Create or correct a contest (its rules sanitised)."""
    creating = contest.pk is None
    contest.rules_html = rules_clean(contest.rules_html)
    with transaction.atomic():
        if creating:
            contest.created_by = actor
        contest.save()
        audit_record(actor=actor, action="contest.create" if creating else "contest.edit", obj=contest, ip=ip,
                     details={"name": contest.name})
    return contest


def group_save(*, group: ContestGroup, actor: User, ip: str | None = None) -> ContestGroup:
    creating = group.pk is None
    if ContestGroup.objects.filter(contest=group.contest, name__iexact=group.name.strip()).exclude(
            pk=group.pk).exists():
        raise ValidationError(_("The contest already has a group of that name."), code="name")
    with transaction.atomic():
        group.save()
        audit_record(actor=actor, action="contest_group.create" if creating else "contest_group.edit", obj=group,
                     ip=ip, details={"contest": group.contest_id, "name": group.name})
    return group


def group_remove(*, group: ContestGroup, actor: User, ip: str | None = None) -> None:
    """Remove a group nobody has joined and no round uses."""
    with transaction.atomic():
        if group.participants.exists():
            raise ValidationError(_("Participants have joined this group: it cannot be removed."), code="used")
        if RoundGroup.objects.filter(group=group).exists():
            raise ValidationError(_("A round has questions for this group: remove them from the round first."),
                                  code="used")
        audit_record(actor=actor, action="contest_group.remove", obj=group, ip=ip,
                     details={"contest": group.contest_id, "name": group.name})
        group.delete()


def round_save(*, contest_round: Round, actor: User, ip: str | None = None) -> Round:
    """Create a round (numbered after the last) or correct one. Once it has entries only its close may move, and
    only later; a closed round does not change."""
    creating = contest_round.pk is None
    with transaction.atomic():
        if creating:
            last = Round.objects.filter(contest=contest_round.contest).order_by("-number").first()
            contest_round.number = (last.number + 1) if last else 1
        else:
            stored = Round.objects.select_for_update().get(pk=contest_round.pk)
            if stored.status != Round.Status.SCHEDULED:
                raise ValidationError(_("A closed round does not change."), code="closed")
            if Entry.objects.filter(round=stored).exists():
                changed = [f for f in ("opens_at", "attempts", "counts", "prediction_rule", "prediction_all_groups")
                           if getattr(stored, f) != getattr(contest_round, f)]
                if changed or contest_round.closes_at < stored.closes_at:
                    raise ValidationError(_("Participants have entries in this round: only its close can move, and "
                                            "only later."), code="entries")
        if contest_round.closes_at <= contest_round.opens_at:
            raise ValidationError(_("The round must close after it opens."), code="window")
        contest_round.save()
        audit_record(actor=actor, action="contest_round.create" if creating else "contest_round.edit",
                     obj=contest_round, ip=ip, details={
                         "contest": contest_round.contest_id, "number": contest_round.number,
                         "opens_at": timezone.localtime(contest_round.opens_at).isoformat(),
                         "closes_at": timezone.localtime(contest_round.closes_at).isoformat()})
    return contest_round


def round_remove(*, contest_round: Round, actor: User, ip: str | None = None) -> None:
    with transaction.atomic():
        if Entry.objects.filter(round=contest_round).exists():
            raise ValidationError(_("Participants have entries in this round: it cannot be removed."), code="entries")
        audit_record(actor=actor, action="contest_round.remove", obj=contest_round, ip=ip,
                     details={"contest": contest_round.contest_id, "number": contest_round.number})
        contest_round.delete()


def round_group_save(*, setting: RoundGroup, actor: User, ip: str | None = None) -> RoundGroup:
    """A round's questions, time and prizes for a group. Once that group has entries in the round only the prizes
    may change, until the round is closed."""
    creating = setting.pk is None
    with transaction.atomic():
        contest_round = Round.objects.select_for_update().get(pk=setting.round_id)
        if contest_round.status != Round.Status.SCHEDULED:
            raise ValidationError(_("A closed round does not change."), code="closed")
        if creating and RoundGroup.objects.filter(round=contest_round, group=setting.group_id).exists():
            raise ValidationError(_("The round already has settings for this group: correct them instead."),
                                  code="exists")
        if not creating:
            stored = RoundGroup.objects.get(pk=setting.pk)
            started = Entry.objects.filter(round=contest_round, participant__group=stored.group_id).exists()
            moved = [f for f in ("group_id", "blueprint_id", "minutes") if getattr(stored, f) != getattr(setting, f)]
            if started and moved:
                raise ValidationError(_("Participants of this group have entries in the round: only the prizes can "
                                        "change."), code="entries")
        setting.save()
        audit_record(actor=actor, action="contest_round_group.save", obj=contest_round, ip=ip, details={
            "group": setting.group.name, "blueprint": setting.blueprint_id, "minutes": setting.minutes,
            "prizes": [getattr(setting, f) for f in PRIZE_FIELDS]})
    return setting


def round_group_remove(*, setting: RoundGroup, actor: User, ip: str | None = None) -> None:
    with transaction.atomic():
        if Entry.objects.filter(round=setting.round_id, participant__group=setting.group_id).exists():
            raise ValidationError(_("Participants of this group have entries in the round: its settings stay."),
                                  code="entries")
        audit_record(actor=actor, action="contest_round_group.remove", obj=setting.round, ip=ip,
                     details={"group": setting.group.name})
        setting.delete()
