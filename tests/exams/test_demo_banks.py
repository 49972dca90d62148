import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.demo import seed_demo
from exams.models import Bank, Blueprint, Question
from exams.papers.services import blueprint_check

NOW = dt.datetime(2026, 11, 27, 9, 20, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def seeded(db):
    with time_machine.travel(NOW, tick=False):  # the demo's sittings are placed around the server's today
        yield seed_demo()


@pytest.mark.django_db
def test_demo_banks_hold_at_least_150_approved_questions_each_checked_by_a_second_author(seeded):
    questions = Question.objects.filter(is_current=True).select_related("author", "approved_by")
    approved = [q for q in questions if q.status == "approved"]
    assert len(approved) >= 150 and seeded["questions_created"] == len(questions)
    assert all(q.approved_by is not None and q.approved_by_id != q.author_id for q in approved)
    assert all(q.legal_basis and q.explanation for q in questions)
    assert questions.filter(kind="essay").count() >= 3
    names = set(Bank.objects.values_list("name", flat=True))
    assert {"Cải cách hành chính", "Kiến thức quản lý nhà nước", "Tin học cơ bản"} <= names
    reform_topics = set(Bank.objects.get(name="Cải cách hành chính").topics.values_list("name", flat=True))
    assert {"Cơ chế một cửa, một cửa liên thông", "Dịch vụ công trực tuyến", "Kiểm soát thủ tục hành chính"} \
        <= reform_topics


@pytest.mark.django_db
def test_every_demo_choice_question_has_a_valid_answer(seeded):
    for question in Question.objects.prefetch_related("choices"):
        correct = sum(c.is_correct for c in question.choices.all())
        if question.kind in ("single", "true_false"):
            assert correct == 1, question.text
        elif question.kind == "multiple":
            assert correct >= 2, question.text
        elif question.kind == "short":
            assert question.accepted_answers, question.text


@pytest.mark.django_db
def test_the_demo_blueprint_is_filled_by_the_bank_and_seeding_twice_adds_nothing(seeded):
    blueprint = Blueprint.objects.get()
    assert blueprint.rows.count() > 5 and blueprint_check(blueprint=blueprint) == []
    before = Question.objects.count()
    again = seed_demo()
    assert (again["questions_created"], again["blueprints_created"]) == (0, 0)
    assert Question.objects.count() == before


@pytest.mark.django_db
def test_the_demo_exam_has_40_candidates_two_rooms_and_a_sitting_opening_today(seeded):
    from django.utils import timezone

    from exams.models import Exam, Sitting

    exam = Exam.objects.get(preset="nang-ngach-chuyen-vien-2020")
    assert exam.status == "scheduled" and seeded["exams_created"] == 1
    registrations = exam.registrations.select_related("person")
    assert registrations.count() == 40
    assert registrations.filter(person__username="demo_candidate").exists()
    assert not registrations.filter(room__isnull=True).exists() and exam.rooms.count() == 2
    assert all(r.candidate_number.startswith("CV") and r.exam_password for r in registrations)
    first = Sitting.objects.filter(subject__exam=exam).order_by("starts_at").first()
    assert timezone.localtime(first.opens_at).date() == NOW.date()
    assert exam.council.filter(position="chair", user__username="demo_council").exists()
