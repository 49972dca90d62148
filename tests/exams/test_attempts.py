import datetime as dt
import io
from contextlib import redirect_stdout

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from exams.examday.services import attempts as svc
from exams.examday.services import entering, saves
from exams.models import AnswerEvent, Attempt, AttemptItem, Penalty, RoomEvent
from tests.helpers import give_device_pass

DEVICE = "device-a"


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture
def room(exam_day):
    return svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])


@pytest.fixture
def attempt(exam_day, room):
    entry = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"], code=room.code,
                                device=DEVICE)
    return entry.attempt


def at(exam_day, offset: dt.timedelta):
    return time_machine.travel(exam_day["now"] + offset, tick=False)


def choice_ids(attempt, position):
    return AttemptItem.objects.get(attempt=attempt, position=position).paper_item.choice_order


def choice_position(attempt):
    return next(i.position for i in AttemptItem.objects.filter(attempt=attempt).select_related("paper_item__question")
                if i.paper_item.question.kind == "single")


def save(attempt, position, seq, value, *, user=None, device=DEVICE):
    return saves.answer_save(attempt_id=attempt.pk, user_id=user or attempt.registration.person_id, position=position,
                           seq=seq, value=value, device=device)


@pytest.mark.django_db
class TestEntering:
    def test_the_right_code_starts_a_fixed_time_attempt_at_the_sitting_start(self, exam_day, attempt):
        sitting = exam_day["sitting"]
        assert attempt.status == "open" and attempt.clock_start == sitting.starts_at
        assert attempt.deadline == sitting.starts_at + minutes(60)
        assert attempt.items.count() == 5 and attempt.paper.candidate_ref == "CV0001"

    def test_an_individual_time_subject_starts_when_the_candidate_starts(self, exam_day, room):
        subject = exam_day["sitting"].subject
        subject.timing = "individual"
        subject.save()
        with at(exam_day, minutes(12)):
            attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                                          code=room.code, device=DEVICE).attempt
            assert attempt.clock_start == exam_day["now"] + minutes(12)

    def test_a_wrong_code_or_a_late_arrival_is_refused_and_nothing_is_created(self, exam_day, room):
        registration, sitting = exam_day["registrations"][0], exam_day["sitting"]
        with pytest.raises(svc.ExamDayError) as caught:
            entering.room_enter(registration=registration, sitting=sitting, code="000000" if room.code != "000000"
                                else "111111", device=DEVICE)
        assert caught.value.code == "bad_code"
        with at(exam_day, minutes(10 + 10 + 1)), pytest.raises(svc.ExamDayError) as caught:  # late entry: 10 min
            entering.room_enter(registration=registration, sitting=sitting, code=room.code, device=DEVICE)
        assert caught.value.code == "window"
        assert not Attempt.objects.exists()

    def test_the_page_limits_wrong_codes_to_five_a_minute_per_account(self, client, exam_day, room):
        client.force_login(exam_day["candidates"][0])
        url = reverse("sitting_enter", args=[exam_day["sitting"].pk])
        wrong = "000000" if room.code != "000000" else "111111"
        with at(exam_day, minutes(1)):
            for _ in range(5):
                client.post(url, {"code": wrong, "device": DEVICE})
            response = client.post(url, {"code": room.code, "device": DEVICE})
        assert response.status_code == 200 and not Attempt.objects.exists()
        other = exam_day["candidates"][1]  # the same address, another account: not limited
        client.force_login(other)
        with at(exam_day, minutes(1)):
            response = client.post(url, {"code": room.code, "device": "device-b"})
        assert response.status_code == 302 and Attempt.objects.filter(registration__person=other).exists()

    def test_when_the_exam_says_so_the_invigilator_admits_first(self, exam_day, room):
        exam = exam_day["exam"]
        exam.admit_needs_invigilator = True
        exam.save()
        registration = exam_day["registrations"][0]
        entry = entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code, device=DEVICE)
        assert entry.attempt is None and not Attempt.objects.exists()
        entering.admit(admission=entry.admission, actor=exam_day["invigilator"])
        entry = entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code, device=DEVICE)
        assert entry.attempt is not None

    def test_a_second_device_is_refused_until_the_invigilator_releases_the_attempt(self, exam_day, room, attempt):
        registration, sitting = exam_day["registrations"][0], exam_day["sitting"]
        with pytest.raises(svc.ExamDayError) as caught:
            entering.room_enter(registration=registration, sitting=sitting, code=room.code, device="device-b")
        assert caught.value.code == "other_device"
        assert entering.room_enter(registration=registration, sitting=sitting, code="", device=DEVICE).attempt == attempt
        assert Attempt.objects.get().device_epoch == 1  # the machine holding the paper carries on in its epoch
        entering.release(attempt=attempt, actor=exam_day["invigilator"], reason="Máy hỏng")
        with pytest.raises(svc.ExamDayError) as caught:  # a released paper is taken only with the room code
            entering.room_enter(registration=registration, sitting=sitting, code="", device="device-b")
        assert caught.value.code == "bad_code" and Attempt.objects.get().device == ""
        with at(exam_day, minutes(90)):  # long after the late-entry window: the code still moves a paper
            moved = entering.room_enter(registration=registration, sitting=sitting, code=room.code,
                                        device="device-b").attempt
        assert moved.pk == attempt.pk and moved.device_epoch == 2
        assert Attempt.objects.values_list("device", "device_epoch").get() == ("device-b", 2)


