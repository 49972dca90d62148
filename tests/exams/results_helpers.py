"""Builders for results tests: a promotion exam (KTC, NN, TH gates; CMNV scored and ranking) with candidates
and their scores, without going through exam day."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Ethnicity, User
from exams.models import Exam, Penalty, Registration, ScoreEntry, Sitting, Subject
from exams.sessions.services import exam_create

KINH = 1  # Ethnicity code of Kinh in the reference data


def promotion_exam(*, quota: int | None = 2, preset: str = "nang-ngach-chuyen-vien-2020", name: str = "Thi nâng ngạch "
                   "chuyên viên năm 2026") -> Exam:
    exam = exam_create(preset_slug=preset, name=name, actor=None, quota=quota)
    Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.MARKING)
    exam.refresh_from_db()
    return exam


def candidate(exam: Exam, n: int, *, name: str | None = None, gender: str = "Nam", born=dt.date(1985, 1, 1),
              ethnicity_code: int = KINH, service_start=dt.date(2010, 1, 1), unit=None, unit_text: str = "Sở Nội vụ",
              exempt_nn: str = "", exempt_th: str = "", rank=None) -> Registration:
    person = User.objects.create(
        username=f"ts{exam.pk}_{n}", full_name=name or f"Nguyễn Văn Thí Sinh {n}", date_of_birth=born,
        gender=gender, cccd=f"08{exam.pk % 10000:04d}{n:06d}", ethnicity=Ethnicity.objects.get(code=ethnicity_code))
    return Registration.objects.create(
        exam=exam, person=person, candidate_number=f"{exam.number_prefix}{n:04d}", unit=unit, unit_text=unit_text,
        position_text="Chuyên viên", rank_text="Cán sự", rank=rank, service_start=service_start,
        exempt_foreign_language=exempt_nn, exempt_it=exempt_th, list_order=n)


def score(registration: Registration, code: str, value=None, *, correct: int | None = None) -> ScoreEntry:
    subject = Subject.objects.get(exam=registration.exam, code=code)
    if subject.is_gate:
        correct = correct if correct is not None else subject.question_count
        return ScoreEntry.objects.create(registration=registration, subject=subject, correct=correct,
                                         total=subject.question_count)
    return ScoreEntry.objects.create(registration=registration, subject=subject, score=Decimal(str(value)))


def full_scores(registration: Registration, cmnv, *, ktc: int = 40, nn: int = 20, th: int = 20) -> None:
    """Scores in every subject the candidate is not exempt from; gates passed unless told otherwise."""
    score(registration, "KTC", correct=ktc)
    if not registration.exempt_foreign_language:
        score(registration, "NN", correct=nn)
    if not registration.exempt_it:
        score(registration, "TH", correct=th)
    if cmnv is not None:
        score(registration, "CMNV", cmnv)


def sitting_for(exam: Exam, code: str) -> Sitting:
    subject = Subject.objects.get(exam=exam, code=code)
    found = subject.sittings.first()
    if found is None:
        start = timezone.now() - dt.timedelta(days=2)
        found = Sitting.objects.create(subject=subject, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                       opens_at=start - dt.timedelta(minutes=30))
    return found


def penalise(registration: Registration, code: str, kind: str, by: User) -> Penalty:
    return Penalty.objects.create(registration=registration, sitting=sitting_for(registration.exam, code), kind=kind,
                                  reason="Vi phạm quy chế", by=by)


def run_command(name: str, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command(name, *args, stdout=out, stderr=err)
        except SystemExit as exc:
            code = exc.code
        except CommandError as exc:
            err.write(str(exc))
            code = exc.returncode
    return code, out.getvalue(), err.getvalue()
