"""Demo banks for `seed_demo`: real questions on administrative reform, state management and basic IT."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import User
from exams.banks.importing.base import ParsedChoice, ParsedQuestion
from exams.banks.importing.validate import validate
from exams.banks.models import Bank, Question
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.marking.demo import seed_marking_exams
from exams.papers.models import Blueprint, BlueprintRow
from exams.papers.services import blueprint_check
from exams.results.demo import seed_results_exam
from exams.sessions.models import Exam as SessionExam

DATA = Path(__file__).resolve().parent / "data" / "demo_questions.json"
WRITER, APPROVER = "demo_author", "demo_author2"
DEMO_BLUEPRINT = "Kiểm tra kiến thức CCHC (demo)"


def _parsed(item: dict, number: int = 0) -> ParsedQuestion:
    return ParsedQuestion(
        source=number, topic=item["topic"], kind=item["kind"], text=item["text"],
        choices=[ParsedChoice(c["text"], bool(c["correct"])) for c in item.get("choices", [])],
        accepted_answers=item.get("accepted_answers", []), difficulty=item["difficulty"], level=item["level"],
        scoring=item.get("scoring", "all_or_nothing"), keep_choice_order=item.get("keep_choice_order", False),
        accent_insensitive=item.get("accent_insensitive", False), explanation=item.get("explanation", ""),
        legal_basis=item.get("legal_basis", ""),
    )


def seed() -> dict:
    """Banks written by demo_author and approved by demo_author2 (four eyes), plus one blueprint."""
    writer = User.objects.get(username=WRITER)
    approver = User.objects.get(username=APPROVER)
    created = 0
    for spec in json.loads(DATA.read_text(encoding="utf-8"))["banks"]:
        bank, _new = bank_get_or_create(name=spec["name"], actor=writer)
        bank.authors.add(writer, approver)
        if bank.questions.exists():
            continue
        parsed = [_parsed(item, n) for n, item in enumerate(spec["questions"], start=1)]
        problems = validate(parsed, existing_keys=set(), known_topics=None, excel_columns=False)
        if problems:  # the shipped data obeys the same rules as any import
            raise ValueError(f"{spec['name']}: " + "; ".join(f"#{p.row}: {p.message}" for p in problems))
        questions = [question_create(topic=topic_get_or_create(bank=bank, name=item.topic), parsed=item,
                                     author=writer) for item in parsed]
        questions_approve(questions=questions, actor=approver)
        created += len(questions)
    result = {"questions_created": created, "blueprints_created": _seed_blueprint(writer),
              "exams_created": _seed_exam(), "results_exams_created": seed_results_exam(), **seed_marking_exams()}
    # What the demo holds, said by name: the command prints it (accounts.management.commands.seed_demo).
    result["made"] = [_("Exam “%(name)s” (%(state)s): /exams/%(pk)s/")
                      % {"name": exam.name, "state": exam.get_status_display(), "pk": exam.pk}
                      for exam in SessionExam.objects.order_by("pk")]
    return result


def _seed_blueprint(writer: User) -> int:
    """Up to two single-choice questions from every (topic, difficulty) cell of the reform bank, scaled to 100."""
    bank = Bank.objects.filter(name="Cải cách hành chính").first()
    if bank is None or Blueprint.objects.filter(bank=bank, name=DEMO_BLUEPRINT).exists():
        return 0
    blueprint = Blueprint.objects.create(bank=bank, name=DEMO_BLUEPRINT, scale=Decimal("100"), created_by=writer)
    cells = (Question.objects.filter(bank=bank, is_current=True, status=Question.Status.APPROVED)
             .filter(kind="single").values("topic", "difficulty").annotate(n=Count("id"))
             .order_by("topic", "difficulty"))
    for cell in cells:
        count = min(cell["n"], 2)
        BlueprintRow.objects.create(blueprint=blueprint, topic_id=cell["topic"], difficulty=cell["difficulty"],
                                    kind="single", count=count, points=Decimal("1"))
    return 1


DEMO_EXAM = "Kỳ thi nâng ngạch chuyên viên năm 2026 (demo)"


def _seed_exam() -> int:
    """A promotion exam with 40 candidates (demo_candidate among them), two rooms and its sittings; the
    first sitting opens today so exam-day pages can be tried from `make run`."""
    import datetime as dt

    from django.utils import timezone

    from exams.sessions.models import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting
    from exams.sessions.services import (
        exam_create,
        exam_passwords_ensure,
        exam_transition,
        numbers_assign,
        rooms_allocate,
    )

    if Exam.objects.filter(name=DEMO_EXAM).exists():
        return 0
    hr = User.objects.get(username="demo_hr")
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name=DEMO_EXAM, actor=hr, quota=12,
                       cutoff=timezone.localdate())
    for username, board, position in (("demo_council", "council", "chair"), ("demo_hr", "council", "secretary"),
                                      ("demo_author", "questions", "head"), ("demo_marker", "marking", "head"),
                                      ("demo_invigilator", "invigilation", "member")):
        CouncilMember.objects.create(exam=exam, user=User.objects.get(username=username), board=board,
                                     position=position)
    people = [User.objects.get(username="demo_candidate"), *User.objects.filter(
        rank__code="01.004", cccd__isnull=False).exclude(username__startswith="demo_").order_by("pk")[:39]]
    if len(people) < 40:
        people += list(User.objects.filter(cccd__isnull=False).exclude(pk__in=[p.pk for p in people]).exclude(
            username__startswith="demo_").order_by("pk")[: 40 - len(people)])
    Registration.objects.bulk_create([
        Registration(exam=exam, person=p, list_order=n, candidate_number=f"~{p.pk}", position_text=p.position,
                     unit=p.unit, unit_text=str(p.unit or ""), rank=p.rank, rank_text=p.rank.name if p.rank else "",
                     service_start=p.service_start,
                     exempt_it="TH_BANG" if n % 9 == 4 else "")
        for n, p in enumerate(people, start=1)
    ])
    numbers_assign(exam=exam)
    exam_passwords_ensure(exam=exam)
    Room.objects.create(exam=exam, name="Phòng 1", location="Sở Nội vụ, tầng 2", capacity=20)
    Room.objects.create(exam=exam, name="Phòng 2", location="Sở Nội vụ, tầng 3", capacity=25)
    rooms_allocate(exam=exam, actor=hr)
    tz = timezone.get_current_timezone()
    next_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    for day, subject in enumerate(exam.subjects.all()):
        starts = next_hour if day == 0 else dt.datetime.combine(timezone.localdate() + dt.timedelta(days=day),
                                                                 dt.time(8, 0), tzinfo=tz)
        sitting = Sitting.objects.create(subject=subject, starts_at=starts,
                                         ends_at=starts + dt.timedelta(minutes=subject.duration_minutes),
                                         opens_at=starts - dt.timedelta(minutes=30))
        for room in exam.rooms.all():  # one demo invigilator watches both rooms, so every journey can be clicked
            InvigilatorAssignment.objects.create(sitting=sitting, room=room,
                                                 user=User.objects.get(username="demo_invigilator"))
    _seal_demo_papers(exam)
    exam_transition(exam=exam, to=Exam.Status.REGISTRATION, actor=None, reason="demo")
    exam_transition(exam=exam, to=Exam.Status.SCHEDULED, actor=None, reason="demo")
    return 1


def _seal_demo_papers(exam) -> None:
    """Papers for every computer sitting, drawn from the demo blueprint, sealed and attached as HR does it on the
    sitting's page (the subject takes the blueprint's question count)."""
    from exams.sessions.models import Sitting
    from exams.sessions.sitting_papers import blueprint_question_count, sitting_papers_make

    blueprint = Blueprint.objects.filter(name=DEMO_BLUEPRINT).first()
    if blueprint is None or blueprint_check(blueprint=blueprint):
        return
    hr = User.objects.get(username="demo_hr")
    for sitting in Sitting.objects.filter(subject__exam=exam, subject__format="computer").select_related("subject"):
        subject = sitting.subject
        subject.blueprint = blueprint
        subject.question_count = blueprint_question_count(subject)
        subject.save(update_fields=["blueprint", "question_count"])
        sitting_papers_make(sitting=sitting, actor=hr)