@pytest.mark.django_db
class TestSaving:
    def test_a_save_is_stored_and_a_replay_or_an_older_seq_never_overwrites(self, exam_day, attempt):
        pos = choice_position(attempt)
        a, b = choice_ids(attempt, pos)[:2]
        with at(exam_day, minutes(15)):
            first = save(attempt, pos, 2, [b])
            assert (first.duplicate, first.conflict) == (False, False)
            replay = save(attempt, pos, 2, [b])  # the same save again: exactly that value is stored
            assert (replay.duplicate, replay.conflict) == (True, False)
            older = save(attempt, pos, 1, [b])  # an older counter with the stored value: also stored already
            assert (older.duplicate, older.conflict) == (True, False)
            late = save(attempt, pos, 1, [a])  # older, with another value: never overwrites, never acknowledged
            assert (late.duplicate, late.conflict, late.stored_seq) == (False, True, 2)
            same_seq = save(attempt, pos, 2, [a])  # a page numbering afresh reached the stored counter
            assert (same_seq.duplicate, same_seq.conflict, same_seq.stored_seq) == (False, True, 2)
        item = AttemptItem.objects.get(attempt=attempt, position=pos)
        assert (item.answer, item.client_seq) == ([b], 2)
        events = AnswerEvent.objects.filter(attempt=attempt)
        assert events.count() == 5 and events.filter(applied=True).count() == 1  # every arrival is kept for disputes

    @pytest.mark.parametrize(
        ("case", "code"),
        [("not_in_paper", "bad_item"), ("other_candidate", "not_yours"), ("bad_value", "bad_answer"),
         ("two_choices_on_single", "bad_answer"), ("bad_seq", "bad_message"), ("other_device", "other_device"),
         ("too_long", "bad_answer")],
    )
    def test_bad_saves_are_refused_and_change_nothing(self, exam_day, attempt, case, code):
        pos = choice_position(attempt)
        ids = choice_ids(attempt, pos)
        short = next(i.position for i in attempt.items.select_related("paper_item__question")
                     if i.paper_item.question.kind == "short")
        calls = {
            "not_in_paper": lambda: save(attempt, 99, 1, [ids[0]]),
            "other_candidate": lambda: save(attempt, pos, 1, [ids[0]], user=exam_day["candidates"][1].pk),
            "bad_value": lambda: save(attempt, pos, 1, [999999]),
            "two_choices_on_single": lambda: save(attempt, pos, 1, ids[:2]),
            "bad_seq": lambda: save(attempt, pos, "1", [ids[0]]),
            "other_device": lambda: save(attempt, pos, 1, [ids[0]], device="device-b"),
            "too_long": lambda: save(attempt, short, 1, "x" * 20001),
        }
        with at(exam_day, minutes(15)), pytest.raises(svc.ExamDayError) as caught:
            calls[case]()
        assert caught.value.code == code and caught.value.message
        assert not AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).exists()
        assert not AnswerEvent.objects.exists()

    def test_saves_are_accepted_until_deadline_plus_grace_then_refused(self, exam_day, attempt, settings):
        pos = choice_position(attempt)
        ids = choice_ids(attempt, pos)
        deadline = attempt.deadline
        with time_machine.travel(deadline + dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS), tick=False):
            save(attempt, pos, 1, [ids[0]])
        with time_machine.travel(deadline + dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS + 1), tick=False):
            with pytest.raises(svc.ExamDayError) as caught:
                save(attempt, pos, 2, [ids[1]])
        assert caught.value.code == "too_late"
        assert AttemptItem.objects.get(attempt=attempt, position=pos).answer == [ids[0]]

    def test_saves_are_refused_while_the_room_is_paused(self, exam_day, room, attempt):
        pos = choice_position(attempt)
        with at(exam_day, minutes(15)):
            svc.room_pause(room_session=room, actor=exam_day["invigilator"], reason="Mất điện")
            with pytest.raises(svc.ExamDayError) as caught:
                save(attempt, pos, 1, [choice_ids(attempt, pos)[0]])
        assert caught.value.code == "paused" and caught.value.message == "Phòng thi đang tạm dừng"


