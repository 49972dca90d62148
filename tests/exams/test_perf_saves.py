"""The batched save path (group commit): a fixed number of statements per batch, the same rules as one save.

Query counts, never timings: the benchmark (bench/, issue 5) measures time.
"""

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from exams.examday.batching import _apply
from exams.examday.services import attempts as svc
from exams.examday.services import entering, saves
from exams.models import AnswerEvent, Attempt, AttemptItem

DEVICE = "device-a"


@pytest.fixture
def started(exam_day):
    """Both candidates of the exam day started, on their own devices; the clock 15 minutes into the sitting."""
    room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    attempts = [entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code,
                                    device=f"device-{n}").attempt
                for n, registration in enumerate(exam_day["registrations"])]
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        yield {**exam_day, "room_session": room, "attempts": attempts}


def _choice_items(attempt):
    return [(item.position, item.paper_item.choice_order) for item in
            AttemptItem.objects.filter(attempt=attempt).select_related("paper_item__question").order_by("position")
            if item.paper_item.question.kind == "single"]


def _save(attempt, position, seq, value, *, device=None, user=None):
    return {"attempt_id": attempt.pk, "user_id": user or attempt.registration.person_id, "position": position,
            "seq": seq, "value": value, "device": device or attempt.device}


def _batch(attempts, saves_per_attempt):
    batch = []
    for attempt in attempts:
        for n, (position, order) in enumerate(_choice_items(attempt)[:saves_per_attempt]):
            batch.append(_save(attempt, position, n + 1, [order[0]]))
    return batch


LOCKS = int(connection.features.has_select_for_update)


def _queries(batch) -> int:
    with CaptureQueriesContext(connection) as captured:
        results = _apply(batch)
    assert all(isinstance(r, saves.SaveResult) for r in results), results
    return len(captured)


@pytest.mark.django_db
def test_a_batch_costs_the_same_few_statements_whatever_its_size(started):
    attempts = started["attempts"]
    small = _queries(_batch(attempts[:1], 1))
    Attempt.objects.update(last_seen=None)
    large = _queries([{**s, "seq": s["seq"] + 10} for s in _batch(attempts, 4)])
    # read, INSERT of the answer events, one UPDATE statement for the items, last_seen (+ the savepoint pair);
    # PostgreSQL first locks the batch's attempt rows
    assert small == large <= 6 + LOCKS
    assert AnswerEvent.objects.count() == 8  # the large batch's first save repeats the stored value: no row
    assert AttemptItem.objects.filter(answer__isnull=False).count() == 8


@pytest.mark.django_db
def test_one_save_over_http_keeps_its_few_statements(started, django_assert_max_num_queries):
    attempt = started["attempts"][0]
    position, order = _choice_items(attempt)[0]
    with django_assert_max_num_queries(6 + LOCKS):
        saves.answer_save(attempt_id=attempt.pk, user_id=attempt.registration.person_id, position=position, seq=1,
                        value=[order[0]], device=attempt.device, transport="http")


@pytest.mark.django_db
def test_saves_of_one_item_in_one_batch_apply_in_arrival_order(started):
    attempt = started["attempts"][0]
    position, order = _choice_items(attempt)[0]
    a, b, c = order[:3]
    results = _apply([_save(attempt, position, 2, [a]), _save(attempt, position, 1, [b]),  # stored; older, late
                      _save(attempt, position, 2, [a]), _save(attempt, position, 3, [c]),  # replay; newer
                      _save(attempt, position, 3, [c]), _save(attempt, position, 2, [a])])  # replay; older again
    # Each save is judged against what the item holds after the saves before it in the batch: a replay of the
    # value stored is a duplicate (acknowledged), an older counter with another value is a conflict (not).
    assert [(r.duplicate, r.conflict) for r in results] == [
        (False, False), (False, True), (True, False), (False, False), (True, False), (False, True)]
    assert [r.stored_seq for r in results] == [2, 2, 2, 3, 3, 3]
    item = AttemptItem.objects.get(attempt=attempt, position=position)
    assert (item.answer, item.client_seq) == ([c], 3)
    events = list(AnswerEvent.objects.order_by("pk").values_list("client_seq", "applied"))
    assert events == [(2, True), (1, False), (2, False), (3, True), (3, False), (2, False)]  # every arrival kept


