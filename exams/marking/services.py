"""Written subjects: anonymise, assign markers, record marks, third marking, de-anonymise, appeals.

Markers are the members of the exam's marking board (re-markers: the re-marking board). Assignments are
deterministic (least-loaded eligible marker, then the lowest id) and respect the conflict rule (a marker never
marks a candidate of their own unit, when the exam says so). Every step is audited.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from exams.examday.models import Attempt
from exams.marking import rules as marking_rules
from exams.marking.models import Appeal, Marking, Script, ScriptScan
from exams.marking.selectors import appeal_deadline
from exams.results import services as results_svc
from exams.results.models import ScoreEntry
from exams.sessions.models import CouncilMember, Exam, Registration, Subject
from exams.sessions.services import position_sees_identities

if TYPE_CHECKING:
    from exams.marking.forms import CheckedScan

logger = logging.getLogger(__name__)
R = Marking.Round
FIRST_ROUNDS = (R.FIRST, R.SECOND)
APPEAL_ROUNDS = (R.APPEAL_FIRST, R.APPEAL_SECOND)
THIRD_OF = {R.FIRST: R.THIRD, R.APPEAL_FIRST: R.APPEAL_THIRD}
FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED)
WRITTEN_FORMATS = (Subject.Format.WRITTEN,)


class MarkingError(ValidationError):
    pass


def _positions(exam: Exam, user: User) -> set[tuple[str, str]]:
    return set(CouncilMember.objects.filter(exam=exam, user=user).values_list("board", "position"))


def is_secretary(exam: Exam, user: User) -> bool:
    return ("council", "secretary") in _positions(exam, user)


def sees_identities(exam: Exam, user: User) -> bool:
    """The code → candidate mapping: the council secretary and the anonymisation board only (fixed once marking
    starts: exams.sessions.services.council_add)."""
    return any(position_sees_identities(board, position) for board, position in _positions(exam, user))


def heads_marking(exam: Exam, user: User) -> bool:
    positions = _positions(exam, user)
    return ("marking", "head") in positions or ("council", "secretary") in positions


def heads_remarking(exam: Exam, user: User) -> bool:
    positions = _positions(exam, user)
    return ("remarking", "head") in positions or ("council", "secretary") in positions


# --- anonymisation ----------------------------------------------------------------------------------------------

def _new_code(taken: set[str]) -> str:
    while True:
        code = f"{secrets.randbelow(900000) + 100000}"
        if code not in taken:
            taken.add(code)
            return code


def anonymise(*, subject: Subject, actor: User) -> int:
    """Give every finished on-computer written paper of the subject a script with a secret code (số phách).
    Paper scripts get theirs when their scan is uploaded. Returns the number of scripts created."""
    if not sees_identities(subject.exam, actor):
        raise PermissionDenied(_("Only the council secretary or the anonymisation board anonymises papers."))
    if subject.format not in WRITTEN_FORMATS:
        raise MarkingError(_("Only written subjects are marked by markers."))
    with transaction.atomic():
        taken = set(Script.objects.filter(subject=subject).values_list("code", flat=True))
        have = set(Script.objects.filter(subject=subject).values_list("registration_id", flat=True))
        attempts = (Attempt.objects.filter(sitting__subject=subject, status__in=FINISHED)
                    .exclude(registration_id__in=have).order_by("pk"))
        created = [Script(registration_id=a.registration_id, subject=subject, source=Script.Source.ONLINE,
                          attempt=a, code=_new_code(taken), anonymised_by=actor) for a in attempts]
        Script.objects.bulk_create(created)
        audit_record(actor=actor, action="marking.anonymise", obj=subject.exam,
                     details={"subject": subject.code, "scripts": len(created)})
    return len(created)


def paper_script(*, registration: Registration, subject: Subject, actor: User) -> Script:
    """The script of a paper exam (created with its code on the first scan upload)."""
    if not sees_identities(subject.exam, actor):
        raise PermissionDenied(_("Only the council secretary or the anonymisation board uploads scripts."))
    if registration.exemption_for(subject):
        raise MarkingError(_("This candidate is exempt from this subject."))
    with transaction.atomic():
        script = Script.objects.filter(registration=registration, subject=subject).first()
        if script is None:
            taken = set(Script.objects.filter(subject=subject).values_list("code", flat=True))
            script = Script.objects.create(registration=registration, subject=subject, source=Script.Source.PAPER,
                                           code=_new_code(taken), anonymised_by=actor)
            audit_record(actor=actor, action="marking.paper_script", obj=subject.exam,
                         details={"subject": subject.code, "code": script.code})
    return script


def scan_upload(*, registration: Registration, subject: Subject, scan: CheckedScan, actor: User,
                ip: str | None) -> ScriptScan:
    """Store one checked scan (ScanUploadForm read its size, extension and first bytes) of a candidate's paper
    script, the script and its code made with the first; the same file twice is refused."""
    with transaction.atomic():
        script = paper_script(registration=registration, subject=subject, actor=actor)
        if script.scans.filter(sha256=scan.sha256).exists():
            raise MarkingError(_("This file is already uploaded for this script."))
        stored = ScriptScan(script=script, content_type=scan.content_type, extension=scan.extension,
                            size=len(scan.data), sha256=scan.sha256, order=script.scans.count(), uploaded_by=actor)
        stored.file.save(f"{scan.sha256}{scan.extension}", ContentFile(scan.data), save=False)
        stored.save()
        audit_record(actor=actor, action="marking.scan_upload", obj=subject.exam, ip=ip,
                     details={"subject": subject.code, "code": script.code, "sha256": scan.sha256, "size": stored.size})
    return stored


def script_identities(*, subject: Subject, actor: User, ip: str | None) -> QuerySet[Script]:
    """The subject's scripts with the candidates behind their secret codes; every look is recorded."""
    audit_record(actor=actor, action="marking.mapping_view", obj=subject.exam, ip=ip, details={"subject": subject.code})
    return (Script.objects.filter(subject=subject).select_related("registration__person", "registration__unit")
            .order_by("code"))


