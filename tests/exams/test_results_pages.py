"""The results pages (issue 6): who sees and does what, the POST flows with their refusals (a refusal changes
nothing), the score import's two steps, the downloads, a candidate's own result, and query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from exams.models import CandidateResult, CouncilMember, Exam, ResultVersion, ScoreEntry, TieDecision
from exams.results import services as svc
from exams.results.importing import SCORE_COLUMNS
from tests.exams.results_helpers import candidate, full_scores, promotion_exam
from tests.helpers import xlsx_bytes

OUTCOME = CandidateResult.Outcome
V = ResultVersion.Status
SAME = {"gender": "Nam", "born": dt.date(1985, 1, 1), "service_start": dt.date(2010, 1, 1)}


@pytest.fixture
def hr(make_user, province):
    return make_user(Role.HR_STAFF, username="nhansu", full_name="Nhân Sự Sở", hr_scope=province)


@pytest.fixture
def chair(make_user):
    return make_user(Role.COUNCIL_MEMBER, username="chutich", full_name="Chủ Tịch Hội Đồng")


@pytest.fixture
def secretary(make_user):
    return make_user(Role.COUNCIL_MEMBER, username="thuky", full_name="Thư Ký Hội Đồng")


@pytest.fixture
def member(make_user):
    return make_user(Role.COUNCIL_MEMBER, username="uyvien", full_name="Ủy Viên Hội Đồng")


@pytest.fixture
def exam(chair, secretary, member):
    exam = promotion_exam(quota=2)
    for user, position in ((chair, "chair"), (secretary, "secretary"), (member, "member")):
        CouncilMember.objects.create(exam=exam, user=user, board="council", position=position)
    return exam


@pytest.fixture
def tied(exam):
    """Four candidates, quota 2: one clear winner, two equal in everything for the last place, one failure."""
    regs = [candidate(exam, 1, name="Trần Văn An"), candidate(exam, 2, name="Lê Văn Bình", **SAME),
            candidate(exam, 3, name="Đặng Văn Hòa", exempt_nn="NN_BANG", **SAME), candidate(exam, 4)]
    for reg, cmnv in zip(regs, ["90", "80", "80", "40"], strict=True):
        full_scores(reg, cmnv)
    svc.compute_results(exam=exam, actor=None)
    return regs


def url(name: str, exam: Exam, **kw) -> str:
    return reverse(name, kwargs={"pk": exam.pk, **kw})


def version_of(exam: Exam) -> ResultVersion:
    return svc.current_version(exam)


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestResultsPage:
    def test_hr_and_everyone_on_the_exam_see_it_and_nobody_else(self, client, exam, tied, hr, chair, member,
                                                                   make_user):
        outsider = make_user(Role.COUNCIL_MEMBER, username="khac")
        for user, expected in ((hr, 200), (chair, 200), (member, 200), (outsider, 403),
                               (tied[0].person, 403)):
            assert login(client, user).get(url("exam_results", exam)).status_code == expected, user
        client.logout()
        assert client.get(url("exam_results", exam)).status_code == 302

    def test_it_shows_status_counters_cells_outcomes_and_the_tie(self, client, exam, tied, hr):
        html = login(client, hr).get(url("exam_results", exam)).content.decode()
        assert 'data-status="draft"' in html
        assert '<span data-counter="candidates">4</span>' in html and '<span data-counter="ties">2</span>' in html
        assert "Miễn" in html and "40/60" in html and "Chờ quyết định" in html and "Trúng tuyển" in html
        assert "Thủ trưởng quyết định" in html and 'id="tie-1"' in html
        assert 'id="tie1-submit"' not in html and 'id="approve-button"' not in html  # HR neither decides nor approves

    def test_the_chair_gets_the_tie_form_and_the_approve_button(self, client, exam, tied, chair):
        html = login(client, chair).get(url("exam_results", exam)).content.decode()
        assert f'name="tie1-chosen" value="{tied[1].pk}"' in html and f'value="{tied[2].pk}"' in html
        assert 'id="approve-button"' in html and 'id="publish-button"' not in html

    def test_it_filters_by_outcome_and_searches_names_without_accents(self, client, exam, tied, hr):
        login(client, hr)
        page = client.get(url("exam_results", exam), {"outcome": OUTCOME.PENDING})
        assert [r.registration.pk for r, _c, _s in page.context["table"]] == [tied[1].pk, tied[2].pk]
        page = client.get(url("exam_results", exam), {"q": "dang van hoa"})
        assert [r.registration.pk for r, _c, _s in page.context["table"]] == [tied[2].pk]
        page = client.get(url("exam_results", exam), {"q": "cv0001"})
        assert [r.registration.pk for r, _c, _s in page.context["table"]] == [tied[0].pk]

    def test_it_pages_through_many_candidates(self, client, exam, hr):
        for n in range(1, 56):
            full_scores(candidate(exam, n), 60)
        svc.compute_results(exam=exam, actor=None)
        login(client, hr)
        assert len(client.get(url("exam_results", exam)).context["table"]) == 50
        assert len(client.get(url("exam_results", exam), {"page": 2}).context["table"]) == 5

    def test_the_number_of_queries_does_not_grow_with_the_candidates(self, client, exam, chair):
        def queries(count: int) -> int:
            for n in range(1, count + 1):
                full_scores(candidate(exam, n + 100 * count), 50 + n % 40)
            svc.compute_results(exam=exam, actor=None)
            login(client, chair)
            client.get(url("exam_results", exam))  # warm: the page frame's cached profile is read once per process
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url("exam_results", exam)).status_code == 200
            return len(captured)

        assert queries(3) == queries(40)

    def test_an_exam_without_results_says_so(self, client, exam, hr):
        response = login(client, hr).get(url("exam_results", exam))
        assert response.status_code == 200 and response.context["version"] is None
        assert 'id="compute-button"' in response.content.decode()


@pytest.mark.django_db
class TestCompute:
    def test_hr_and_the_secretary_compute_a_plain_member_may_not(self, client, exam, hr, secretary, member):
        full_scores(candidate(exam, 1), 80)
        assert login(client, member).post(url("exam_results_compute", exam)).status_code == 403
        assert not ResultVersion.objects.exists()
        assert login(client, secretary).post(url("exam_results_compute", exam)).status_code == 302
        assert version_of(exam).candidates == 1
        assert login(client, hr).post(url("exam_results_compute", exam)).status_code == 302
        assert ResultVersion.objects.count() == 1
        exam.refresh_from_db()
        assert exam.status == Exam.Status.RESULTS

    def test_after_approval_a_new_version_needs_a_reason(self, client, exam, hr, chair):
        reg = candidate(exam, 1)
        full_scores(reg, 70)
        svc.compute_results(exam=exam, actor=None)
        svc.approve(exam=exam, version=version_of(exam), actor=chair)
        login(client, hr)
        response = client.post(url("exam_results_compute", exam), {"reason": "  "})
        assert errors(response) and ResultVersion.objects.count() == 1
        ScoreEntry.objects.filter(registration=reg, subject__code="CMNV").update(score=Decimal("45"))
        client.post(url("exam_results_compute", exam), {"reason": "Phúc khảo môn CMNV"})
        new = version_of(exam)
        assert (new.number, new.status, new.reason) == (2, V.DRAFT, "Phúc khảo môn CMNV")
        assert ResultVersion.objects.get(number=1).status == V.SUPERSEDED  # never published: overtaken


@pytest.mark.django_db
class TestTies:
    def post(self, client, exam, chosen, reason="Hội đồng thi xét thành tích công tác"):
        return client.post(url("exam_results_tie", exam), {"group": "1", "tie1-chosen": chosen, "tie1-reason": reason})

    def test_the_chair_gives_the_place_with_a_reason(self, client, exam, tied, chair):
        response = self.post(login(client, chair), exam, [tied[2].pk])
        assert response.status_code == 302 and not errors(response)
        decision = TieDecision.objects.get()
        assert (decision.chosen, decision.decided_by) == ([tied[2].pk], chair)
        version = version_of(exam)
        assert version.ties == [] and version.ties_unresolved == 0
        outcomes = dict(version.results.values_list("registration_id", "outcome"))
        assert outcomes[tied[2].pk] == OUTCOME.SELECTED and outcomes[tied[1].pk] == OUTCOME.NOT_SELECTED
        assert AuditLog.objects.filter(action="results.tie_resolve").count() == 1

    @pytest.mark.parametrize("chosen, reason", [("none", "Lý do"), ("both", "Lý do"), ("one", ""),
                                                ("stranger", "Lý do")])
    def test_a_wrong_choice_or_no_reason_changes_nothing(self, client, exam, tied, chair, chosen, reason):
        ids = {"none": [], "both": [tied[1].pk, tied[2].pk], "one": [tied[1].pk], "stranger": [tied[0].pk]}[chosen]
        response = self.post(login(client, chair), exam, ids, reason)
        assert errors(response)
        assert not TieDecision.objects.exists() and version_of(exam).ties_unresolved == 2

    def test_hr_and_plain_members_may_not_decide(self, client, exam, tied, hr, member):
        for user in (hr, member):
            assert self.post(login(client, user), exam, [tied[1].pk]).status_code == 403
        assert not TieDecision.objects.exists()


@pytest.mark.django_db
class TestApproveAndPublish:
    def test_approval_is_refused_while_a_tie_is_open(self, client, exam, tied, chair):
        response = login(client, chair).post(url("exam_results_approve", exam))
        assert errors(response) and version_of(exam).status == V.DRAFT
        exam.refresh_from_db()
        assert exam.status == Exam.Status.RESULTS

    def test_the_chair_approves_then_hr_publishes_with_the_decision(self, client, exam, tied, chair, hr):
        TestTies().post(login(client, chair), exam, [tied[1].pk])
        response = client.post(url("exam_results_approve", exam))
        assert not errors(response) and version_of(exam).status == V.APPROVED
        assert version_of(exam).approved_by == chair
        html = login(client, hr).get(url("exam_results", exam)).content.decode()
        assert 'id="publish-button"' in html and 'id="approve-button"' not in html
        response = client.post(url("exam_results_publish", exam), {"decision_number": "15/QĐ-UBND",
                                                                   "decision_date": "05/02/2026"})
        version = version_of(exam)
        assert not errors(response) and version.status == V.PUBLISHED
        assert (version.decision_number, version.decision_date) == ("15/QĐ-UBND", dt.date(2026, 2, 5))
        exam.refresh_from_db()
        assert exam.status == Exam.Status.PUBLISHED
        assert AuditLog.objects.filter(action__in=["results.approve", "results.publish"]).count() == 2

    def test_publication_needs_the_decision_and_an_approved_version(self, client, exam, tied, chair, hr):
        login(client, hr)
        response = client.post(url("exam_results_publish", exam), {"decision_number": "15/QĐ-UBND",
                                                                   "decision_date": "05/02/2026"})
        assert errors(response) and version_of(exam).status == V.DRAFT  # not approved yet
        TieDecision.objects.create(exam=exam, tied=sorted([tied[1].pk, tied[2].pk]), places=1, chosen=[tied[1].pk],
                                   reason="r", decided_by=chair)
        svc.compute_results(exam=exam, actor=None)
        svc.approve(exam=exam, version=version_of(exam), actor=chair)
        response = client.post(url("exam_results_publish", exam), {"decision_number": "", "decision_date": "x"})
        assert errors(response) and version_of(exam).status == V.APPROVED

    def test_only_the_chair_approves_and_only_hr_publishes(self, client, exam, tied, chair, hr, secretary):
        assert login(client, hr).post(url("exam_results_approve", exam)).status_code == 403
        assert login(client, secretary).post(url("exam_results_approve", exam)).status_code == 403
        assert login(client, chair).post(url("exam_results_publish", exam),
                                         {"decision_number": "1", "decision_date": "05/02/2026"}).status_code == 403
        assert version_of(exam).status == V.DRAFT


@pytest.mark.django_db
class TestVersions:
    def test_history_and_comparison_list_who_changed(self, client, exam, hr, chair):
        regs = [candidate(exam, n) for n in (1, 2, 3)]
        for reg, cmnv in zip(regs, ["90", "70", "60"], strict=True):
            full_scores(reg, cmnv)
        svc.compute_results(exam=exam, actor=None)
        svc.approve(exam=exam, version=version_of(exam), actor=chair)
        svc.publish(exam=exam, version=version_of(exam), actor=hr, decision_number="1/QĐ-UBND")
        ScoreEntry.objects.filter(registration=regs[2], subject__code="CMNV").update(score=Decimal("75"))
        svc.compute_results(exam=exam, actor=hr, new_version=True, reason="Phúc khảo")
        login(client, hr)
        html = client.get(url("exam_results_versions", exam)).content.decode()
        assert 'data-version="2"' in html and 'data-version="1"' in html and "Phúc khảo" in html
        page = client.get(url("exam_results_compare", exam, number=2))
        changed = {c.registration.pk: c for c in page.context["changes"]}
        assert set(changed) == {regs[1].pk, regs[2].pk}  # 70 drops out of the quota, 60 → 75 comes in
        assert (changed[regs[2].pk].old_outcome, changed[regs[2].pk].new_outcome) == ("Không trúng tuyển",
                                                                                      "Trúng tuyển")
        assert (changed[regs[2].pk].old_score, changed[regs[2].pk].new_score) == ("60", "75")
        assert client.get(url("exam_results_compare", exam, number=1)).status_code == 404
        assert client.get(url("exam_results", exam), {"v": "1"}).context["version"].number == 1


@pytest.mark.django_db
class TestScoreImport:
    def upload(self, client, exam, rows, **extra):
        data = xlsx_bytes(rows, columns=SCORE_COLUMNS)
        upload = io.BytesIO(data)
        upload.name = "diem.xlsx"
        return client.post(url("exam_scores_import", exam), {"action": "check", "file": upload, **extra})

    def test_check_lists_every_problem_then_confirm_writes(self, client, exam, hr):
        reg = candidate(exam, 1)
        login(client, hr)
        bad = [{"Số báo danh": "CV0001", "Mã môn": "XYZ", "Điểm": "70"},
               {"Số báo danh": "CV0001", "Mã môn": "CMNV", "Điểm": "170"}]
        response = self.upload(client, exam, bad)
        problems = [str(p) for p in response.context["result"].problems]
        assert len(problems) == 2 and problems[0].startswith("Dòng 2, cột «Mã môn»")
        assert problems[1].startswith("Dòng 3, cột «Điểm»") and "token" not in response.context
        assert not ScoreEntry.objects.exists()
        good = [{"Số báo danh": "CV0001", "Mã môn": "CMNV", "Điểm": "72,5"},
                {"Số CCCD": reg.person.cccd, "Mã môn": "KTC", "Số câu đúng": "40", "Số câu": "60"}]
        response = self.upload(client, exam, good)
        assert response.context["result"].summary == "created=2 updated=0 unchanged=0"
        assert not ScoreEntry.objects.exists()  # a check writes nothing
        response = client.post(url("exam_scores_import", exam), {"action": "confirm",
                                                                 "token": response.context["token"]})
        assert response.status_code == 302
        assert ScoreEntry.objects.get(subject__code="CMNV").score == Decimal("72.5")
        assert AuditLog.objects.filter(action="exam.import_scores").count() == 1

    def test_a_stale_token_imports_nothing(self, client, exam, hr):
        candidate(exam, 1)
        login(client, hr)
        self.upload(client, exam, [{"Số báo danh": "CV0001", "Mã môn": "CMNV", "Điểm": "70"}])
        response = client.post(url("exam_scores_import", exam), {"action": "confirm", "token": "nope"})
        assert errors(response) and not ScoreEntry.objects.exists()

    def test_the_template_has_the_exact_columns(self, client, exam, hr):
        from openpyxl import load_workbook

        response = login(client, hr).get(url("exam_scores_template", exam))
        workbook = load_workbook(io.BytesIO(response.content))
        assert [c.value for c in workbook.worksheets[0][1]] == SCORE_COLUMNS
        assert any("CMNV" in str(r[0].value) for r in workbook["Hướng dẫn"].iter_rows())

    def test_only_hr_imports(self, client, exam, chair):
        candidate(exam, 1)
        login(client, chair)
        assert client.get(url("exam_scores_import", exam)).status_code == 403
        assert self.upload(client, exam, [{"Số báo danh": "CV0001", "Mã môn": "CMNV", "Điểm": "70"}]).status_code == 403


@pytest.mark.django_db
class TestDownloads:
    def test_the_annex_opens_and_winners_are_refused_while_a_tie_is_open(self, client, exam, tied, member):
        from openpyxl import load_workbook

        login(client, member)
        response = client.get(url("exam_results_annex", exam, list_kind="all"))
        assert response.status_code == 200
        text = " ".join(str(c.value) for ws in load_workbook(io.BytesIO(response.content)).worksheets
                        for row in ws.iter_rows() for c in row if c.value is not None)
        assert "Đặng Văn Hòa" in text and "DỰ THẢO" in text
        assert f'filename="phu-luc-toan-bo-thi-sinh-{exam.pk}-v1.xlsx"' in response["Content-Disposition"]
        response = client.get(url("exam_results_annex", exam, list_kind="winners"))
        assert response.status_code == 302 and "Lê Văn Bình" in errors(response)[0]
        assert client.get(url("exam_results_annex", exam, list_kind="other")).status_code == 404

    def test_the_decision_waits_for_the_tie_then_opens_and_so_does_a_notice(self, client, exam, tied, hr, chair):
        import docx

        login(client, hr)
        response = client.get(url("exam_results_decision", exam))
        assert response.status_code == 302 and "Đặng Văn Hòa" in errors(response)[0]
        TestTies().post(login(client, chair), exam, [tied[2].pk])
        response = login(client, hr).get(url("exam_results_decision", exam))
        assert response.status_code == 200
        assert docx.Document(io.BytesIO(response.content)).paragraphs
        assert 'filename="du-thao-quyet-dinh-' in response["Content-Disposition"]  # not approved yet: a draft
        result = version_of(exam).results.get(registration=tied[0])
        response = client.get(reverse("result_notice", kwargs={"pk": result.pk}))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")

    def test_nothing_to_download_before_computing(self, client, exam, hr):
        response = login(client, hr).get(url("exam_results_annex", exam, list_kind="all"))
        assert response.status_code == 302 and errors(response)


@pytest.mark.django_db
class TestMyResult:
    @pytest.fixture
    def published(self, exam, tied, chair, hr):
        TieDecision.objects.create(exam=exam, tied=sorted([tied[1].pk, tied[2].pk]), places=1, chosen=[tied[2].pk],
                                   reason="r", decided_by=chair)
        svc.compute_results(exam=exam, actor=None)
        svc.approve(exam=exam, version=version_of(exam), actor=chair)
        svc.publish(exam=exam, version=version_of(exam), actor=hr, decision_number="15/QĐ-UBND")
        return tied

    def test_nothing_before_publication(self, client, exam, tied):
        login(client, tied[0].person)
        assert url("my_result", exam) not in client.get(reverse("my_exams")).content.decode()
        assert client.get(url("my_result", exam)).status_code == 404
        assert client.get(url("my_result_notice", exam)).status_code == 404

    def test_the_published_decision_is_no_longer_named_a_draft(self, client, exam, published, hr):
        response = login(client, hr).get(url("exam_results_decision", exam))
        assert response.status_code == 200
        assert f'filename="quyet-dinh-{exam.pk}-v' in response["Content-Disposition"]

    def test_the_candidate_sees_only_their_own_row(self, client, exam, published):
        login(client, published[2].person)
        assert url("my_result", exam) in client.get(reverse("my_exams")).content.decode()
        response = client.get(url("my_result", exam))
        html = response.content.decode()
        assert response.context["row"].registration == published[2]
        assert "Trúng tuyển" in html and "Miễn" in html and "Hội đồng thi quyết định" in html
        assert published[1].person.full_name not in html and published[0].person.full_name not in html
        notice = client.get(url("my_result_notice", exam))
        assert notice.status_code == 200 and notice.content.startswith(b"%PDF")

    def test_nobody_reaches_another_candidates_result(self, client, exam, published, make_user):
        stranger = make_user(Role.CANDIDATE, username="nguoikhac")
        login(client, stranger)
        assert client.get(url("my_result", exam)).status_code == 404
        assert client.get(url("my_result_notice", exam)).status_code == 404
        login(client, published[0].person)
        other = version_of(exam).results.get(registration=published[1])
        assert client.get(reverse("result_notice", kwargs={"pk": other.pk})).status_code == 403
        assert client.get(url("exam_results", exam)).status_code == 403

    def test_the_page_is_a_fixed_number_of_queries(self, client, exam, published):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url("my_result", exam)).status_code == 200
            return len(captured)

        login(client, published[0].person)
        client.get(url("my_result", exam))  # warm: the page frame's cached profile is read once per process
        few = queries()
        for n in range(5, 30):  # more candidates in the version do not make one's own page dearer
            full_scores(candidate(exam, n), 60)
        svc.compute_results(exam=exam, actor=None, new_version=True, reason="Bổ sung")
        svc.approve(exam=exam, version=version_of(exam), actor=CouncilMember.objects.get(position="chair").user)
        svc.publish(exam=exam, version=version_of(exam), actor=None)
        assert queries() == few <= 15


@pytest.mark.django_db
def test_the_demo_has_a_computed_exam_with_an_open_tie_for_the_demo_council():
    from accounts.demo import seed_demo
    from exams.results.demo import DEMO_RESULTS_EXAM

    assert seed_demo()["results_exams_created"] == 1
    exam = Exam.objects.get(name=DEMO_RESULTS_EXAM)
    version = version_of(exam)
    assert (exam.status, version.status) == (Exam.Status.RESULTS, V.DRAFT)
    assert version.ties_unresolved == 2 and len(version.ties) == 1 and version.selected == 7
    assert set(exam.council.values_list("user__username", "position")) >= {("demo_council", "chair"),
                                                                            ("demo_hr", "secretary")}
    assert exam.registrations.filter(person__username="demo_candidate").exists()
    assert seed_demo()["results_exams_created"] == 0
