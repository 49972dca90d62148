"""Blueprints and papers: check a blueprint against the bank, draw papers from a seed, seal them."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.banks.models import Bank, Question
from exams.banks.selectors import choice_ids_by_question
from exams.papers.models import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet


@dataclass(frozen=True)
class Shortfall:
    row: BlueprintRow
    available: int

    @property
    def missing(self) -> int:
        return self.row.count - self.available


@dataclass(frozen=True)
class PoolQuestion:
    """What a draw needs of a question: its cell, whether its choices keep their order, and the choices' ids in
    their stored order (never the texts: a contest draws a paper at every start)."""

    pk: int
    topic_id: int
    difficulty: str
    kind: str
    keep_choice_order: bool
    choice_ids: tuple[int, ...]


def _pools(blueprint: Blueprint, rows: list[BlueprintRow]) -> dict[int, list[PoolQuestion]]:
    """Per blueprint row, the approved current questions of its cell (topic, difficulty and, when the row
    names one, kind), ordered by id so that the draw is reproducible. Two queries of plain values for the whole
    blueprint, whatever the size of the bank."""
    cells = {"bank": blueprint.bank_id, "is_current": True, "status": Question.Status.APPROVED,
             "topic_id__in": {r.topic_id for r in rows}}
    choice_ids = choice_ids_by_question(**{f"question__{k}": v for k, v in cells.items()})
    questions = [PoolQuestion(pk, topic_id, difficulty, kind, keep, tuple(choice_ids.get(pk, ())))
                 for pk, topic_id, difficulty, kind, keep in Question.objects.filter(**cells).order_by("pk")
                 .values_list("pk", "topic_id", "difficulty", "kind", "keep_choice_order")]
    return {row.pk: [q for q in questions if q.topic_id == row.topic_id and q.difficulty == row.difficulty
                     and (not row.kind or q.kind == row.kind)] for row in rows}


def blueprint_check(*, blueprint: Blueprint) -> list[Shortfall]:
    """The cells the bank cannot fill, and by how many questions."""
    rows = list(blueprint.rows.select_related("topic"))
    pools = _pools(blueprint, rows)
    return [Shortfall(row, len(pools[row.pk])) for row in rows if len(pools[row.pk]) < row.count]


def blueprint_total_points(blueprint: Blueprint) -> Decimal:
    return sum((r.points * r.count for r in blueprint.rows.all()), Decimal("0"))


def blueprint_create(*, bank: Bank, name: str, scale: Decimal, actor: User) -> Blueprint:
    return Blueprint.objects.create(bank=bank, name=name, scale=scale, created_by=actor)


def blueprint_rows_save(*, blueprint: Blueprint, rows: list[BlueprintRow], removed: list[BlueprintRow],
                        actor: User) -> None:
    """Store the blueprint's added and changed ``rows`` (as its row formset validated them) and delete ``removed``."""
    with transaction.atomic():
        for row in rows:
            row.blueprint = blueprint
            row.save()
        for row in removed:
            row.delete()
        audit_record(actor=actor, action="blueprint.edit", obj=blueprint)


def _rng(seed: str, index: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))  # noqa: S311 - reproducible draw, not a secret


def draw_paper(*, rows: list[BlueprintRow], pools: dict, seed: str,
               index: int) -> list[tuple[PoolQuestion, list[int], Decimal]]:
    """One paper: questions drawn per cell, question order and choice order shuffled (choices kept in
    order where the question says so). The same seed and index always give the same paper."""
    rng = _rng(seed, index)
    items = []
    for row in rows:
        for question in rng.sample(pools[row.pk], row.count):
            choice_ids = list(question.choice_ids)
            if not question.keep_choice_order:
                rng.shuffle(choice_ids)
            items.append((question, choice_ids, row.points))
    rng.shuffle(items)
    return items


def paper_set_generate(*, blueprint: Blueprint, name: str, seed: str, candidate_refs: list[str],
                       variants: int | None, actor: User) -> PaperSet:
    """Pre-generate every paper of a sitting. With ``variants`` N, N exam codes are drawn and handed to
    candidates in turn; otherwise each candidate gets a paper of their own."""
    shortfalls = blueprint_check(blueprint=blueprint)
    if shortfalls:
        raise ValidationError(_("The bank cannot fill the blueprint: {cells}.").format(cells="; ".join(
            f"{s.row.topic.name} / {s.row.get_difficulty_display()}: {_('missing')} {s.missing}" for s in shortfalls)))
    if not candidate_refs:
        raise ValidationError(_("Give at least one candidate."))
    rows = list(blueprint.rows.all())
    pools = _pools(blueprint, rows)
    total = sum((r.points * r.count for r in rows), Decimal("0"))
    drawn_count = variants or len(candidate_refs)
    drawn = [draw_paper(rows=rows, pools=pools, seed=seed, index=i) for i in range(drawn_count)]
    with transaction.atomic():
        paper_set = PaperSet.objects.create(blueprint=blueprint, name=name, seed=seed, variants=variants,
                                            created_by=actor)
        papers = [Paper(paper_set=paper_set, candidate_ref=ref, position=n,
                        code=f"{(n % drawn_count) + 1:03d}", total_points=total)
                  for n, ref in enumerate(candidate_refs)]
        Paper.objects.bulk_create(papers, batch_size=1000)
        items = [PaperItem(paper=paper, position=pos, question_id=question.pk, choice_order=choice_ids, points=points)
                 for paper in papers
                 for pos, (question, choice_ids, points) in enumerate(drawn[paper.position % drawn_count])]
        PaperItem.objects.bulk_create(items, batch_size=2000)
        used = {item.question_id for item in items}
        Question.objects.filter(pk__in=used, frozen=False).update(frozen=True)
        audit_record(actor=actor, action="paperset.generate", obj=paper_set,
                     details={"papers": len(papers), "seed": seed, "variants": variants})
    return paper_set