# --- assignment ------------------------------------------------------------------------------------------------

def _board(exam: Exam, board: str) -> list[User]:
    return list(User.objects.filter(exam_positions__exam=exam, exam_positions__board=board).order_by("pk"))


def _unit_of(registration: Registration) -> int | None:
    return registration.unit_id or registration.person.unit_id


def _eligible(script: Script, markers: list[User], *, excluded: set[int]) -> list[User]:
    unit = _unit_of(script.registration)
    own_unit_rule = script.subject.exam.marker_not_own_unit
    return [m for m in markers if m.pk not in excluded and not (own_unit_rule and unit and m.unit_id == unit)]


def _pick(candidates: list[User], load: Counter) -> User:
    return min(candidates, key=lambda m: (load[m.pk], m.pk))


def markers_assign(*, subject: Subject, actor: User) -> int:
    """Two markers of the marking board for every script that has none yet."""
    exam = subject.exam
    if not heads_marking(exam, actor):
        raise PermissionDenied(_("Only the head of the marking board assigns markers."))
    markers = _board(exam, CouncilMember.Board.MARKING)
    scripts = list(Script.objects.filter(subject=subject).exclude(markings__round__in=FIRST_ROUNDS)
                   .select_related("registration__person", "subject__exam").order_by("code"))
    load = Counter(Marking.objects.filter(script__subject__exam=exam).values_list("marker_id", flat=True))
    plan, problems = [], []
    for script in scripts:
        chosen: list[User] = []
        for _round in FIRST_ROUNDS:
            pool = _eligible(script, markers, excluded={m.pk for m in chosen})
            if not pool:
                break
            marker = _pick(pool, load)
            load[marker.pk] += 1
            chosen.append(marker)
        if len(chosen) < 2:
            problems.append(script.code)
        plan.append((script, chosen))
    if problems:
        raise MarkingError(_("Not enough markers without a conflict for the scripts {codes}; add markers to the "
                             "marking board.").format(codes=", ".join(problems[:20])))
    with transaction.atomic():
        Marking.objects.bulk_create([Marking(script=script, round=rnd, marker=marker)
                                     for script, chosen in plan for rnd, marker in zip(FIRST_ROUNDS, chosen,
                                                                                         strict=True)])
        audit_record(actor=actor, action="marking.assign", obj=exam,
                     details={"subject": subject.code, "scripts": len(plan)})
    return len(plan)


# --- marks -----------------------------------------------------------------------------------------------------

@dataclass
class Settled:
    script: Script
    third_assigned: Marking | None = None
    final: Decimal | None = None


