"""The exam a page is about, if the user may see it: every exam page of every slice starts here."""
from __future__ import annotations

from django.shortcuts import get_object_or_404

from exams.common.views import require
from exams.sessions.models import Exam


def get_exam(request, pk: int, perm: str = "exams.view_exam") -> Exam:
    """An exam the user holds ``perm`` on (404 for an unknown id, 403 otherwise)."""
    exam = get_object_or_404(Exam, pk=pk)
    require(request, perm, exam)
    return exam
