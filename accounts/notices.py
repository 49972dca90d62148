"""Who a notice may reach. A notice reaches the audience its sender is responsible for: HR (who runs the exams and
the people register) may address everyone signed in or the holders of one role; the contest organiser addresses
the contest's participants. A role with no audience of its own (the course manager, until classes have learners)
sends none. Each audience is a channel-layer group the notice socket joins by the user's roles."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import Notice
from accounts.roles import Role

EVERYONE = Notice.EVERYONE

AUDIENCE_LABELS = {EVERYONE: _("Everyone signed in"), **{role.value: role.label for role in Role}}

AUDIENCES_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.HR_STAFF: (EVERYONE, *(role.value for role in Role)),
    Role.CONTEST_ORGANISER: (Role.PARTICIPANT.value,),
}


def audiences_for(roles) -> list[str]:
    """The audiences a sender holding ``roles`` may address, widest first."""
    allowed: list[str] = []
    for role in roles:
        for audience in AUDIENCES_BY_ROLE.get(role, ()):
            if audience not in allowed:
                allowed.append(audience)
    order = list(AUDIENCE_LABELS)
    return sorted(allowed, key=order.index)


def audiences_of_reader(roles) -> list[str]:
    """The audiences whose notices a reader holding ``roles`` receives."""
    return [EVERYONE, *roles]


def group_name(audience: str) -> str:
    """The channel-layer group of an audience (ASCII, as the layer requires)."""
    return f"notices.{audience}"
