"""A sitting's papers made on its page (issue 17): one sealed paper per candidate who sits the subject plus spares,
a late candidate taking a spare, the readiness check, and the refusals of scheduling and room opening."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from exams.examday.services import attempts as attempt_svc
from exams.examday.services import entering
from exams.models import Attempt, InvigilatorAssignment, Paper, Registration, Sitting
from exams.sessions.readiness import exam_gaps
from exams.sessions.services import exam_transition
from exams.sessions.sitting_papers import SPARE_PREFIX, sitting_papers_make, spare_count

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("candidates", "spares"), [(0, 0), (1, 1), (20, 1), (21, 2), (100, 5), (101, 6)])
def test_spares_are_five_percent_rounded_up_and_at_least_one(candidates, spares):
    assert spare_count(candidates) == spares


def test_the_share_of_spares_is_a_setting(settings):
    settings.SPARE_PAPERS_PERCENT = 10
    assert spare_count(21) == 3


@pytest.fixture
def setup(sitting_world):
    return sitting_world


def test_the_papers_are_one_per_candidate_by_number_plus_spares_sealed_and_attached(setup):
    paper_set = sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    refs = list(Paper.objects.filter(paper_set=paper_set).order_by("position").values_list("candidate_ref", flat=True))
    assert refs == ["CV0001", "CV0002", "CV0003", f"{SPARE_PREFIX}01"]
    assert paper_set.is_sealed and len(paper_set.seal_hash) == 64
    setup["sitting"].refresh_from_db()
    assert setup["sitting"].paper_set_id == paper_set.pk
    record = AuditLog.objects.get(action="sitting.papers")
    assert record.details["papers"] == 3 and record.details["spares"] == 1


def test_an_exempt_candidate_gets_no_paper_of_the_subject_they_are_exempt_from(setup):
    nn = setup["exam"].subjects.get(code="NN")
    nn.format, nn.blueprint, nn.question_count = "computer", setup["subject"].blueprint, 5
    nn.save()
    sitting = Sitting.objects.create(subject=nn, starts_at=setup["sitting"].starts_at,
                                     ends_at=setup["sitting"].ends_at, opens_at=setup["sitting"].opens_at)
    paper_set = sitting_papers_make(sitting=sitting, actor=setup["hr"])
    refs = set(Paper.objects.filter(paper_set=paper_set).values_list("candidate_ref", flat=True))
    assert "CV0003" not in refs and {"CV0001", "CV0002"} <= refs


def test_papers_are_refused_with_the_reason_and_nothing_is_written(setup):
    subject = setup["subject"]
    subject.question_count = 30
    subject.save()
    with pytest.raises(ValidationError, match="30"):
        sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    subject.blueprint = None
    subject.save()
    with pytest.raises(ValidationError, match="ma trận đề"):
        sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    assert not Paper.objects.exists() and not AuditLog.objects.filter(action="sitting.papers").exists()


def test_papers_can_be_made_again_until_someone_starts_then_they_are_final(setup):
    first = sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    second = sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.is_sealed  # kept in the register, detached
    _invigilate(setup)
    room = attempt_svc.room_open(sitting=setup["sitting"], room=setup["room"], actor=setup["hr"])
    entering.room_enter(registration=setup["registrations"][0], sitting=setup["sitting"], code=room.code, device="d1")
    with pytest.raises(ValidationError, match="không thể thay đổi"):
        sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])


def _invigilate(setup):
    watcher = setup["make_user"](Role.INVIGILATOR, username="gt", full_name="Giám Thị")
    InvigilatorAssignment.objects.create(sitting=setup["sitting"], room=setup["room"], user=watcher)
    return watcher


def _late_candidate(setup, n: int) -> Registration:
    person = setup["make_user"](Role.CANDIDATE, username=f"late{n}", full_name=f"Thí Sinh Muộn {n}")
    return Registration.objects.create(exam=setup["exam"], person=person, candidate_number=f"CV00{n}",
                                       room=setup["room"], exam_password="pw")


def test_a_candidate_added_after_the_papers_takes_a_spare_and_none_is_taken_twice(setup, settings):
    settings.SPARE_PAPERS_PERCENT = 50  # two spares for three candidates
    sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    _invigilate(setup)
    room = attempt_svc.room_open(sitting=setup["sitting"], room=setup["room"], actor=setup["hr"])
    late = [_late_candidate(setup, n) for n in (10, 11, 12)]
    first = entering.room_enter(registration=late[0], sitting=setup["sitting"], code=room.code, device="a").attempt
    second = entering.room_enter(registration=late[1], sitting=setup["sitting"], code=room.code, device="b").attempt
    assert first.paper.candidate_ref == f"{SPARE_PREFIX}01" and second.paper.candidate_ref == f"{SPARE_PREFIX}02"
    with pytest.raises(attempt_svc.ExamDayError, match="Không có đề thi"):
        entering.room_enter(registration=late[2], sitting=setup["sitting"], code=room.code, device="c")


def test_the_database_holds_one_exam_attempt_per_paper(setup):
    from django.db import IntegrityError, transaction

    sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    _invigilate(setup)
    room = attempt_svc.room_open(sitting=setup["sitting"], room=setup["room"], actor=setup["hr"])
    attempt = entering.room_enter(registration=setup["registrations"][0], sitting=setup["sitting"], code=room.code,
                                  device="a").attempt
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(owner_id=setup["registrations"][1].person_id, purpose="exam",
                               registration=setup["registrations"][1], sitting=setup["sitting"], room_session=room,
                               paper=attempt.paper, duration_s=60, clock_start=attempt.clock_start,
                               deadline=attempt.deadline)


def test_the_readiness_check_names_what_is_missing_and_scheduling_waits_for_it(setup):
    texts = " ".join(g.text for g in exam_gaps(setup["exam"]))
    assert "chưa có bộ đề đã niêm phong" in texts and "chưa có cán bộ coi thi" in texts and "chưa có ca thi" in texts
    with pytest.raises(ValidationError, match="chưa sẵn sàng"):
        exam_transition(exam=setup["exam"], to="scheduled", actor=setup["hr"])
    watcher = _invigilate(setup)
    sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    for day, subject in enumerate(setup["exam"].subjects.exclude(pk=setup["subject"].pk), start=1):
        sitting = Sitting.objects.create(subject=subject, starts_at=setup["sitting"].starts_at + dt.timedelta(days=day),
                                         ends_at=setup["sitting"].ends_at + dt.timedelta(days=day),
                                         opens_at=setup["sitting"].opens_at + dt.timedelta(days=day))
        InvigilatorAssignment.objects.create(sitting=sitting, room=setup["room"], user=watcher)
        if subject.format == "computer":
            subject.blueprint, subject.question_count = setup["subject"].blueprint, 5
            subject.save()
            sitting_papers_make(sitting=sitting, actor=setup["hr"])
    assert exam_gaps(setup["exam"]) == []
    exam_transition(exam=setup["exam"], to="scheduled", actor=setup["hr"])
    assert setup["exam"].status == "scheduled"


def test_a_room_does_not_open_for_a_sitting_without_its_papers(setup):
    _invigilate(setup)
    with pytest.raises(attempt_svc.ExamDayError, match="chưa có bộ đề đã niêm phong") as refused:
        attempt_svc.room_open(sitting=setup["sitting"], room=setup["room"], actor=setup["hr"])
    assert refused.value.code == "not_ready"
    late = _late_candidate(setup, 20)
    sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    assert attempt_svc.room_open(sitting=setup["sitting"], room=setup["room"], actor=setup["hr"]).code
    assert late.candidate_number  # one late candidate: the one spare covers them


def test_hr_makes_the_papers_on_the_sitting_page_and_others_cannot(setup, client):
    url = reverse("sitting_papers", args=[setup["sitting"].pk])
    page = reverse("sitting_detail", args=[setup["sitting"].pk])
    stranger = setup["make_user"](Role.CANDIDATE, username="stranger", full_name="Người Lạ")
    client.force_login(stranger)
    assert client.get(page).status_code == 403 and client.post(url).status_code == 403
    client.force_login(setup["hr"])
    response = client.get(page)
    assert response.status_code == 200 and "make-papers" in response.content.decode()
    response = client.post(url, follow=True)
    assert "3" in response.content.decode() and Paper.objects.count() == 4


def test_once_a_sitting_has_its_papers_the_exam_does_not_go_back_to_registration(setup):
    watcher = setup["make_user"](Role.INVIGILATOR, username="gt", full_name="Giám Thị")
    sitting_papers_make(sitting=setup["sitting"], actor=setup["hr"])
    InvigilatorAssignment.objects.create(sitting=setup["sitting"], room=setup["room"], user=watcher)
    Exam = type(setup["exam"])
    Exam.objects.filter(pk=setup["exam"].pk).update(status="scheduled")
    with pytest.raises(ValidationError, match="Đã tạo đề cho ca thi"):
        exam_transition(exam=setup["exam"], to="registration", actor=setup["hr"])
    setup["exam"].refresh_from_db()
    assert setup["exam"].status == "scheduled"
