"""Joining a contest (docs/contests.md, "Joining"): a signed-in person picks their group, their unit (civil servants,
from the unit tree) or their commune or ward, consents to the processing of their personal data, and under the
contest's minimum age names the guardian who consented (Nghị định 13/2023/NĐ-CP). Organisers and question writers
do not join."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from accounts.permissions import roles_of
from accounts.roles import Role
from contests.entries import BARRED_ROLES
from contests.models import Contest, ContestGroup, Participant


@dataclass(frozen=True)
class Joining:
    group: ContestGroup
    unit: OrgUnit | None
    commune: str
    consent: bool
    guardian: str = ""


def age_on(born, day) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_joining(*, contest: Contest, born, joining: Joining) -> str:
    """The place the participant gives (their unit's name, or their commune or ward); a ValidationError in words when
    a condition of taking part fails. Shared by joining and by signing up (contests/forms.py)."""
    if joining.group.contest_id != contest.pk:
        raise ValidationError(_("Choose one of this contest's groups."), code="group")
    if not joining.consent:
        raise ValidationError(_("Taking part needs your consent to the processing of your personal data."),
                              code="consent")
    if born is None:
        raise ValidationError(_("Your account has no date of birth: ask the organisers to add it."), code="born")
    if joining.group.civil_servants:
        if joining.unit is None:
            raise ValidationError(_("Choose your unit."), code="unit")
        place = str(joining.unit)
    else:
        place = " ".join((joining.commune or "").split())
        if not place:
            raise ValidationError(_("Write your commune or ward."), code="commune")
    if age_on(born, timezone.localdate()) < contest.min_age and not (joining.guardian or "").strip():
        raise ValidationError(_("Under %(age)s, a parent or guardian consents: give their full name.") % {
            "age": contest.min_age}, code="guardian")
    return place


def participant_join(*, contest: Contest, person: User, joining: Joining) -> Participant:
    """The person's participation, with what they gave; refused in words, changing nothing, when a condition fails."""
    if Participant.objects.filter(contest=contest, person=person).exists():
        raise ValidationError(_("You have already joined this contest."), code="joined")
    if BARRED_ROLES & set(roles_of(person)):
        raise ValidationError(_("Organisers and question writers of the contest do not take part in it."),
                              code="barred")
    place = check_joining(contest=contest, born=person.date_of_birth, joining=joining)
    guardian = (joining.guardian or "").strip()
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                contest=contest, person=person, group=joining.group, full_name=person.full_name,
                unit=joining.unit if joining.group.civil_servants else None, unit_name=place[:255],
                consent_at=timezone.now(), guardian=guardian[:255])
            # The participants' role: the organisers' notices reach them (accounts/notices.py).
            person.groups.add(*Group.objects.filter(name=Role.PARTICIPANT.value))
            person.__dict__.pop("_role_names_cache", None)
            return participant
    except IntegrityError:  # a second tab joined first
        raise ValidationError(_("You have already joined this contest."), code="joined") from None
