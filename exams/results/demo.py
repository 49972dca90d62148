"""A demo exam whose scores are in and whose results are computed, not approved (issue 6), so the council's and
HR's results journeys can be clicked through from `make run`: the chair resolves the one tie the chain cannot
break and approves, HR publishes, demo_candidate sees their own result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count

from accounts.models import User
from exams.results.models import ScoreEntry
from exams.results.services import compute_results
from exams.sessions.models import CouncilMember, Exam, Registration, Subject
from exams.sessions.services import exam_create, exam_transition, numbers_assign

DEMO_RESULTS_EXAM = "Kỳ thi nâng ngạch chuyên viên chính năm 2025 (demo, đã có điểm)"
QUOTA = 8
TIED_SCORE = Decimal("74")
# CMNV scores of the other candidates, in registration order: six above the tie take places 2–7 with
# demo_candidate (86,5); the rest pass outside the quota or fail. None: absent from CMNV.
OTHER_SCORES = ["91", "88.5", "82", "79.25", "77", "75.5", "71", "68.5", "66", "63", "60.5", "58", "55",
                "52", "42", None]
GATE_FAILS = {7: 25, 11: 27}  # index among the others → KTC correct out of 60: below half, Không đạt


def seed_results_exam() -> int:
    if Exam.objects.filter(name=DEMO_RESULTS_EXAM).exists():
        return 0
    tied = _tied_pair()
    if tied is None:  # the demo people always hold such a pair; without one there is no tie to show
        return 0
    hr = User.objects.get(username="demo_hr")
    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-chinh-2020", name=DEMO_RESULTS_EXAM, actor=hr, quota=QUOTA,
                       cutoff=dt.date(2025, 9, 30))
    for username, board, position in (("demo_council", "council", "chair"), ("demo_hr", "council", "secretary"),
                                      ("demo_marker", "marking", "head")):
        CouncilMember.objects.create(exam=exam, user=User.objects.get(username=username), board=board,
                                     position=position)
    others = list(User.objects.filter(cccd__isnull=False).exclude(username__startswith="demo_")
                  .exclude(pk__in=[p.pk for p in tied]).order_by("-pk")[: len(OTHER_SCORES)])
    people = [User.objects.get(username="demo_candidate"), *tied, *others]
    # The registration list declares the same service start for the tied pair, so every link of the chain
    # (female, minority, older, longer service) finds them equal and the council has to decide.
    same_start = min(p.service_start or dt.date(2010, 1, 1) for p in tied)
    Registration.objects.bulk_create([
        Registration(exam=exam, person=p, list_order=n, candidate_number=f"~{p.pk}", position_text=p.position,
                     unit=p.unit, unit_text=str(p.unit or ""), rank=p.rank, rank_text=p.rank.name if p.rank else "",
                     service_start=same_start if p in tied else p.service_start,
                     exempt_foreign_language="NN_BANG" if n % 6 == 3 else "", exempt_it="TH_BANG" if n % 7 == 5 else "")
        for n, p in enumerate(people, start=1)
    ])
    numbers_assign(exam=exam)
    for step in (Exam.Status.REGISTRATION, Exam.Status.SCHEDULED, Exam.Status.RUNNING, Exam.Status.MARKING):
        exam_transition(exam=exam, to=step, actor=None, reason="demo")
    cmnv = [Decimal("86.5"), TIED_SCORE, TIED_SCORE] + [None if s is None else Decimal(s) for s in OTHER_SCORES]
    ktc = [48, 40, 40] + [GATE_FAILS.get(i, 36 + i % 20) for i in range(len(OTHER_SCORES))]
    _scores(exam, people, cmnv, ktc)
    compute_results(exam=exam, actor=None)
    return 1


def _tied_pair() -> list[User] | None:
    """Two demo people of the same gender, ethnicity and birth date (a real coincidence in the demo register)."""
    found = (User.objects.filter(cccd__isnull=False, ethnicity__isnull=False).exclude(username__startswith="demo_")
             .values("gender", "date_of_birth", "ethnicity").annotate(n=Count("id")).filter(n__gte=2)
             .order_by("date_of_birth", "gender").first())
    if found is None:
        return None
    return list(User.objects.filter(gender=found["gender"], date_of_birth=found["date_of_birth"],
                                    ethnicity=found["ethnicity"]).order_by("pk")[:2])


def _scores(exam: Exam, people: list[User], cmnv: list[Decimal | None], ktc: list[int]) -> None:
    """Every score arrived as an import would bring it (the demo exam was sat on paper)."""
    subjects = {s.code: s for s in Subject.objects.filter(exam=exam)}
    registrations = {r.person_id: r for r in Registration.objects.filter(exam=exam)}
    entries = []
    for n, person in enumerate(people):
        reg = registrations[person.pk]
        entries.append(ScoreEntry(registration=reg, subject=subjects["KTC"], correct=ktc[n],
                                  total=subjects["KTC"].question_count))
        for code in ("NN", "TH"):
            if not reg.exemption_for(subjects[code]):
                entries.append(ScoreEntry(registration=reg, subject=subjects[code], correct=17 + n % 10,
                                          total=subjects[code].question_count))
        if cmnv[n] is not None:
            entries.append(ScoreEntry(registration=reg, subject=subjects["CMNV"], score=cmnv[n]))
    ScoreEntry.objects.bulk_create(entries)