@pytest.mark.django_db
class TestTime:
    def test_extensions_move_the_deadline_of_one_candidate_or_the_whole_room_and_its_close(self, exam_day, room,
                                                                                          attempt):
        other = entering.room_enter(registration=exam_day["registrations"][1], sitting=exam_day["sitting"],
                                    code=room.code, device="device-b").attempt
        base = attempt.deadline
        svc.extend(room_session=room, minutes=5, reason="Máy treo", actor=exam_day["invigilator"], attempt=attempt)
        assert Attempt.objects.get(pk=attempt.pk).deadline == base + minutes(5)
        assert Attempt.objects.get(pk=other.pk).deadline == base
        close_before = svc.room_close_at(room)
        svc.extend(room_session=room, minutes=3, reason="Sự cố mạng", actor=exam_day["invigilator"])
        assert Attempt.objects.get(pk=attempt.pk).deadline == base + minutes(8)
        assert Attempt.objects.get(pk=other.pk).deadline == base + minutes(3)
        room.refresh_from_db()
        assert svc.room_close_at(room) == close_before + minutes(3)
        assert RoomEvent.objects.filter(kind="extended").count() == 2

    def test_a_pause_stops_every_clock_by_its_length(self, exam_day, room, attempt):
        base = attempt.deadline
        with at(exam_day, minutes(20)):
            svc.room_pause(room_session=room, actor=exam_day["invigilator"], reason="Mất điện")
        with at(exam_day, minutes(27)):
            svc.room_resume(room_session=room, actor=exam_day["invigilator"])
        assert Attempt.objects.get(pk=attempt.pk).deadline == base + minutes(7)

    def test_with_fixed_timing_a_late_entrant_ends_with_the_room_every_pause_and_extension_counted(
            self, exam_day, room, attempt):
        start, invigilator = exam_day["sitting"].starts_at, exam_day["invigilator"]
        with time_machine.travel(start + minutes(2), tick=False):
            svc.room_pause(room_session=room, actor=invigilator, reason="Mất điện")
        with time_machine.travel(start + minutes(7), tick=False):
            svc.room_resume(room_session=room, actor=invigilator)
            svc.extend(room_session=room, minutes=3, reason="Mạng chậm", actor=invigilator)
        with time_machine.travel(start + minutes(8), tick=False):  # within the late-entry window
            late = entering.room_enter(registration=exam_day["registrations"][1], sitting=exam_day["sitting"],
                                       code=room.code, device="device-b").attempt
        room.refresh_from_db()
        room.sitting = exam_day["sitting"]
        expected = start + minutes(60 + 5 + 3)
        assert late.deadline == Attempt.objects.get(pk=attempt.pk).deadline == svc.room_close_at(room) == expected
        with time_machine.travel(start + minutes(20), tick=False):  # and later changes move both alike
            svc.room_pause(room_session=room, actor=invigilator, reason="Mất điện lần 2")
        with time_machine.travel(start + minutes(22), tick=False):
            svc.room_resume(room_session=room, actor=invigilator)
        assert set(Attempt.objects.values_list("deadline", flat=True)) == {expected + minutes(2)}

    def test_with_individual_timing_only_pauses_within_the_candidates_own_attempt_count(self, exam_day, room):
        subject = exam_day["sitting"].subject
        subject.timing = subject.Timing.INDIVIDUAL
        subject.save()
        start, invigilator = exam_day["sitting"].starts_at, exam_day["invigilator"]
        registrations = exam_day["registrations"]
        with time_machine.travel(start + minutes(1), tick=False):
            early = entering.room_enter(registration=registrations[0], sitting=exam_day["sitting"], code=room.code,
                                        device=DEVICE).attempt
        with time_machine.travel(start + minutes(2), tick=False):
            svc.room_pause(room_session=room, actor=invigilator, reason="Mất điện")
        with time_machine.travel(start + minutes(7), tick=False):
            svc.room_resume(room_session=room, actor=invigilator)
            svc.extend(room_session=room, minutes=3, reason="Mạng chậm", actor=invigilator)
        with time_machine.travel(start + minutes(8), tick=False):
            svc.room_pause(room_session=room, actor=invigilator, reason="Mất điện lần 2")
        with time_machine.travel(start + minutes(9), tick=False):  # enters while the room is paused
            late = entering.room_enter(registration=registrations[1], sitting=exam_day["sitting"], code=room.code,
                                       device="device-b").attempt
        assert late.deadline == start + minutes(9 + 60)  # no earlier pause, no earlier extension
        with time_machine.travel(start + minutes(12), tick=False):
            svc.room_resume(room_session=room, actor=invigilator)
        # The early one: both pauses whole (5 + 4) and the extension; the late one: the 3 minutes of the second
        # pause that fell within its own attempt.
        assert Attempt.objects.get(pk=early.pk).deadline == start + minutes(1 + 60 + 5 + 3 + 4)
        assert Attempt.objects.get(pk=late.pk).deadline == start + minutes(9 + 60 + 3)

    def test_the_rooms_close_moves_with_its_pauses_so_an_outage_eats_no_time(self, exam_day, room, attempt,
                                                                               settings):
        start, invigilator = exam_day["sitting"].starts_at, exam_day["invigilator"]
        with time_machine.travel(start + minutes(30), tick=False):
            svc.room_pause(room_session=room, actor=invigilator, reason="Mất điện")
        with time_machine.travel(start + minutes(40), tick=False):
            svc.room_resume(room_session=room, actor=invigilator)
        grace = dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS)
        room.refresh_from_db()
        room.sitting = exam_day["sitting"]
        assert svc.room_close_at(room) == exam_day["sitting"].ends_at + minutes(10)
        with time_machine.travel(exam_day["sitting"].ends_at + grace + minutes(5), tick=False):  # the old close
            assert svc.finish_overdue() == 0
        assert Attempt.objects.get(pk=attempt.pk).status == "open"
        deadline = Attempt.objects.get(pk=attempt.pk).deadline
        assert deadline == start + minutes(70)
        with time_machine.travel(deadline + grace + dt.timedelta(seconds=1), tick=False):
            assert svc.finish_overdue() == 1
        assert Attempt.objects.values_list("status", "finished_at").get(pk=attempt.pk) == ("expired", deadline)

    def test_an_attempt_past_deadline_and_grace_is_finished_lazily_at_its_deadline(self, client, exam_day, attempt,
                                                                                    settings):
        client.force_login(exam_day["candidates"][0])
        with time_machine.travel(attempt.deadline + dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS + 2),
                                 tick=False):
            state = client.get(reverse("attempt_state", args=[attempt.pk])).json()
        assert state["status"] == "expired"
        finished = Attempt.objects.get(pk=attempt.pk)
        assert finished.finished_at == attempt.deadline and finished.score is not None


