"""Exam statistics (issue 7): distributions, pass rates per unit, item facility and discrimination, the flags
sent back to the bank, the page's permissions, the workbook and the query count."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from accounts.roles import Role
from accounts.services import unit_create
from exams.banks.selectors import questions_needing_review
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.models import (
    Attempt,
    AttemptItem,
    Blueprint,
    ItemReview,
    Paper,
    PaperItem,
    PaperSet,
    Room,
    RoomSession,
    Subject,
)
from exams.results.services import compute_results
from exams.sessions.services import council_add
from exams.statistics.exports import bin_label
from exams.statistics.figures import Response, Summary, analyse_items, describe, distribution, group_size, rank_attempts
from exams.statistics.selectors import SubjectItems, exam_statistics, item_analysis
from exams.statistics.services import item_reviews_flag
from tests.exams.conftest import single
from tests.exams.results_helpers import candidate, full_scores, promotion_exam, score, sitting_for

D = Decimal

# --- the hand-computed example --------------------------------------------------------------------------------
# Ten candidates (attempt ids 1..10), three items of one point each. The attempt's total is its whole paper's score
# (the paper has more items than these three). 1 = the item scored its full point.
#
#   attempt  total  item1 item2 item3
#      1       9      1     1     0
#      2       8      1     0     1
#      3       8      1     1     0
#      4       8      1     0     1      <- ties with 2 and 3 at the upper boundary: the higher id ranks lower
#      5       6      0     1     1
#      6       5      1     0     0
#      7       2      0     1     1      <- ties with 8 and 9 at the lower boundary: the lower id ranks higher
#      8       2      0     1     1
#      9       2      0     0     1
#     10       1      0     1     1
#
# n = 10, g = round(0.27 × 10) = round(2.7) = 3. Ranked by total, then by id: 1 2 3 4 5 6 7 8 9 10.
# Upper group {1, 2, 3}; lower group {8, 9, 10}.
#   item 1: correct 1 2 3 4 6  -> p = 5/10 = 0.50; upper 3/3, lower 0/3 -> D = 1 − 0 = 1.00        (kept)
#   item 2: correct 1 3 5 7 8 10 -> p = 6/10 = 0.60; upper 2/3 (1, 3), lower 2/3 (8, 10) -> D = 0  (flagged)
#   item 3: correct 2 4 5 7 8 9 10 -> p = 7/10 = 0.70; upper 1/3 (2), lower 3/3 -> D = −2/3       (flagged)
TOTALS = {1: 9, 2: 8, 3: 8, 4: 8, 5: 6, 6: 5, 7: 2, 8: 2, 9: 2, 10: 1}
MARKS = {1: (1, 1, 0), 2: (1, 0, 1), 3: (1, 1, 0), 4: (1, 0, 1), 5: (0, 1, 1), 6: (1, 0, 0), 7: (0, 1, 1),
         8: (0, 1, 1), 9: (0, 0, 1), 10: (0, 1, 1)}


def example_responses(attempts=TOTALS) -> list[Response]:
    return [Response(attempt_id=a, total=D(TOTALS[a]), question_id=q + 1, correct=bool(MARKS[a][q]))
            for a in attempts for q in range(3)]


class TestItemAnalysis:
    def test_facility_and_discrimination_match_the_hand_computed_example(self):
        analysis = analyse_items(example_responses())
        assert (analysis.candidates, analysis.group_size) == (10, 3)
        item1, item2, item3 = analysis.items
        assert (item1.facility, item2.facility, item3.facility) == (D("0.5000"), D("0.6000"), D("0.7000"))
        assert (item1.upper_correct, item1.lower_correct) == (3, 0)
        assert item1.discrimination_exact == 1
        assert item2.discrimination_exact == 0
        assert item3.discrimination_exact == Fraction(-2, 3)
        assert item3.discrimination == D("-0.6667")
        assert [i.flagged for i in analysis.items] == [False, True, True]

    @pytest.mark.parametrize(("n", "g"), [(0, 0), (1, 1), (2, 1), (3, 1), (5, 1), (6, 2), (10, 3), (20, 5),
                                          (50, 14), (100, 27)])
    def test_the_group_is_27_percent_rounded_half_up_and_at_least_one(self, n, g):
        assert group_size(n) == g

    def test_equal_totals_rank_by_attempt_id_the_lower_id_higher(self):
        assert rank_attempts({5: D(8), 3: D(8), 9: D(9), 1: D(2)}) == [9, 3, 5, 1]

    def test_the_boundary_ties_put_the_lower_ids_in_the_upper_group(self):
        # Attempt 4 (total 8, like 2 and 3) stays out of the upper group; attempt 7 (total 2, like 8 and 9) stays
        # out of the lower group: item 1's upper count would be the same, so look at who is counted for item 3.
        item3 = analyse_items(example_responses()).items[2]
        assert (item3.upper_answered, item3.upper_correct) == (3, 1)  # 1, 2, 3: only 2 is correct
        assert (item3.lower_answered, item3.lower_correct) == (3, 3)  # 8, 9, 10

    def test_nothing_is_flagged_with_fewer_than_ten_candidates(self):
        analysis = analyse_items(example_responses(attempts=list(range(1, 10))))
        assert analysis.candidates == 9
        assert not analysis.may_flag
        assert any(i.discrimination_exact is not None and i.discrimination_exact < 0 for i in analysis.items)
        assert not any(i.flagged for i in analysis.items)

    def test_an_item_few_candidates_had_is_not_flagged(self):
        responses = example_responses()
        # Item 4 only on the papers of 1, 2 (upper) and 9, 10 (lower): D = 0 − 1 = −1, but 4 answers say too little.
        responses += [Response(attempt_id=a, total=D(TOTALS[a]), question_id=4, correct=a > 8)
                      for a in (1, 2, 9, 10)]
        item4 = analyse_items(responses).items[3]
        assert (item4.answered, item4.discrimination_exact, item4.flagged) == (4, -1, False)


class TestDistributionAndSummary:
    def test_scores_fall_in_ten_bins_over_the_scale_the_top_in_the_last(self):
        bins = distribution([D(0), D("9.99"), D(10), D(50), D("55.5"), D(100)], upper=D(100))
        assert [b.count for b in bins] == [2, 1, 0, 0, 0, 2, 0, 0, 0, 1]
        assert (bins[0].low, bins[0].high, bins[9].low, bins[9].high, bins[9].last) == (0, 10, 90, 100, True)
        assert bin_label(bins[9]) == "90–100"

    def test_gates_are_binned_by_number_correct_over_0_to_n(self):
        bins = distribution([0, 2, 3, 15, 29, 30], upper=30)
        assert [b.count for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
        assert [bin_label(b) for b in bins[:2]] == ["0–3", "3–6"]

    def test_mean_and_population_standard_deviation(self):
        # 2 4 4 4 5 5 7 9: mean 40/8 = 5; squared deviations 9 1 1 1 0 0 4 16 = 32; 32/8 = 4; sd = 2.
        summary = describe([D(v) for v in (2, 4, 4, 4, 5, 5, 7, 9)])
        assert (summary.count, summary.mean, summary.sd, summary.minimum, summary.maximum) == (
            8, D(5), D(2), D(2), D(9))
        # 50 60 70 80: mean 65; deviations² 225 25 25 225 = 500; 500/4 = 125; sd = √125 = 11.18033…
        summary = describe([D(50), D(60), D(70), D(80)])
        assert (summary.mean, summary.sd) == (D("65.0000"), D("11.1803"))
        # 1 1 2: mean 4/3 = 1.3333 (rounded once at the end)
        assert describe([D(1), D(1), D(2)]).mean == D("1.3333")
        assert describe([]) == Summary(count=0)


# --- a results world -----------------------------------------------------------------------------------------

@pytest.fixture
def results_exam(db, province):
    """Five candidates in three units: a coded unit (first, whatever its name) and two registered only as text
    (Vietnamese order: Sở Nội vụ before Sở Tài chính).

    coded  "Văn phòng" (V):    #1 passes everything (CMNV 80)
    "Sở Tài chính":            #2 passes (CMNV 50), #3 fails CMNV (40) and KTC (20/60)
    "Sở Nội vụ":               #4 exempt from NN, passes (CMNV 65); #5 absent from CMNV
    """
    exam = promotion_exam()
    office = unit_create(name="Văn phòng", parent=province, code="V")
    regs = [candidate(exam, 1, unit=office, unit_text=""), candidate(exam, 2, unit_text="Sở Tài chính"),
            candidate(exam, 3, unit_text="Sở Tài chính"), candidate(exam, 4, unit_text="Sở Nội vụ", exempt_nn="NN_HUU"),
            candidate(exam, 5, unit_text="Sở Nội vụ")]
    full_scores(regs[0], 80)
    full_scores(regs[1], 50)
    full_scores(regs[2], 40, ktc=20)
    full_scores(regs[3], 65)
    full_scores(regs[4], None)
    compute_results(exam=exam, actor=None)
    return exam


class TestExamStatistics:
    def test_per_subject_figures_come_from_the_newest_version(self, results_exam):
        stats = exam_statistics(results_exam)
        by_code = {s.subject.code: s for s in stats.subjects}
        cmnv = by_code["CMNV"]
        # CMNV sat by 4 (80, 50, 40, 65): mean 235/4 = 58.75; deviations² 451.5625 76.5625 351.5625 39.0625 = 918.75;
        # /4 = 229.6875; sd = 15.1554…; passed 3 of 4 (≥ 50).
        assert (cmnv.summary.count, cmnv.summary.mean, cmnv.summary.sd) == (4, D("58.7500"), D("15.1554"))
        assert (cmnv.passes.sat, cmnv.passes.passed, cmnv.passes.rate) == (4, 3, D("0.7500"))
        assert [b.count for b in cmnv.bins] == [0, 0, 0, 0, 1, 1, 1, 0, 1, 0]
        assert cmnv.absent == 1
        ktc = by_code["KTC"]  # a gate: 40 40 20 40 40 correct of 60; bins of 6
        assert (ktc.by_correct, ktc.upper) == (True, D(60))
        assert [b.count for b in ktc.bins] == [0, 0, 0, 1, 0, 0, 4, 0, 0, 0]
        assert (ktc.passes.sat, ktc.passes.passed) == (5, 4)
        nn = by_code["NN"]
        assert (nn.passes.sat, nn.exempt) == (4, 1)

    def test_pass_rates_per_unit_in_unit_order(self, results_exam):
        units = exam_statistics(results_exam).units
        assert [u.label for u in units] == ["Văn phòng", "Sở Nội vụ", "Sở Tài chính"]
        codes = [s.code for s in Subject.objects.filter(exam=results_exam).order_by("order", "pk")]
        cmnv, nn = codes.index("CMNV"), codes.index("NN")
        office, home, finance = units
        assert (office.cells[cmnv].sat, office.cells[cmnv].passed) == (1, 1)
        assert (finance.cells[cmnv].sat, finance.cells[cmnv].passed, finance.cells[cmnv].rate) == (2, 1, D("0.5"))
        assert (home.cells[cmnv].sat, home.cells[cmnv].passed) == (1, 1)  # #5 absent: not counted
        assert (home.cells[nn].sat, home.cells[nn].passed) == (1, 1)      # #4 exempt: not counted
        assert (finance.total.sat, finance.total.passed) == (2, 1)
        assert (home.total.sat, home.total.passed, home.total.percent) == (2, 1, D("50.0000"))

    def test_without_results_the_page_says_so(self, db, client, hr_user):
        exam = promotion_exam()
        client.force_login(hr_user)
        response = client.get(reverse("exam_statistics", args=[exam.pk]))
        assert response.status_code == 200
        assert b'id="statistics-no-results"' in response.content


# --- an item world: finished attempts written directly --------------------------------------------------------

def item_world(exam, n: int, *, author, reviewer, marks=MARKS, totals=TOTALS, offset: int = 0):
    """``n`` candidates of ``exam`` with finished KTC attempts on a three-question paper, marked as ``marks``
    (the i-th candidate takes row i of the example, cycling) with the example's totals."""
    bank, _ = bank_get_or_create(name="Ngân hàng thống kê", actor=author)
    topic = topic_get_or_create(bank=bank, name="Một cửa")
    questions = list(bank.questions.order_by("pk"))
    if not questions:
        questions = [question_create(topic=topic, parsed=single(f"Câu hỏi thống kê số {k} <b>về</b> thủ tục"),
                                     author=author) for k in (1, 2, 3)]
        questions_approve(questions=questions, actor=reviewer)
    blueprint = Blueprint.objects.get_or_create(bank=bank, name="TK", defaults={"scale": D(100)})[0]
    paper_set = PaperSet.objects.create(blueprint=blueprint, name=f"Ca {offset}", seed="s")
    sitting = sitting_for(exam, "KTC")
    room = Room.objects.get_or_create(exam=exam, name="Phòng 1", defaults={"capacity": 500})[0]
    room_session = RoomSession.objects.get_or_create(
        sitting=sitting, room=room, defaults={"code": "111111", "code_valid_until": sitting.starts_at,
                                              "opened_by": author})[0]
    now = timezone.now()
    attempts = []
    for i in range(n):
        row = (i % 10) + 1
        reg = candidate(exam, offset + i + 1, unit_text="Sở Nội vụ")
        paper = Paper.objects.create(paper_set=paper_set, candidate_ref=reg.candidate_number, code="01",
                                     position=i, total_points=D(3))
        items = [PaperItem.objects.create(paper=paper, position=k, question=q, points=D(1))
                 for k, q in enumerate(questions)]
        attempt = Attempt.objects.create(
            owner_id=reg.person_id, registration=reg, sitting=sitting, room_session=room_session, paper=paper,
            status=Attempt.Status.SUBMITTED, clock_start=now - dt.timedelta(hours=1), duration_s=3600,
            deadline=now, finished_at=now, score=D(totals[row]), correct_count=sum(marks[row]))
        AttemptItem.objects.bulk_create([AttemptItem(attempt=attempt, paper_item=item, position=k,
                                                     score=D(marks[row][k]))
                                         for k, item in enumerate(items)])
        attempts.append(attempt)
    return questions, attempts