def mark_record(*, marking: Marking, mark: Decimal, actor: User, comment: str = "") -> Settled:
    """The assigned marker records their mark once; when a round is complete the script moves on (third
    marking, or its final mark)."""
    if marking.marker_id != actor.pk:
        raise PermissionDenied(_("This script is not assigned to you."))
    subject = marking.script.subject
    problem = marking_rules.mark_problem(mark, scale=subject.scale, step=subject.mark_step)
    if problem == "range":
        raise MarkingError(_("The mark must be between 0 and {scale}.").format(scale=f"{subject.scale.normalize():f}"))
    if problem == "step":
        raise MarkingError(_("The mark must be a multiple of {step}.").format(step=f"{subject.mark_step.normalize():f}"))
    with transaction.atomic():
        updated = Marking.objects.filter(pk=marking.pk, mark__isnull=True).update(
            mark=mark, comment=comment.strip(), marked_at=timezone.now())
        if not updated:
            raise MarkingError(_("This mark is already recorded; marks are not changed once given."))
        audit_record(actor=actor, action="marking.mark", obj=subject.exam,
                     details={"code": marking.script.code, "round": marking.round, "mark": str(mark)})
        return _settle(Script.objects.select_for_update().select_related("subject__exam", "registration__person")
                       .get(pk=marking.script_id), appeal=marking.appeal)


def _settle(script: Script, *, appeal: Appeal | None) -> Settled:
    rounds = (R.APPEAL_FIRST, R.APPEAL_SECOND, R.APPEAL_THIRD) if appeal else (R.FIRST, R.SECOND, R.THIRD)
    marks = {m.round: m for m in script.markings.filter(round__in=rounds)}
    first, second = marks.get(rounds[0]), marks.get(rounds[1])
    if first is None or second is None or first.mark is None or second.mark is None:
        return Settled(script)
    gap = script.subject.third_marking_gap
    third = marks.get(rounds[2])
    if third is None and marking_rules.needs_third(first.mark, second.mark, gap=gap):
        board = CouncilMember.Board.REMARKING if appeal else CouncilMember.Board.MARKING
        excluded = set(Marking.objects.filter(script=script).values_list("marker_id", flat=True))
        pool = _eligible(script, _board(script.subject.exam, board), excluded=excluded)
        if not pool:
            raise MarkingError(_("The marks differ by more than {gap}, but no other marker without a conflict is "
                                 "left for the third marking.").format(gap=f"{gap.normalize():f}"))
        load = Counter(Marking.objects.filter(script__subject__exam=script.subject.exam, mark__isnull=True)
                       .values_list("marker_id", flat=True))
        created = Marking.objects.create(script=script, appeal=appeal, round=rounds[2], marker=_pick(pool, load))
        if appeal is None:
            Script.objects.filter(pk=script.pk).update(status=Script.Status.THIRD)
        return Settled(script, third_assigned=created)
    values = [first.mark, second.mark] + ([third.mark] if third is not None else [])
    if third is not None and third.mark is None:
        return Settled(script)
    final = marking_rules.final_mark(values, gap=gap, rule=script.subject.third_marking_rule)
    if appeal is None:
        Script.objects.filter(pk=script.pk).update(final_score=final, status=Script.Status.MARKED)
    else:
        _appeal_decided(appeal, final)
    return Settled(script, final=final)


def visible_marks(marking: Marking) -> list[Marking]:
    """What a marker may see of the other marks on the script: nothing until every mark of the round is in,
    and never the marks of an earlier round (appeals re-mark blind)."""
    if marking.mark is None:
        return []
    same_round = [R.FIRST, R.SECOND] if marking.round in FIRST_ROUNDS else (
        [R.APPEAL_FIRST, R.APPEAL_SECOND] if marking.round in APPEAL_ROUNDS else [marking.round])
    others = list(Marking.objects.filter(script=marking.script, round__in=same_round).exclude(pk=marking.pk))
    if any(o.mark is None for o in others):
        return []
    return others


# --- de-anonymisation --------------------------------------------------------------------------------------------

def deanonymise(*, subject: Subject, actor: User) -> int:
    """The secretary joins codes back to candidates and writes the final marks into the results' scores."""
    exam = subject.exam
    if not is_secretary(exam, actor):
        raise PermissionDenied(_("Only the council secretary de-anonymises the scripts."))
    exam.refresh_from_db(fields=["status"])
    if exam.status not in results_svc.COMPUTABLE:
        raise MarkingError(_("The results are approved; marks change only through an appeal."))
    scripts = list(Script.objects.filter(subject=subject))
    if not scripts:
        raise MarkingError(_("This subject has no scripts."))
    waiting = [s.code for s in scripts if s.status != Script.Status.MARKED]
    if waiting:
        raise MarkingError(_("{n} script(s) are not marked yet: {codes}.").format(
            n=len(waiting), codes=", ".join(sorted(waiting)[:20])))
    now = timezone.now()
    with transaction.atomic():
        for script in scripts:
            ScoreEntry.objects.update_or_create(
                registration_id=script.registration_id, subject=subject,
                defaults={"score": script.final_score, "correct": None, "total": None,
                          "source": ScoreEntry.Source.MARKING, "updated_by": actor, "updated_at": now})
        audit_record(actor=actor, action="marking.deanonymise", obj=exam,
                     details={"subject": subject.code, "scripts": len(scripts)})
    return len(scripts)


