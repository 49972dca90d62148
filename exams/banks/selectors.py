"""Reads of the exam engine that need care: bank lists, question search, what a candidate sees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from accounts.permissions import roles_of
from accounts.roles import Role
from accounts.vietnamese import normalize_name, search_key
from exams.banks.models import Bank, Choice, ItemReview, Question


def banks_for(*, user) -> QuerySet[Bank]:
    banks = Bank.objects.annotate(
        current_count=Count("questions", filter=Q(questions__is_current=True)),
        approved_count=Count("questions", filter=Q(questions__is_current=True, questions__status="approved")),
    ).order_by("name")
    if user.is_superuser or Role.COUNCIL_MEMBER in roles_of(user):
        return banks  # council members read every bank
    return banks.filter(authors=user)


def question_list(*, bank: Bank, query: str = "", topic_id: int | None = None, kind: str = "", difficulty: str = "",
                  status: str = "", legal_basis: str = "") -> QuerySet[Question]:
    questions = Question.objects.filter(bank=bank, is_current=True).select_related("topic", "author", "approved_by")
    for word in search_key(query).split():
        questions = questions.filter(search_text__contains=word)
    if topic_id:
        questions = questions.filter(topic_id=topic_id)
    if kind:
        questions = questions.filter(kind=kind)
    if difficulty:
        questions = questions.filter(difficulty=difficulty)
    if status:
        questions = questions.filter(status=status)
    if legal_basis:
        questions = questions.filter(legal_basis__contains=legal_basis)
    return questions.order_by("topic__name", "pk")


def legal_documents(legal_basis: str) -> list[str]:
    """A question may rest on several documents, written "A; B"."""
    return [normalize_name(part) for part in legal_basis.split(";") if normalize_name(part)]


def legal_bases(*, bank: Bank) -> list[str]:
    """Every document the bank's questions rest on (a question may cite several, "A; B")."""
    cited = Question.objects.filter(bank=bank, is_current=True).exclude(legal_basis="") \
        .values_list("legal_basis", flat=True).distinct()
    return sorted({doc for value in cited for doc in legal_documents(value)})


def question_history(*, question: Question) -> QuerySet[Question]:
    return Question.objects.filter(lineage_id=question.lineage_id).select_related("author", "approved_by") \
        .order_by("-version")


@dataclass
class CandidateChoice:
    id: int | None
    letter: str
    text: str


@dataclass
class CandidateItem:
    """What the candidate sees of one question: never the answer."""

    number: int
    kind: str
    text: str
    choices: list[CandidateChoice]
    points: object = None

    @property
    def input_type(self) -> str:
        return "checkbox" if self.kind == "multiple" else "radio"

    @property
    def max_length(self) -> int:
        """The longest text answer a save accepts: the field stops the candidate there instead of a refusal."""
        return settings.EXAM_MAX_TEXT_ANSWER


def candidate_item(*, number: int, question: Question, choices: list[Choice], order: list[int] | None = None,
                   points=None) -> CandidateItem:
    """The same view for the author's live preview, the paper preview and (later) the exam page."""
    by_id = {c.pk: c for c in choices}
    ordered = [by_id[i] for i in order if i in by_id] if order else choices
    return CandidateItem(
        number=number, kind=question.kind, text=question.text, points=points,
        choices=[CandidateChoice(c.pk, "ABCDEFGHIJ"[n], c.text) for n, c in enumerate(ordered)],
    )


# --- reviews of questions flagged by item analysis -----------------------------------------------------

def questions_needing_review(question_ids: Iterable[int]) -> set[int]:
    """Of these questions, the ones with an unresolved review (one query, for the bank's list)."""
    return set(ItemReview.objects.filter(question_id__in=list(question_ids), resolved_at__isnull=True)
               .values_list("question_id", flat=True))


def choice_ids_by_question(**filters) -> dict[int, list[int]]:
    """The ids of the choices ``filters`` select, per question, in each question's stored order: one query of plain
    values (a draw reads every choice of its pool; marking, the correct ones of a paper)."""
    found: dict[int, list[int]] = {}
    for question_id, choice_id in Choice.objects.filter(**filters).order_by("question_id", "position").values_list(
            "question_id", "pk"):
        found.setdefault(question_id, []).append(choice_id)
    return found
