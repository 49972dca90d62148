"""How the audit log names an action in words ("Mở phòng thi", never ``room.open``).

accounts holds the register; each app adds the names of its own actions when it is ready (exams.apps), so the
bottom app learns no upper app's vocabulary. An action nobody named shows as it is written.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, str] = {}


def register(labels: dict) -> None:
    _LABELS.update(labels)


def action_label(action: str) -> str:
    return str(_LABELS.get(action, action))


ACTION_LABELS = {
    "account.activate": _("Account activated"),
    "account.enrolment_code_used": _("Enrolment code used"),
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.logout": _("Signed out"),
    "demo.seed": _("Demo data loaded"),
    "notice.send": _("Notice sent"),
    "people.import": _("People imported"),
    "person.update": _("Person's record edited"),
    "person.roles": _("Roles changed"),
    "unit.add": _("Unit added"),
    "profile.update": _("Own profile edited"),
}

register(ACTION_LABELS)