# --- appeals -------------------------------------------------------------------------------------------------------

def appeal_file(*, registration: Registration, subject: Subject, actor: User, reason: str = "") -> Appeal:
    """A candidate asks for re-marking of a written subject within the window (counted from the first
    publication of the results)."""
    exam = subject.exam
    if registration.person_id != actor.pk:
        raise PermissionDenied(_("You can only appeal your own results."))
    if not subject.appeals_allowed:
        raise MarkingError(_("This subject has no appeals."))
    deadline = appeal_deadline(exam)
    if deadline is None:
        raise MarkingError(_("The results are not published yet."))
    now = timezone.now()
    if now > deadline:
        raise MarkingError(_("The appeal window closed on {when}.").format(
            when=timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M:%S")))
    script = Script.objects.filter(registration=registration, subject=subject, status=Script.Status.MARKED).first()
    if script is None:
        raise MarkingError(_("There is no marked script of yours in this subject."))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(registration=registration, subject=subject, script=script,
                                           reason=reason.strip(), fee=exam.appeal_fee, filed_at=now,
                                           score_before=script.final_score)
            audit_record(actor=actor, action="appeal.file", obj=exam,
                         details={"subject": subject.code, "code": script.code, "fee": str(exam.appeal_fee)})
    except IntegrityError as exc:  # the same appeal filed twice (even at the same instant): one wins
        raise MarkingError(_("You have already appealed this subject.")) from exc
    return appeal


def appeal_assign(*, appeal: Appeal, actor: User) -> list[Marking]:
    """Two re-markers of the re-marking board who did not mark the script before."""
    exam = appeal.subject.exam
    if not heads_remarking(exam, actor):
        raise PermissionDenied(_("Only the head of the re-marking board assigns re-markers."))
    if appeal.status != Appeal.Status.FILED:
        raise MarkingError(_("This appeal already has its re-markers."))
    script = Script.objects.select_related("registration__person", "subject__exam").get(pk=appeal.script_id)
    excluded = set(Marking.objects.filter(script=script).values_list("marker_id", flat=True))
    pool = _eligible(script, _board(exam, CouncilMember.Board.REMARKING), excluded=excluded)
    if len(pool) < 2:
        raise MarkingError(_("The re-marking board needs two members who did not mark this script and have no "
                             "conflict."))
    load = Counter(Marking.objects.filter(script__subject__exam=exam, mark__isnull=True)
                   .values_list("marker_id", flat=True))
    first = _pick(pool, load)
    second = _pick([m for m in pool if m.pk != first.pk], load)
    with transaction.atomic():
        created = [Marking.objects.create(script=script, appeal=appeal, round=R.APPEAL_FIRST, marker=first),
                   Marking.objects.create(script=script, appeal=appeal, round=R.APPEAL_SECOND, marker=second)]
        Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.REMARKING)
        audit_record(actor=actor, action="appeal.assign", obj=exam, details={"code": script.code})
    appeal.status = Appeal.Status.REMARKING
    return created


def _appeal_decided(appeal: Appeal, final: Decimal) -> None:
    """The re-marked score replaces the mark in the scores; a new results version (for the council to approve)
    carries it — the published one is never changed."""
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.DECIDED, score_after=final, decided_at=now)
    ScoreEntry.objects.update_or_create(
        registration_id=appeal.registration_id, subject_id=appeal.subject_id,
        defaults={"score": final, "correct": None, "total": None, "source": ScoreEntry.Source.MARKING,
                  "updated_at": now})
    exam = Exam.objects.get(pk=appeal.subject.exam_id)
    audit_record(actor=None, action="appeal.decide", obj=exam,
                 details={"code": appeal.script.code, "before": str(appeal.score_before), "after": str(final)})
    transaction.on_commit(lambda: _recompute_after_appeal(exam))


def _recompute_after_appeal(exam: Exam) -> None:
    try:
        results_svc.compute_results(exam=exam, actor=None, new_version=True, reason=_("Appeal outcome (phúc khảo)"))
    except results_svc.ResultsError:  # e.g. a sitting of another subject still open: HR recomputes later
        logger.warning("results of exam %s not recomputed after an appeal", exam.pk, exc_info=True)
