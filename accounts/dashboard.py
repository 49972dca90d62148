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


ROLE_NOTES = {
    Role.CANDIDATE: _("Your exam registrations, rooms and results will appear here."),
    Role.COUNCIL_MEMBER: _("Exams of your council will appear here."),
    Role.QUESTION_AUTHOR: _("Question banks you write for will appear here."),
    Role.INVIGILATOR: _("Sittings you invigilate will appear here."),
    Role.MARKER: _("Papers waiting for your marking will appear here."),
    Role.COURSE_MANAGER: _("Your programmes and cohorts will appear here."),
    Role.CONTEST_ORGANISER: _("Your contests and rounds will appear here."),
    Role.PARTICIPANT: _("Contest rounds open to you will appear here."),
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
    cards.append(Card(role="me", title=str(_("My account")), items=_everyone_items(user)))
    return cards
