"""Reads about appeals: when an exam's appeal window closes, and what "my result" shows a candidate about them."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from exams.marking import rules as marking_rules
from exams.marking.models import Appeal, Script
from exams.results.models import ResultVersion
from exams.results.selectors import published_version
from exams.sessions.models import Exam, Registration, Subject


@dataclass
class AppealRow:
    subject: Subject
    appeal: Appeal | None
    may_file: bool


def appeal_rows(registration: Registration) -> dict:
    """What "my result" shows about appeals: per subject open to appeals where the candidate has a marked
    script, the appeal filed (status, score before → after) or, inside the window, the form."""
    exam = registration.exam
    subjects = list(Subject.objects.filter(exam=exam, appeals_allowed=True,
                                           scripts__registration=registration, scripts__status=Script.Status.MARKED))
    if not subjects:
        return {"appeal_rows": []}
    deadline = appeal_deadline(exam)
    window_open = deadline is not None and timezone.now() <= deadline
    filed = {a.subject_id: a for a in Appeal.objects.filter(registration=registration)}
    rows = [AppealRow(s, filed.get(s.pk), window_open and s.pk not in filed) for s in subjects]
    return {"appeal_rows": rows, "appeal_deadline": deadline, "appeal_open": window_open, "appeal_fee": exam.appeal_fee}


def appeal_deadline(exam: Exam):
    version = published_version(exam)
    if version is None or version.published_at is None:
        return None
    first = exam.result_versions.filter(status__in=[ResultVersion.Status.PUBLISHED, ResultVersion.Status.SUPERSEDED],
                                        published_at__isnull=False).order_by("number").first()
    return marking_rules.appeal_closes_at(first.published_at, days=exam.appeal_days,
                                          tz=ZoneInfo(settings.TIME_ZONE))
