"""What the people register says about a candidate file's rows: who each row is (matched by CCCD, an identity that
differs is an error), and the warnings that never refuse a row: a rank the register and the list disagree on, a
target rank already held, a training certificate the target rank requires and the candidate does not hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.qualification_selectors import requirement_status
from accounts.spreadsheets import Problem
from accounts.vietnamese import normalize_name
from exams.sessions.candidate_columns import COL_CCCD, COL_NAME, COL_RANK_CODE
from exams.sessions.models import Exam, Registration

if TYPE_CHECKING:
    from exams.sessions.importing import CandidateImportResult, CandidateRow


def match_people(rows: list[CandidateRow], *, exam: Exam, result: CandidateImportResult) -> None:
    """Find each row's person and registration; an identity that differs from the register is an error."""
    by_cccd = {row.values["cccd"]: row for row in rows if row.values.get("cccd")}
    people = {p.cccd: p for p in User.objects.filter(cccd__in=list(by_cccd)).select_related("rank")}
    registrations = {r.person_id: r for r in Registration.objects.filter(exam=exam, person__in=list(people.values()))}
    for cccd, row in by_cccd.items():
        person = people.get(cccd)
        if person is None:
            continue
        name, born = row.values.get("full_name"), row.values.get("date_of_birth")
        if name is None or born is None:
            continue  # the row already has an error on that cell
        if normalize_name(person.full_name) != name or person.date_of_birth != born:
            if person.date_of_birth:
                message = _("the CCCD number {cccd} belongs to {name}, born {born}, in the people register; "
                            "correct the row or the register.").format(
                    cccd=cccd, name=person.full_name, born=person.date_of_birth.strftime("%d/%m/%Y"))
            else:
                message = _("the CCCD number {cccd} belongs to {name} (no date of birth recorded) in the people "
                            "register; correct the row or the register.").format(cccd=cccd, name=person.full_name)
            result.problems.append(Problem(message, row.number, COL_CCCD))
            continue
        row.person = person
        row.registration = registrations.get(person.pk)
    new_usernames = {cccd: row.number for cccd, row in by_cccd.items() if cccd not in people}
    for username in User.objects.filter(username__in=list(new_usernames)).values_list("username", flat=True):
        result.problems.append(Problem(
            _("the login name {username} is already taken by another account.").format(username=username),
            new_usernames[username], COL_CCCD))


def check_ranks(rows: list[CandidateRow], *, exam: Exam, result: CandidateImportResult) -> None:
    """Warn (never refuse: the register may be the one out of date) when the list and the people register disagree
    on a candidate's rank, or when a candidate already holds the rank the exam promotes to."""
    target = exam.target_rank
    for row in rows:
        listed = row.values.get("rank")
        registered = row.person.rank if row.person is not None else None
        if target is not None and target in (listed, registered):
            result.warnings.append(Problem(
                _("{name} already holds the rank {rank} this exam promotes to (per the {source}).").format(
                    name=row.values.get("full_name"), rank=target.name,
                    source=_("people register") if registered == target else _("list")), row.number, COL_RANK_CODE,
                warning=True))
        elif listed is not None and registered is not None and listed != registered:
            result.warnings.append(Problem(
                _("the list gives the rank {listed} but the people register {registered}: check which is right.")
                .format(listed=listed.name, registered=registered.name), row.number, COL_RANK_CODE, warning=True))


def check_certificates(rows: list[CandidateRow], *, exam: Exam, result: CandidateImportResult) -> None:
    """Warn (never refuse: the certificate may not be recorded yet) when a candidate the people register knows does
    not hold the training certificate the target rank requires, nor a qualification accepted as equivalent. One read
    for the whole file (accounts.qualification_selectors)."""
    target = exam.target_rank
    matched = [row for row in rows if row.person is not None]
    if target is None or not matched:
        return
    holdings = requirement_status(rank=target, person_ids=[row.person.pk for row in matched])
    for row in matched:
        held = holdings.get(row.person.pk)
        if held is not None and not held.met:
            result.warnings.append(Problem(
                # «Cảnh báo: …» prints no row or column, so the message names the row itself.
                _("row {n}: {name} does not yet hold the training certificate the rank {rank} requires ({kind}).")
                .format(n=row.number, name=row.person.full_name, rank=target.name, kind=held.required),
                row.number, COL_NAME, warning=True))