def ktc_items(exam) -> SubjectItems:
    entries = item_analysis(exam)
    assert [e.subject.code for e in entries] == ["KTC", "NN", "TH"]  # every computer subject, in order
    return entries[0]


@pytest.fixture
def item_exam(db, author, reviewer):
    exam = promotion_exam()
    questions, attempts = item_world(exam, 10, author=author, reviewer=reviewer)
    return exam, questions, attempts


class TestItemAnalysisFromAttempts:
    def test_the_loader_reads_finished_attempts_and_matches_the_example(self, item_exam):
        exam, questions, attempts = item_exam
        # A voided attempt says nothing about the items, an open one neither.
        Attempt.objects.filter(pk=attempts[0].pk).update(status=Attempt.Status.VOIDED)
        ktc = ktc_items(exam)
        assert ktc.subject.code == "KTC"
        assert ktc.analysis.candidates == 9
        Attempt.objects.filter(pk=attempts[0].pk).update(status=Attempt.Status.SUBMITTED)
        ktc = ktc_items(exam)
        assert [(r.question.pk, r.figures.facility, r.figures.discrimination, r.figures.flagged) for r in ktc.rows] == [
            (questions[0].pk, D("0.5000"), D("1.0000"), False),
            (questions[1].pk, D("0.6000"), D("0.0000"), True),
            (questions[2].pk, D("0.7000"), D("-0.6667"), True)]
        assert ktc.rows[0].excerpt.startswith("Câu hỏi thống kê số 1 về thủ tục")

    def test_partial_credit_is_not_correct(self, item_exam):
        exam, questions, attempts = item_exam
        AttemptItem.objects.filter(attempt=attempts[0], position=0).update(score=D("0.5"))
        ktc = ktc_items(exam)
        assert ktc.rows[0].figures.correct == 4

    def test_flagging_writes_one_review_per_question_and_subject_and_keeps_resolved_ones(self, item_exam, hr_user):
        exam, questions, _attempts = item_exam
        assert item_reviews_flag(exam=exam, actor=hr_user) == 2
        assert item_reviews_flag(exam=exam, actor=hr_user) == 2  # updated, not duplicated
        reviews = ItemReview.objects.filter(exam=exam).order_by("question_id")
        assert [(r.question_id, r.facility, r.discrimination, r.answered) for r in reviews] == [
            (questions[1].pk, D("0.6000"), D("0.0000"), 10), (questions[2].pk, D("0.7000"), D("-0.6667"), 10)]
        ItemReview.objects.filter(question=questions[1]).update(resolved_at=timezone.now(), resolution="Giữ nguyên")
        assert item_reviews_flag(exam=exam, actor=hr_user) == 1
        assert ItemReview.objects.get(question=questions[1]).resolution == "Giữ nguyên"
        assert AuditLog.objects.filter(action="statistics.flag_items").count() == 3

    def test_no_flag_under_ten_candidates_and_the_page_says_so(self, db, client, author, reviewer, hr_user):
        exam = promotion_exam()
        item_world(exam, 9, author=author, reviewer=reviewer)
        assert item_reviews_flag(exam=exam, actor=hr_user) == 0
        assert not ItemReview.objects.exists()
        client.force_login(hr_user)
        response = client.get(reverse("exam_statistics", args=[exam.pk]))
        assert b'id="too-few-KTC"' in response.content

    def test_the_page_button_flags_and_the_bank_shows_the_badge(self, item_exam, client, hr_user, author):
        exam, questions, _attempts = item_exam
        client.force_login(hr_user)
        response = client.post(reverse("exam_statistics", args=[exam.pk]))
        assert response.status_code == 302
        assert ItemReview.objects.filter(exam=exam, resolved_at__isnull=True).count() == 2
        client.force_login(author)
        page = client.get(reverse("question_detail", args=[questions[2].pk]))
        assert b'id="review-badge"' in page.content and b'id="resolve-review"' in page.content
        assert b'id="review-badge"' not in client.get(reverse("question_detail", args=[questions[0].pk])).content
        assert questions_needing_review(q.pk for q in questions) == {questions[1].pk, questions[2].pk}
        bank_page = client.get(reverse("bank_detail", args=[questions[0].bank_id])).content.decode()
        badge = bank_page.count('class="pending">')
        assert badge == 2  # the bank's list marks the two flagged questions


