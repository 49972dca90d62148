"""Demo banks for `seed_demo`: real questions on administrative reform, state management and basic IT."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Count

from accounts.models import User
from exams.importing.base import ParsedChoice, ParsedQuestion
from exams.importing.validate import validate
from exams.models import Bank, Blueprint, BlueprintRow, Question
from exams.services.questions import bank_get_or_create, question_create, questions_approve, topic_get_or_create

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
    return {"questions_created": created, "blueprints_created": _seed_blueprint(writer)}


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
