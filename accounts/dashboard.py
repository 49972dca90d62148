"""What each role can do next, shown after login. Apps add their own entries through :func:`register`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import roles_of
from accounts.roles import Role


@dataclass
class Card:
    role: str
    title: str
    items: list[tuple[str, str | None]] = field(default_factory=list)  # (label, url or None)
    note: str = ""


_BUILDERS: dict[str, list[Callable]] = {}


def register(role: str, builder: Callable) -> None:
    """``builder(user) -> list[(label, url)]`` adds items to ``role``'s card."""
    _BUILDERS.setdefault(str(role), []).append(builder)


_PERSONAL: list[Callable] = []


def register_personal(builder: Callable) -> None:
    """``builder(user) -> list[(label, url)]`` adds items to everyone's own card (a learner's classes…)."""
    _PERSONAL.append(builder)


# Shown on a role's card when it lists nothing: what is not there yet, said plainly (never a link to nowhere).
ROLE_NOTES = {
    Role.CANDIDATE: _("You are not registered for an exam yet."),
    Role.COUNCIL_MEMBER: _("You hold no seat on the council of an exam in progress."),
    Role.QUESTION_AUTHOR: _("You do not write for a question bank yet: its owner adds you."),
    Role.INVIGILATOR: _("No sitting is assigned to you."),
    Role.MARKER: _("No script waits for your marking."),
    Role.LECTURER: _("You head or teach no class yet: the course manager assigns you."),
    Role.CONTEST_ORGANISER: _("No contest is set up yet."),
    Role.PARTICIPANT: _("You have not joined a contest yet."),
}


def _hr_items(user):
    return [
        (_("People register"), reverse("people_list")),
        (_("Import people from Excel"), reverse("people_import")),
        (_("Organisation units"), reverse("unit_list")),
        (_("Organisation profile (letterhead)"), reverse("profile_edit")),
        (_("Audit log"), reverse("audit_list")),
    ]


def _audit_items(user):
    return [(_("Audit log"), reverse("audit_list"))]


def _everyone_items(user):
    return [(_("My profile"), reverse("my_profile")), (_("Two-factor authentication"), reverse("mfa_index"))]


register(Role.HR_STAFF, _hr_items)
register(Role.COUNCIL_MEMBER, _audit_items)


def cards_for(user) -> list[Card]:
    """One card per role the user holds (in the roles' order), then the personal card."""
    held = roles_of(user)
    cards = []
    for role in Role:
        if role.value not in held:
            continue
        items = [item for builder in _BUILDERS.get(role.value, []) for item in builder(user)]
        cards.append(Card(role=role.value, title=str(role.label), items=items, note=str(ROLE_NOTES.get(role, ""))))
    personal = [item for builder in _PERSONAL for item in builder(user)]
    cards.append(Card(role="me", title=str(_("My account")), items=personal + _everyone_items(user)))
    return cards