class TestResolvingAReview:
    def test_the_bank_author_resolves_with_a_note_audited(self, item_exam, client, author, hr_user):
        exam, questions, _attempts = item_exam
        item_reviews_flag(exam=exam, actor=hr_user)
        client.force_login(author)
        url = reverse("question_review_resolve", args=[questions[2].pk])
        client.post(url, {"note": ""})
        assert ItemReview.objects.get(question=questions[2]).resolved_at is None
        response = client.post(url, {"note": "Sửa phương án nhiễu"})
        assert response.status_code == 302
        review = ItemReview.objects.get(question=questions[2])
        assert (review.resolution, review.resolved_by) == ("Sửa phương án nhiễu", author)
        log = AuditLog.objects.get(action="item_review.resolve")
        assert log.object_id == str(questions[2].pk) and log.details["note"] == "Sửa phương án nhiễu"
        assert b'id="review-badge"' not in client.get(reverse("question_detail", args=[questions[2].pk])).content

    def test_the_exams_question_board_resolves_a_council_member_elsewhere_does_not(self, item_exam, client, hr_user,
                                                                                  make_user):
        exam, questions, _attempts = item_exam
        item_reviews_flag(exam=exam, actor=hr_user)
        board = make_user(Role.COUNCIL_MEMBER, username="bandethi")
        outsider = make_user(Role.COUNCIL_MEMBER, username="hoidongkhac")
        council_add(exam=exam, user=board, board="questions", position="member", actor=hr_user)
        council_add(exam=exam, user=outsider, board="council", position="member", actor=hr_user)
        url = reverse("question_review_resolve", args=[questions[1].pk])
        client.force_login(outsider)
        assert client.post(url, {"note": "Không"}).status_code == 403
        client.force_login(board)
        assert client.post(url, {"note": "Đã xem"}).status_code == 302
        assert ItemReview.objects.get(question=questions[1]).resolved_by == board


