"""The contest's test world: a round of a contest on the engine (a host registered as the app will), participants
joining it, and entries taken as a phone would (answers saved on the engine, then submitted)."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.roles import Role
from contests.entries import entry_start, entry_submit
from contests.models import Contest, ContestGroup, Entry, Participant, Round, RoundGroup
from exams import engine
from exams.models import Choice, PaperItem
from tests.courses.conftest import at
from tests.courses.test_online_tests import _blueprint

DAY = dt.date(2027, 3, 10)
OPENS, CLOSES = at(DAY, 8), at(DAY, 17)
DEVICE = "dien-thoai"
NINE = at(DAY, 9)


@pytest.fixture
def contest_round(make_user):
    contest = Contest.objects.create(name="Hội thi tìm hiểu CCHC năm 2027", organiser="Sở Nội vụ")
    group = ContestGroup.objects.create(contest=contest, name="Cán bộ, công chức, viên chức", civil_servants=True)
    contest_round = Round.objects.create(contest=contest, number=1, opens_at=OPENS, closes_at=CLOSES)
    RoundGroup.objects.create(round=contest_round, group=group, minutes=10,
                              blueprint_id=_blueprint(make_user, for_training=True, name="CCHC"),
                              first_prizes=1, second_prizes=1, third_prizes=1, consolation_prizes=0)
    return contest_round


@pytest.fixture
def join(make_user, contest_round):
    def make(name: str, *, role=Role.PARTICIPANT) -> Participant:
        person = make_user(role, full_name=name)
        return Participant.objects.create(contest=contest_round.contest, person=person, full_name=name,
                                          group=contest_round.contest.groups.get(), unit_name="Sở Nội vụ",
                                          consent_at=OPENS)
    return make


def answer(entry: Entry, *, right: int, leave: int = 0) -> None:
    """The first ``right`` questions right, the others wrong, the last ``leave`` not answered."""
    items = list(PaperItem.objects.filter(paper__attempts__pk=entry.attempt_id).order_by("position"))
    for item in items[:len(items) - leave]:
        correct = list(Choice.objects.filter(question=item.question_id, is_correct=True).values_list("pk", flat=True))
        value = correct if items.index(item) < right else [next(c for c in item.choice_order if c not in correct)]
        engine.answer_save(attempt_id=entry.attempt_id, owner_id=entry.participant.person_id, item=item.position,
                           seq=item.position + 1, value=value, device=DEVICE)


def take(contest_round, participant, *, right: int, prediction: int | None, minutes: float, leave: int = 0,
         start=NINE) -> Entry:
    with time_machine.travel(start, tick=False):
        entry = entry_start(contest_round=contest_round, participant=participant, device=DEVICE)
    with time_machine.travel(start + dt.timedelta(minutes=min(minutes, 9)), tick=False):
        answer(entry, right=right, leave=leave)
    if minutes >= 10:  # left open: time runs out
        return Entry.objects.get(pk=entry.pk)
    with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
        return entry_submit(entry=entry, prediction=prediction, owner_id=participant.person_id)
