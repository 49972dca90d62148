"""When a half-day session of a schedule ends: a morning at 12:00, an afternoon at 17:00, local time. Feedback on a
module opens when its last session has ended; its lessons are due once its first has (docs/courses.md, "Feedback",
"Progress report")."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from courses.models import Session

ENDS = {Session.Half.MORNING: dt.time(12, 0), Session.Half.AFTERNOON: dt.time(17, 0)}


def session_end(day: dt.date, half: str) -> dt.datetime:
    """The aware moment the half-day ``half`` of ``day`` ends, in the server's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, ENDS[half]))


def day_start(day: dt.date) -> dt.datetime:
    """The aware first moment of ``day``, in the server's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
