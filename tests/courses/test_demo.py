"""The training demo of `make run` (issue 18): demo_learner in a chuyên viên class in progress taught by
demo_lecturer, with a session today for self check-in, and a closed class whose list names what blocks."""
from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.demo import seed_demo
from courses.completion_list import class_outcomes
from courses.models import CourseClass

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_running_class_and_a_closed_one():
    seed_demo()
    running = CourseClass.objects.get(name="K60 (demo)")
    assert running.closed_at is None and running.programme.code == "QLNN-CV"
    assert running.enrolments.filter(person__username="demo_learner").exists()
    assert set(running.staff.values_list("user__username", "role")) == {("demo_lecturer", "head"),
                                                                          ("demo_lecturer", "lecturer")}
    assert running.sessions.filter(date=timezone.localdate()).exists()
    closed = CourseClass.objects.get(name="K59 (demo)")
    assert closed.closed_at is not None
    _requirements, rows = class_outcomes(closed)
    reasons = [reason for row in rows for reason in row.outcome.reasons]
    assert "Thiếu điểm TH" in reasons and any(r.startswith("Chuyên cần") for r in reasons)
    assert sum(row.outcome.completed for row in rows) == len(rows) - 2
    seed_demo()  # idempotent
    assert CourseClass.objects.count() == 2


def test_the_demo_learner_finds_lessons_to_open(client):
    from django.urls import reverse

    from accounts.models import User
    from courses.models import Lesson

    seed_demo()
    running = CourseClass.objects.get(name="K60 (demo)")
    lessons = Lesson.objects.filter(module__part__programme=running.programme).order_by("order")
    assert [lesson.order for lesson in lessons] == [1, 2, 3] and "<script" not in lessons[0].body
    client.force_login(User.objects.get(username="demo_learner"))
    page = client.get(reverse("learn_class", args=[running.pk])).content.decode()
    assert lessons[0].title in page and "Học tiếp từ chỗ đã dừng" in page
    seed_demo()
    assert Lesson.objects.count() == 3
