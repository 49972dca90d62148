"""The roles of docs/operations.md, "Roles", as Django groups, and the model permissions each group holds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate / learner")
    HR_STAFF = "hr_staff", _("HR staff")
    COUNCIL_MEMBER = "council_member", _("Exam council member")
    QUESTION_AUTHOR = "question_author", _("Question author")
    INVIGILATOR = "invigilator", _("Invigilator")
    MARKER = "marker", _("Marker")
    COURSE_MANAGER = "course_manager", _("Course manager")
    LECTURER = "lecturer", _("Lecturer / class head")
    CONTEST_ORGANISER = "contest_organiser", _("Contest organiser")
    PARTICIPANT = "participant", _("Contest participant")


# Roles that reach staff pages: in production they must have an authenticator (TOTP) first.
STAFF_ROLES = frozenset(
    {
        Role.HR_STAFF,
        Role.COUNCIL_MEMBER,
        Role.QUESTION_AUTHOR,
        Role.INVIGILATOR,
        Role.MARKER,
        Role.COURSE_MANAGER,
        Role.LECTURER,
        Role.CONTEST_ORGANISER,
    }
)

# "app_label.codename" the group holds. Later issues add theirs here and in a data migration.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CANDIDATE: [],
    Role.HR_STAFF: [
        "accounts.view_people_register",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.import_people",
        "accounts.view_orgunit",
        "accounts.view_auditlog",
        "accounts.change_organisationprofile",
        "accounts.add_notice",
    ],
    Role.COUNCIL_MEMBER: ["accounts.view_auditlog"],
    Role.QUESTION_AUTHOR: [],
    Role.INVIGILATOR: [],
    Role.MARKER: [],
    Role.COURSE_MANAGER: [],  # no audience of its own until classes have learners (accounts.notices)
    Role.LECTURER: [],  # what a lecturer or class head does is per class (courses.rules)
    Role.CONTEST_ORGANISER: ["accounts.add_notice"],
    Role.PARTICIPANT: [],
}
