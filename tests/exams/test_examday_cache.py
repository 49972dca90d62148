"""The exam-day cache (exams/sessions/examday_cache.py): a candidate never acts on a sitting, subject or exam older than
its last save, and opening a room builds its candidates' paper bodies before they arrive."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams.examday.services import attempts as svc
from exams.models import Attempt, Exam, Sitting, Subject
from exams.papers.services import paper_set_generate
from exams.sessions import examday_cache
from exams.sessions.services import exam_transition


@pytest.fixture
def open_room(exam_day):
    cache.clear()
    return svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])


def _enter_page(client, exam_day):
    client.force_login(exam_day["candidates"][0])
    url = reverse("sitting_enter", args=[exam_day["sitting"].pk])
    assert client.get(url).status_code == 200  # the sitting is in the cache from here on
    return url


@pytest.mark.django_db
def test_an_exam_saved_after_the_page_was_read_rules_the_start_at_once(client, exam_day, open_room):
    url = _enter_page(client, exam_day)
    exam = Exam.objects.get(pk=exam_day["exam"].pk)
    exam.admit_needs_invigilator = True
    exam.save()
    page = client.post(url, {"code": open_room.code, "device": "d"})
    assert page.status_code == 200 and 'id="waiting"' in page.content.decode()
    assert not Attempt.objects.exists()  # the cached exam (no admission needed) would have started it


@pytest.mark.django_db
def test_a_subject_or_sitting_saved_after_the_page_was_read_rules_the_window_at_once(client, exam_day, open_room):
    url = _enter_page(client, exam_day)
    sitting = Sitting.objects.get(pk=exam_day["sitting"].pk)
    sitting.opens_at = sitting.starts_at - dt.timedelta(minutes=1)  # entry opens in 9 minutes
    sitting.save()
    assert client.post(url, {"code": open_room.code, "device": "d"}).status_code == 200  # refused, not redirected
    assert not Attempt.objects.exists()
    sitting.opens_at = exam_day["now"] - dt.timedelta(minutes=20)
    sitting.save()
    subject = Subject.objects.get(pk=sitting.subject_id)
    subject.late_entry_minutes = 0
    subject.save()
    with time_machine.travel(sitting.starts_at + dt.timedelta(seconds=1), tick=False):
        assert client.post(url, {"code": open_room.code, "device": "d"}).status_code == 200
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_a_change_made_without_save_is_seen_once_the_entry_expires(exam_day, open_room, monkeypatch):
    """Kept ``SITTING_SECONDS`` and no longer (the expiry is the cache's own: Redis keeps its clock, so the test
    reads the timeout given rather than waiting for it)."""
    timeouts = []
    store = examday_cache.cache.set
    monkeypatch.setattr(examday_cache.cache, "set",
                        lambda key, value, timeout: timeouts.append(timeout) or store(key, value, timeout))
    sitting_id = exam_day["sitting"].pk
    assert examday_cache.sitting_with_exam(sitting_id).subject.duration_minutes == 60
    Subject.objects.filter(pk=exam_day["sitting"].subject_id).update(duration_minutes=90)  # no signal
    assert examday_cache.sitting_with_exam(sitting_id).subject.duration_minutes == 60
    assert timeouts == [examday_cache.SITTING_SECONDS] and examday_cache.SITTING_SECONDS <= 5
    examday_cache.cache.delete(examday_cache._sitting_key(sitting_id))  # what the expiry does
    assert examday_cache.sitting_with_exam(sitting_id).subject.duration_minutes == 90


@pytest.mark.django_db
def test_an_exam_moved_along_its_lifecycle_is_forgotten(exam_day, open_room):
    sitting_id = exam_day["sitting"].pk
    assert examday_cache.sitting_with_exam(sitting_id).subject.exam.status == Exam.Status.SCHEDULED
    exam_transition(exam=exam_day["exam"], to=Exam.Status.RUNNING, actor=None)
    assert examday_cache.sitting_with_exam(sitting_id).subject.exam.status == Exam.Status.RUNNING


@pytest.mark.django_db
def test_each_request_gets_its_own_objects(exam_day, open_room):
    first = examday_cache.sitting_with_exam(exam_day["sitting"].pk)
    first.subject.exam.name = "changed in one request"
    assert examday_cache.sitting_with_exam(exam_day["sitting"].pk).subject.exam.name == exam_day["exam"].name


@pytest.mark.django_db
def test_opening_the_room_from_the_console_builds_its_papers_before_the_candidates_come(client, exam_day):
    cache.clear()
    client.force_login(exam_day["invigilator"])
    sitting, room = exam_day["sitting"], exam_day["room"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the invigilator reads English, the candidates do not
    client.post(reverse("room_open", args=[sitting.pk, room.pk]))
    code = sitting.room_sessions.get().code
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    client.force_login(exam_day["candidates"][0])
    location = client.post(reverse("sitting_enter", args=[sitting.pk]), {"code": code, "device": "d"})["Location"]
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(location)
    assert page.status_code == 200 and 'id="paper"' in page.content.decode()
    assert not [q for q in captured.captured_queries if "exams_paperitem" in q["sql"] or "exams_choice" in q["sql"]]
    attempt = Attempt.objects.get()
    assert page.content.decode().count('class="qwrap"') == attempt.items.count()


@pytest.mark.django_db
def test_warming_builds_the_same_body_as_the_first_view_and_skips_an_unsealed_set(exam_day, open_room):
    sitting = examday_cache.sitting_with_exam(exam_day["sitting"].pk)
    numbers = [r.candidate_number for r in exam_day["registrations"]]
    assert examday_cache.warm_paper_bodies(sitting=sitting, registration_numbers=numbers) == 2
    paper = sitting.paper_set.papers.get(candidate_ref=numbers[0])
    warmed = examday_cache.paper_body(paper_id=paper.pk, one_per_screen=False)
    cache.clear()
    assert examday_cache.paper_body(paper_id=paper.pk, one_per_screen=False) == warmed
    unsealed = paper_set_generate(blueprint=sitting.paper_set.blueprint, name="Ca 2", seed="other",
                                  candidate_refs=numbers, variants=None, actor=exam_day["invigilator"])
    later = Sitting(subject=sitting.subject, starts_at=sitting.starts_at, ends_at=sitting.ends_at,
                    opens_at=sitting.opens_at, paper_set=unsealed)
    assert examday_cache.warm_paper_bodies(sitting=later, registration_numbers=numbers) == 0


@pytest.mark.django_db
def test_a_failed_head_start_never_stops_the_room_from_opening(client, exam_day, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(examday_cache.cache, "set_many", unreachable)
    client.force_login(exam_day["invigilator"])
    sitting, room = exam_day["sitting"], exam_day["room"]
    response = client.post(reverse("room_open", args=[sitting.pk, room.pk]))
    assert response.status_code == 302 and sitting.room_sessions.filter(room=room).exists()
    assert "paper bodies not built" in caplog.text