# --- the page: who sees it, what it shows, what it costs -------------------------------------------------------

class TestPage:
    def test_hr_and_the_exams_council_see_it_candidates_and_invigilators_do_not(self, exam_day, client, hr_user,
                                                                               make_user):
        exam = exam_day["exam"]
        member = make_user(Role.COUNCIL_MEMBER, username="uyvien")
        council_add(exam=exam, user=member, board="council", position="member", actor=hr_user)
        other_council = make_user(Role.COUNCIL_MEMBER, username="uyvienkhac")
        expected = [(hr_user, 200), (member, 200), (exam_day["candidates"][0], 403), (exam_day["invigilator"], 403),
                    (other_council, 403)]
        for url in (reverse("exam_statistics", args=[exam.pk]), reverse("exam_statistics_xlsx", args=[exam.pk])):
            for user, status in expected:
                client.force_login(user)
                assert client.get(url).status_code == status, (url, user.username)
        client.force_login(exam_day["candidates"][0])
        assert client.post(reverse("exam_statistics", args=[exam.pk])).status_code == 403
        assert not AuditLog.objects.filter(action="statistics.flag_items").exists()

    def test_the_chart_is_an_accessible_inline_svg_with_its_table(self, results_exam, client, hr_user):
        client.force_login(hr_user)
        html = client.get(reverse("exam_statistics", args=[results_exam.pk])).content.decode()
        section = html[html.index('id="subject-CMNV"'):]
        section = section[:section.index("</section>")]
        assert "<svg" in section and "<title" in section and 'role="img"' in section
        assert "<script" not in section and "//" not in section.replace("http://www.w3.org/2000/svg", "")
        assert section.count("<rect") == 10
        assert "<td>40–50</td><td>1</td>" in section and "<td>90–100</td><td>0</td>" in section
        assert 'data-figure="pass-rate">75,0 % (3/4)' in section

    def test_the_page_costs_the_same_queries_for_3_or_12_candidates(self, db, client, hr_user, author, reviewer):
        exam = promotion_exam()
        item_world(exam, 3, author=author, reviewer=reviewer)
        for reg in exam.registrations.all():
            score(reg, "CMNV", 70)
        compute_results(exam=exam, actor=None)
        url = reverse("exam_statistics", args=[exam.pk])
        xlsx = reverse("exam_statistics_xlsx", args=[exam.pk])
        client.force_login(hr_user)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        with CaptureQueriesContext(connection) as few_xlsx:
            client.get(xlsx)
        item_world(exam, 9, author=author, reviewer=reviewer, offset=100)
        for reg in exam.registrations.filter(score_entries__isnull=True):
            score(reg, "CMNV", 55)
        compute_results(exam=exam, actor=None)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        with CaptureQueriesContext(connection) as many_xlsx:
            client.get(xlsx)
        assert response.context["items"][0].analysis.candidates == 12
        assert len(many) == len(few)
        assert len(many_xlsx) == len(few_xlsx)


