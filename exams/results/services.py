"""Results of an exam session: compute a version, resolve ties, approve, publish (docs/rules.md, "Results rules";
docs/operations.md, "Commands").

The rules live in ``exams.results.outcomes`` (pure); this module loads everything an exam needs in a fixed number of
queries, applies them, and writes the version with one statement per table, so both the query count and the
time stay flat as the number of candidates grows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MINORITY_EXCLUDED_CODE, User
from accounts.permissions import roles_of
from accounts.roles import Role
from accounts.services import audit_record
from accounts.vietnamese import name_sort_key
from exams.examday.models import Attempt, Penalty
from exams.examday.services import attempts as attempt_services
from exams.results import outcomes as rules
from exams.results.models import CandidateResult, ResultVersion, ScoreEntry, SubjectResult, TieDecision
from exams.sessions.models import Exam, Quota, Registration, Subject
from exams.sessions.services import CHAIR, ORDER, SECRETARY, VICE_CHAIR, positions_of

S = Exam.Status
V = ResultVersion.Status
FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED, Attempt.Status.VOIDED)
# States in which results are (re)computed in place; after approval only a new version changes them.
COMPUTABLE = tuple(ORDER[: ORDER.index(S.APPROVED)])

NOTE_ABSENT = "Vắng thi"
NOTE_CANCELLED = "Hủy kết quả"
NOTE_SUSPENDED = "Đình chỉ thi"
NOTE_UNRESOLVED = "Thủ trưởng quyết định"
NOTE_COUNCIL = "Hội đồng thi quyết định"
NOTE_NO_QUOTA = "Chưa có chỉ tiêu"
PENALTY_NOTES = {rules.REPRIMAND: "Khiển trách", rules.WARNING: "Cảnh cáo"}
LINK_NOTES = {rules.FEMALE: "Ưu tiên: nữ", rules.MINORITY: "Ưu tiên: dân tộc thiểu số",
              rules.OLDER: "Ưu tiên: nhiều tuổi hơn", rules.LONGER_SERVICE: "Ưu tiên: thời gian công tác dài hơn"}


class ResultsError(ValidationError):
    """Refused in the current state (the command exits 1 with this message)."""


def is_council_chair(*, exam: Exam, user: User) -> bool:
    return bool(positions_of(exam=exam, user=user) & {CHAIR, VICE_CHAIR})


def may_compute(*, exam: Exam, user: User) -> bool:
    return Role.HR_STAFF in roles_of(user) or bool(positions_of(exam=exam, user=user) & {CHAIR, SECRETARY})


def current_version(exam: Exam) -> ResultVersion | None:
    """The newest version (the draft being prepared, or the last approved/published one)."""
    return exam.result_versions.order_by("-number").first()


# --- compute ------------------------------------------------------------------------------------------------

@dataclass
class Computed:
    version: ResultVersion
    warnings: list[str]

    @property
    def summary(self) -> str:
        v = self.version
        return f"candidates={v.candidates} passed={v.passed} selected={v.selected} ties_unresolved={v.ties_unresolved}"


def compute_results(*, exam: Exam, actor: User | None, new_version: bool = False, reason: str = "") -> Computed:
    """Compute (or recompute) the exam's results. Idempotent: the same inputs give the same version contents.

    Before approval the draft version 1 is rewritten. After approval nothing changes unless ``new_version``
    is given: then the next version is opened (or its draft rewritten) for the council to approve.
    """
    exam.refresh_from_db()
    latest = current_version(exam)
    if exam.status not in COMPUTABLE and not new_version:
        raise ResultsError(_("The results of this exam are approved; a change needs a new version "
                             "(--new-version), which the council approves again."))
    if exam.status not in COMPUTABLE and new_version and not reason.strip():
        reason = _("Correction")
    attempt_services.finish_overdue()
    still_open = Attempt.objects.filter(sitting__subject__exam=exam, status=Attempt.Status.OPEN).count()
    if still_open:
        raise ResultsError(_("{n} candidate(s) are still sitting a subject of this exam; compute the results "
                             "after the sittings close.").format(n=still_open))

    subjects = list(exam.subjects.order_by("order", "pk"))
    subject_rules = [rules.SubjectRule(id=s.pk, code=s.code, name=s.name, pass_rule=s.pass_rule, scale=s.scale,
                                       is_gate=s.is_gate, ranks=s.ranks, question_count=s.question_count)
                     for s in subjects]
    registrations = list(Registration.objects.filter(exam=exam).order_by("pk").values(*_REGISTRATION_FIELDS))
    inputs = _load_inputs(exam, subjects)
    rates = {rules.REPRIMAND: exam.reprimand_rate, rules.WARNING: exam.warning_rate}
    groups = _quota_groups(exam)

    results: list[rules.CandidateOutcome] = []
    for reg in registrations:
        facts = _facts(exam, reg)
        outcomes = []
        for subject, rule in zip(subjects, subject_rules, strict=True):
            given = inputs.get((reg["pk"], subject.pk), rules.SubjectInput())
            exempt = Registration.exemption_code(subject, foreign_language=reg["exempt_foreign_language"],
                                                 it=reg["exempt_it"])
            if exempt:
                given = rules.SubjectInput(exempt=exempt)
            outcomes.append(rules.subject_outcome(rule, given, rates))
        results.append(rules.candidate_outcome(facts, subject_rules, outcomes))

    warnings, ties = _select(exam, results, groups)
    _annotate(results, subject_rules, chain=list(exam.tie_break or []))

    with transaction.atomic():
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        version = _version_to_write(locked, latest, new_version=new_version, reason=reason, actor=actor)
        _write(version, results)
        version.candidates = len(results)
        version.passed = sum(1 for r in results if r.passed)
        version.selected = sum(1 for r in results if r.outcome == rules.SELECTED)
        version.ties_unresolved = sum(1 for r in results if r.outcome == rules.PENDING)
        version.warnings = warnings
        version.ties = ties
        version.computed_at = timezone.now()
        version.computed_by = actor if actor is not None and actor.is_authenticated else None
        version.save()
        if locked.status in COMPUTABLE and locked.status != S.RESULTS:
            Exam.objects.filter(pk=locked.pk).update(status=S.RESULTS)
            audit_record(actor=actor, action="exam.transition", obj=locked,
                         details={"from": locked.status, "to": S.RESULTS, "reason": "compute_results"})
            exam.status = S.RESULTS
        audit_record(actor=actor, action="results.compute", obj=exam,
                     details={"version": version.number, "candidates": version.candidates, "passed": version.passed,
                              "selected": version.selected, "ties_unresolved": version.ties_unresolved})
    return Computed(version=version, warnings=warnings)


def _load_inputs(exam: Exam, subjects: list[Subject]) -> dict[tuple[int, int], rules.SubjectInput]:
    """Scores from the platform's attempts and from score entries, with the most severe penalty per subject."""
    penalties: dict[tuple[int, int], list[str]] = defaultdict(list)
    for reg_id, subject_id, kind in Penalty.objects.filter(registration__exam=exam).values_list(
            "registration_id", "sitting__subject_id", "kind"):
        penalties[(reg_id, subject_id)].append(kind)

    found: dict[tuple[int, int], rules.SubjectInput] = {}
    attempts = (Attempt.objects.filter(sitting__subject__exam=exam, status__in=FINISHED)
                .annotate(item_count=Count("paper__items")).order_by("finished_at", "pk")
                .values_list("registration_id", "sitting__subject_id", "status", "correct_count", "item_count"))
    for reg_id, subject_id, status, correct, items in attempts:  # a later finished attempt wins
        voided = status == Attempt.Status.VOIDED
        found[(reg_id, subject_id)] = rules.SubjectInput(correct=0 if voided else (correct or 0), total=items)
    for reg_id, subject_id, correct, total, score in ScoreEntry.objects.filter(subject__exam=exam).values_list(
            "registration_id", "subject_id", "correct", "total", "score"):
        if (reg_id, subject_id) not in found:
            found[(reg_id, subject_id)] = rules.SubjectInput(correct=correct, total=total, score=score)
    for key, kinds in penalties.items():
        given = found.get(key, rules.SubjectInput())
        found[key] = rules.SubjectInput(correct=given.correct, total=given.total, score=given.score,
                                        penalty=rules.most_severe(kinds))
    return found


