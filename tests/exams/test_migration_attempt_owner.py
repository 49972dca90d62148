"""Migration 0010 moves today's attempts to the engine's shape without loss: each exam attempt, open or finished,
gets its registration's person as owner and the purpose "exam", and keeps everything else (SQLite and PostgreSQL:
the scale-out pass runs this file too)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exams.examday.services import attempts as svc
from exams.examday.services import entering
from exams.models import Attempt

BEFORE = [("exams", "0009_question_dedup_key_with_kind")]
AFTER = [("exams", "0010_attempt_owner_and_purpose")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_open_and_finished_attempts_are_moved_without_loss(exam_day):
    room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        attempts = [entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code,
                                        device=f"device-{n}").attempt
                    for n, registration in enumerate(exam_day["registrations"])]
        svc.attempt_finish(attempt=attempts[1], how=Attempt.Status.SUBMITTED)
    columns = ["pk", "registration_id", "sitting_id", "room_session_id", "paper_id", "status", "clock_start",
               "deadline", "finished_at", "score", "correct_count", "device", "device_epoch"]
    before = list(Attempt.objects.order_by("pk").values_list(*columns))
    assert {row[5] for row in before} == {"open", "submitted"}
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:  # the old shape: no owner column
            cursor.execute("SELECT * FROM exams_attempt")
            assert "owner_id" not in [column[0] for column in cursor.description]
        _migrate(AFTER)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert list(Attempt.objects.order_by("pk").values_list(*columns)) == before
    assert list(Attempt.objects.order_by("pk").values_list("owner_id", "purpose")) == [
        (registration.person_id, "exam") for registration in exam_day["registrations"]]
