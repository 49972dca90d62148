"""Banks and questions: create, edit (versioned), approve (four eyes), retire, move."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from accounts.vietnamese import normalize_name
from exams.banks import html
from exams.banks.importing.base import CHOICE_KINDS, ParsedChoice, ParsedQuestion
from exams.banks.importing.validate import duplicate_key
from exams.banks.models import Bank, Choice, ItemReview, Question, Topic
from exams.banks.selectors import legal_documents

QUESTION_FIELDS = ("kind", "text", "explanation", "difficulty", "level", "legal_basis", "scoring",
                   "keep_choice_order", "accent_insensitive", "accepted_answers")


def bank_get_or_create(*, name: str, actor: User | None, description: str = "",
                       for_training: bool = False) -> tuple[Bank, bool]:
    """The bank named ``name``; a new one (its creator an author of it) takes ``description`` and whether it is
    open to training courses."""
    bank, created = Bank.objects.get_or_create(name=normalize_name(name), defaults={
        "created_by": actor, "description": description, "for_training": for_training})
    if created:
        if actor is not None:
            bank.authors.add(actor)
        audit_record(actor=actor, action="bank.create", obj=bank, details={"for_training": for_training})
    return bank, created


def bank_training_set(*, bank: Bank, for_training: bool, actor: User) -> Bank:
    """Open the bank to training courses' tests (their blueprints become choosable, exams/engine.py) or close it
    again (a course test on one of its blueprints then draws no new paper)."""
    with transaction.atomic():
        changed = Bank.objects.filter(pk=bank.pk).exclude(for_training=for_training).update(for_training=for_training)
        if changed:
            audit_record(actor=actor, action="bank.training", obj=bank, details={"for_training": for_training})
    bank.for_training = for_training
    return bank


def bank_add_author(*, bank: Bank, author: User, actor: User) -> None:
    """Give another question author the right to edit (and approve in) ``bank``."""
    from accounts.permissions import roles_of
    from accounts.roles import Role

    if Role.QUESTION_AUTHOR not in roles_of(author):
        raise ValidationError(_("Only question authors can be added to a bank."))
    if not bank.authors.filter(pk=author.pk).exists():
        bank.authors.add(author)
        audit_record(actor=actor, action="bank.add_author", obj=bank, details={"author": author.username})


def topic_get_or_create(*, bank: Bank, name: str) -> Topic:
    topic, _created = Topic.objects.get_or_create(bank=bank, name=normalize_name(name))
    return topic


@dataclass
class QuestionData:
    """Validated content of a question (from a form or an import)."""

    topic: Topic
    parsed: ParsedQuestion


def fill_question(question: Question, parsed: ParsedQuestion) -> None:
    """Copy the content of ``parsed`` onto ``question`` (sanitised and normalised), saving nothing."""
    question.kind = parsed.kind
    question.text = html.sanitize(parsed.text)
    question.search_text = html.search_form(question.text)
    question.dedup_key = duplicate_key(kind=parsed.kind, text=question.text)
    question.explanation = html.sanitize(parsed.explanation)
    question.difficulty = parsed.difficulty
    question.level = parsed.level
    question.legal_basis = normalize_name(parsed.legal_basis)
    question.scoring = parsed.scoring
    question.keep_choice_order = parsed.keep_choice_order
    question.accent_insensitive = parsed.accent_insensitive
    question.accepted_answers = [normalize_name(a) for a in parsed.accepted_answers]


def _choices_for(question: Question, choices: list[ParsedChoice]) -> list[Choice]:
    if question.kind not in CHOICE_KINDS:
        return []
    return [Choice(question=question, position=i, text=html.sanitize(c.text), is_correct=c.correct)
            for i, c in enumerate(choices)]


def question_create(*, topic: Topic, parsed: ParsedQuestion, author: User, imported: bool = False) -> Question:
    question = Question(bank=topic.bank, topic=topic, author=author, imported=imported)
    fill_question(question, parsed)
    question.save()
    Question.objects.filter(pk=question.pk).update(lineage=question.pk)
    question.lineage_id = question.pk
    Choice.objects.bulk_create(_choices_for(question, parsed.choices))
    return question


def question_update(*, question: Question, topic: Topic, parsed: ParsedQuestion, actor: User) -> Question:
    """Edit a question. A question used in a paper is frozen: the edit becomes a new version that later
    papers use. Any content edit sends the question back to draft (it needs a second pair of eyes)."""
    with transaction.atomic():
        current = Question.objects.select_for_update().get(pk=question.pk)
        if not current.is_current:
            raise ValidationError(_("This is an old version; edit the current one."))
        if current.frozen:
            new = Question(bank=current.bank, topic=topic, author=actor, lineage_id=current.lineage_id,
                           version=current.version + 1)
            fill_question(new, parsed)
            new.save()
            Choice.objects.bulk_create(_choices_for(new, parsed.choices))
            Question.objects.filter(pk=current.pk).update(is_current=False)
            audit_record(actor=actor, action="question.new_version", obj=new,
                         details={"previous": current.pk, "version": new.version})
            return new
        fill_question(current, parsed)
        current.topic = topic
        current.author = actor
        current.status = Question.Status.DRAFT
        current.approved_by = None
        current.approved_at = None
        current.save()
        current.choices.all().delete()
        Choice.objects.bulk_create(_choices_for(current, parsed.choices))
        audit_record(actor=actor, action="question.edit", obj=current)
        return current


def question_approve(*, question: Question, actor: User) -> Question:
    """Four eyes: only an author other than the writer or importer approves."""
    if question.author_id == actor.pk:
        raise PermissionDenied(_("A question must be approved by someone other than its writer or importer."))
    with transaction.atomic():
        changed = Question.objects.filter(pk=question.pk, status=Question.Status.DRAFT, is_current=True).exclude(
            author=actor).update(status=Question.Status.APPROVED, approved_by=actor, approved_at=timezone.now())
        if changed:
            audit_record(actor=actor, action="question.approve", obj=question)
    question.refresh_from_db()
    return question


@dataclass
class BulkResult:
    done: list[int]
    skipped: list[tuple[int, str]]


def questions_approve(*, questions: Iterable[Question], actor: User, read_in_list: bool = False) -> BulkResult:
    """Approve drafts written by someone else. ``read_in_list``: the approver confirmed having read each of them
    in full on the bulk confirmation page (the audit keeps which ones were shown and approved)."""
    result = BulkResult(done=[], skipped=[])
    now = timezone.now()
    with transaction.atomic():
        for question in questions:
            if question.status != Question.Status.DRAFT or not question.is_current:
                result.skipped.append((question.pk, _("not a draft")))
            elif question.author_id == actor.pk:
                result.skipped.append((question.pk, _("written or imported by the approver")))
            else:
                result.done.append(question.pk)
        Question.objects.filter(pk__in=result.done).update(status=Question.Status.APPROVED, approved_by=actor,
                                                           approved_at=now)
        if result.done:
            audit_record(actor=actor, action="question.approve_bulk",
                         details={"questions": result.done, "read_in_list": read_in_list})
    return result


def questions_retire(*, questions: Iterable[Question], actor: User, reason: str = "") -> int:
    ids = [q.pk for q in questions if q.is_current and q.status != Question.Status.RETIRED]
    with transaction.atomic():
        count = Question.objects.filter(pk__in=ids).update(status=Question.Status.RETIRED)
        if count:
            audit_record(actor=actor, action="question.retire", details={"questions": ids, "reason": reason})
    return count


def questions_retire_by_legal_basis(*, bank: Bank, legal_basis: str, actor: User) -> int:
    """Retire every current question of ``bank`` resting on the document ``legal_basis`` (alone or among
    others; spaces and case folded), e.g. when that document is repealed."""
    wanted = normalize_name(legal_basis).casefold()
    matching = [q for q in Question.objects.filter(bank=bank, is_current=True).exclude(legal_basis="")
                .exclude(status=Question.Status.RETIRED)
                if wanted in (doc.casefold() for doc in legal_documents(q.legal_basis))]
    return questions_retire(questions=matching, actor=actor, reason=legal_basis)


def questions_move(*, questions: Iterable[Question], topic: Topic, actor: User) -> int:
    ids = [q.pk for q in questions if q.bank_id == topic.bank_id and q.is_current]
    with transaction.atomic():
        count = Question.objects.filter(pk__in=ids).update(topic=topic)
        if count:
            audit_record(actor=actor, action="question.move", obj=topic, details={"questions": ids})
    return count


# --- reviews of questions flagged by item analysis -----------------------------------------------------

def item_reviews_resolve(*, question: Question, actor, note: str, ip: str | None = None) -> int:
    """Mark every open review of ``question`` resolved with the board's note (audited). Conditional update:
    a review resolved meanwhile by someone else is left as it is. Returns the number resolved."""
    with transaction.atomic():
        open_reviews = ItemReview.objects.filter(question=question, resolved_at__isnull=True)
        ids = list(open_reviews.values_list("pk", flat=True))
        count = ItemReview.objects.filter(pk__in=ids, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=actor, resolution=note)
        if count:
            audit_record(actor=actor, action="item_review.resolve", obj=question, ip=ip,
                         details={"reviews": ids, "note": note})
    return count