@pytest.mark.django_db
class TestFinishing:
    def test_submitting_scores_multiple_choice_at_once_and_happens_only_once(self, exam_day, attempt):
        pos = choice_position(attempt)
        item = AttemptItem.objects.select_related("paper_item__question").get(attempt=attempt, position=pos)
        correct = [c.pk for c in item.paper_item.question.choices.all() if c.is_correct]
        short = next(i for i in attempt.items.select_related("paper_item__question")
                     if i.paper_item.question.kind == "short")
        with at(exam_day, minutes(15)):
            save(attempt, pos, 1, correct)
            save(attempt, short.position, 1, "  tthc ")
            assert svc.attempt_finish(attempt=attempt, how="submitted") is True
            assert svc.attempt_finish(attempt=attempt, how="expired") is False
        done = Attempt.objects.get(pk=attempt.pk)
        assert (done.status, done.correct_count, done.score) == ("submitted", 2, 2)

    def test_finish_overdue_finishes_past_deadlines_and_its_dry_run_changes_nothing(self, exam_day, attempt, settings):
        later = attempt.deadline + dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS + 1)
        out = io.StringIO()
        with time_machine.travel(later, tick=False), redirect_stdout(out):
            call_command("finish_overdue", "--dry-run", stdout=out)
            assert Attempt.objects.get(pk=attempt.pk).status == "open"
            call_command("finish_overdue", stdout=out)
            call_command("finish_overdue", stdout=out)
        assert out.getvalue().splitlines() == ["finished=1", "finished=1", "finished=0"]
        assert Attempt.objects.get(pk=attempt.pk).status == "expired"

    def test_a_suspension_voids_the_attempt_and_bars_later_subjects(self, exam_day, room, attempt):
        svc.penalty_record(registration=attempt.registration, sitting=exam_day["sitting"], kind="suspension",
                           reason="Sử dụng điện thoại", actor=exam_day["invigilator"])
        assert Attempt.objects.get(pk=attempt.pk).status == "voided"
        assert Penalty.objects.get().kind == "suspension"
        with pytest.raises(svc.ExamDayError) as caught:
            entering.room_enter(registration=attempt.registration, sitting=exam_day["sitting"], code=room.code,
                                device=DEVICE)
        assert caught.value.code == "suspended"


