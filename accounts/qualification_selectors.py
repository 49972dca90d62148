"""Reads of the qualifications register: what a person holds, the kinds and each rank's requirement for the
configuration page, and whether people meet the requirement of a rank (read by exams for the promotion exam's
candidates: one call for a whole list, a fixed number of queries whatever its length)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Qualification, QualificationKind, Rank, RankRequirement

# Ids per IN list (far below what SQLite and PostgreSQL accept): a list longer than this costs one query more.
IDS_PER_QUERY = 5000


@dataclass(frozen=True)
class Holding:
    """Whether one person meets a rank's requirement. ``required`` is the required kind's name (None when the rank
    requires nothing, and then ``met`` is true); ``by`` says which qualification meets it ("" when none does)."""

    met: bool
    required: str | None
    by: str = ""


NOTHING_REQUIRED = Holding(met=True, required=None)


def person_qualifications(person) -> QuerySet[Qualification]:
    """What ``person`` holds, the latest first, each with its kind."""
    return (Qualification.objects.filter(person=person).select_related("kind", "recorded_by")
            .order_by("-issued_on", "-pk"))


def qualification_kinds() -> QuerySet[QualificationKind]:
    """Every kind, with how many entries of it there are (``holders``) and whether a rank requires or accepts it."""
    return QualificationKind.objects.annotate(
        holders=Count("held", distinct=True),
        ranks=Count("required_for", distinct=True) + Count("accepted_for", distinct=True),
    ).order_by("name")


def rank_requirements() -> list[tuple[Rank, RankRequirement | None]]:
    """Every rank with its requirement (None when it requires nothing): three queries."""
    requirements = {r.rank_id: r for r in RankRequirement.objects.select_related("kind").prefetch_related(
        Prefetch("equivalents", queryset=QualificationKind.objects.order_by("name")))}
    return [(rank, requirements.get(rank.pk)) for rank in Rank.objects.order_by("code")]


def requirement_status(*, rank: Rank | None, person_ids: Iterable[int | None]) -> dict[int, Holding]:
    """For each person id, whether they hold a valid qualification of the kind ``rank`` requires or of one accepted
    as equivalent. One query when the rank requires nothing, two otherwise (per IDS_PER_QUERY people)."""
    ids = sorted({pk for pk in person_ids if pk is not None})
    if rank is None:
        return dict.fromkeys(ids, NOTHING_REQUIRED)
    requirement = RankRequirement.objects.select_related("kind").filter(rank_id=rank.pk).first()
    if requirement is None:
        return dict.fromkeys(ids, NOTHING_REQUIRED)
    required = requirement.kind
    accepted = Q(kind_id=required.pk) | Q(kind_id__in=RankRequirement.equivalents.through.objects.filter(
        rankrequirement_id=requirement.pk).values("qualificationkind_id"))
    best: dict[int, Qualification] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        held = (Qualification.objects.filter(accepted, valid=True, person_id__in=ids[start:start + IDS_PER_QUERY])
                .select_related("kind").order_by("person_id", "issued_on", "pk"))
        for entry in held:
            current = best.get(entry.person_id)
            # The required kind itself before an equivalent; the latest of the same standing.
            if current is None or (entry.kind_id == required.pk) >= (current.kind_id == required.pk):
                best[entry.person_id] = entry
    return {pk: _holding(best.get(pk), required) for pk in ids}


def _holding(entry: Qualification | None, required: QualificationKind) -> Holding:
    if entry is None:
        return Holding(met=False, required=required.name)
    if entry.kind_id == required.pk:
        by = _("%(number)s (%(kind)s)") % {"number": entry.number, "kind": entry.kind.name}
    else:
        by = _("%(kind)s no. %(number)s, equivalent") % {"kind": entry.kind.name, "number": entry.number}
    return Holding(met=True, required=required.name, by=by)
