"""What the candidate's exam-day pages read through the cache: the sitting with its subject and exam, and the
body of each sealed paper. At the start spike every candidate asks for both within a minute.

- A sitting (with its subject and exam) is kept a few seconds: saving any of the three rows forgets it at once
  (signals below; in every process when the cache is Redis), and an exam's status, which services change with
  ``update()``, is forgotten by ``forget_exam``. What remains is a change made outside the platform's code,
  seen at most ``SITTING_SECONDS`` late.
- A paper's body never changes once the set is sealed: it is built on the first view, or for a whole room when
  the invigilator opens it (``warm_paper_bodies``), so the start spike reads it instead of building it.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from exams.banks import selectors
from exams.banks.models import Choice
from exams.papers.body import paper_body_html
from exams.papers.models import Paper, PaperItem
from exams.sessions.models import Exam, Registration, Room, Sitting, Subject

logger = logging.getLogger(__name__)

SITTING_SECONDS = 5
PAPER_BODY_MARKUP = 5  # bump when exams/papers/body.py changes: cached bodies of the old markup are then ignored
PAPER_BODY_SECONDS = 6 * 3600


# --- the sitting -------------------------------------------------------------------------------------------------

# Cached sittings are pickled model instances: bump when a model's module moves or its fields change, so a new
# release never unpickles an old release's object (2: the models moved into the slices).
SITTING_LAYOUT = 2


def _sitting_key(sitting_id: int) -> str:
    return f"examday-sitting:{SITTING_LAYOUT}:{sitting_id}"


def sitting_with_exam(sitting_id: int) -> Sitting:
    """The sitting with its subject and exam (Http404 when there is none). Each call gets its own objects."""
    key = _sitting_key(sitting_id)
    sitting = cache.get(key)
    if sitting is None:
        sitting = Sitting.objects.select_related("subject__exam").filter(pk=sitting_id).first()
        if sitting is None:
            raise Http404
        cache.set(key, sitting, SITTING_SECONDS)
    return sitting


def _forget_sittings(**lookup) -> None:
    cache.delete_many([_sitting_key(pk) for pk in Sitting.objects.filter(**lookup).values_list("pk", flat=True)])


def forget_sitting(sitting_id: int) -> None:
    """After a write that sends no signal (``update()``): the sitting is read afresh."""
    cache.delete(_sitting_key(sitting_id))


def forget_exam(exam_id: int) -> None:
    _forget_sittings(subject__exam=exam_id)


@receiver([post_save, post_delete], sender=Sitting, dispatch_uid="exams.forget_sitting")
def _forget_sitting(sender, instance: Sitting, **kwargs) -> None:
    cache.delete(_sitting_key(instance.pk))


@receiver([post_save, post_delete], sender=Subject, dispatch_uid="exams.forget_subject_sittings")
def _forget_subject(sender, instance: Subject, **kwargs) -> None:
    _forget_sittings(subject=instance.pk)


@receiver([post_save, post_delete], sender=Exam, dispatch_uid="exams.forget_exam_sittings")
def _forget_exam(sender, instance: Exam, **kwargs) -> None:
    forget_exam(instance.pk)


# --- the paper's body ----------------------------------------------------------------------------------------------

class _Question(NamedTuple):  # what selectors.candidate_item reads of a question and of a choice
    kind: str
    text: str


class _Choice(NamedTuple):
    pk: int
    text: str


ItemRow = tuple[selectors.CandidateItem, int, str]


def papers_items(paper_ids: list[int]) -> dict[int, list[ItemRow]]:
    """Papers' questions as the candidate sees them, with their positions and labels, whatever the number of
    papers in two queries read as plain rows."""
    rows = list(PaperItem.objects.filter(paper_id__in=paper_ids).order_by("paper_id", "position").values_list(
        "paper_id", "position", "choice_order", "points", "question_id", "question__kind", "question__text"))
    choices: dict[int, list[_Choice]] = {}
    for question_id, pk, text in Choice.objects.filter(question_id__in={row[4] for row in rows}).order_by(
            "question_id", "position").values_list("question_id", "pk", "text"):
        choices.setdefault(question_id, []).append(_Choice(pk, text))
    items: dict[int, list[ItemRow]] = {pk: [] for pk in paper_ids}
    for paper_id, position, order, points, question_id, kind, text in rows:
        item = selectors.candidate_item(number=position + 1, question=_Question(kind, text),
                                        choices=choices.get(question_id, []), order=order, points=points)
        items[paper_id].append((item, position, _("Question %(n)s") % {"n": item.number}))
    return items


def paper_items(paper_id: int) -> list[ItemRow]:
    return papers_items([paper_id])[paper_id]


def _body_key(paper_id: int, one_per_screen: bool) -> str:
    return f"exam-paper-body:{PAPER_BODY_MARKUP}:{paper_id}:{int(one_per_screen)}:{get_language()}"


def paper_body(*, paper_id: int, one_per_screen: bool) -> str:
    """The question grid and the questions of a paper: nothing of a candidate's (answers, flags, time) is in
    it — the page's script fills those in."""
    key = _body_key(paper_id, one_per_screen)
    body = cache.get(key)
    if body is None:
        body = paper_body_html(paper_items(paper_id), one_per_screen=one_per_screen)
        cache.set(key, body, PAPER_BODY_SECONDS)
    return mark_safe(body)  # noqa: S308 - our own markup, every text escaped or sanitised when it was stored


def warm_paper_bodies(*, sitting: Sitting, registration_numbers: list[str], chunk: int = 200) -> int:
    """Build the bodies of these candidates' papers in the sitting, in the site's language (the candidates'
    unless they chose another; the invigilator who asks may read English): the room's candidates then read
    them at the start instead of each building their own. Returns how many."""
    if not sitting.paper_set_id or not registration_numbers:
        return 0
    one_per_screen = sitting.subject.exam.one_question_per_screen
    paper_ids = list(Paper.objects.filter(paper_set_id=sitting.paper_set_id, paper_set__sealed_at__isnull=False,
                                          candidate_ref__in=registration_numbers).values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(paper_ids), chunk):
            items = papers_items(paper_ids[start:start + chunk])
            cache.set_many({_body_key(pk, one_per_screen): paper_body_html(rows, one_per_screen=one_per_screen)
                            for pk, rows in items.items()}, PAPER_BODY_SECONDS)
    return len(paper_ids)


def warm_room(*, sitting: Sitting, room: Room) -> int:
    """``warm_paper_bodies`` for the candidates seated in ``room``, as the invigilator opens it. Only a head start:
    should it fail (the cache unreachable, say), the room is open all the same and each page builds its own."""
    try:
        return warm_paper_bodies(sitting=sitting, registration_numbers=list(Registration.objects.filter(
            exam=sitting.subject.exam_id, room=room).values_list("candidate_number", flat=True)))
    except Exception:  # noqa: BLE001 - an optimisation must never stop a room from opening
        logger.exception("paper bodies not built for sitting %s room %s", sitting.pk, room.pk)
        return 0
