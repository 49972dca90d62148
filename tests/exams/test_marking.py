"""Written subjects (issue 7): anonymisation, independent double marking, the third marking, de-anonymisation,
appeals and their window (docs/rules.md, "Written subjects", "Appeals")."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import AuditLog
from accounts.roles import Role
from exams.marking import rules as mr
from exams.marking import services as svc
from exams.models import Appeal, CouncilMember, Marking, ScoreEntry, Script, Subject
from exams.results import services as results_svc
from exams.results.selectors import published_version
from tests.exams.results_helpers import candidate, full_scores, promotion_exam

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal


class TestRules:
    def test_two_marks_within_the_gap_give_their_mean(self):
        assert mr.final_mark([D("60"), D("70")], gap=D("10")) == D("65")

    def test_a_gap_of_exactly_the_threshold_needs_no_third(self):
        assert not mr.needs_third(D("60"), D("70"), gap=D("10"))
        assert mr.needs_third(D("60"), D("70.25"), gap=D("10"))
        assert mr.final_mark([D("60"), D("70.25")], gap=D("10")) is None

    def test_three_marks_take_the_two_closest(self):
        assert mr.final_mark([D("40"), D("70"), D("66")], gap=D("10")) == D("68")

    def test_two_equally_close_pairs_take_all_three(self):
        assert mr.final_mark([D("50"), D("62"), D("74")], gap=D("10")) == D("62")
        assert mr.final_mark([D("50"), D("62"), D("75")], gap=D("10")) == D("56")  # 12 < 13: the closest pair

    def test_mean_of_three_is_kept_to_four_decimals(self):
        assert mr.final_mark([D("50"), D("61"), D("72")], gap=D("10")) == D("61.0000")
        assert mr.final_mark([D("50"), D("60.5"), D("71")], gap=D("10")) == D("60.5000")

    def test_mark_step_and_range(self):
        assert mr.mark_problem(D("72.25"), scale=D(100), step=D("0.25")) is None
        assert mr.mark_problem(D("72.3"), scale=D(100), step=D("0.25")) == "step"
        assert mr.mark_problem(D("100.25"), scale=D(100), step=D("0.25")) == "range"
        assert mr.mark_problem(D("-1"), scale=D(100), step=D("0.25")) == "range"

    def test_appeal_window_edges_in_local_time(self):
        published = dt.datetime(2026, 3, 1, 16, 30, tzinfo=HCM)  # 1 March, afternoon
        closes = mr.appeal_closes_at(published, days=15, tz=HCM)
        assert closes.date() == dt.date(2026, 3, 16)
        last_second = dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=HCM)
        first_out = dt.datetime(2026, 3, 17, 0, 0, 0, tzinfo=HCM)
        assert mr.appeal_open(last_second, published_at=published, days=15, tz=HCM)
        assert not mr.appeal_open(first_out, published_at=published, days=15, tz=HCM)

    def test_the_day_is_the_local_one_not_utc(self):
        published = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)  # already 2 March 01:00 in Hà Nội / TP.HCM
        assert mr.appeal_closes_at(published, days=15, tz=HCM).date() == dt.date(2026, 3, 17)


@pytest.fixture
def board(make_user, province):
    """Council secretary, the marking board (head + three markers), the re-marking board (head + two)."""
    from accounts.services import unit_create
    other = unit_create(name="Sở Xây dựng", parent=province, kind="department", code="SXD")
    people = {
        "secretary": make_user(Role.COUNCIL_MEMBER, username="thuky"),
        "chair": make_user(Role.COUNCIL_MEMBER, username="chutich"),
        "head": make_user(Role.MARKER, username="truongban"),
        "m1": make_user(Role.MARKER, username="cham1", unit=other),
        "m2": make_user(Role.MARKER, username="cham2"),
        "m3": make_user(Role.MARKER, username="cham3"),
        "rhead": make_user(Role.MARKER, username="truongphuckhao"),
        "r1": make_user(Role.MARKER, username="phuckhao1"),
        "r2": make_user(Role.MARKER, username="phuckhao2"),
        "hr": make_user(Role.HR_STAFF, username="nhansu", hr_scope=province),
        "unit": other,
    }
    return people


@pytest.fixture
def written(board):
    exam = promotion_exam(quota=1)
    add = lambda user, b, p: CouncilMember.objects.create(exam=exam, user=user, board=b, position=p)  # noqa: E731
    add(board["secretary"], "council", "secretary")
    add(board["chair"], "council", "chair")
    add(board["head"], "marking", "head")
    for key in ("m1", "m2", "m3"):
        add(board[key], "marking", "member")
    add(board["rhead"], "remarking", "head")
    add(board["r1"], "remarking", "member")
    add(board["r2"], "remarking", "member")
    subject = Subject.objects.get(exam=exam, code="CMNV")
    regs = [candidate(exam, n) for n in (1, 2)]
    for reg in regs:
        full_scores(reg, None)  # gates passed; CMNV comes from marking
    scripts = [svc.paper_script(registration=r, subject=subject, actor=board["secretary"]) for r in regs]
    return {"exam": exam, "subject": subject, "registrations": regs, "scripts": scripts, **board}


def marking_of(script, rnd):
    return Marking.objects.get(script=script, round=rnd)


@pytest.mark.django_db
class TestMarking:
    def test_scripts_get_unique_six_digit_codes(self, written):
        codes = [s.code for s in written["scripts"]]
        assert len(set(codes)) == 2 and all(len(c) == 6 and c.isdigit() for c in codes)

    def test_only_the_secretary_or_anonymisation_board_makes_scripts(self, written):
        with pytest.raises(PermissionDenied):
            svc.paper_script(registration=written["registrations"][0], subject=written["subject"],
                             actor=written["m1"])

    def test_two_distinct_markers_least_loaded_and_never_own_unit(self, written):
        for reg in written["registrations"]:
            reg.unit = written["unit"]
            reg.save()
        assert svc.markers_assign(subject=written["subject"], actor=written["head"]) == 2
        for script in written["scripts"]:
            markers = list(Marking.objects.filter(script=script).values_list("marker__username", flat=True))
            assert len(set(markers)) == 2
        assert not Marking.objects.filter(marker=written["m1"]).exists()  # cham1 works in the candidates' unit
        assert svc.markers_assign(subject=written["subject"], actor=written["head"]) == 0  # nothing left to assign

    def test_only_the_head_assigns(self, written):
        with pytest.raises(PermissionDenied):
            svc.markers_assign(subject=written["subject"], actor=written["m1"])

    def test_independent_marks_and_the_mean(self, written):
        svc.markers_assign(subject=written["subject"], actor=written["head"])
        script = written["scripts"][0]
        first, second = marking_of(script, "first"), marking_of(script, "second")
        with pytest.raises(PermissionDenied):  # not the other marker's script
            svc.mark_record(marking=first, mark=D("60"), actor=second.marker)
        svc.mark_record(marking=first, mark=D("60"), actor=first.marker)
        first.refresh_from_db()
        assert svc.visible_marks(first) == []  # the other mark is not in yet
        assert svc.visible_marks(second) == []  # and the second marker never sees the first before marking
        settled = svc.mark_record(marking=second, mark=D("67.5"), actor=second.marker)
        assert settled.final == D("63.75")
        script.refresh_from_db()
        assert script.status == "marked" and script.final_score == D("63.75")
        first.refresh_from_db()
        assert [m.mark for m in svc.visible_marks(first)] == [D("67.5")]
        assert AuditLog.objects.filter(action="marking.mark").count() == 2

    def test_a_mark_is_given_once_and_must_fit_the_step(self, written):
        svc.markers_assign(subject=written["subject"], actor=written["head"])
        first = marking_of(written["scripts"][0], "first")
        with pytest.raises(svc.MarkingError):
            svc.mark_record(marking=first, mark=D("60.1"), actor=first.marker)
        svc.mark_record(marking=first, mark=D("60"), actor=first.marker)
        with pytest.raises(svc.MarkingError):
            svc.mark_record(marking=first, mark=D("70"), actor=first.marker)
        first.refresh_from_db()
        assert first.mark == D("60")

    def test_a_gap_over_the_threshold_calls_a_third_marker(self, written):
        svc.markers_assign(subject=written["subject"], actor=written["head"])
        script = written["scripts"][0]
        first, second = marking_of(script, "first"), marking_of(script, "second")
        svc.mark_record(marking=first, mark=D("40"), actor=first.marker)
        settled = svc.mark_record(marking=second, mark=D("70"), actor=second.marker)
        third = settled.third_assigned
        assert third is not None and third.marker_id not in (first.marker_id, second.marker_id)
        script.refresh_from_db()
        assert script.status == "third" and script.final_score is None
        settled = svc.mark_record(marking=third, mark=D("66"), actor=third.marker)
        assert settled.final == D("68")

    def test_deanonymise_writes_the_scores_then_results_use_them(self, written):
        subject = written["subject"]
        svc.markers_assign(subject=subject, actor=written["head"])
        with pytest.raises(svc.MarkingError):  # not everything is marked
            svc.deanonymise(subject=subject, actor=written["secretary"])
        for script, (a, b) in zip(written["scripts"], [("80", "82"), ("55", "57")], strict=True):
            for rnd, mark in (("first", a), ("second", b)):
                m = marking_of(script, rnd)
                svc.mark_record(marking=m, mark=D(mark), actor=m.marker)
        with pytest.raises(PermissionDenied):
            svc.deanonymise(subject=subject, actor=written["head"])
        assert svc.deanonymise(subject=subject, actor=written["secretary"]) == 2
        assert ScoreEntry.objects.get(registration=written["registrations"][0], subject=subject).score == D("81")
        version = results_svc.compute_results(exam=written["exam"], actor=None).version
        assert version.selected == 1 and version.results.get(registration=written["registrations"][0]).outcome == \
            "selected"


def published(written):
    """Mark, de-anonymise, compute, approve and publish; the first candidate (56) is selected, the second (50)
    passes outside the quota."""
    subject = written["subject"]
    svc.markers_assign(subject=subject, actor=written["head"])
    for script, (a, b) in zip(written["scripts"], [("55", "57"), ("50", "50")], strict=True):
        for rnd, mark in (("first", a), ("second", b)):
            m = marking_of(script, rnd)
            svc.mark_record(marking=m, mark=D(mark), actor=m.marker)
    svc.deanonymise(subject=subject, actor=written["secretary"])
    version = results_svc.compute_results(exam=written["exam"], actor=None).version
    results_svc.approve(exam=written["exam"], version=version, actor=written["chair"])
    return results_svc.publish(exam=written["exam"], version=version, actor=written["hr"])


@pytest.mark.django_db
class TestAppeals:
    def test_appeal_remarked_blind_by_others_then_a_new_version_changes_the_selection_after_approval(
            self, written, django_capture_on_commit_callbacks):
        v1 = published(written)
        reg = written["registrations"][1]
        person = reg.person
        appeal = svc.appeal_file(registration=reg, subject=written["subject"], actor=person, reason="Xin phúc khảo")
        assert appeal.score_before == D("50") and appeal.status == "filed"
        with pytest.raises(svc.MarkingError):
            svc.appeal_file(registration=reg, subject=written["subject"], actor=person)
        remarks = svc.appeal_assign(appeal=appeal, actor=written["rhead"])
        original = set(Marking.objects.filter(appeal__isnull=True, script=appeal.script)
                       .values_list("marker_id", flat=True))
        assert not original & {m.marker_id for m in remarks}
        assert svc.visible_marks(remarks[0]) == []  # earlier marks hidden
        with django_capture_on_commit_callbacks(execute=True):
            svc.mark_record(marking=remarks[0], mark=D("70"), actor=remarks[0].marker)
            svc.mark_record(marking=remarks[1], mark=D("72"), actor=remarks[1].marker)
        appeal.refresh_from_db()
        assert appeal.status == "decided" and appeal.score_after == D("71")
        exam = written["exam"]
        v2 = results_svc.current_version(exam)
        assert v2.number == 2 and v2.status == "draft"
        assert v2.results.get(registration=reg).outcome == "selected"
        assert published_version(exam) == v1  # nothing changes for candidates before approval
        assert v1.results.get(registration=reg).outcome == "not_selected"
        results_svc.approve(exam=exam, version=v2, actor=written["chair"])
        results_svc.publish(exam=exam, version=v2, actor=written["hr"])
        assert published_version(exam) == v2

    def test_the_exams_own_appeal_window_applies_not_the_default(self, written):
        """An exam that allows 5 days (not the default 15): an appeal on day 6 is refused."""
        for exam in (written["exam"], written["subject"].exam):  # the HR's edit, seen by both objects
            exam.appeal_days = 5
        written["exam"].save(update_fields=["appeal_days"])
        version = published(written)
        day = timezone.localtime(version.published_at).date()
        tz = timezone.get_current_timezone()
        last = dt.datetime.combine(day + dt.timedelta(days=5), dt.time(23, 0), tzinfo=tz)  # the 5th day after
        reg = written["registrations"][1]
        with time_machine.travel(last + dt.timedelta(hours=2), tick=False), pytest.raises(svc.MarkingError):
            svc.appeal_file(registration=reg, subject=written["subject"], actor=reg.person)
        with time_machine.travel(last, tick=False):
            assert svc.appeal_file(registration=reg, subject=written["subject"], actor=reg.person).pk

    def test_only_your_own_and_only_written_subjects_with_appeals(self, written):
        published(written)
        reg = written["registrations"][0]
        with pytest.raises(PermissionDenied):
            svc.appeal_file(registration=reg, subject=written["subject"], actor=written["registrations"][1].person)
        ktc = Subject.objects.get(exam=written["exam"], code="KTC")
        with pytest.raises(svc.MarkingError):  # computer MCQ: no appeal by default
            svc.appeal_file(registration=reg, subject=ktc, actor=reg.person)

    def test_window_last_second_in_first_second_out(self, written, settings):
        settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
        with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=HCM), tick=False):
            published(written)
        reg_in, reg_out = written["registrations"]
        with time_machine.travel(dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=HCM), tick=False):
            assert svc.appeal_file(registration=reg_in, subject=written["subject"], actor=reg_in.person)
        with time_machine.travel(dt.datetime(2026, 3, 17, 0, 0, 0, tzinfo=HCM), tick=False), \
                pytest.raises(svc.MarkingError):
            svc.appeal_file(registration=reg_out, subject=written["subject"], actor=reg_out.person)
        assert Appeal.objects.count() == 1

    def test_not_before_publication(self, written):
        reg = written["registrations"][0]
        with pytest.raises(svc.MarkingError):
            svc.appeal_file(registration=reg, subject=written["subject"], actor=reg.person)


@pytest.mark.django_db
def test_online_scripts_are_anonymised_from_finished_attempts(exam_day, make_user):
    from exams.examday.services.attempts import attempt_finish, room_open
    from exams.examday.services.entering import attempt_start, room_enter
    from exams.models import Attempt
    day = exam_day
    subject = day["sitting"].subject
    Subject.objects.filter(pk=subject.pk).update(format="written")
    subject.refresh_from_db()
    secretary = make_user(Role.COUNCIL_MEMBER, username="thuky2")
    CouncilMember.objects.create(exam=day["exam"], user=secretary, board="council", position="secretary")
    room_session = room_open(sitting=day["sitting"], room=day["room"], actor=day["invigilator"])
    for n, reg in enumerate(day["registrations"]):
        entry = room_enter(registration=reg, sitting=day["sitting"], code=room_session.code, device=f"d{n}")
        attempt_finish(attempt=attempt_start(admission=entry.admission, device=f"d{n}"),
                       how=Attempt.Status.SUBMITTED)
    after_the_sitting = day["sitting"].ends_at + dt.timedelta(hours=1)
    with time_machine.travel(after_the_sitting, tick=False):
        with pytest.raises(PermissionDenied):
            svc.anonymise(subject=subject, actor=day["invigilator"])
        assert svc.anonymise(subject=subject, actor=secretary) == 2
    with time_machine.travel(after_the_sitting + dt.timedelta(hours=1), tick=False):
        assert svc.anonymise(subject=subject, actor=secretary) == 0  # once: the first time stands
    scripts = Script.objects.filter(subject=subject)
    assert [(s.source, s.anonymised_at) for s in scripts] == [("online", after_the_sitting)] * 2


class TestThirdMarkingRules:
    """docs/rules.md, "Written subjects": the closest-pair rule is a default; a subject may use another."""

    def test_the_default_is_the_closest_pair(self):
        assert mr.final_mark([D("40"), D("70"), D("66")], gap=D("10")) == D("68")

    def test_mean_of_the_three(self):
        assert mr.final_mark([D("40"), D("70"), D("66")], gap=D("10"), rule=mr.MEAN_OF_THREE) == D("58.6667")

    def test_the_third_marker_decides(self):
        assert mr.final_mark([D("40"), D("70"), D("66")], gap=D("10"), rule=mr.THIRD_MARK) == D("66")

    def test_two_marks_within_the_gap_ignore_the_rule(self):
        assert mr.final_mark([D("60"), D("70")], gap=D("10"), rule=mr.THIRD_MARK) == D("65")


@pytest.mark.django_db
def test_the_subjects_rule_is_applied_to_a_third_marking(written):
    Subject.objects.filter(pk=written["subject"].pk).update(third_marking_rule="third_mark")
    svc.markers_assign(subject=written["subject"], actor=written["head"])
    script = written["scripts"][0]
    first, second = marking_of(script, "first"), marking_of(script, "second")
    svc.mark_record(marking=first, mark=D("40"), actor=first.marker)
    third = svc.mark_record(marking=second, mark=D("70"), actor=second.marker).third_assigned
    assert svc.mark_record(marking=third, mark=D("61"), actor=third.marker).final == D("61")


@pytest.mark.django_db
def test_hr_edits_the_marking_and_appeal_rules_on_the_pages(client, written):
    from exams.sessions.forms import ExamForm, SubjectForm

    def posted(form, **changes):
        data = {k: ("" if v is None else v) for k, v in form.initial.items()}
        data.update(changes)
        return {k: v for k, v in data.items() if v is not False}

    client.force_login(written["hr"])
    subject = written["subject"]
    response = client.post(f"/subjects/{subject.pk}/edit/", posted(
        SubjectForm(instance=subject), mark_step="0.5", third_marking_gap="15", third_marking_rule="mean_of_three",
        appeals_allowed="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    subject.refresh_from_db()
    assert (subject.mark_step, subject.third_marking_gap, subject.third_marking_rule) == (D("0.5"), D("15"),
                                                                                          "mean_of_three")
    exam = written["exam"]
    response = client.post(f"/exams/{exam.pk}/edit/", posted(
        ExamForm(instance=exam), cutoff=exam.cutoff.strftime("%d/%m/%Y"), appeal_days="10", appeal_fee="150000",
        marker_not_own_unit=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    exam.refresh_from_db()
    assert (exam.appeal_days, exam.appeal_fee, exam.marker_not_own_unit) == (10, D("150000"), False)