# A registration as compute reads it: plain values, not models (10,000 candidates would be 30,000 instances).
_REGISTRATION_FIELDS = ("pk", "unit_id", "rank_id", "service_start", "exempt_foreign_language", "exempt_it",
                        "person__full_name", "person__date_of_birth", "person__cccd", "person__gender",
                        "person__service_start", "person__ethnicity__code")


def _facts(exam: Exam, reg: dict) -> rules.CandidateFacts:
    if exam.quota_scope == Exam.QuotaScope.UNIT:
        group = f"unit:{reg['unit_id'] or ''}"
    elif exam.quota_scope == Exam.QuotaScope.TARGET_RANK:
        group = f"rank:{reg['rank_id'] or ''}"
    else:
        group = ""
    gender, ethnicity = reg["person__gender"], reg["person__ethnicity__code"]
    return rules.CandidateFacts(
        registration_id=reg["pk"],
        name_key=name_sort_key(reg["person__full_name"], reg["person__date_of_birth"], reg["person__cccd"]),
        female=None if not gender else gender == User.Gender.FEMALE,
        minority=None if ethnicity is None else ethnicity != MINORITY_EXCLUDED_CODE,
        birth_date=reg["person__date_of_birth"],
        service_start=reg["service_start"] or reg["person__service_start"],
        quota_group=group,
    )


