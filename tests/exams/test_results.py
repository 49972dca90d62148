"""Computing, resolving, approving and publishing results (issue 6; docs/rules.md, "Results rules", rules 1–9;
docs/operations.md, "Commands")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditLog
from accounts.roles import Role
from exams.models import CandidateResult, CouncilMember, Exam, Quota, ResultVersion
from exams.results import services as svc
from exams.results.selectors import published_version
from tests.exams.results_helpers import candidate, full_scores, penalise, promotion_exam, run_command, score

Outcome = CandidateResult.Outcome


@pytest.fixture
def chair(make_user):
    return make_user(Role.COUNCIL_MEMBER, username="chutich", full_name="Chủ Tịch Hội Đồng")


@pytest.fixture
def hr(make_user, province):
    return make_user(Role.HR_STAFF, username="nhansu", full_name="Nhân Sự Sở", hr_scope=province)


@pytest.fixture
def exam(chair):
    exam = promotion_exam(quota=2)
    CouncilMember.objects.create(exam=exam, user=chair, board="council", position="chair")
    return exam


def outcomes(version: ResultVersion) -> dict[str, str]:
    return {r.registration.candidate_number: r.outcome
            for r in version.results.select_related("registration")}


def notes(version: ResultVersion) -> dict[str, str]:
    return {r.registration.candidate_number: r.note for r in version.results.select_related("registration")}


def compute(exam, **kw):
    return svc.compute_results(exam=exam, actor=None, **kw)


@pytest.mark.django_db
class TestCompute:
    def test_selects_by_professional_score_within_the_quota(self, exam):
        for n, cmnv in enumerate(["70", "90.5", "80", "40"], start=1):
            full_scores(candidate(exam, n), cmnv)
        computed = compute(exam)
        assert computed.summary == "candidates=4 passed=3 selected=2 ties_unresolved=0"
        assert outcomes(computed.version) == {"CV0001": Outcome.NOT_SELECTED, "CV0002": Outcome.SELECTED,
                                              "CV0003": Outcome.SELECTED, "CV0004": Outcome.FAILED}
        exam.refresh_from_db()
        assert exam.status == Exam.Status.RESULTS

    def test_idempotent(self, exam):
        for n in range(1, 4):
            full_scores(candidate(exam, n), 60 + n)
        first = compute(exam)
        rows = sorted(CandidateResult.objects.values_list("registration_id", "outcome", "rank", "note"))
        second = compute(exam)
        assert second.version.pk == first.version.pk and ResultVersion.objects.count() == 1
        assert sorted(CandidateResult.objects.values_list("registration_id", "outcome", "rank", "note")) == rows

    def test_absent_counts_as_a_candidate_and_fails_with_vang_thi(self, exam):
        full_scores(candidate(exam, 1), 80)
        candidate(exam, 2)  # no score at all
        present = candidate(exam, 3)
        full_scores(present, None)  # sat the gates, not CMNV
        computed = compute(exam)
        assert computed.version.candidates == 3
        assert outcomes(computed.version)["CV0002"] == Outcome.FAILED
        assert notes(computed.version)["CV0002"] == "Vắng thi"
        assert notes(computed.version)["CV0003"] == "Vắng thi"

    def test_exempt_subject_passes_as_mien(self, exam):
        reg = candidate(exam, 1, exempt_nn="NN_BANG")
        full_scores(reg, 75)
        version = compute(exam).version
        result = version.results.get()
        nn = result.subjects.get(subject__code="NN")
        assert nn.exempt == "NN_BANG" and nn.passed and result.outcome == Outcome.SELECTED

    def test_gate_exactly_half_and_just_under(self, exam):
        full_scores(candidate(exam, 1), 70, ktc=30)
        full_scores(candidate(exam, 2), 70, ktc=29)
        version = compute(exam).version
        assert outcomes(version)["CV0001"] == Outcome.SELECTED and outcomes(version)["CV0002"] == Outcome.FAILED

    def test_everyone_fails(self, exam):
        for n in range(1, 4):
            full_scores(candidate(exam, n), 30)
        assert compute(exam).summary == "candidates=3 passed=0 selected=0 ties_unresolved=0"

    def test_quota_zero_and_quota_above_passers(self, exam):
        for n in range(1, 4):
            full_scores(candidate(exam, n), 60 + n)
        Exam.objects.filter(pk=exam.pk).update(quota=0)
        assert compute(exam).version.selected == 0
        Exam.objects.filter(pk=exam.pk).update(quota=10)
        assert compute(exam).summary == "candidates=3 passed=3 selected=3 ties_unresolved=0"

    def test_quota_not_set_selects_nobody_and_says_so(self, exam):
        Exam.objects.filter(pk=exam.pk).update(quota=None)
        full_scores(candidate(exam, 1), 80)
        computed = compute(exam)
        assert computed.version.selected == 0 and computed.warnings
        assert outcomes(computed.version)["CV0001"] == Outcome.PASSED

    def test_check_without_quota_gives_dat(self):
        exam = promotion_exam(preset="kiem-dinh-dau-vao-2023-dai-hoc", quota=None)
        score(candidate(exam, 1), "KD", correct=50)
        score(candidate(exam, 2), "KD", correct=49)
        version = compute(exam).version
        assert outcomes(version) == {"KDDH0001": Outcome.PASSED, "KDDH0002": Outcome.FAILED}

    def test_project_pair(self):
        exam = promotion_exam(preset="nang-ngach-chuyen-vien-cao-cap-2020", quota=5)
        a, b = candidate(exam, 1), candidate(exam, 2)
        score(a, "DA", "50"), score(a, "BVDA", "50")
        score(b, "DA", "49.75"), score(b, "BVDA", "95")
        version = compute(exam).version
        assert outcomes(version) == {"CVCC0001": Outcome.SELECTED, "CVCC0002": Outcome.FAILED}
        assert version.results.get(registration=a).ranking_score == Decimal(100)

    def test_scores_are_exact_decimals_in_the_ranking(self, exam):
        full_scores(candidate(exam, 1), "72.51")
        full_scores(candidate(exam, 2), "72.50")
        full_scores(candidate(exam, 3), "72.49")
        Exam.objects.filter(pk=exam.pk).update(quota=1)
        version = compute(exam).version
        assert outcomes(version) == {"CV0001": Outcome.SELECTED, "CV0002": Outcome.NOT_SELECTED, "CV0003": Outcome.NOT_SELECTED}
        assert version.results.get(registration__candidate_number="CV0001").ranking_score == Decimal("72.51")

    def test_open_attempts_block_the_computation(self, exam, exam_day):
        from exams.examday.services.attempts import room_open
        from exams.examday.services.entering import attempt_start, room_enter
        day = exam_day
        room_session = room_open(sitting=day["sitting"], room=day["room"], actor=day["invigilator"])
        entry = room_enter(registration=day["registrations"][0], sitting=day["sitting"], code=room_session.code,
                           device="d1")
        attempt_start(admission=entry.admission, device="d1")
        with pytest.raises(svc.ResultsError):
            compute(day["exam"])
        assert not ResultVersion.objects.filter(exam=day["exam"]).exists()


@pytest.mark.django_db
class TestPenalties:
    def test_reprimand_and_warning_deduct_before_the_pass_check_and_ranking(self, exam, chair):
        a, b, c = candidate(exam, 1), candidate(exam, 2), candidate(exam, 3)
        full_scores(a, 90)
        full_scores(b, 80)
        full_scores(c, 80)
        penalise(a, "CMNV", "reprimand", chair)  # 90 → 72
        penalise(b, "CMNV", "warning", chair)  # 80 → 48: fails
        version = compute(exam).version
        ra = version.results.get(registration=a)
        assert ra.ranking_score == Decimal("72") and "Khiển trách (CMNV)" in ra.note
        assert outcomes(version) == {"CV0001": Outcome.SELECTED, "CV0002": Outcome.FAILED, "CV0003": Outcome.SELECTED}

    def test_the_exams_own_rates_apply_not_the_defaults(self, exam, chair):
        """An exam that deducts half for a reprimand: 90 becomes 45 and fails (the default 20 % would give 72)."""
        Exam.objects.filter(pk=exam.pk).update(reprimand_rate=Decimal("0.5"))
        exam.refresh_from_db()
        a = candidate(exam, 1)
        full_scores(a, 90)
        penalise(a, "CMNV", "reprimand", chair)
        row = compute(exam).version.results.get(registration=a)
        assert row.ranking_score == Decimal("45") and row.outcome == Outcome.FAILED

    def test_gate_reprimand_keeps_the_floor_in_the_candidates_favour(self, exam, chair):
        reg = candidate(exam, 1)
        full_scores(reg, 80, ktc=37)
        penalise(reg, "KTC", "reprimand", chair)
        version = compute(exam).version
        ktc = version.results.get().subjects.get(subject__code="KTC")
        assert (ktc.correct, ktc.raw_correct, ktc.passed) == (30, 37, True)

    def test_suspension_scores_zero_and_fails(self, exam, chair):
        reg = candidate(exam, 1)
        full_scores(reg, 95)
        penalise(reg, "KTC", "suspension", chair)
        version = compute(exam).version
        result = version.results.get()
        assert result.outcome == Outcome.FAILED and "Đình chỉ thi" in result.note
        assert result.subjects.get(subject__code="KTC").correct == 0

    def test_cancellation_removes_from_selection(self, exam, chair):
        reg = candidate(exam, 1)
        full_scores(reg, 99)
        full_scores(candidate(exam, 2), 60)
        penalise(reg, "CMNV", "cancellation", chair)
        version = compute(exam).version
        result = version.results.get(registration=reg)
        assert result.outcome == Outcome.FAILED and result.note.startswith("Hủy kết quả")
        assert outcomes(version)["CV0002"] == Outcome.SELECTED

    def test_the_most_severe_penalty_of_a_subject_applies(self, exam, chair):
        reg = candidate(exam, 1)
        full_scores(reg, 100)
        penalise(reg, "CMNV", "reprimand", chair)
        penalise(reg, "CMNV", "warning", chair)
        assert compute(exam).version.results.get().ranking_score == Decimal(60)


@pytest.mark.django_db
class TestTies:
    def tied_exam(self, exam):
        """Quota 2: one clear winner, two men with the same record for the last place."""
        full_scores(candidate(exam, 1, name="Lê Văn An"), 90)
        full_scores(candidate(exam, 2, name="Trần Văn Bình"), 80)
        full_scores(candidate(exam, 3, name="Phạm Văn Cường"), 80)
        return compute(exam)

    def test_unresolved_tie_is_pending_and_excluded_from_selected(self, exam):
        computed = self.tied_exam(exam)
        assert computed.summary == "candidates=3 passed=3 selected=1 ties_unresolved=2"
        assert notes(computed.version)["CV0002"] == "Thủ trưởng quyết định"
        assert computed.version.ties == [{"group": 1, "quota_group": "", "tied": sorted(
            computed.version.results.filter(tie_group=1).values_list("registration_id", flat=True)), "places": 1}]

    def test_tie_broken_by_the_chain_is_noted(self, exam):
        full_scores(candidate(exam, 1), 90)
        full_scores(candidate(exam, 2), 80)
        full_scores(candidate(exam, 3, gender="Nữ"), 80)
        version = compute(exam).version
        assert outcomes(version)["CV0003"] == Outcome.SELECTED and notes(version)["CV0003"] == "Ưu tiên: nữ"

    @pytest.mark.parametrize(("link", "loser", "winner", "note"), [
        ("minority", {"gender": "Nữ"}, {"gender": "Nữ", "ethnicity_code": 2}, "Ưu tiên: dân tộc thiểu số"),
        ("older", {"gender": "Nữ", "born": dt.date(1985, 1, 2)}, {"gender": "Nữ", "born": dt.date(1985, 1, 1)},
         "Ưu tiên: nhiều tuổi hơn"),
        ("longer_service", {"service_start": dt.date(2010, 1, 2)}, {"service_start": dt.date(2010, 1, 1)},
         "Ưu tiên: thời gian công tác dài hơn"),
    ])
    def test_every_later_link_of_the_exams_chain_decides_at_the_cut(self, exam, link, loser, winner, note):
        """The whole chain reaches the computation, not only its first link: two records equal on every link
        before ``link`` share the last place, and ``link`` gives it."""
        full_scores(candidate(exam, 1), 90)
        full_scores(candidate(exam, 2, **loser), 80)
        full_scores(candidate(exam, 3, **winner), 80)
        version = compute(exam).version
        assert outcomes(version) == {"CV0001": Outcome.SELECTED, "CV0002": Outcome.NOT_SELECTED,
                                     "CV0003": Outcome.SELECTED}
        assert notes(version)["CV0003"] == note and version.ties == []

    def test_the_exams_own_chain_decides_not_the_default(self, exam):
        """An exam that ranks the older first: the older man takes the place the default chain gives a woman."""
        Exam.objects.filter(pk=exam.pk).update(tie_break=["older", "female"])
        exam.refresh_from_db()
        full_scores(candidate(exam, 1), 90)
        full_scores(candidate(exam, 2, gender="Nữ", born=dt.date(1990, 1, 1)), 80)
        full_scores(candidate(exam, 3, gender="Nam", born=dt.date(1970, 1, 1)), 80)
        version = compute(exam).version
        assert outcomes(version)["CV0003"] == Outcome.SELECTED and outcomes(version)["CV0002"] == Outcome.NOT_SELECTED
        assert notes(version)["CV0003"] == "Ưu tiên: nhiều tuổi hơn"

    def test_the_official_order_of_equal_scores_follows_the_exams_chain(self, exam):
        """Three equal scores, all within the quota: the list is ordered by the exam's chain (longer service
        first), not by the default one (a woman first)."""
        Exam.objects.filter(pk=exam.pk).update(tie_break=["longer_service"], quota=3)
        exam.refresh_from_db()
        full_scores(candidate(exam, 1, name="An Văn Một", service_start=dt.date(2012, 1, 1)), 80)
        full_scores(candidate(exam, 2, name="Bùi Thị Hai", gender="Nữ", service_start=dt.date(2011, 1, 1)), 80)
        full_scores(candidate(exam, 3, name="Cao Văn Ba", service_start=dt.date(2001, 1, 1)), 80)
        version = compute(exam).version
        order = list(version.results.order_by("rank").values_list("registration__candidate_number", flat=True))
        assert order == ["CV0003", "CV0002", "CV0001"]

    def test_council_resolves_then_approves_and_recompute_keeps_the_decision(self, exam, chair):
        version = self.tied_exam(exam).version
        with pytest.raises(svc.ResultsError):
            svc.approve(exam=exam, version=version, actor=chair)
        chosen = version.results.get(registration__candidate_number="CV0003").registration_id
        with pytest.raises(svc.ResultsError):  # two chosen for one place
            svc.tie_resolve(exam=exam, version=version, tie_group=1, chosen_ids=list(
                version.results.filter(tie_group=1).values_list("registration_id", flat=True)), reason="x",
                actor=chair)
        version = svc.tie_resolve(exam=exam, version=version, tie_group=1, chosen_ids=[chosen],
                                  reason="Thành tích công tác", actor=chair)
        assert outcomes(version) == {"CV0001": Outcome.SELECTED, "CV0002": Outcome.NOT_SELECTED, "CV0003": Outcome.SELECTED}
        assert notes(version)["CV0003"] == "Hội đồng thi quyết định"
        assert compute(exam).summary == "candidates=3 passed=3 selected=2 ties_unresolved=0"
        svc.approve(exam=exam, version=version, actor=chair)
        assert AuditLog.objects.filter(action="results.tie_resolve").exists()

    def test_only_the_chair_resolves(self, exam, hr):
        version = self.tied_exam(exam).version
        with pytest.raises(PermissionDenied):
            svc.tie_resolve(exam=exam, version=version, tie_group=1, chosen_ids=[1], reason="x", actor=hr)

    def test_per_unit_quota(self, exam, province):
        from accounts.services import unit_create
        a = unit_create(name="Sở Tài chính", parent=province, kind="department", code="STC")
        b = unit_create(name="Sở Y tế", parent=province, kind="department", code="SYT")
        Exam.objects.filter(pk=exam.pk).update(quota_scope=Exam.QuotaScope.UNIT)
        Quota.objects.create(exam=exam, unit=a, seats=1)
        Quota.objects.create(exam=exam, unit=b, seats=1)
        full_scores(candidate(exam, 1, unit=a), 90)
        full_scores(candidate(exam, 2, unit=a), 85)
        full_scores(candidate(exam, 3, unit=b), 60)
        full_scores(candidate(exam, 4), 99)  # no unit matched: no quota, warned
        computed = compute(exam)
        assert outcomes(computed.version) == {"CV0001": Outcome.SELECTED, "CV0002": Outcome.NOT_SELECTED,
                                              "CV0003": Outcome.SELECTED, "CV0004": Outcome.NOT_SELECTED}
        assert computed.warnings


@pytest.mark.django_db
class TestVersions:
    def test_approve_publish_then_locked(self, exam, chair, hr):
        full_scores(candidate(exam, 1), 80)
        version = compute(exam).version
        with pytest.raises(PermissionDenied):
            svc.approve(exam=exam, version=version, actor=hr)
        svc.approve(exam=exam, version=version, actor=chair)
        with pytest.raises(PermissionDenied):
            svc.publish(exam=exam, version=version, actor=chair)
        svc.publish(exam=exam, version=version, actor=hr, decision_number="123/QĐ-UBND",
                    decision_date=dt.date(2026, 12, 1))
        exam.refresh_from_db()
        assert exam.status == Exam.Status.PUBLISHED
        with pytest.raises(svc.ResultsError):
            compute(exam)

    def test_new_version_is_approved_and_published_beside_the_old(self, exam, chair, hr):
        reg = candidate(exam, 1)
        full_scores(reg, 45)
        v1 = compute(exam).version
        svc.approve(exam=exam, version=v1, actor=chair)
        svc.publish(exam=exam, version=v1, actor=hr)
        reg.score_entries.filter(subject__code="CMNV").update(score=Decimal("55"))  # an appeal raised the mark
        v2 = compute(exam, new_version=True, reason="Phúc khảo").version
        assert v2.number == 2 and v2.status == "draft" and v2.reason == "Phúc khảo"
        assert outcomes(v1) == {"CV0001": Outcome.FAILED} and outcomes(v2) == {"CV0001": Outcome.SELECTED}
        assert published_version(exam) == v1  # candidates still see v1 until v2 is approved and published
        svc.approve(exam=exam, version=v2, actor=chair)
        svc.publish(exam=exam, version=v2, actor=hr)
        v1.refresh_from_db()
        assert v1.status == "superseded" and published_version(exam) == v2


@pytest.mark.django_db
class TestCommand:
    def test_last_line_and_state(self, exam):
        full_scores(candidate(exam, 1), 80)
        code, out, _err = run_command("compute_results", "--exam", str(exam.pk))
        assert code == 0
        assert out.strip().splitlines()[-1] == "candidates=1 passed=1 selected=1 ties_unresolved=0"

    def test_exits_0_while_ties_are_open(self, exam):
        TestTies().tied_exam(exam)
        code, out, err = run_command("compute_results", "--exam", str(exam.pk))
        assert code == 0 and out.strip().endswith("ties_unresolved=2") and "Cảnh báo" in err

    def test_published_needs_new_version(self, exam, chair, hr):
        full_scores(candidate(exam, 1), 80)
        version = compute(exam).version
        svc.approve(exam=exam, version=version, actor=chair)
        svc.publish(exam=exam, version=version, actor=hr)
        code, _out, err = run_command("compute_results", "--exam", str(exam.pk))
        assert code == 1 and "phiên bản mới" in err
        code, out, _err = run_command("compute_results", "--exam", str(exam.pk), "--new-version")
        assert code == 0 and out.strip().endswith("ties_unresolved=0")
        assert exam.result_versions.count() == 2

    def test_unknown_exam(self):
        code, _out, _err = run_command("compute_results", "--exam", "999999")
        assert code == 1


@pytest.mark.django_db
def test_query_count_does_not_grow_with_candidates(exam):
    def measure(count: int, offset: int) -> int:
        for n in range(offset, offset + count):
            full_scores(candidate(exam, n), 50 + n % 40)
        compute(exam)  # the first computation also creates the version row
        with CaptureQueriesContext(connection) as ctx:
            compute(exam)
        return len(ctx.captured_queries)

    small = measure(3, 1)
    large = measure(30, 100)
    assert small == large


@pytest.mark.django_db
class TestQuotaPage:
    def test_hr_sets_a_unit_quota_and_results_use_it(self, client, exam, hr, province):
        from accounts.services import unit_create
        unit = unit_create(name="Sở Tư pháp", parent=province, kind="department", code="STP")
        Exam.objects.filter(pk=exam.pk).update(quota_scope=Exam.QuotaScope.UNIT)
        client.force_login(hr)
        url = f"/exams/{exam.pk}/quotas/"
        response = client.post(url, {"unit": unit.pk, "seats": 1})
        assert response.status_code == 302 and Quota.objects.get(exam=exam).seats == 1
        client.post(url, {"unit": unit.pk, "seats": 2})  # the same unit again: updated, not duplicated
        assert Quota.objects.get(exam=exam).seats == 2
        for n in range(1, 4):
            full_scores(candidate(exam, n, unit=unit), 60 + n)
        assert compute(exam).version.selected == 2
        assert AuditLog.objects.filter(action="exam.quota_set").count() == 2

    def test_a_whole_exam_quota_refuses_groups(self, client, exam, hr, province):
        client.force_login(hr)
        response = client.post(f"/exams/{exam.pk}/quotas/", {"unit": province.pk, "seats": 1})
        assert response.status_code == 200 and not Quota.objects.exists()


@pytest.mark.django_db
def test_an_older_approved_version_can_never_be_published_over_a_newer_one(exam, chair, hr):
    full_scores(candidate(exam, 1), 45)
    v1 = compute(exam).version
    svc.approve(exam=exam, version=v1, actor=chair)
    v2 = compute(exam, new_version=True, reason="Đính chính").version
    v1.refresh_from_db()
    assert v1.status == "superseded"
    with pytest.raises(svc.ResultsError):
        svc.publish(exam=exam, version=v1, actor=hr)
    svc.approve(exam=exam, version=v2, actor=chair)
    svc.publish(exam=exam, version=v2, actor=hr)
    v1.refresh_from_db()
    assert (v1.status, published_version(exam)) == ("superseded", v2)
