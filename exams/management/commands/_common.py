"""Argument helpers shared by the exam commands (docs/operations.md, "Arguments": unknown ids and users exit 1)."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import system_user


def user_or_exit(username: str | None) -> User:
    if not username:
        return system_user()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No account has the login name {username}.").format(username=username), returncode=1)
    return user


def object_or_exit(model, pk: int, message: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise CommandError(message, returncode=1)
    return obj
