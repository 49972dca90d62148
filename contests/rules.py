"""Who may do what with the contest (autodiscovered by django-rules; docs/contests.md): the contest organisers set it
up and run its rounds (a staff role: a second factor)."""
from accounts.permissions import has_role, register
from accounts.roles import Role

register("contests.manage_contest", has_role(Role.CONTEST_ORGANISER))
