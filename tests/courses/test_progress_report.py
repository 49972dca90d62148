"""Who is behind (issue 19): when a module's lessons fall due, the behind flag per learner and module, the page and
its workbook, and a fixed number of queries whatever the class's size."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from courses.models import Enrolment, Lesson, LessonProgress, Module, Session
from courses.progress_report import class_progress, duration
from tests.courses.conftest import at

pytestmark = pytest.mark.django_db
DAY_2 = at(dt.date(2027, 3, 2), 10)  # modules A (first held 1 March, morning) and C (no session) due; B not yet


@pytest.fixture
def lessons(world):
    """Module A: the world's sessions (first on the morning of 1 March), two lessons; module B: first taught on the
    afternoon of 3 March, one lesson; module C: no session in the class, one lesson; module D: no lesson."""
    module_a = world.sessions[0].module
    others = list(Module.objects.filter(part__programme=world.course_class.programme).exclude(pk=module_a.pk)
                  .order_by("part__order", "order"))
    module_b, module_c = others[0], others[1]
    Session.objects.create(course_class=world.course_class, date=dt.date(2027, 3, 3), half="pm", module=module_b,
                           periods=4)
    made = {}
    for module, count in ((module_a, 2), (module_b, 1), (module_c, 1)):
        made[module.code] = [Lesson.objects.create(module=module, order=n, title=f"Bài {n}") for n in range(1, count + 1)]
    return module_a, module_b, module_c, made


def progress(enrolment, lesson, *, done: bool, seconds: int = 600, seen=None):
    LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, seconds=seconds, last_seen_at=seen or DAY_2,
                                  completed_at=(seen or DAY_2) if done else None, completed_how="marked" if done else "")


def test_when_lessons_fall_due(world, lessons):
    module_a, module_b, module_c, _made = lessons

    def due(moment):
        return {m.module.code for m in class_progress(world.course_class, now=moment).modules
                if m.due and m.lessons}

    assert due(at(dt.date(2027, 2, 28), 23, 59)) == set()
    assert due(at(dt.date(2027, 3, 1), 0)) == {module_c.code}  # no session: from the class's first day
    assert due(at(dt.date(2027, 3, 1), 11, 59)) == {module_c.code}
    assert due(at(dt.date(2027, 3, 1), 12)) == {module_a.code, module_c.code}  # its first morning is over
    assert due(at(dt.date(2027, 3, 3), 16, 59)) == {module_a.code, module_c.code}
    assert due(at(dt.date(2027, 3, 3), 17)) == {module_a.code, module_b.code, module_c.code}  # afternoon from 17:00


def test_behind_per_learner_and_module(world, lessons):
    module_a, module_b, module_c, made = lessons
    binh, an, cuong = world.learners  # Trần Văn Bình, Lê Thị An, Nguyễn Văn Cường
    for lesson in [*made[module_a.code], *made[module_c.code]]:
        progress(binh, lesson, done=True, seconds=1850)
    progress(an, made[module_a.code][0], done=True, seconds=3000)
    progress(an, made[module_a.code][1], done=False, seconds=700, seen=DAY_2 + dt.timedelta(minutes=5))
    progress(an, made[module_c.code][0], done=True, seconds=0)
    progress(cuong, made[module_b.code][0], done=False)  # started a lesson not due yet: not behind for it
    report = class_progress(world.course_class, now=DAY_2)
    rows = {row.enrolment: row for row in report.learners}
    assert [row.enrolment for row in report.learners] == [an, cuong, binh]  # behind first, then An, Bình, Cường
    assert [m.code for m in rows[an].behind_in] == [module_a.code]
    assert [m.code for m in rows[cuong].behind_in] == [module_a.code, module_c.code]
    assert not rows[binh].behind
    assert [(m.completed, m.lessons) for m in rows[an].modules] == [(1, 2), (0, 1), (1, 1)]  # A, B, C
    assert (rows[an].time_spent, rows[an].last_seen) == ("1:01", DAY_2 + dt.timedelta(minutes=5))
    assert (rows[binh].time_spent, rows[cuong].last_seen) == ("1:32", DAY_2)
    modules = {m.module.code: m for m in report.modules}
    assert (modules[module_a.code].behind, modules[module_a.code].learners) == (2, 3)
    assert modules[module_a.code].mean_percent == Decimal("50.0")  # (100 + 50 + 0) / 3
    assert (modules[module_c.code].behind, modules[module_c.code].mean_percent) == (1, Decimal("66.7"))
    assert (modules[module_b.code].due, modules[module_b.code].behind) == (False, 0)
    assert report.behind == 2
    with time_machine.travel(at(dt.date(2027, 3, 3), 17), tick=False):  # B falls due: nobody has completed it
        assert class_progress(world.course_class).behind == 3
    assert duration(59) == "0:00" and duration(3600 * 12 + 60 * 7) == "12:07"


def test_the_page_and_the_workbook(world, lessons, client):
    module_a, module_b, module_c, made = lessons
    binh, an, cuong = world.learners
    for lesson in [*made[module_a.code], *made[module_c.code]]:
        progress(binh, lesson, done=True)
    progress(an, made[module_a.code][0], done=True, seconds=3700)
    with time_machine.travel(DAY_2, tick=False):
        client.force_login(world.lecturer)
        page = client.get(reverse("class_progress", args=[world.course_class.pk])).content.decode()
        response = client.get(reverse("class_progress_download", args=[world.course_class.pk]))
    assert page.index("Lê Thị An") < page.index("Nguyễn Văn Cường") < page.index("Trần Văn Bình")
    assert f'href="/courses/classes/{world.course_class.pk}/progress/"' in page  # the tab
    workbook = load_workbook(io.BytesIO(response.content))
    learners = list(workbook["Theo học viên"].iter_rows(values_only=True))
    head = next(n for n, r in enumerate(learners) if r[0] == "STT")
    assert learners[head] == ("STT", "Họ và tên", "Đơn vị", f"{module_a.code} (đã học/số bài)",
                              f"{module_b.code} (đã học/số bài)", f"{module_c.code} (đã học/số bài)",
                              "Thời gian học (giờ:phút)", "Truy cập gần nhất", "Chậm tiến độ", "Chậm ở chuyên đề")
    body = learners[head + 1:head + 4]
    assert [r[1] for r in body] == ["Lê Thị An", "Nguyễn Văn Cường", "Trần Văn Bình"]
    assert body[0][3:] == ("1/2", "0/1", "0/1", "1:01", "10:00 02/03/2027", "Có", f"{module_a.code}, {module_c.code}")
    assert body[2][3:9] == ("2/2", "0/1", "1/1", "0:30", "10:00 02/03/2027", None)  # not behind: an empty cell
    assert all(isinstance(cell, str) for r in body for cell in r if cell is not None)  # plain strings
    assert any(r[0] and "BÁO CÁO TIẾN ĐỘ HỌC TẬP LỚP K60" in r[0] for r in learners[:6] if r[0])
    modules = list(workbook["Theo chuyên đề"].iter_rows(values_only=True))
    head = next(n for n, r in enumerate(modules) if r[0] == "STT")
    rows = {r[1]: r for r in modules[head + 1:] if r[1]}
    assert rows[module_a.code][3:] == ("2", "12:00 01/03/2027", "Có", "2/3", "50,0")
    assert rows[module_b.code][3:] == ("1", "17:00 03/03/2027", "Chưa", "0/3", "0,0")
    assert rows[module_c.code][3:] == ("1", "00:00 01/03/2027", "Có", "2/3", "33,3")


def _grow(world, lessons, make_user, extra: int) -> None:
    module_a, _b, module_c, made = lessons
    for n in range(extra):
        person = make_user(username=f"them{n}", full_name=f"Học Viên {n}")
        enrolment = Enrolment.objects.create(course_class=world.course_class, person=person, list_order=10 + n)
        for lesson in [*made[module_a.code], *made[module_c.code]]:
            progress(enrolment, lesson, done=n % 2 == 0)


def test_a_fixed_number_of_queries_whatever_the_class_size(world, lessons, client, make_user):
    def count() -> tuple[int, int]:
        world.course_class.refresh_from_db()
        with CaptureQueriesContext(connection) as selector:
            class_progress(world.course_class, now=DAY_2)
        with CaptureQueriesContext(connection) as page:
            assert client.get(url).status_code == 200
        return len(selector), len(page)

    url = reverse("class_progress", args=[world.course_class.pk])
    client.force_login(world.head)
    client.get(url)  # the first request of a session reads what later ones find cached
    small = count()
    _grow(world, lessons, make_user, 25)
    large = count()
    assert small == large and small[0] <= 5


def test_who_reaches_the_report(world, client):
    """The class's lecturers (head or not) and the course manager; never a learner."""
    urls = [reverse("class_progress", args=[world.course_class.pk]),
            reverse("class_progress_download", args=[world.course_class.pk])]
    for user, status in ((world.head, 200), (world.lecturer, 200), (world.manager, 200),
                         (world.learners[0].person, 403)):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [status, status], user
