"""Entries on the engine and a round's closing (docs/contests.md): the window and the deadline at the close, the
entries allowed, one open entry whatever the tabs, the all-answered rule, what an entry keeps for the ranking, the
stored ranking, voiding (the actual value changes), prizes a tie leaves open, approval, publication, the
no-second-prize rule across rounds."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import AuditLog
from accounts.roles import Role
from contests import closing
from contests.entries import entry_record, entry_start, entry_submit
from contests.models import Contest, Entry, Round, RoundGroup, Standing
from exams import engine
from tests.contests.conftest import CLOSES, DAY, DEVICE, OPENS, answer, take
from tests.courses.conftest import at

pytestmark = pytest.mark.django_db

def closed(contest_round, actor=None) -> Round:
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        return closing.round_close(contest_round=contest_round, actor=actor)


def table(contest_round) -> list[tuple[str, int, int | None, str, str]]:
    return [(s.participant.full_name, s.rank, s.gap, s.prize, s.contested)
            for s in Standing.objects.filter(round=contest_round).select_related("participant")]


class TestEntries:
    def test_an_entry_keeps_server_times_to_the_millisecond_and_what_the_ranking_reads(self, contest_round, join):
        an = join("Trần Văn An")
        entry = take(contest_round, an, right=3, prediction=120, minutes=4.0125)
        assert entry.status == Entry.Status.SUBMITTED and entry.time_taken_ms == 240_750
        assert (entry.questions, entry.answered, entry.correct, entry.prediction) == (4, 4, 3, 120)
        assert entry.valid

    def test_the_deadline_is_the_rounds_close_when_that_comes_first(self, contest_round, join):
        with time_machine.travel(CLOSES - dt.timedelta(minutes=4), tick=False):
            entry = entry_start(contest_round=contest_round, participant=join("Lê Thị Bình"), device=DEVICE)
        assert entry.deadline == CLOSES

    @pytest.mark.parametrize(("moment", "code"), [(OPENS - dt.timedelta(seconds=1), "not_open"), (CLOSES, "closed")])
    def test_before_and_after_the_window_is_refused(self, contest_round, join, moment, code):
        person = join("Phạm Văn Chí")
        with time_machine.travel(moment, tick=False), pytest.raises(ValidationError) as refused:
            entry_start(contest_round=contest_round, participant=person, device=DEVICE)
        assert refused.value.code == code and not Entry.objects.exists()

    def test_two_tabs_share_the_open_entry_and_a_used_entry_is_not_given_again(self, contest_round, join):
        an = join("Trần Văn An")
        with time_machine.travel(at(DAY, 9), tick=False):
            first = entry_start(contest_round=contest_round, participant=an, device=DEVICE)
            again = entry_start(contest_round=contest_round, participant=an, device=DEVICE)
        assert first.pk == again.pk and Entry.objects.count() == 1
        with time_machine.travel(at(DAY, 9, 5), tick=False):
            entry_submit(entry=first, prediction=3, owner_id=an.person_id)
            twice = entry_submit(entry=first, prediction=999, owner_id=an.person_id)  # a second submit: nothing
            assert twice.prediction == 3
            with pytest.raises(ValidationError) as refused:
                entry_start(contest_round=contest_round, participant=an, device=DEVICE)
        assert refused.value.code == "attempts"

    def test_organisers_and_question_writers_do_not_take_part(self, contest_round, join):
        with time_machine.travel(at(DAY, 9), tick=False), pytest.raises(ValidationError) as refused:
            entry_start(contest_round=contest_round, participant=join("Võ Thị Tổ Chức", role=Role.CONTEST_ORGANISER),
                        device=DEVICE)
        assert refused.value.code == "barred"

    def test_time_running_out_with_a_question_unanswered_makes_the_entry_invalid(self, contest_round, join):
        entry = take(contest_round, join("Đỗ Văn Dũng"), right=3, prediction=None, minutes=12, leave=1)
        with time_machine.travel(at(DAY, 9, 12), tick=False):
            engine.attempt_finish(attempt_id=entry.attempt_id)
            entry_record(attempt_id=entry.attempt_id)
        entry.refresh_from_db()
        assert entry.status == Entry.Status.EXPIRED and entry.answered == 3 and not entry.valid
        assert entry.time_taken_ms == 600_000  # the deadline, not the moment it was noticed


class TestClosing:
    def test_closing_finishes_what_is_open_and_ranks_by_the_chain(self, contest_round, join, hr_user):
        take(contest_round, join("Trần Văn An"), right=4, prediction=3, minutes=5)
        take(contest_round, join("Lê Thị Bình"), right=4, prediction=2, minutes=3)
        take(contest_round, join("Phạm Văn Chí"), right=3, prediction=3, minutes=1)
        take(contest_round, join("Đỗ Văn Dũng"), right=4, prediction=None, minutes=12, leave=1)  # still open
        with time_machine.travel(at(DAY, 16), tick=False), pytest.raises(ValidationError):
            closing.round_close(contest_round=contest_round, actor=hr_user)  # the window has not ended
        done = closed(contest_round, hr_user)
        assert done.status == Round.Status.RANKED
        assert RoundGroup.objects.get(round=contest_round).actual == 3  # valid entries: Dũng's is not
        assert table(contest_round) == [("Trần Văn An", 1, 0, "first", ""), ("Lê Thị Bình", 2, 1, "second", ""),
                                        ("Phạm Văn Chí", 3, 0, "third", "")]
        assert Entry.objects.get(participant__full_name="Đỗ Văn Dũng").status == Entry.Status.EXPIRED
        assert AuditLog.objects.get(action="contest_round.close").details["Cán bộ, công chức, viên chức"] == {
            "actual": 3, "ranked": 3}
        with pytest.raises(ValidationError):
            closed(contest_round)  # once

    def test_a_void_changes_the_actual_value_and_the_ranking(self, contest_round, join, hr_user):
        take(contest_round, join("Trần Văn An"), right=4, prediction=2, minutes=5)
        take(contest_round, join("Lê Thị Bình"), right=4, prediction=3, minutes=3)
        chi = take(contest_round, join("Phạm Văn Chí"), right=2, prediction=3, minutes=1)
        closed(contest_round)
        assert table(contest_round)[:2] == [("Lê Thị Bình", 1, 0, "first", ""), ("Trần Văn An", 2, 1, "second", "")]
        with pytest.raises(ValidationError):
            closing.entry_void(entry=chi, reason="", actor=hr_user)
        closing.entry_void(entry=chi, reason="Đăng ký trùng với tài khoản khác", actor=hr_user)
        assert RoundGroup.objects.get(round=contest_round).actual == 2
        assert table(contest_round) == [("Trần Văn An", 1, 0, "first", ""), ("Lê Thị Bình", 2, 1, "second", "")]
        assert AuditLog.objects.filter(action="contest_entry.void", object_id=str(chi.pk)).exists()

    def test_a_tie_left_open_is_decided_before_approval_and_publication_freezes(self, contest_round, join, hr_user):
        take(contest_round, join("Trần Văn An"), right=4, prediction=3, minutes=5)
        for name in ("Lê Thị Bình", "Phạm Văn Chí"):  # equal on every link: the same second, the same submit time
            take(contest_round, join(name), right=3, prediction=3, minutes=6)
        closed(contest_round)
        assert [row[1:] for row in table(contest_round)] == [(1, 0, "first", ""), (2, 0, "", "second,third"),
                                                              (2, 0, "", "second,third")]
        with pytest.raises(ValidationError) as refused:
            closing.round_approve(contest_round=contest_round, actor=hr_user)
        assert refused.value.code == "contested"
        binh, chi = Standing.objects.filter(round=contest_round, rank=2).order_by("participant__full_name")
        with pytest.raises(ValidationError):
            closing.prize_decide(standing=binh, prize="first", reason="Bốc thăm công khai", actor=hr_user)
        closing.prize_decide(standing=binh, prize="second", reason="Bốc thăm công khai ngày 18/3", actor=hr_user)
        closing.prize_decide(standing=chi, prize="third", reason="Bốc thăm công khai ngày 18/3", actor=hr_user)
        closing.round_approve(contest_round=contest_round, actor=hr_user)
        published = closing.round_publish(contest_round=contest_round, actor=hr_user)
        assert published.status == Round.Status.PUBLISHED and published.published_at is not None
        with pytest.raises(ValidationError):
            closing.entry_void(entry=Entry.objects.first(), reason="Muộn", actor=hr_user)

    def test_a_winner_of_an_earlier_round_is_passed_over_unless_the_contest_allows_it(self, contest_round, join,
                                                                                     hr_user):
        an, binh = join("Trần Văn An"), join("Lê Thị Bình")
        take(contest_round, an, right=4, prediction=1, minutes=1)  # Bình sits out the first round
        closed(contest_round)
        closing.round_approve(contest_round=contest_round, actor=hr_user)
        second = Round.objects.create(contest=contest_round.contest, number=2, opens_at=OPENS + dt.timedelta(days=7),
                                      closes_at=CLOSES + dt.timedelta(days=7))
        setting = RoundGroup.objects.get(round=contest_round)
        RoundGroup.objects.create(round=second, group=setting.group, minutes=10, blueprint_id=setting.blueprint_id,
                                  first_prizes=1, second_prizes=0, third_prizes=0, consolation_prizes=0)
        week = dt.timedelta(days=7)
        take(second, an, right=4, prediction=2, minutes=1, start=at(DAY, 9) + week)
        take(second, binh, right=3, prediction=2, minutes=1, start=at(DAY, 9) + week)
        with time_machine.travel(CLOSES + week + dt.timedelta(minutes=1), tick=False):
            closing.round_close(contest_round=second, actor=hr_user)
        assert [(s.participant.full_name, s.prize, s.passed_over) for s in Standing.objects.filter(round=second)] == [
            ("Trần Văn An", "", True), ("Lê Thị Bình", "first", False)]
        Contest.objects.filter(pk=contest_round.contest_id).update(repeat_winners=True)
        with time_machine.travel(CLOSES + week + dt.timedelta(minutes=2), tick=False):
            closing.entry_void(entry=Entry.objects.filter(round=second).order_by("pk").last(), reason="Thử lại",
                               actor=hr_user)  # the ranking is computed again, now allowing a second prize
        assert Standing.objects.get(round=second).prize == "first"
        assert timezone.is_aware(Entry.objects.first().submitted_at)


@pytest.mark.django_db(transaction=True)
def test_two_phones_at_the_same_moment_make_one_entry_and_one_submission(contest_round, join):
    an = join("Trần Văn An")
    barrier, failures, started = threading.Barrier(2), [], []

    def together(action):
        barrier.wait()
        try:
            started.append(action())
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    def run_twice(action):
        threads = [threading.Thread(target=together, args=(action,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    with time_machine.travel(at(DAY, 9), tick=False):
        run_twice(lambda: entry_start(contest_round=contest_round, participant=an, device=DEVICE))
        assert failures == [] and Entry.objects.count() == 1 and len({e.pk for e in started}) == 1
        entry = Entry.objects.get()
        answer(entry, right=4)
        run_twice(lambda: entry_submit(entry=entry, prediction=7, owner_id=an.person_id, device=DEVICE))
    assert failures == []
    entry.refresh_from_db()
    assert (entry.status, entry.correct, entry.prediction) == (Entry.Status.SUBMITTED, 4, 7)
