from __future__ import annotations

from django.shortcuts import get_object_or_404

from exams.banks.models import Bank
from exams.common.views import require


def get_bank(request, pk: int, *, perm: str = "exams.view_bank") -> Bank:
    """A bank the user may use: 403 for roles that never reach banks, 403 for someone else's bank."""
    require(request, "exams.use_banks")
    bank = get_object_or_404(Bank, pk=pk)
    require(request, perm, bank)
    return bank
