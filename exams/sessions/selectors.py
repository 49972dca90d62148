"""Reads of exam sessions shared by the slices above."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.vietnamese import search_key


def registrations_matching(registrations: QuerySet, query: str) -> QuerySet:
    """``registrations`` whose candidate's name (accents ignored: "duc" finds Đức) or number holds every word of
    ``query``; all of them for an empty query. The lists that grow (candidates, scripts) search this way."""
    for word in search_key(query or "").split():
        registrations = registrations.filter(Q(person__search_name__contains=word) | Q(candidate_number__icontains=word))
    return registrations
