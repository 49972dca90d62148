import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from exams.banks.importing.base import ParsedChoice, ParsedQuestion
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.models import Blueprint, BlueprintRow, Registration, Room, Sitting
from exams.sessions.services import exam_create, exam_transition


@pytest.fixture
def author(make_user):
    return make_user(Role.QUESTION_AUTHOR, username="author", full_name="Phạm Minh Khôi")


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.QUESTION_AUTHOR, username="reviewer", full_name="Lâm Thị Kiều Oanh")


@pytest.fixture
def bank(author, reviewer):
    bank, _ = bank_get_or_create(name="Cải cách hành chính", actor=author)
    bank.authors.add(reviewer)
    return bank


def single(text: str, *, correct: int = 0, options: int = 4, **fields) -> ParsedQuestion:
    return ParsedQuestion(source=0, topic=fields.pop("topic", "Một cửa"), kind="single", text=text,
                          choices=[ParsedChoice(f"Phương án {i} của {text}", i == correct) for i in range(options)],
                          **fields)


@pytest.fixture
def make_question(bank, author):
    def make(text: str, *, parsed: ParsedQuestion | None = None, approve_by=None, **fields):
        parsed = parsed or single(text, **fields)
        question = question_create(topic=topic_get_or_create(bank=bank, name=parsed.topic), parsed=parsed,
                                   author=author)
        if approve_by is not None:
            questions_approve(questions=[question], actor=approve_by)
            question.refresh_from_db()
        return question

    return make


@pytest.fixture
def exam_day(db, make_user, reviewer, author):
    """A scheduled exam with one sealed sitting (KTC, fixed timing, 60 min), one room, its invigilator and two
    candidates; the clock is 10 minutes before the start (the room is open for entry)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from accounts.roles import Role
    from exams.models import Blueprint, BlueprintRow, InvigilatorAssignment, Registration, Room, Sitting
    from exams.papers.services import paper_set_generate, paper_set_seal
    from exams.sessions.services import exam_create

    bank, _ = bank_get_or_create(name="Ngân hàng thi", actor=author)
    topic = topic_get_or_create(bank=bank, name="Một cửa")
    questions = [question_create(topic=topic, parsed=single(f"Câu {n}", correct=n % 4), author=author)
                 for n in range(4)]
    from exams.banks.importing.base import ParsedQuestion

    questions.append(question_create(topic=topic, parsed=ParsedQuestion(
        source=0, topic="Một cửa", kind="short", text="Viết tắt của thủ tục hành chính?", accepted_answers=["TTHC"]),
        author=author))
    questions_approve(questions=questions, actor=reviewer)
    blueprint = Blueprint.objects.create(bank=bank, name="KTC", scale=Decimal(100))
    BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=5)
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi ngày thi", actor=None)
    exam.status = "scheduled"
    exam.save()
    room = Room.objects.create(exam=exam, name="Phòng 1", capacity=10)
    candidates = [make_user(Role.CANDIDATE, username=f"ts{n}", full_name=f"Thí Sinh Số {n}") for n in (1, 2)]
    registrations = [Registration.objects.create(exam=exam, person=p, candidate_number=f"CV000{n}", room=room,
                                                 exam_password="pw")
                     for n, p in enumerate(candidates, start=1)]
    paper_set = paper_set_generate(blueprint=blueprint, name="Ca 1", seed="day",
                                   candidate_refs=[r.candidate_number for r in registrations], variants=None,
                                   actor=author)
    paper_set_seal(paper_set=paper_set, actor=author)
    now = timezone.now()
    subject = exam.subjects.get(code="KTC")
    sitting = Sitting.objects.create(subject=subject, starts_at=now + dt.timedelta(minutes=10),
                                     ends_at=now + dt.timedelta(minutes=70), opens_at=now - dt.timedelta(minutes=20),
                                     paper_set=paper_set)
    invigilator = make_user(Role.INVIGILATOR, username="giamthi", full_name="Giám Thị Một")
    InvigilatorAssignment.objects.create(sitting=sitting, room=room, user=invigilator)
    return {"exam": exam, "room": room, "sitting": sitting, "registrations": registrations,
            "candidates": candidates, "invigilator": invigilator, "now": now}


@pytest.fixture
def sitting_world(db, bank, author, reviewer, make_user):
    """An exam in registration: KTC on the computer with a 5-question blueprint, three candidates (one exempt from
    NN, which is not this subject), one room, a sitting without papers, no invigilator."""
    topic = topic_get_or_create(bank=bank, name="Một cửa")
    questions = [question_create(topic=topic, parsed=single(f"Câu {n}"), author=author) for n in range(6)]
    questions_approve(questions=questions, actor=reviewer)
    blueprint = Blueprint.objects.create(bank=bank, name="Ma trận KTC", scale=Decimal(100))
    BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=5)
    hr = make_user(Role.HR_STAFF, username="hr", full_name="Nhân Sự")
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi có ca", actor=hr)
    exam_transition(exam=exam, to="registration", actor=hr)
    subject = exam.subjects.get(code="KTC")
    subject.blueprint = blueprint
    subject.question_count = 5
    subject.save()
    room = Room.objects.create(exam=exam, name="Phòng 1", capacity=10)
    people = [make_user(Role.CANDIDATE, username=f"ts{n}", full_name=f"Thí Sinh {n}") for n in (1, 2, 3)]
    registrations = [Registration.objects.create(exam=exam, person=p, candidate_number=f"CV000{n}", room=room,
                                                 exam_password="pw", exempt_foreign_language="NN1" if n == 3 else "")
                     for n, p in enumerate(people, start=1)]
    now = timezone.now()
    sitting = Sitting.objects.create(subject=subject, starts_at=now + dt.timedelta(minutes=10),
                                     ends_at=now + dt.timedelta(minutes=70), opens_at=now - dt.timedelta(minutes=20))
    return {"exam": exam, "subject": subject, "sitting": sitting, "room": room, "hr": hr,
            "registrations": registrations, "make_user": make_user}
