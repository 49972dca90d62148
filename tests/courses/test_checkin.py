"""Self check-in (issue 18): a code that changes every 15 s, an expired one refused, only on the session's day and
for the class's learners, wrong codes limited, the lecturer's live list."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from courses import checkin
from courses.models import Attendance
from tests.courses.conftest import DAYS, at

pytestmark = pytest.mark.django_db
MORNING = at(DAYS[0], 8, 0)


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()


def open_window(world):
    with time_machine.travel(MORNING, tick=False):
        return checkin.window_open(session=world.sessions[0], actor=world.lecturer)


def test_the_current_code_checks_the_learner_in_and_says_who_and_how(world):
    window = open_window(world)
    learner = world.learners[0].person
    with time_machine.travel(MORNING + dt.timedelta(seconds=3), tick=False):
        code = checkin.current_code(window).code
        assert checkin.check_in(person=learner, code=code) == world.sessions[0]
    mark = Attendance.objects.get(enrolment=world.learners[0], session=world.sessions[0])
    assert (mark.mark, mark.how, mark.set_by) == ("x", "check_in", learner)


def test_the_code_changes_every_15_seconds_and_an_expired_one_is_refused(world):
    window = open_window(world)
    with time_machine.travel(MORNING, tick=False):
        old = checkin.current_code(window)
    assert old.seconds_left == 15
    with time_machine.travel(MORNING + dt.timedelta(seconds=15), tick=False):
        assert checkin.current_code(window).code != old.code
    # Within the grace after it rotates the old code still works (typing on a phone takes a few seconds) …
    with time_machine.travel(MORNING + dt.timedelta(seconds=18), tick=False):
        checkin.check_in(person=world.learners[0].person, code=old.code)
    # … a photo sent to a colleague and typed later does not.
    with time_machine.travel(MORNING + dt.timedelta(seconds=40), tick=False):
        with pytest.raises(checkin.CheckInRefused) as refused:
            checkin.check_in(person=world.learners[1].person, code=old.code)
    assert refused.value.message == "Mã này đã hết hạn: hãy gõ mã đang hiện trên màn hình."
    assert not Attendance.objects.filter(enrolment=world.learners[1]).exists()


def test_only_the_classs_learners_while_it_is_open(world, make_user):
    window = open_window(world)
    stranger = make_user(username="nguoi_ngoai")
    with time_machine.travel(MORNING + dt.timedelta(seconds=1), tick=False):
        code = checkin.current_code(window).code
        with pytest.raises(checkin.CheckInRefused):
            checkin.check_in(person=stranger, code=code)
        checkin.window_close(session=world.sessions[0], actor=world.lecturer)
        with pytest.raises(checkin.CheckInRefused):
            checkin.check_in(person=world.learners[0].person, code=code)


def test_check_in_opens_only_on_the_sessions_day(world):
    with time_machine.travel(MORNING - dt.timedelta(days=1), tick=False), pytest.raises(checkin.CheckInRefused):
        checkin.window_open(session=world.sessions[0], actor=world.lecturer)


def test_wrong_codes_are_limited_per_learner(world):
    window = open_window(world)
    learner = world.learners[0].person
    with time_machine.travel(MORNING + dt.timedelta(seconds=1), tick=False):
        good = checkin.current_code(window).code
        wrong = f"{(int(good) + 1) % 1000000:06d}"
        for _n in range(checkin.WRONG_TRIES_PER_MINUTE):
            with pytest.raises(checkin.CheckInRefused):
                checkin.check_in(person=learner, code=wrong)
        with pytest.raises(checkin.CheckInRefused) as refused:
            checkin.check_in(person=learner, code=good)
    assert "chờ một phút" in refused.value.message


def test_the_pages_of_the_lecturer_and_the_learner(world, client):
    session = world.sessions[0]
    with time_machine.travel(MORNING, tick=False):  # signed in on the day (a session cookie does not last months)
        client.force_login(world.lecturer)
        client.post(reverse("check_in_screen", args=[session.pk]), {"action": "open"})
        state = client.get(reverse("check_in_state", args=[session.pk])).json()
    assert state["open"] and len(state["code"]) == 6 and state["qr"].startswith("<svg") and state["count"] == 0
    with time_machine.travel(MORNING + dt.timedelta(seconds=2), tick=False):
        client.force_login(world.learners[0].person)
        page = client.get(reverse("learner_check_in") + f"?code={state['code']}").content.decode()
        assert f'value="{state["code"]}"' in page
        client.post(reverse("learner_check_in"), {"code": state["code"]})
    with time_machine.travel(MORNING + dt.timedelta(seconds=4), tick=False):
        client.force_login(world.lecturer)
        state = client.get(reverse("check_in_state", args=[session.pk])).json()
    assert state["count"] == 1 and state["present"][0]["name"] == world.learners[0].person.full_name