@pytest.mark.django_db
def test_each_save_of_a_batch_gets_its_own_refusal_and_the_others_are_stored(started):
    mine, other = started["attempts"]
    position, order = _choice_items(mine)[0]
    other_position, other_order = _choice_items(other)[0]
    results = _apply([
        _save(mine, position, 1, [order[0]]),
        _save(mine, 99, 1, [order[0]]),                                   # not in the paper
        _save(other, other_position, 1, [other_order[0]], user=mine.registration.person_id),  # not mine
        _save(mine, position, 2, [order[0]], device="device-x"),          # a second device
        _save(mine, position, "3", [order[0]]),                           # malformed seq
        _save(mine, position, 4, order[:2]),                              # two choices on a single choice
        _save(other, other_position, 1, [other_order[1]]),
    ])
    codes = [r.code if isinstance(r, svc.ExamDayError) else "ok" for r in results]
    assert codes == ["ok", "bad_item", "not_yours", "other_device", "bad_message", "bad_answer", "ok"]
    assert AttemptItem.objects.get(attempt=mine, position=position).answer == [order[0]]
    assert AttemptItem.objects.get(attempt=other, position=other_position).answer == [other_order[1]]
    assert AnswerEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_position_past_any_paper_is_refused_without_spoiling_the_batch(started):
    mine, other = started["attempts"]
    position, order = _choice_items(mine)[0]
    results = _apply([_save(mine, 2**70, 1, [order[0]]), _save(mine, -1, 2, [order[0]]),
                      _save(mine, position, 3, [order[0]])])
    assert [r.code if isinstance(r, svc.ExamDayError) else "ok" for r in results] == ["bad_item", "bad_item", "ok"]
    assert AnswerEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_in_a_paused_room_or_past_the_deadline_stores_nothing(started, settings):
    mine, other = started["attempts"]
    svc.room_pause(room_session=started["room_session"], actor=started["invigilator"], reason="Mất điện")
    batch = _batch([mine, other], 2)
    assert {r.code for r in _apply(batch)} == {"paused"}
    svc.room_resume(room_session=started["room_session"], actor=started["invigilator"])
    mine.refresh_from_db()
    late = mine.deadline + dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS + 1)
    with time_machine.travel(late, tick=False):
        assert {r.code for r in _apply(batch)} == {"too_late"}
    assert not AnswerEvent.objects.exists()
    assert not AttemptItem.objects.filter(answer__isnull=False).exists()


@pytest.mark.django_db
def test_a_finished_attempt_refuses_the_saves_of_a_batch(started):
    mine, other = started["attempts"]
    svc.attempt_finish(attempt=mine, how=Attempt.Status.SUBMITTED)
    results = _apply(_batch([mine, other], 1))
    assert [r.code if isinstance(r, svc.ExamDayError) else "ok" for r in results] == ["finished", "ok"]


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_a_batch_falls_back_to_one_save_at_a_time(started, monkeypatch):
    """A statement that fails for the batch is not the end: each save is applied on its own, and only the one
    the database refuses asks its page to send it again."""
    mine, other = started["attempts"]
    poison = [other.pk]
    real = saves._store_items

    def failing(updates, now):
        if any(AttemptItem.objects.filter(pk=item_id, attempt_id__in=poison).exists() for item_id in updates):
            raise DatabaseError("simulated")
        real(updates, now)

    monkeypatch.setattr(saves, "_store_items", failing)
    results = _apply(_batch([mine, other], 2))
    codes = [r.code if isinstance(r, svc.ExamDayError) else "ok" for r in results]
    assert codes == ["ok", "ok", "retry", "retry"]
    assert AttemptItem.objects.filter(attempt=mine, answer__isnull=False).count() == 2
    assert not AttemptItem.objects.filter(attempt=other, answer__isnull=False).exists()
    assert not AnswerEvent.objects.filter(attempt=other).exists()


@pytest.mark.django_db
def test_answer_events_are_stored_exactly_as_the_orm_would_store_them(started):
    """saves._store_events writes the batch's events with one raw INSERT: every value must come back as the model
    reads it, as with bulk_create (a list, a text, a cleared answer as SQL NULL, the time, a replay flag)."""
    attempt = started["attempts"][0]
    now = dt.datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=dt.UTC)
    rows = [(attempt.pk, 0, 1, "08:30:14", now, "dev", "ws", [3, 7], True),
            (attempt.pk, 4, 2, "", now, "dev", "http", "Chuỗi có dấu ' và \"", False),
            (attempt.pk, 0, 3, "x" * 40, now, "dev", "ws", None, True)]
    saves._store_events(rows)
    AnswerEvent.objects.bulk_create([AnswerEvent(attempt_id=r[0], position=r[1], client_seq=r[2] + 100,
                                                 client_time=r[3], server_time=r[4], device=r[5], transport=r[6],
                                                 answer=r[7], applied=r[8]) for r in rows])
    fields = ("position", "client_time", "server_time", "device", "transport", "answer", "applied")
    raw = list(AnswerEvent.objects.filter(client_seq__lt=100).order_by("client_seq").values_list(*fields))
    orm = list(AnswerEvent.objects.filter(client_seq__gt=100).order_by("client_seq").values_list(*fields))
    assert raw == orm
    assert raw[0][2] == now and raw[0][5] == [3, 7] and raw[2][5] is None
    assert AnswerEvent.objects.filter(client_seq=3, answer__isnull=True).exists()  # SQL NULL, not JSON null


