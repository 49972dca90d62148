from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from exams.models import Bank, Exam


def require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def get_exam(request, pk: int, perm: str = "exams.view_exam") -> Exam:
    """An exam the user holds ``perm`` on (404 for an unknown id, 403 otherwise)."""
    exam = get_object_or_404(Exam, pk=pk)
    require(request, perm, exam)
    return exam


def refuse(request, exc: Exception) -> None:
    """A service's refusal (ValidationError or PermissionDenied) as the page's error message."""
    messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))


def get_bank(request, pk: int, *, perm: str = "exams.view_bank") -> Bank:
    """A bank the user may use: 403 for roles that never reach banks, 403 for someone else's bank."""
    require(request, "exams.use_banks")
    bank = get_object_or_404(Bank, pk=pk)
    require(request, perm, bank)
    return bank
