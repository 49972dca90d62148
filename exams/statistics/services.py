"""Sending the items that item analysis flags to the question board (one review per question and subject)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record
from exams.banks.models import ItemReview
from exams.sessions.models import Exam
from exams.statistics.selectors import item_analysis


def item_reviews_flag(*, exam: Exam, actor, ip: str | None = None) -> int:
    """Send the flagged items to the question board: one ``ItemReview`` per question and subject, created or
    brought up to date with the latest figures. A review already resolved stays resolved (the board has decided;
    the same exam's figures do not reopen it). Returns the number of reviews created or updated."""
    subjects = item_analysis(exam)
    now = timezone.now()
    created, updated = [], []
    for entry in subjects:
        for row in entry.flagged:
            figures = {"facility": row.figures.facility, "discrimination": row.figures.discrimination,
                       "answered": row.figures.answered}
            if row.review is None:
                created.append(ItemReview(question=row.question, exam=exam, subject=entry.subject, flagged_at=now,
                                          **figures))
            elif row.review.resolved_at is None:
                for name, value in figures.items():
                    setattr(row.review, name, value)
                updated.append(row.review)
    with transaction.atomic():
        ItemReview.objects.bulk_create(created)
        ItemReview.objects.bulk_update(updated, ["facility", "discrimination", "answered"])
        audit_record(actor=actor, action="statistics.flag_items", obj=exam, ip=ip,
                     details={"created": [r.question_id for r in created],
                              "updated": [r.question_id for r in updated]})
    return len(created) + len(updated)
