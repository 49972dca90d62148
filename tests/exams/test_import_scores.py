"""The score import (issue 6; docs/operations.md, "Commands"): every row checked, every problem reported, nothing half-written."""

from decimal import Decimal

import pytest

from accounts.models import AuditLog
from exams.models import Exam, ScoreEntry
from exams.results import services as results_svc
from exams.results.importing import SCORE_COLUMNS, import_scores
from tests.exams.results_helpers import candidate, promotion_exam, run_command
from tests.helpers import xlsx_bytes


def sheet(*rows):
    return xlsx_bytes([dict(zip(SCORE_COLUMNS, row, strict=True)) for row in rows], columns=SCORE_COLUMNS)


@pytest.fixture
def exam(db):
    exam = promotion_exam(quota=2)
    candidate(exam, 1, name="Nguyễn Thị Hòa")
    candidate(exam, 2, exempt_nn="NN_BANG")
    return exam


def cccd_of(exam, n):
    return exam.registrations.get(candidate_number=f"CV{n:04d}").person.cccd


def run(exam, data, **kw):
    return import_scores(data, exam=exam, actor=None, dry_run=kw.pop("dry_run", False), **kw)


@pytest.mark.django_db
class TestImport:
    def test_gate_and_score_rows_by_number_or_cccd(self, exam):
        result = run(exam, sheet(("CV0001", None, "KTC", 30, 60, None),
                                 (None, cccd_of(exam, 2), "CMNV", None, None, "72,5"),
                                 ("CV0002", cccd_of(exam, 2), "TH", "15", "30", None)))
        assert result.ok, [str(p) for p in result.problems]
        assert result.summary == "created=3 updated=0 unchanged=0"
        assert ScoreEntry.objects.get(subject__code="CMNV").score == Decimal("72.5")
        exam.refresh_from_db()
        assert exam.status == Exam.Status.RESULTS

    def test_reimport_is_idempotent_and_counts_updates(self, exam):
        data = sheet(("CV0001", None, "CMNV", None, None, 80), ("CV0002", None, "CMNV", None, None, 70))
        run(exam, data)
        assert run(exam, data).summary == "created=0 updated=0 unchanged=2"
        changed = sheet(("CV0001", None, "CMNV", None, None, 81), ("CV0002", None, "CMNV", None, None, 70))
        assert run(exam, changed).summary == "created=0 updated=1 unchanged=1"
        assert AuditLog.objects.filter(action="exam.import_scores").count() == 3

    def test_every_problem_is_reported_with_its_row_and_nothing_is_written(self, exam):
        result = run(exam, sheet(
            ("CV0001", None, "KTC", 30, 60, None),  # fine
            ("CV0009", None, "KTC", 30, 60, None),  # unknown number
            ("CV0001", cccd_of(exam, 2), "CMNV", None, None, 50),  # number and CCCD disagree
            ("CV0002", None, "NN", 20, 30, None),  # exempt
            ("CV0001", None, "TH", 20, 25, None),  # wrong question count
            ("CV0001", None, "CMNV", None, None, "100,5"),  # above the scale
            ("CV0002", None, "CMNV", None, None, "72,555"),  # three decimals
            ("CV0001", None, "XYZ", None, None, 5),  # unknown subject
            ("CV0001", None, "KTC", 31, 60, None),  # duplicate of row 2
            (None, None, "KTC", 1, 60, None),  # nobody named
            ("CV0002", None, "KTC", 61, 60, None),  # more correct than questions
            ("CV0002", None, "TH", None, None, 50),  # a gate given a score
        ))
        messages = [str(p) for p in result.problems]
        expected_rows = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
        for row in expected_rows:
            assert any(m.startswith(f"Row {row},") or m.startswith(f"Dòng {row},") for m in messages), (row, messages)
        assert not any(m.startswith(("Row 2,", "Dòng 2,")) for m in messages)
        assert not ScoreEntry.objects.exists()

    def test_platform_scored_subject_is_refused(self, exam_day):
        from exams.examday.services.attempts import attempt_finish, room_open
        from exams.examday.services.entering import attempt_start, room_enter
        from exams.models import Attempt
        day = exam_day
        room_session = room_open(sitting=day["sitting"], room=day["room"], actor=day["invigilator"])
        entry = room_enter(registration=day["registrations"][0], sitting=day["sitting"], code=room_session.code,
                           device="d1")
        attempt = attempt_start(admission=entry.admission, device="d1")
        attempt_finish(attempt=attempt, how=Attempt.Status.SUBMITTED)
        result = run(day["exam"], sheet(("CV0001", None, "KTC", 3, 5, None)))
        assert not result.ok and "CV0001" in str(result.problems[0])

    def test_refused_after_approval_unless_a_correction(self, exam, make_user):
        from accounts.roles import Role
        from exams.models import CouncilMember
        from tests.exams.results_helpers import full_scores
        chair = make_user(Role.COUNCIL_MEMBER, username="chair")
        CouncilMember.objects.create(exam=exam, user=chair, board="council", position="chair")
        for reg in exam.registrations.all():
            full_scores(reg, 70) if reg.candidate_number == "CV0001" else None
        version = results_svc.compute_results(exam=exam, actor=None).version
        results_svc.approve(exam=exam, version=version, actor=chair)
        data = sheet(("CV0002", None, "CMNV", None, None, 90))
        assert not run(exam, data).ok
        assert not ScoreEntry.objects.filter(registration__candidate_number="CV0002").exists()
        assert run(exam, data, correction=True).ok
        exam.refresh_from_db()
        assert exam.status == Exam.Status.APPROVED  # a correction never moves approved results back

    def test_missing_column_is_a_file_problem(self, exam):
        data = xlsx_bytes([{"Số báo danh": "CV0001"}], columns=["Số báo danh", "Mã môn"])
        result = run(exam, data)
        assert not result.ok and result.problems[0].row is None


@pytest.mark.django_db
class TestCommand:
    def test_dry_run_writes_nothing(self, exam, tmp_path):
        path = tmp_path / "diem.xlsx"
        path.write_bytes(sheet(("CV0001", None, "CMNV", None, None, "65,25")))
        code, out, _err = run_command("import_scores", str(path), "--exam", str(exam.pk), "--dry-run")
        assert code == 0 and out.strip().splitlines()[-1] == "created=1 updated=0 unchanged=0"
        assert not ScoreEntry.objects.exists()
        code, out, _err = run_command("import_scores", str(path), "--exam", str(exam.pk))
        assert code == 0 and ScoreEntry.objects.get().score == Decimal("65.25")

    def test_problems_exit_1_with_row_numbers(self, exam, tmp_path):
        path = tmp_path / "diem.xlsx"
        path.write_bytes(sheet(("CV0001", None, "CMNV", None, None, "abc"), ("CV0077", None, "CMNV", None, None, 5)))
        code, _out, err = run_command("import_scores", str(path), "--exam", str(exam.pk))
        lines = err.strip().splitlines()
        assert code == 1 and len(lines) == 2
        assert lines[0].startswith("Dòng 2, cột «Điểm»") and lines[1].startswith("Dòng 3, cột «Số báo danh»")

    def test_unknown_exam_and_missing_file(self, exam, tmp_path):
        assert run_command("import_scores", str(tmp_path / "x.xlsx"), "--exam", "999999")[0] == 1
        assert run_command("import_scores", str(tmp_path / "x.xlsx"), "--exam", str(exam.pk))[0] == 1
