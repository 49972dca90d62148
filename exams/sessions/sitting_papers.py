"""A sitting's papers, made on its page: one sealed paper per candidate who sits the subject, plus spares.

The set is drawn from the subject's blueprint for the candidates registered for the exam and not exempt from the
subject, by candidate number (never from numbers typed by hand), and sealed and attached in the same step. Spares
(``SPARE_PAPERS_PERCENT``, 5 % by default, at least one) carry the reference ``Dự phòng 01``…: a candidate added
after the set was made, or one whose paper was voided on the day, takes the first spare nobody holds when the
attempt starts (exams/examday/services/entering.py).

While no attempt of the sitting exists, the set can be made again (new candidates, a corrected blueprint): the
earlier set stays in the register of paper sets, sealed and detached. Once an attempt exists, the set is final.
"""
from __future__ import annotations

import math
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.papers.models import Paper, PaperSet
from exams.papers.services import blueprint_check, paper_set_generate, paper_set_seal
from exams.sessions import examday_cache
from exams.sessions.models import Registration, Sitting, Subject

SPARE_PREFIX = "Dự phòng "


def spare_ref(n: int) -> str:
    return f"{SPARE_PREFIX}{n:02d}"


def spare_count(candidates: int, *, percent: int | None = None) -> int:
    """Spares for ``candidates`` papers: ``percent`` of them rounded up, at least one (none for no candidate)."""
    percent = settings.SPARE_PAPERS_PERCENT if percent is None else percent
    if candidates <= 0:
        return 0
    return max(1, math.ceil(candidates * percent / 100))


def paper_refs(paper_set_id: int) -> tuple[set[str], int]:
    """The candidate numbers a set holds a paper for, and how many spares it holds besides."""
    refs = set(Paper.objects.filter(paper_set_id=paper_set_id).values_list("candidate_ref", flat=True))
    spares = sum(1 for ref in refs if ref.startswith(SPARE_PREFIX))
    return {ref for ref in refs if not ref.startswith(SPARE_PREFIX)}, spares


def subject_candidates(subject: Subject) -> list[str]:
    """The candidate numbers that sit ``subject``: registered for its exam, numbered, not exempt from it."""
    registrations = (Registration.objects.filter(exam_id=subject.exam_id).exclude(candidate_number="")
                     .exclude(candidate_number__startswith="~").order_by("candidate_number")
                     .only("candidate_number", "exempt_foreign_language", "exempt_it"))
    return [r.candidate_number for r in registrations if not r.exemption_for(subject)]


def blueprint_question_count(subject: Subject) -> int | None:
    if subject.blueprint_id is None:
        return None
    return sum(row.count for row in subject.blueprint.rows.all())


def sitting_papers_problems(sitting: Sitting) -> list[str]:
    """Why papers cannot be made for ``sitting`` now (empty: they can)."""
    subject = sitting.subject
    problems = []
    if subject.blueprint_id is None:
        problems.append(_("The subject has no blueprint: choose one on the subject's page."))
    else:
        count = blueprint_question_count(subject)
        if subject.question_count and count != subject.question_count:
            problems.append(_("The blueprint draws %(drawn)s questions but the subject has %(wanted)s.")
                            % {"drawn": count, "wanted": subject.question_count})
        shortfalls = blueprint_check(blueprint=subject.blueprint)
        if shortfalls:
            problems.append(_("The bank cannot fill the blueprint yet (not enough approved questions)."))
    if not subject_candidates(subject):
        problems.append(_("Nobody sits this subject yet: import the candidates and give them numbers first."))
    if sitting.attempts.exists():
        problems.append(_("Candidates have started this sitting: its papers are final."))
    return problems


def sitting_papers_make(*, sitting: Sitting, actor: User, variants: int | None = None) -> PaperSet:
    """Draw, seal and attach the papers of ``sitting`` (audited). Refused with the reasons of
    :func:`sitting_papers_problems`."""
    problems = sitting_papers_problems(sitting)
    if problems:
        raise ValidationError(problems)
    subject = sitting.subject
    refs = subject_candidates(subject)
    spares = spare_count(len(refs))
    name = _("%(exam)s – %(subject)s – sitting at %(start)s") % {
        "exam": subject.exam.name, "subject": subject.code,
        "start": timezone.localtime(sitting.starts_at).strftime("%H:%M %d/%m/%Y")}
    with transaction.atomic():
        locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
        if locked.attempts.exists():  # a start slipped in since the check
            raise ValidationError(_("Candidates have started this sitting: its papers are final."))
        paper_set = paper_set_generate(
            blueprint=subject.blueprint, name=name[:200], seed=secrets.token_hex(8),
            candidate_refs=[*refs, *(spare_ref(n) for n in range(1, spares + 1))], variants=variants, actor=actor)
        paper_set = paper_set_seal(paper_set=paper_set, actor=actor)
        replaced = locked.paper_set_id
        Sitting.objects.filter(pk=locked.pk).update(paper_set=paper_set)
        audit_record(actor=actor, action="sitting.papers", obj=subject.exam,
                     details={"sitting": locked.pk, "paper_set": paper_set.pk, "papers": len(refs),
                              "spares": spares, "replaced": replaced})
        transaction.on_commit(lambda: examday_cache.forget_sitting(locked.pk))
    sitting.paper_set = paper_set
    return paper_set