def _quota_groups(exam: Exam) -> dict[str, int]:
    if exam.quota_scope == Exam.QuotaScope.EXAM:
        return {} if exam.quota is None else {"": exam.quota}
    groups = {}
    for unit_id, rank_id, seats in Quota.objects.filter(exam=exam).values_list("unit_id", "rank_id", "seats"):
        if exam.quota_scope == Exam.QuotaScope.UNIT and unit_id:
            groups[f"unit:{unit_id}"] = seats
        elif exam.quota_scope == Exam.QuotaScope.TARGET_RANK and rank_id:
            groups[f"rank:{rank_id}"] = seats
    return groups


def _select(exam: Exam, results: list[rules.CandidateOutcome], groups: dict[str, int]
            ) -> tuple[list[str], list[dict]]:
    """Outcomes for everyone: failed, or selection within each quota group (rules 4–5). Also returns the
    unresolved ties (group number, quota group, the tied registrations, the places they share)."""
    warnings: list[str] = []
    for r in results:
        r.outcome = rules.FAILED
    passers = [r for r in results if r.passed]
    if not exam.selects_winners:
        for r in passers:
            r.outcome = rules.PASSED
        return warnings, []
    if exam.quota_scope == Exam.QuotaScope.EXAM and exam.quota is None:
        for r in passers:
            r.outcome = rules.PASSED
            r.notes.append(NOTE_NO_QUOTA)
        if passers:
            warnings.append(_("The quota is not set: nobody is selected until it is."))
        return warnings, []

    decisions = {(d.quota_group, tuple(sorted(d.tied)), d.places): tuple(d.chosen)
                 for d in TieDecision.objects.filter(exam=exam).order_by("decided_at")}
    selection = rules.Selection()
    by_group: dict[str, list[rules.CandidateOutcome]] = defaultdict(list)
    for r in passers:
        by_group[r.facts.quota_group].append(r)
    for group, members in sorted(by_group.items()):
        if group not in groups:
            warnings.append(_("No quota is set for the group {group}: its {n} passer(s) are not selected.").format(
                group=group or "—", n=len(members)))
        rules.select_group(members, groups.get(group, 0), list(exam.tie_break or []),
                           lambda key: decisions.get((key.quota_group, key.tied, key.places)), selection)
    for n, key in enumerate(selection.ties, start=1):
        warnings.append(_("Tie {n}: {count} candidate(s) with equal results for {places} place(s); the council "
                          "decides.").format(n=n, count=len(key.tied), places=key.places))
    ties = [{"group": n, "quota_group": key.quota_group, "tied": list(key.tied), "places": key.places}
            for n, key in enumerate(selection.ties, start=1)]
    return warnings, ties