def paper_draw_one(*, blueprint: Blueprint, purpose: str, owner_ref: str, seed: str) -> Paper:
    """One paper for a hosted attempt (a course test, a contest entry), drawn when it opens and sealed at once: its
    own set of one paper, kept apart from the exam's sets (``purpose``), so nothing can change what was drawn."""
    if purpose == "exam":
        raise ValueError("an exam's papers are generated per sitting (paper_set_generate)")
    rows = list(blueprint.rows.select_related("topic"))
    pools = _pools(blueprint, rows)  # read once: it also tells the shortfalls (a contest's start draws at every start)
    shortfalls = [Shortfall(row, len(pools[row.pk])) for row in rows if len(pools[row.pk]) < row.count]
    if shortfalls:
        raise ValidationError(_("The bank cannot fill the blueprint: {cells}.").format(cells="; ".join(
            f"{s.row.topic.name} / {s.row.get_difficulty_display()}: {_('missing')} {s.missing}" for s in shortfalls)))
    drawn = draw_paper(rows=rows, pools=pools, seed=seed, index=0)
    with transaction.atomic():
        paper_set = PaperSet.objects.create(blueprint=blueprint, name=f"{purpose}:{owner_ref}"[:200], seed=seed,
                                            hosted_for=purpose)
        paper = Paper.objects.create(paper_set=paper_set, candidate_ref=owner_ref[:64], position=0, code="001",
                                     total_points=sum((r.points * r.count for r in rows), Decimal("0")))
        items = PaperItem.objects.bulk_create([PaperItem(paper=paper, position=pos, question_id=question.pk,
                                                         choice_order=choice_ids, points=_stored_points(points))
                                               for pos, (question, choice_ids, points) in enumerate(drawn)])
        Question.objects.filter(pk__in={question.pk for question, _c, _p in drawn}, frozen=False).update(frozen=True)
        # Sealed over what was just written, as paper_set_digest would read it back.
        digest = _digest((paper.position, paper.code, paper.candidate_ref, item.position, item.question_id,
                          item.choice_order, item.points) for item in items)
        PaperSet.objects.filter(pk=paper_set.pk).update(sealed_at=timezone.now(), seal_hash=digest)
    return paper


def _stored_points(points: Decimal) -> Decimal:
    """The points as the paper item's column stores them (its decimal places)."""
    places = PaperItem._meta.get_field("points").decimal_places
    return points.quantize(Decimal(1).scaleb(-places))


def _digest(rows) -> str:
    hasher = hashlib.sha256()
    for row in rows:
        hasher.update(json.dumps([*row[:6], str(row[6])], separators=(",", ":")).encode())
        hasher.update(b"\n")
    return hasher.hexdigest()


def paper_set_digest(paper_set: PaperSet) -> str:
    """SHA-256 over a canonical description of every paper (question versions, choice orders, points)."""
    items = PaperItem.objects.filter(paper__paper_set=paper_set).order_by("paper__position", "position").values_list(
        "paper__position", "paper__code", "paper__candidate_ref", "position", "question_id", "choice_order", "points")
    return _digest(items.iterator(chunk_size=5000))


def paper_set_seal(*, paper_set: PaperSet, actor: User) -> PaperSet:
    with transaction.atomic():
        locked = PaperSet.objects.select_for_update().get(pk=paper_set.pk)
        if locked.is_sealed:
            raise ValidationError(_("This paper set is already sealed."))
        digest = paper_set_digest(locked)
        PaperSet.objects.filter(pk=locked.pk, sealed_at__isnull=True).update(sealed_at=timezone.now(),
                                                                              seal_hash=digest)
        audit_record(actor=actor, action="paperset.seal", obj=locked, details={"sha256": digest})
    locked.refresh_from_db()
    return locked


def paper_set_verify(*, paper_set: PaperSet) -> bool:
    """True when the stored papers still match the seal."""
    return paper_set.is_sealed and paper_set_digest(paper_set) == paper_set.seal_hash


def paper_set_delete(*, paper_set: PaperSet, actor: User) -> None:
    """Only an unsealed set may be thrown away (e.g. to draw again with another seed)."""
    with transaction.atomic():
        locked = PaperSet.objects.select_for_update().get(pk=paper_set.pk)
        if locked.is_sealed:
            raise ValidationError(_("A sealed paper set cannot change."))
        audit_record(actor=actor, action="paperset.delete", obj=locked)
        locked.delete()
