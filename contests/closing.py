"""A round after its window (docs/contests.md, "Closing, ranking, publishing"): closing finishes what is still open
and stores the ranking of each group; the organisers void an entry with a reason (the actual value and the ranking
are computed again), decide the prizes a tie left to them, approve, and publish, after which nothing changes.
Every step is audited."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from contests import ranking
from contests.entries import entry_record
from contests.models import Entry, Round, RoundGroup, Standing, entry_valid
from exams import engine


def round_close(*, contest_round: Round, actor: User | None, ip: str | None = None) -> Round:
    """Close a round whose window has ended: every entry still open is finished by the engine (its deadline is at
    the latest the close) and recorded, then each group is ranked."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=contest_round.pk)
        if locked.status != Round.Status.SCHEDULED:
            raise ValidationError(_("This round is already closed."), code="closed")
        if timezone.now() < locked.closes_at:
            raise ValidationError(_("This round is open until %(time)s: it can be closed after that.") % {
                "time": timezone.localtime(locked.closes_at).strftime("%H:%M %d/%m/%Y")}, code="open")
        for attempt_id in Entry.objects.filter(round=locked, status=Entry.Status.OPEN).values_list("attempt_id",
                                                                                                   flat=True):
            engine.attempt_finish(attempt_id=attempt_id)
            entry_record(attempt_id=attempt_id)
        summary = _rank(locked)
        locked.status, locked.ranked_at = Round.Status.RANKED, timezone.now()
        locked.save(update_fields=["status", "ranked_at"])
        audit_record(actor=actor, action="contest_round.close", obj=locked, ip=ip, details=summary)
    return locked


def entry_void(*, entry: Entry, reason: str, actor: User, ip: str | None = None) -> Entry:
    """Void an entry of a closed round not yet published (a false or duplicate registration, say), with the reason;
    the round's actual values and rankings are computed again, and an approval is withdrawn."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for voiding the entry."), code="reason")
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=entry.round_id)
        if locked_round.status not in (Round.Status.RANKED, Round.Status.APPROVED):
            raise ValidationError(_("Entries are voided after the round is closed and before it is published."),
                                  code="state")
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.voided_at is not None:
            raise ValidationError(_("This entry is already void."), code="void")
        locked.voided_at, locked.void_reason = timezone.now(), reason[:500]
        locked.save(update_fields=["voided_at", "void_reason"])
        summary = _rank(locked_round)
        locked_round.status, locked_round.approved_by = Round.Status.RANKED, None
        locked_round.save(update_fields=["status", "approved_by"])
        audit_record(actor=actor, action="contest_entry.void", obj=locked, ip=ip,
                     details={"round": locked_round.pk, "reason": locked.void_reason, **summary})
    return locked


def prize_decide(*, standing: Standing, prize: str, reason: str, actor: User, ip: str | None = None) -> Standing:
    """The organisers' decision on a tie that straddled a prize: one of the prizes it left open, or none."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the decision."), code="reason")
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=standing.round_id)
        if locked_round.status != Round.Status.RANKED:
            raise ValidationError(_("Prizes are decided before the round is approved."), code="state")
        locked = Standing.objects.select_for_update().get(pk=standing.pk)
        open_prizes = [p for p in locked.contested.split(",") if p]
        if not open_prizes or (prize and prize not in open_prizes):
            raise ValidationError(_("Only a prize the tie left open can be given here."), code="prize")
        locked.prize, locked.contested = prize, ""
        locked.save(update_fields=["prize", "contested"])
        audit_record(actor=actor, action="contest_prize.decide", obj=locked, ip=ip,
                     details={"round": locked_round.pk, "prize": prize, "left_open": open_prizes, "reason": reason})
    return locked


def round_approve(*, contest_round: Round, actor: User, ip: str | None = None) -> Round:
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=contest_round.pk)
        if locked.status != Round.Status.RANKED:
            raise ValidationError(_("Only a closed round not yet approved can be approved."), code="state")
        if Standing.objects.filter(round=locked).exclude(contested="").exists():
            raise ValidationError(_("Decide first the prizes a tie left to the organisers."), code="contested")
        locked.status, locked.approved_by = Round.Status.APPROVED, actor
        locked.save(update_fields=["status", "approved_by"])
        audit_record(actor=actor, action="contest_round.approve", obj=locked, ip=ip)
    return locked


