"""Is the exam ready for its day? What is missing, per sitting, said in Vietnamese before the day.

The exam page and the invigilator's console show the list; moving the exam to ``scheduled`` is refused while it
is not empty, and a room does not open for a sitting whose papers are missing (``sitting_gaps``). Checks:

* every subject someone sits has a sitting; there is a room and every candidate has one;
* a sitting on the computer has a sealed paper set with a paper for each of its candidates, or spares enough for
  those added after the set was made; its subject's question count equals its blueprint's;
* every room with candidates has an invigilator for each sitting.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exams.papers.models import PaperSet
from exams.sessions.models import Exam, InvigilatorAssignment, Registration, Sitting, Subject
from exams.sessions.sitting_papers import blueprint_question_count, paper_refs, subject_candidates


@dataclass(frozen=True)
class Gap:
    text: str
    sitting_id: int | None = None
    blocking: bool = True  # False: shown as advice, scheduling goes ahead (a subject sat off the platform)


def _sitting_label(sitting: Sitting) -> str:
    return _("%(subject)s, sitting at %(start)s") % {
        "subject": sitting.subject.code, "start": timezone.localtime(sitting.starts_at).strftime("%H:%M %d/%m/%Y")}


def sitting_gaps(sitting: Sitting, *, rooms_with_candidates: set[int] | None = None,
                 papers_only: bool = False) -> list[Gap]:
    """What ``sitting`` lacks: its blueprint, its papers (computer subjects) and its invigilators. ``papers_only``:
    whether every candidate can be given a paper now (what opening a room needs)."""
    subject = sitting.subject
    label = _sitting_label(sitting)
    gaps = []
    if subject.format == Subject.Format.COMPUTER and not papers_only:
        drawn = blueprint_question_count(subject)
        if drawn is None:
            gaps.append(Gap(_("%(sitting)s: the subject has no blueprint.") % {"sitting": label}, sitting.pk))
        elif subject.question_count and drawn != subject.question_count:
            gaps.append(Gap(_("%(sitting)s: the blueprint draws %(drawn)s questions but the subject has %(wanted)s.")
                            % {"sitting": label, "drawn": drawn, "wanted": subject.question_count}, sitting.pk))
    if subject.format == Subject.Format.COMPUTER:
        # Read from the database, not the sitting's cached relation: a sitting held in the exam-day cache, or one
        # whose set was sealed since it was loaded, must not be judged by a stale copy.
        paper_set = PaperSet.objects.filter(pk=sitting.paper_set_id).first() if sitting.paper_set_id else None
        if paper_set is None or not paper_set.is_sealed:
            gaps.append(Gap(_("%(sitting)s: no sealed paper set yet.") % {"sitting": label}, sitting.pk))
        else:
            refs, spares = paper_refs(paper_set.pk)
            missing = [n for n in subject_candidates(subject) if n not in refs]
            if len(missing) > spares:
                gaps.append(Gap(_("%(sitting)s: %(missing)s candidates have no paper and there are only %(spares)s "
                                  "spares: make the papers again.")
                                % {"sitting": label, "missing": len(missing), "spares": spares}, sitting.pk))
    if papers_only:
        return gaps
    if rooms_with_candidates is None:
        rooms_with_candidates = _rooms_with_candidates(subject.exam_id)
    watched = set(InvigilatorAssignment.objects.filter(sitting=sitting).values_list("room_id", flat=True))
    unwatched = rooms_with_candidates - watched
    if unwatched:
        gaps.append(Gap(_("%(sitting)s: %(n)s rooms with candidates have no invigilator.")
                        % {"sitting": label, "n": len(unwatched)}, sitting.pk))
    return gaps


def _rooms_with_candidates(exam_id: int) -> set[int]:
    return set(Registration.objects.filter(exam_id=exam_id, room__isnull=False).values_list("room_id", flat=True))


def exam_gaps(exam: Exam) -> list[Gap]:
    """Everything the exam lacks before its day (no blocking gap: ready). An exam none of whose subjects is sat on
    the platform (every score imported) has no sitting and nothing to check but its candidates."""
    gaps = []
    registrations = exam.registrations.aggregate(n=Count("pk"), roomless=Count("pk", filter=Q(room__isnull=True)))
    if registrations["n"] == 0:
        gaps.append(Gap(_("No candidate is registered yet.")))
    subjects = list(exam.subjects.select_related("blueprint").prefetch_related("sittings__paper_set"))
    if any(subject.sittings.all() for subject in subjects):
        if not exam.rooms.exists():
            gaps.append(Gap(_("The exam has no room yet.")))
        elif registrations["roomless"]:
            gaps.append(Gap(_("%(n)s candidates have no room yet.") % {"n": registrations["roomless"]}))
    rooms = _rooms_with_candidates(exam.pk)
    for subject in subjects:
        sittings = list(subject.sittings.all())
        if not sittings:
            if registrations["n"] and subject_candidates(subject):
                gaps.append(Gap(_("%(subject)s has no sitting yet (fine if it is sat off the platform and its scores "
                                  "are imported).") % {"subject": subject.code}, blocking=False))
            continue
        for sitting in sittings:
            sitting.subject = subject
            gaps.extend(sitting_gaps(sitting, rooms_with_candidates=rooms))
    return gaps
