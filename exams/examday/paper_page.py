"""What the paper page of an attempt needs (exam sitting or hosted): its body, and the configuration exam.js reads.

One builder for every host, so a course test or a contest entry runs the same client with the same save rules as
exam day (docs/exam-day.md): the page learns each touched item's stored counter and numbers its saves from the
device epoch, whatever page shows it.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from exams.examday.models import Attempt, AttemptItem
from exams.sessions import examday_cache

# A save's counter is the device epoch in its high bits and the page's own count below (docs/exam-day.md).
SEQ_EPOCH_BITS = 32


def paper_page_context(attempt: Attempt, *, one_per_screen: bool, enter_url: str, result_url: str) -> dict:
    """The template context of ``exams/_paper.html`` (without the heading and the re-entry link's label)."""
    before_start = timezone.now() < attempt.clock_start
    answers, seqs, flagged, body = {}, {}, [], ""
    if not before_start:
        body = examday_cache.paper_body(paper_id=attempt.paper_id, one_per_screen=one_per_screen)
        # Only what this candidate has touched: answered (or cleared) or flagged items, with the counter each answer
        # was stored under, so that the page numbers its next saves above it and knows which of its unsent ones
        # the server already holds or has overtaken.
        for position, answer, seq, is_flagged in AttemptItem.objects.filter(
                Q(client_seq__gt=0) | Q(flagged=True), attempt=attempt).values_list("position", "answer",
                                                                                  "client_seq", "flagged"):
            if answer is not None:
                answers[str(position)] = answer
            if seq:
                seqs[str(position)] = seq
            if is_flagged:
                flagged.append(position)
    room_session = attempt.room_session if attempt.room_session_id else None
    config = {
        "attempt": attempt.pk, "ws": f"/ws/attempt/{attempt.pk}/", "save": f"/attempts/{attempt.pk}/save/",
        "flag": f"/attempts/{attempt.pk}/flag/", "state": f"/attempts/{attempt.pk}/state/",
        "enter": enter_url, "deadline": attempt.deadline.isoformat(),
        "clock_start": attempt.clock_start.isoformat(), "server_time": timezone.now().isoformat(),
        "paused": room_session is not None and room_session.paused_since is not None,
        "one_per_screen": one_per_screen, "result": result_url, "answers": answers, "flagged": sorted(flagged),
        "epoch": attempt.device_epoch, "seq_base": attempt.device_epoch << SEQ_EPOCH_BITS, "seqs": seqs,
    }
    return {"attempt": attempt, "paper_body": body, "config": config, "before_start": before_start,
            "reenter_url": enter_url}