@pytest.mark.django_db(transaction=True)
def test_lazy_finishes_and_the_command_race_and_only_one_finishes(exam_day, attempt, settings):
    import threading

    from django.db import connection

    later = attempt.deadline + dt.timedelta(seconds=settings.EXAM_SAVE_GRACE_SECONDS + 5)
    results, barrier = [], threading.Barrier(3)

    def lazy():
        barrier.wait()
        try:
            results.append(svc.attempt_finish(attempt=Attempt.objects.get(pk=attempt.pk), how="expired"))
        finally:
            connection.close()

    def command():
        barrier.wait()
        try:
            results.append(svc.finish_overdue())
        finally:
            connection.close()

    with time_machine.travel(later, tick=False):
        threads = [threading.Thread(target=lazy), threading.Thread(target=lazy), threading.Thread(target=command)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    wins = sum(1 for r in results if r is True or (isinstance(r, int) and not isinstance(r, bool) and r == 1))
    assert wins == 1
    assert Attempt.objects.get(pk=attempt.pk).status == "expired"
    assert RoomEvent.objects.filter(kind="finished").count() == 1


@pytest.mark.django_db
class TestPages:
    def test_the_http_fallback_saves_through_the_same_service(self, client, exam_day, attempt):
        client.force_login(exam_day["candidates"][0])
        give_device_pass(client, DEVICE)
        pos = choice_position(attempt)
        ids = choice_ids(attempt, pos)
        url = reverse("attempt_save", args=[attempt.pk])
        with at(exam_day, minutes(15)):
            ack = client.post(url, {"item": pos, "seq": 1, "value": [ids[0]]},
                              content_type="application/json").json()
            bad = client.post(url, "{not json", content_type="application/json")
            huge = client.post(url, '{"x": "' + "y" * 70000 + '"}', content_type="application/json")
            deep = client.post(url, "[" * 30000 + "]" * 30000, content_type="application/json")
            flag = client.post(reverse("attempt_flag", args=[attempt.pk]), "[" * 30000 + "]" * 30000,
                               content_type="application/json")
        assert ack == {"type": "ack", "seq": 1, "item": pos, "duplicate": False}
        assert bad.status_code == huge.status_code == deep.status_code == flag.status_code == 400
        assert AnswerEvent.objects.get().transport == "http"

    def test_the_exam_page_shows_the_paper_without_answers_and_the_result_shows_the_score(self, client, exam_day,
                                                                                          attempt):
        client.force_login(exam_day["candidates"][0])
        give_device_pass(client, DEVICE)
        with at(exam_day, minutes(15)):
            html = client.get(reverse("attempt_page", args=[attempt.pk])).content.decode()
            assert "Câu 1" in html and "is_correct" not in html and "correct" not in html.split("exam-config")[1][:2000]
            client.post(reverse("attempt_submit", args=[attempt.pk]))
            result = client.get(reverse("attempt_result", args=[attempt.pk]))
        assert result.status_code == 200 and "0 / 5" in result.content.decode()

    def test_another_candidate_cannot_open_my_paper(self, client, exam_day, attempt):
        client.force_login(exam_day["candidates"][1])
        assert client.get(reverse("attempt_page", args=[attempt.pk])).status_code == 404

    def test_the_timeline_lists_every_save_and_event_and_escapes_formulas(self, client, exam_day, attempt):
        short = next(i.position for i in attempt.items.select_related("paper_item__question")
                     if i.paper_item.question.kind == "short")
        with at(exam_day, minutes(15)):
            save(attempt, short, 1, "=HYPERLINK(1)")
            save(attempt, short, 2, "\t=1+1")
            save(attempt, short, 3, "\r@SUM(A1)")
        svc.extend(room_session=attempt.room_session, minutes=2, reason="Máy chậm", actor=exam_day["invigilator"],
                   attempt=attempt)
        client.force_login(exam_day["invigilator"])
        body = client.get(reverse("attempt_timeline", args=[attempt.pk])).content.decode("utf-8-sig")
        assert "save" in body and "extended" in body and "Máy chậm" in body
        assert ",'=HYPERLINK(1)," in body  # a text answer is written as text, never as a formula
        assert ",'\t=1+1," in body and "'\r@SUM(A1)" in body  # nor one behind a tab or a carriage return

    def test_the_console_is_only_for_this_rooms_invigilator(self, client, exam_day, room, make_user):
        from accounts.roles import Role

        url = reverse("room_console", args=[exam_day["sitting"].pk, exam_day["room"].pk])
        client.force_login(make_user(Role.INVIGILATOR, username="khac"))
        assert client.get(url).status_code == 403
        client.force_login(exam_day["invigilator"])
        page = client.get(url)
        assert page.status_code == 200 and room.code in page.content.decode()
        client.post(reverse("room_incident", args=[exam_day["sitting"].pk, exam_day["room"].pk]),
                    {"reason": "Thí sinh đến muộn 3 phút"})
        assert RoomEvent.objects.filter(kind="incident", reason="Thí sinh đến muộn 3 phút").exists()
        record = client.get(reverse("room_record", args=[room.pk])).content.decode()
        assert "Thí sinh đến muộn 3 phút" in record and "CV0001" in record


@pytest.mark.django_db(transaction=True)
def test_group_commit_refuses_one_save_without_spoiling_the_others(exam_day):
    from exams.examday.batching import _apply

    room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"], code=room.code,
                                  device=DEVICE).attempt
    pos = choice_position(attempt)
    ids = choice_ids(attempt, pos)
    base = {"attempt_id": attempt.pk, "user_id": attempt.registration.person_id, "device": DEVICE}
    with at(exam_day, minutes(15)):
        results = _apply([{**base, "position": pos, "seq": 1, "value": [ids[0]]},
                          {**base, "position": 99, "seq": 2, "value": [ids[0]]},   # refused: not in the paper
                          {**base, "position": pos, "seq": 3, "value": [ids[1]]}])
    assert [type(r).__name__ for r in results] == ["SaveResult", "ExamDayError", "SaveResult"]
    assert AttemptItem.objects.get(attempt=attempt, position=pos).answer == [ids[1]]
    assert list(AnswerEvent.objects.order_by("pk").values_list("client_seq", flat=True)) == [1, 3]


def test_database_is_locked_becomes_a_retryable_refusal_never_a_server_error():
    from django.db import OperationalError

    with pytest.raises(svc.ExamDayError) as caught, svc.busy_as_refusal():
        raise OperationalError("database is locked")
    assert caught.value.code == "busy" and caught.value.message
    with pytest.raises(OperationalError), svc.busy_as_refusal():
        raise OperationalError("no such table: x")  # other database errors are not hidden


@pytest.mark.django_db
def test_text_typed_into_a_form_arrives_without_format_characters(client, exam_day, room):
    """The incident note goes into the room's printed record: no bidirectional override or zero-width space."""
    client.force_login(exam_day["invigilator"])
    client.post(reverse("room_incident", args=[exam_day["sitting"].pk, exam_day["room"].pk]),
                {"reason": "Thí sinh\u202e đến muộn\u200b 3 phút"})
    assert RoomEvent.objects.get(kind="incident").reason == "Thí sinh đến muộn 3 phút"