class TestExport:
    def test_the_workbook_has_the_tables_a_native_chart_and_text_never_as_formulas(self, results_exam, client,
                                                                                   hr_user, author, reviewer):
        item_world(results_exam, 10, author=author, reviewer=reviewer, offset=50)
        results_exam.registrations.filter(candidate_number__endswith="0051").update(unit_text="=1+1")
        compute_results(exam=results_exam, actor=None)
        client.force_login(hr_user)
        response = client.get(reverse("exam_statistics_xlsx", args=[results_exam.pk]))
        assert response.status_code == 200
        data = response.content
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "xl/charts/chart1.xml" in names
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[:4] == ["KTC", "NN", "TH", "CMNV"]
        cmnv = book["CMNV"]
        # Rows 4–10: sat, mean, sd, lowest, highest, passed, pass rate (labels are translated: read by place).
        assert [cmnv.cell(row=r, column=2).value for r in range(4, 11)] == [
            4, 58.75, pytest.approx(15.1554), 40, 80, 3, 0.75]
        bins = {r[0]: r[1] for r in cmnv.iter_rows(min_row=13, max_row=22, values_only=True)}
        assert list(bins)[0] == "0–10" and bins["40–50"] == 1 and bins["90–100"] == 0
        units = book.worksheets[4]
        labels = [c.value for c in units["A"]]
        assert "=1+1" in labels
        cell = units.cell(row=labels.index("=1+1") + 1, column=1)
        assert cell.data_type == "s"
        items = book.worksheets[5]
        rows = list(items.iter_rows(min_row=2, values_only=True))
        assert [(r[0], r[4], r[5], r[6], r[7], bool(r[8])) for r in rows] == [
            ("KTC", 10, 5, 0.5, 1.0, False), ("KTC", 10, 6, 0.6, 0.0, True),
            ("KTC", 10, 7, pytest.approx(0.7), pytest.approx(-0.6667), True)]
        assert rows[0][2].startswith("Câu hỏi thống kê số 1")