def round_publish(*, contest_round: Round, actor: User, ip: str | None = None) -> Round:
    """Publish an approved round: its winners go on the public page, and its entries and ranking are frozen."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=contest_round.pk)
        if locked.status != Round.Status.APPROVED:
            raise ValidationError(_("Only an approved round can be published."), code="state")
        locked.status, locked.published_at = Round.Status.PUBLISHED, timezone.now()
        locked.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="contest_round.publish", obj=locked, ip=ip)
    return locked


def _plain_entries(contest_round: Round) -> list[ranking.Entry]:
    """The round's finished entries as the ranking reads them (one query, plain values: 100,000 rows)."""
    rows = Entry.objects.filter(round=contest_round).exclude(status=Entry.Status.OPEN).values_list(
        "pk", "participant_id", "participant__group_id", "voided_at", "questions", "answered", "correct", "prediction",
        "time_taken_ms", "submitted_at", "deadline")
    return [ranking.Entry(entry_id=pk, participant_id=participant, group=str(group),
                          valid=entry_valid(voided_at=voided, questions=questions, answered=answered),
                          correct=correct,
                          questions=questions, prediction=prediction, time_taken_ms=taken or 0,
                          submitted_at=submitted or deadline)
            for (pk, participant, group, voided, questions, answered, correct, prediction, taken, submitted,
                 deadline) in rows.iterator(chunk_size=5000)]


def _winners_before(contest_round: Round) -> set[int]:
    """Participants who hold a prize of another approved or published round of the contest."""
    return set(Standing.objects.filter(
        round__contest_id=contest_round.contest_id,
        round__status__in=(Round.Status.APPROVED, Round.Status.PUBLISHED)).exclude(round=contest_round).exclude(
        prize="").values_list("participant_id", flat=True))


def _rank(contest_round: Round) -> dict:
    """Store each group's ranking of the round (what was stored before is replaced); returns the audit summary."""
    entries = _plain_entries(contest_round)
    barred = set() if contest_round.contest.repeat_winners else _winners_before(contest_round)
    Standing.objects.filter(round=contest_round).delete()
    standings, summary = [], {}
    for setting in RoundGroup.objects.filter(round=contest_round).select_related("group"):
        group = str(setting.group_id)
        actual = ranking.actual_value(entries, rule=contest_round.prediction_rule,
                                      group=None if contest_round.prediction_all_groups else group)
        mine = [e for e in entries if e.group == group]
        counted = ranking.counted_entries(mine, counts=contest_round.counts, actual=actual)
        rows = ranking.ranked(counted, actual=actual)
        may_win = {e.participant_id for e in counted} - barred
        for award in ranking.awarded(rows, prizes=setting.prizes(), may_win=may_win):
            standings.append((contest_round.pk, setting.group_id, award.row.entry.participant_id,
                              award.row.entry.entry_id, award.row.rank, award.row.gap, award.prize or "",
                              ",".join(award.contested), award.passed_over))
        setting.actual = actual
        setting.save(update_fields=["actual"])
        summary[setting.group.name] = {"actual": actual, "ranked": len(rows)}
    _store(standings)
    return summary


STANDING_COLUMNS = ("round_id", "group_id", "participant_id", "entry_id", "rank", "gap", "prize", "contested",
                    "passed_over")


def _store(rows: list[tuple]) -> None:
    """Insert the standings with the driver's executemany: 100,000 model instances through bulk_create cost most of
    a close's time (bench/README.md, "contest"); these are plain values the ranking computed, checked by the
    table's constraints as any insert is."""
    quote = connection.ops.quote_name  # the statement holds only the model's own table and column names
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model; values are parameters)
        quote(Standing._meta.db_table), ", ".join(quote(c) for c in STANDING_COLUMNS),
        ", ".join(["%s"] * len(STANDING_COLUMNS)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(statement, rows[start:start + 10_000])
