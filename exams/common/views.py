from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


def require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def refuse(request, exc: Exception) -> None:
    """A service's refusal (ValidationError or PermissionDenied) as the page's error message."""
    messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
