"""Reads of the training catalogue."""
from __future__ import annotations

from django.db.models import Count, Prefetch, Sum

from courses.models import Module, Part, Programme


def programme_list():
    """Every programme with its totals, newest version first within a code (two queries at any size)."""
    return (Programme.objects.select_related("target_rank")
            .annotate(periods=Sum("parts__modules__periods"), modules=Count("parts__modules"))
            .order_by("code", "-version"))


def programme_detail(pk: int) -> Programme:
    """A programme with its parts, their modules and its assessments, ready to show."""
    return (Programme.objects.select_related("target_rank", "institution")
            .prefetch_related(Prefetch("parts", queryset=Part.objects.prefetch_related(
                Prefetch("modules", queryset=Module.objects.annotate(lesson_count=Count("lessons")).order_by(
                    "order")))), "assessments__part", "classes")
            .get(pk=pk))


def total_periods(programme: Programme) -> int:
    return sum(module.periods for part in programme.parts.all() for module in part.modules.all())