@pytest.mark.django_db
class TestFlood:
    """One socket once wrote 512 saves a second, an answer-event row each (issue 15)."""

    def test_saves_past_the_burst_are_refused_unacknowledged_until_the_allowance_refills(self, started, settings):
        settings.EXAM_SAVE_RATE, settings.EXAM_SAVE_BURST = 5, 200
        attempt = started["attempts"][0]
        position, order = _choice_items(attempt)[0]
        burst = _apply([_save(attempt, position, n, [order[n % 2]]) for n in range(1, 201)])
        assert all(isinstance(r, saves.SaveResult) for r in burst)  # a reconnecting page's whole queue goes through
        refused = _apply([_save(attempt, position, 201, [order[2]])])[0]
        assert isinstance(refused, svc.ExamDayError) and refused.code == "slow_down"
        assert refused.message == "Câu trả lời đang được gửi quá nhanh; chúng sẽ được gửi lại."
        assert AnswerEvent.objects.filter(attempt=attempt, client_seq=201).count() == 0  # nothing written
        with time_machine.travel(dt.timedelta(seconds=1)):  # five a second again
            again = _apply([_save(attempt, position, 201 + n, [order[2]]) for n in range(1, 7)])
        assert [type(r).__name__ for r in again] == ["SaveResult"] * 5 + ["ExamDayError"]

    def test_nobody_spends_another_candidates_allowance(self, started, settings):
        settings.EXAM_SAVE_BURST = 3
        mine, other = started["attempts"]
        position, order = _choice_items(mine)[0]
        foreign = _apply([_save(mine, position, n, [order[0]], user=other.registration.person_id)
                          for n in range(1, 10)])
        assert {r.code for r in foreign} == {"not_yours"}
        assert isinstance(_apply([_save(mine, position, 1, [order[0]])])[0], saves.SaveResult)

    def test_the_same_value_again_is_acknowledged_without_a_row(self, started):
        attempt = started["attempts"][0]
        position, order = _choice_items(attempt)[0]
        results = _apply([_save(attempt, position, 1, [order[0]]), _save(attempt, position, 2, [order[0]]),
                          _save(attempt, position, 3, [order[0]]), _save(attempt, position, 4, [order[1]])])
        assert [(r.duplicate, r.conflict) for r in results] == [(False, False), (True, False), (True, False),
                                                                (False, False)]
        assert list(AnswerEvent.objects.order_by("pk").values_list("client_seq", flat=True)) == [1, 4]
        assert AttemptItem.objects.values_list("answer", "client_seq").get(attempt=attempt, position=position) == (
            [order[1]], 4)

    def test_an_older_save_arriving_after_an_acknowledged_same_value_one_does_not_overwrite_it(self, started):
        """Saves 2 and 3 travel over HTTP at once; 3 (the value 1 stored already) is answered first. The item
        must then move to counter 3, or 2 arriving late would replace the value 3's acknowledgement promised."""
        attempt = started["attempts"][0]
        position, order = _choice_items(attempt)[0]
        first = _apply([_save(attempt, position, 1, [order[0]])])[0]
        before = AttemptItem.objects.values_list("answered_at", flat=True).get(attempt=attempt, position=position)
        with time_machine.travel(dt.timedelta(seconds=5)):
            coalesced = _apply([_save(attempt, position, 3, [order[0]])])[0]
        late = _apply([_save(attempt, position, 2, [order[1]])])[0]
        assert (first.duplicate, coalesced.duplicate, coalesced.stored_seq) == (False, True, 3)
        assert late.conflict and late.stored_seq == 3  # never acknowledged, never stored
        item = AttemptItem.objects.get(attempt=attempt, position=position)
        assert (item.answer, item.client_seq) == ([order[0]], 3)
        assert item.answered_at == before  # the answer was given when it was first stored

    def test_a_client_time_that_is_not_text_is_not_stored_as_python_text(self, started):
        attempt = started["attempts"][0]
        position, order = _choice_items(attempt)[0]
        _apply([{**_save(attempt, position, 1, [order[0]]), "client_time": {"x": [1, 2]}}])
        assert AnswerEvent.objects.get().client_time == ""