def _annotate(results: list[rules.CandidateOutcome], subject_rules: list[rules.SubjectRule], *,
              chain: list[str]) -> None:
    """Notes (`Ghi chú`) and the place of each passer in the official order of winners: by score, then the
    outcome, then the exam's own tie-break chain (the one that chose the winners), then the name."""
    codes = {r.id: r.code for r in subject_rules}
    for r in results:
        notes = []
        if r.cancelled:
            notes.append(NOTE_CANCELLED)
        if r.suspended:
            notes.append(NOTE_SUSPENDED)
        if r.absent and not r.cancelled:
            notes.append(NOTE_ABSENT)
        for s in r.subjects:
            if s.penalty in PENALTY_NOTES:
                notes.append(f"{PENALTY_NOTES[s.penalty]} ({codes[s.subject_id]})")
        if r.outcome == rules.PENDING:
            notes.append(NOTE_UNRESOLVED)
        elif r.decided_by == "council":
            notes.append(NOTE_COUNCIL)
        elif r.decided_by in LINK_NOTES and r.outcome == rules.SELECTED:
            notes.append(LINK_NOTES[r.decided_by])
        r.notes = notes + r.notes
    tier = {rules.SELECTED: 0, rules.PENDING: 1, rules.NOT_SELECTED: 2, rules.PASSED: 2}
    passers = sorted((r for r in results if r.passed),
                     key=lambda r: (rules.score_desc(r.ranking_score), tier.get(r.outcome, 3),
                                    rules.chain_sort_key(chain, r.facts)))
    for place, r in enumerate(passers, start=1):
        r.rank = place


def _version_to_write(exam: Exam, latest: ResultVersion | None, *, new_version: bool, reason: str,
                      actor: User | None) -> ResultVersion:
    if latest is not None and latest.status == V.DRAFT:
        if reason:
            latest.reason = reason
        return latest
    if latest is None:
        return ResultVersion.objects.create(exam=exam, number=1, computed_by=None)
    if not new_version:  # approved or published, and no new version asked for: refused above
        raise ResultsError(_("The results of this exam are approved; a change needs a new version."))
    # An approved version that was never published is overtaken by the new one: it can no longer be published.
    ResultVersion.objects.filter(exam=exam, status=V.APPROVED).update(status=V.SUPERSEDED)
    return ResultVersion.objects.create(exam=exam, number=latest.number + 1, reason=reason)


def _write(version: ResultVersion, results: list[rules.CandidateOutcome]) -> None:
    """Replace the version's rows: one DELETE, one INSERT of candidates, one SELECT of their ids and one
    INSERT of subjects, whatever the number of candidates."""
    quote = connection.ops.quote_name
    candidates = quote(CandidateResult._meta.db_table)
    with connection.cursor() as cursor:  # two statements, whatever the number of rows (the ORM's delete collects)
        cursor.execute(f"DELETE FROM {quote(SubjectResult._meta.db_table)} WHERE candidate_id IN "  # noqa: S608
                       f"(SELECT id FROM {candidates} WHERE version_id = %s)", [version.pk])
        cursor.execute(f"DELETE FROM {candidates} WHERE version_id = %s", [version.pk])  # noqa: S608
    _insert_many(CandidateResult, ["version", "registration", "outcome", "passed", "note", "ranking_score", "rank",
                                   "quota_group", "tie_group", "decided_by"],
                 [(version.pk, r.facts.registration_id, r.outcome, r.passed, "; ".join(r.notes)[:255],
                   _decimal(r.ranking_score), r.rank, r.facts.quota_group, r.tie_group, r.decided_by)
                  for r in results])
    ids = dict(CandidateResult.objects.filter(version=version).values_list("registration_id", "pk"))
    _insert_many(SubjectResult, ["candidate", "subject", "exempt", "absent", "correct", "raw_correct", "total",
                                 "raw_score", "score", "penalty", "passed"],
                 [(ids[r.facts.registration_id], s.subject_id, s.exempt, s.absent, s.correct, s.raw_correct, s.total,
                   _decimal(s.raw_score), _decimal(s.score), s.penalty, s.passed)
                  for r in results for s in r.subjects])


