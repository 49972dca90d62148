"""Progress through the lessons: the heartbeat over the websocket (acknowledged once stored, time counted between
beats and never across a gap), its HTTP fallback, completion recorded once, "continue where I left off", and the
learner's class page."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from django.utils import timezone

from courses.learning_selectors import class_home
from courses.lessons import lesson_create
from courses.models import Lesson, LessonProgress, Module, Score
from courses.progress import Beat, beats_apply, lesson_open
from courses.services import programme_create
from exam_platform.asgi import application
from tests.platform.test_websocket import ORIGIN, _session_cookie


def _lessons(world, count=3, module_index=0) -> list[Lesson]:
    modules = list(Module.objects.filter(part__programme=world.course_class.programme).order_by("part__order",
                                                                                                "order"))
    return [lesson_create(module=modules[module_index], fields={"title": f"Bài {n}", "body": "", "minutes": 10,
                                                                "periods": 0}, actor=world.manager)
            for n in range(1, count + 1)]


async def _beat(ws, lesson, seq, **extra):
    await ws.send_json_to({"type": "beat", "lesson": lesson, "seq": seq, **extra})
    return await ws.receive_json_from(timeout=5)


@pytest.mark.django_db(transaction=True)
async def test_beats_over_the_socket_count_the_time_between_them_and_never_across_a_gap(world):
    lessons = await sync_to_async(_lessons)(world)
    learner = world.learners[0]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        cookie = await sync_to_async(_session_cookie)(learner.person)
        ws = WebsocketCommunicator(application, f"/ws/learn/{world.course_class.pk}/", headers=[ORIGIN, cookie])
        assert (await ws.connect())[0]
        assert await _beat(ws, lessons[0].pk, 1, position=0) == {"type": "ok", "seq": 1}
        clock.shift(30)
        assert await _beat(ws, lessons[0].pk, 2, position=120) == {"type": "ok", "seq": 2}  # stored when acked
        row = await LessonProgress.objects.aget(enrolment=learner, lesson=lessons[0])
        assert (row.seconds, row.position, row.completed_at) == (30, 120, None)
        clock.shift(600)  # the machine slept: ten minutes not spent on the lesson
        await _beat(ws, lessons[0].pk, 3, position=130)
        clock.shift(20)
        await _beat(ws, lessons[0].pk, 4, position=150, end="video")
        clock.shift(10)
        await _beat(ws, lessons[0].pk, 5, position=150, end="marked")
        row = await LessonProgress.objects.aget(enrolment=learner, lesson=lessons[0])
        assert (row.seconds, row.completed_how) == (60, "video")  # 30 + 20 + 10; the first completion stays
        assert row.completed_at == start + dt.timedelta(seconds=650)
        other = await sync_to_async(programme_create)(preset_slug="lanh-dao-cap-phong", actor=None)
        foreign = await sync_to_async(lesson_create)(
            module=await Module.objects.filter(part__programme=other).afirst(),
            fields={"title": "Bài khác", "body": "", "minutes": 5, "periods": 0}, actor=world.manager)
        assert await _beat(ws, foreign.pk, 6) == {"type": "refused", "seq": 6}
        assert await _beat(ws, "1; DROP", 7) == {"type": "refused", "seq": 7}
        await ws.disconnect()
    assert not await LessonProgress.objects.filter(lesson=foreign).aexists()


@pytest.mark.django_db(transaction=True)
async def test_only_a_learner_of_the_class_opens_its_socket(world, make_user):
    stranger = await sync_to_async(make_user)(username="nguoingoai")
    for user, expected in ((stranger, 4403), (world.head, 4403)):
        cookie = await sync_to_async(_session_cookie)(user)
        ws = WebsocketCommunicator(application, f"/ws/learn/{world.course_class.pk}/", headers=[ORIGIN, cookie])
        connected, code = await ws.connect()
        assert not connected and code == expected
        await ws.disconnect()  # the consumer's task ends here, not in the loop's teardown (channels_redis waits)
    ws = WebsocketCommunicator(application, f"/ws/learn/{world.course_class.pk}/", headers=[ORIGIN])
    assert (await ws.connect()) == (False, 4401)
    await ws.disconnect()


@pytest.mark.django_db
def test_the_http_fallback_counts_from_the_last_time_seen(client, world):
    lesson = _lessons(world, 1)[0]
    learner = world.learners[0]
    url = reverse("learn_lesson_beat", args=[world.course_class.pk, lesson.pk])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(learner.person)
        assert client.get(reverse("learn_lesson", args=[world.course_class.pk, lesson.pk])).status_code == 200
        clock.shift(25)
        response = client.post(url, {"position": 400}, content_type="application/json")
        assert response.json() == {"type": "ok", "seconds": 25, "done": False}
        clock.shift(120)
        assert client.post(url, {"position": 500}, content_type="application/json").json()["seconds"] == 25
        clock.shift(30)
        response = client.post(url, {"position": 1000, "end": "text"}, content_type="application/json")
        assert response.json() == {"type": "ok", "seconds": 55, "done": True}
        assert client.post(url, b"not json", content_type="application/json").status_code == 200
    row = LessonProgress.objects.get()
    assert (row.position, row.completed_how) == (0, "text")  # the unreadable beat moved nothing but "seen"


@pytest.mark.django_db
def test_a_batch_of_beats_is_one_statement_of_many_rows(world, django_assert_max_num_queries):
    lessons = _lessons(world, 3)
    now = timezone.now()
    beats = [Beat(enrolment_id=e.pk, lesson_id=lesson.pk, seconds=30, position=1, at=now)
             for e in world.learners for lesson in lessons]
    with django_assert_max_num_queries(3):  # savepoint/begin, the executemany, commit
        beats_apply(beats)
    beats_apply(beats)
    assert LessonProgress.objects.count() == 9
    assert set(LessonProgress.objects.values_list("seconds", flat=True)) == {60}


@pytest.mark.django_db
def test_continue_where_i_left_off_and_what_stands_before_the_certificate(client, world):
    lessons = _lessons(world, 3)
    learner = world.learners[0]
    home = class_home(learner)
    assert home["continue_lesson"] == lessons[0] and home["lessons_done"] == 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        lesson_open(enrolment=learner, lesson=lessons[0])
        clock.shift(60)
        lesson_open(enrolment=learner, lesson=lessons[1])  # left in the middle of lesson 2
        assert class_home(learner)["continue_lesson"] == lessons[1]
        clock.shift(60)
        beats_apply([Beat(enrolment_id=learner.pk, lesson_id=lessons[1].pk, seconds=10, position=0,
                          at=timezone.now(), completed="marked")])
        assert class_home(learner)["continue_lesson"] == lessons[2]  # the next one not done after it
        assessment = world.course_class.programme.assessments.order_by("order").first()
        Score.objects.create(enrolment=learner, assessment=assessment, value=8, how="page")
        client.force_login(learner.person)
        page = client.get(reverse("learn_class", args=[world.course_class.pk])).content.decode()
    assert reverse("learn_lesson", args=[world.course_class.pk, lessons[2].pk]) in page
    assert "Học tiếp từ chỗ đã dừng" in page and "Bài học đã xong: 1/3" in page
    others = [a.code for a in world.course_class.programme.assessments.order_by("order")][1:]
    assert all(f"Thiếu điểm {code}" in page for code in others) and f"Thiếu điểm {assessment.code}" not in page


@pytest.mark.django_db
def test_the_class_page_reads_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    lessons = _lessons(world, 2)
    learner = world.learners[0]
    client.force_login(learner.person)
    url = reverse("learn_class", args=[world.course_class.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for lesson in lessons + _lessons(world, 6, module_index=1):
        lesson_open(enrolment=learner, lesson=lesson)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_a_learner_reaches_only_their_own_class(client, world, make_user):
    lesson = _lessons(world, 1)[0]
    client.force_login(make_user(username="nguoingoai"))
    assert client.get(reverse("learn_class", args=[world.course_class.pk])).status_code == 403
    assert client.get(reverse("learn_lesson", args=[world.course_class.pk, lesson.pk])).status_code == 403
    assert not LessonProgress.objects.exists()