def _insert_many(model, field_names: list[str], rows: list[tuple]) -> None:
    """One INSERT statement executed for every row (the ORM's bulk_create would split it into batches of a
    few hundred rows on SQLite). Table and column names come from the model, never from input."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _decimal(value):
    """Exact decimals (both drivers adapt Decimal: SQLite through Django's adapter, psycopg natively)."""
    return value


# --- ties, approval, publication -------------------------------------------------------------------------------

def tie_resolve(*, exam: Exam, version: ResultVersion, tie_group: int, chosen_ids: list[int], reason: str,
                actor: User) -> ResultVersion:
    """The council chair records who among the tied people takes the places left; the version is recomputed
    with the decision applied (and keeps it on later recomputations while the same people tie)."""
    if not is_council_chair(exam=exam, user=actor):
        raise PermissionDenied(_("Only the chair of the exam council resolves a tie."))
    if version.status != V.DRAFT:
        raise ResultsError(_("This version is no longer a draft."))
    if not reason.strip():
        raise ResultsError(_("Give a reason for the decision."))
    tied = list(version.results.filter(tie_group=tie_group).values_list("registration_id", "quota_group"))
    if not tied:
        raise ResultsError(_("This tie is already resolved."))
    tied_ids = sorted(reg_id for reg_id, _group in tied)
    places = next((t["places"] for t in version.ties if t["group"] == tie_group), 0)
    chosen = sorted(set(chosen_ids))
    if len(chosen) != places or not set(chosen) <= set(tied_ids):
        raise ResultsError(_("Choose exactly {places} of the tied candidates.").format(places=places))
    with transaction.atomic():
        TieDecision.objects.create(exam=exam, quota_group=tied[0][1], tied=tied_ids, places=places, chosen=chosen,
                                   reason=reason.strip(), decided_by=actor)
        audit_record(actor=actor, action="results.tie_resolve", obj=exam,
                     details={"version": version.number, "tied": tied_ids, "chosen": chosen, "reason": reason})
    return compute_results(exam=exam, actor=actor, new_version=version.number > 1, reason=version.reason).version


def approve(*, exam: Exam, version: ResultVersion, actor: User | None, reason: str = "") -> ResultVersion:
    """The council chair approves a draft version: refused while a tie is open or the quota is not set."""
    if actor is not None and not is_council_chair(exam=exam, user=actor):
        raise PermissionDenied(_("Only the chair of the exam council approves the results."))
    with transaction.atomic():
        locked = ResultVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != V.DRAFT:
            raise ResultsError(_("This version is not a draft waiting for approval."))
        if locked.ties_unresolved:
            raise ResultsError(_("{n} candidate(s) are in a tie the council has not resolved.").format(
                n=locked.ties_unresolved))
        if exam.selects_winners and exam.quota_scope == Exam.QuotaScope.EXAM and exam.quota is None:
            raise ResultsError(_("The quota is not set."))
        locked.status, locked.approved_at, locked.approved_by = V.APPROVED, timezone.now(), actor
        locked.save(update_fields=["status", "approved_at", "approved_by"])
        if exam.status == S.RESULTS:
            Exam.objects.filter(pk=exam.pk).update(status=S.APPROVED)
            exam.status = S.APPROVED
        audit_record(actor=actor, action="results.approve", obj=exam, details={"version": locked.number,
                                                                               "reason": reason})
    return locked


def publish(*, exam: Exam, version: ResultVersion, actor: User | None, decision_number: str = "",
            decision_date=None) -> ResultVersion:
    """HR publishes an approved version; the version published before it is kept, marked superseded."""
    if actor is not None and Role.HR_STAFF not in roles_of(actor):
        raise PermissionDenied(_("Only HR staff publish results."))
    with transaction.atomic():
        locked = ResultVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != V.APPROVED:
            raise ResultsError(_("Only results approved by the council can be published."))
        if ResultVersion.objects.filter(exam=exam, number__gt=locked.number).exists():
            raise ResultsError(_("A newer version of these results exists; only the newest can be published."))
        ResultVersion.objects.filter(exam=exam, status=V.PUBLISHED).update(status=V.SUPERSEDED)
        locked.status, locked.published_at, locked.published_by = V.PUBLISHED, timezone.now(), actor
        if decision_number:
            locked.decision_number = decision_number.strip()
        if decision_date:
            locked.decision_date = decision_date
        locked.save()
        if exam.status == S.APPROVED:
            Exam.objects.filter(pk=exam.pk).update(status=S.PUBLISHED)
            exam.status = S.PUBLISHED
        audit_record(actor=actor, action="results.publish", obj=exam, details={"version": locked.number})
    return locked
