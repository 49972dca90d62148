"""Written work (issue 19, docs/courses.md "Written work"): the rubric adds up to 10, uploads are checked by their
bytes and size and served only to their learner and the class's staff, a late upload is marked late, grades land in
the class's scores and a regrade needs its reason and is audited with both totals."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from courses.class_records import class_close
from courses.completion_list import class_outcomes
from courses.models import Assignment, ClassStaff, Criterion, Enrolment, Grade, How, Score, Submission
from courses.services import class_create
from courses.uploads import WRITTEN, check_upload
from courses.written import assignment_create, assignment_delete, assignment_update, grade_save, submission_upload
from courses.written_selectors import learner_written_panel
from tests.courses.conftest import at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEADLINE = at(dt.date(2027, 3, 20), 17)
BEFORE, AFTER = at(dt.date(2027, 3, 19), 9), at(dt.date(2027, 3, 21), 9)
RUBRIC = [("Nội dung", Decimal("6")), ("Hình thức trình bày", Decimal("2.5")), ("Liên hệ thực tiễn", Decimal("1.5"))]


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf(name: str = "bai-thu-hoach.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def assignment(world) -> Assignment:
    th = world.course_class.programme.assessments.get(code="TH")
    return assignment_create(course_class=world.course_class, kind="reflection", title="Thu hoạch cuối khóa",
                             instructions="Viết 10–15 trang về một vấn đề ở đơn vị.", assessment=th,
                             deadline=DEADLINE, criteria=RUBRIC, actor=world.head)


def upload(assignment, enrolment, when=BEFORE, file=None) -> Submission:
    with time_machine.travel(when, tick=False):
        checked = check_upload(file or pdf(), kinds=WRITTEN, max_bytes=20 * 1024 * 1024)
        return submission_upload(assignment=assignment, enrolment=enrolment, checked=checked,
                                 actor=enrolment.person)


def points(assignment, *values) -> dict:
    return {c.pk: Decimal(v) for c, v in zip(assignment.criteria.order_by("order"), values, strict=True)}


# --- the rubric -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("criteria", "says"), [
    ([("Nội dung", "6"), ("Hình thức", "3.75")], "tổng phải đúng bằng 10"),  # 9.75
    ([("Nội dung", "6"), ("Hình thức", "4.25")], "tổng phải đúng bằng 10"),  # 10.25
    ([("Nội dung", "9.7"), ("Hình thức", "0.3")], "theo bước 0,25"),  # 10, but not in quarters
    ([("Nội dung", "10"), ("Hình thức", "0")], "lớn hơn 0"),
    ([("", "10")], "cần có tên"),
    ([], "ít nhất một tiêu chí"),
])
def test_the_rubric_must_total_ten_in_quarter_points(world, criteria, says):
    with pytest.raises(ValidationError) as refused:
        assignment_create(course_class=world.course_class, kind="essay", title="Tiểu luận", instructions="",
                          assessment=None, deadline=DEADLINE, criteria=criteria, actor=world.head)
    assert says in refused.value.messages[0]
    assert not Assignment.objects.exists() and not AuditLog.objects.filter(action__startswith="written.").exists()


def test_the_assessment_must_be_written_work_of_the_class_programme(world, assignment):
    kt1 = world.course_class.programme.assessments.get(code="KT1")  # a multiple-choice test
    with pytest.raises(ValidationError, match="bài viết"):
        assignment_create(course_class=world.course_class, kind="essay", title="Tiểu luận", instructions="",
                          assessment=kt1, deadline=DEADLINE, criteria=RUBRIC, actor=world.head)
    th = world.course_class.programme.assessments.get(code="TH")
    with pytest.raises(ValidationError, match="TH đã nhận điểm của bài “Thu hoạch cuối khóa”"):
        assignment_create(course_class=world.course_class, kind="essay", title="Tiểu luận", instructions="",
                          assessment=th, deadline=DEADLINE, criteria=RUBRIC, actor=world.head)
    assert Assignment.objects.count() == 1


def test_the_head_creates_an_assignment_on_the_page_with_its_rubric(world, client):
    client.force_login(world.head)
    url = reverse("written_create", args=[world.course_class.pk])
    assert client.get(url).status_code == 200
    form = {"kind": "reflection", "title": "Thu hoạch", "instructions": "", "deadline": "20/03/2027 17:00",
            "assessment": world.course_class.programme.assessments.get(code="TH").pk,
            "criteria-TOTAL_FORMS": "4", "criteria-INITIAL_FORMS": "0",
            "criteria-0-name": "Nội dung", "criteria-0-points": "7,5",
            "criteria-1-name": "Hình thức", "criteria-1-points": "2",
            "criteria-2-name": "", "criteria-2-points": "",
            "criteria-3-name": "", "criteria-3-points": ""}
    page = client.post(url, form).content.decode()
    assert "Tổng điểm các tiêu chí là 9,5; tổng phải đúng bằng 10." in page
    assert not Assignment.objects.exists()
    response = client.post(url, {**form, "criteria-1-points": "2,5"})
    created = Assignment.objects.get()
    assert response.status_code == 302 and response.url == reverse("written_assignment",
                                                                   args=[world.course_class.pk, created.pk])
    assert [(c.name, c.points) for c in created.criteria.all()] == [("Nội dung", Decimal("7.5")),
                                                                    ("Hình thức", Decimal("2.5"))]
    assert created.deadline == DEADLINE
    log = AuditLog.objects.get(action="written.assignment_create")
    assert log.action_label == "Giao bài viết (thu hoạch, tiểu luận, đề án)"


def test_a_lecturer_grades_but_does_not_set_assignments(world, client, assignment):
    client.force_login(world.lecturer)
    assert client.get(reverse("written_list", args=[world.course_class.pk])).status_code == 200
    assert client.get(reverse("written_create", args=[world.course_class.pk])).status_code == 403
    assert client.get(reverse("written_edit", args=[world.course_class.pk, assignment.pk])).status_code == 403


def test_the_rubric_is_locked_once_graded_but_the_deadline_moves_audited(world, media, assignment):
    submission = upload(assignment, world.learners[0])
    fields = {"kind": "reflection", "title": assignment.title, "instructions": "", "assessment": assignment.assessment}
    grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="", reason="",
               actor=world.lecturer)
    with pytest.raises(ValidationError) as refused:
        assignment_update(assignment=assignment, deadline=DEADLINE, criteria=[("Nội dung", "10")],
                          actor=world.head, **fields)
    assert refused.value.messages == ["Đã có bài được chấm theo thang điểm này; không thể sửa thang điểm nữa."]
    assert assignment.criteria.count() == 3
    later = DEADLINE + dt.timedelta(days=3)
    assignment_update(assignment=assignment, deadline=later, criteria=RUBRIC, actor=world.head, **fields)
    assignment.refresh_from_db()
    assert assignment.deadline == later
    log = AuditLog.objects.get(action="written.assignment_edit")
    assert log.details["deadline_before"] == DEADLINE.isoformat() and log.details["deadline"] == later.isoformat()
    assert log.details["deadline_moved"] is True and log.details["rubric_changed"] is False


def test_the_edit_page_moves_the_deadline_of_a_graded_assignment(world, media, client, assignment):
    submission = upload(assignment, world.learners[0])
    grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="", reason="",
               actor=world.lecturer)
    client.force_login(world.head)
    url = reverse("written_edit", args=[world.course_class.pk, assignment.pk])
    page = client.get(url).content.decode()
    assert 'value="20/03/2027 17:00"' in page and 'id="rubric-locked"' in page
    form = {"kind": "reflection", "title": assignment.title, "instructions": assignment.instructions,
            "deadline": "22/03/2027 17:00", "assessment": assignment.assessment_id,
            "criteria-TOTAL_FORMS": "5", "criteria-INITIAL_FORMS": "0"}
    for n, (name, value) in enumerate(RUBRIC):
        form[f"criteria-{n}-name"], form[f"criteria-{n}-points"] = name, str(value).replace(".", ",")
    response = client.post(url, form)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.deadline == at(dt.date(2027, 3, 22), 17)
    form["criteria-2-points"], form["criteria-3-name"], form["criteria-3-points"] = "1", "Sáng tạo", "0,5"
    page = client.post(url, form).content.decode()
    assert "không thể sửa thang điểm nữa" in page and assignment.criteria.count() == 3


def test_the_rubric_changes_while_nothing_is_graded(world, assignment):
    assignment_update(assignment=assignment, kind="reflection", title="Thu hoạch", instructions="", assessment=None,
                      deadline=DEADLINE, criteria=[("Toàn bài", "10")], actor=world.head)
    assert list(assignment.criteria.values_list("name", "points")) == [("Toàn bài", Decimal("10.00"))]


def test_an_assignment_with_uploads_cannot_be_deleted(world, media, client, assignment):
    upload(assignment, world.learners[0])
    client.force_login(world.head)
    client.post(reverse("written_delete", args=[world.course_class.pk, assignment.pk]))
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    with pytest.raises(ValidationError, match="không thể xóa"):
        assignment_delete(assignment=assignment, actor=world.head)
    other = assignment_create(course_class=world.course_class, kind="essay", title="Tiểu luận", instructions="",
                              assessment=None, deadline=DEADLINE, criteria=RUBRIC, actor=world.head)
    response = client.post(reverse("written_delete", args=[world.course_class.pk, other.pk]))
    assert response.status_code == 302 and not Assignment.objects.filter(pk=other.pk).exists()
    assert AuditLog.objects.filter(action="written.assignment_delete").count() == 1


# --- uploads ----------------------------------------------------------------------------------------------------

def test_a_late_upload_is_marked_late_and_earlier_uploads_stay(world, media, client, assignment):
    learner = world.learners[0]
    url = reverse("learner_written", args=[world.course_class.pk, assignment.pk])
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(learner.person)
        client.post(url, {"file": pdf("ban-1.pdf")})
    with time_machine.travel(AFTER, tick=False):
        client.force_login(learner.person)
        response = client.post(url, {"file": pdf("ban-2.pdf")}, follow=True)
    page = response.content.decode()
    assert "Nộp sau hạn: bài của bạn được ghi là nộp muộn." in page
    first, second = Submission.objects.order_by("uploaded_at")
    assert (first.name, first.late) == ("ban-1.pdf", False)
    assert (second.name, second.late) == ("ban-2.pdf", True)
    assert len(stored_files(media)) == 2  # both kept; the latest is the one graded
    client.force_login(world.head)
    roster = client.get(reverse("written_assignment", args=[world.course_class.pk, assignment.pk])).content.decode()
    row = roster.split(f'id="learner-{learner.pk}"')[1].split("</tr>")[0]
    assert "ban-2.pdf" in row and "Nộp muộn" in row and "2 lần nộp" in row
    listing = client.get(reverse("written_list", args=[world.course_class.pk])).content.decode()
    counts = listing.split(f'id="assignment-{assignment.pk}"')[1].split("</tr>")[0]
    assert "<td>1</td><td>1</td><td>0</td>" in counts  # handed in, late, graded


def test_an_upload_on_time_is_not_late(world, media, assignment):
    assert upload(assignment, world.learners[0], when=DEADLINE).late is False  # at the deadline itself
    assert upload(assignment, world.learners[1], when=DEADLINE + dt.timedelta(seconds=1)).late is True


def test_a_fake_pdf_and_an_oversize_file_are_refused_and_nothing_stored(world, media, client, settings, assignment):
    learner = world.learners[0]
    url = reverse("learner_written", args=[world.course_class.pk, assignment.pk])
    client.force_login(learner.person)
    fake = SimpleUploadedFile("bai.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    page = client.post(url, {"file": fake}).content.decode()
    assert "Tệp không phải là tệp PDF, Word (.docx) thật." in page
    settings.COURSE_WRITTEN_MAX_BYTES = 1024 * 1024
    big = pdf("bai-lon.pdf", PDF + b"0" * (1024 * 1024))
    page = client.post(url, {"file": big}).content.decode()
    assert "Tệp lớn hơn 1 MB." in page
    wrong_kind = SimpleUploadedFile("bai.txt", b"text", content_type="text/plain")
    assert "Chỉ nhận các loại tệp: PDF, Word (.docx)." in client.post(url, {"file": wrong_kind}).content.decode()
    assert not Submission.objects.exists() and stored_files(media) == []
    assert not AuditLog.objects.filter(action="written.upload").exists()


def test_only_the_learner_of_the_class_hands_in_their_own_work(world, media, assignment):
    checked = check_upload(pdf(), kinds=WRITTEN, max_bytes=20 * 1024 * 1024)
    with pytest.raises(ValidationError, match="Chỉ học viên của lớp"):
        submission_upload(assignment=assignment, enrolment=world.learners[0], checked=checked,
                          actor=world.learners[1].person)
    assert not Submission.objects.exists() and stored_files(media) == []


def test_a_graded_submission_cannot_be_replaced(world, media, client, assignment):
    learner = world.learners[0]
    submission = upload(assignment, learner)
    grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="Khá", reason="",
               actor=world.lecturer)
    with pytest.raises(ValidationError) as refused:
        upload(assignment, learner)
    assert refused.value.messages == ["Bài của bạn đã được chấm; muốn nộp bản mới, hãy liên hệ giảng viên."]
    url = reverse("learner_written", args=[world.course_class.pk, assignment.pk])
    client.force_login(learner.person)
    page = client.get(url).content.decode()
    assert 'id="upload-form"' not in page and "hãy liên hệ giảng viên" in page
    page = client.post(url, {"file": pdf("ban-moi.pdf")}).content.decode()
    assert "hãy liên hệ giảng viên" in page
    assert Submission.objects.count() == 1 and len(stored_files(media)) == 1


def test_a_closed_class_takes_no_upload_and_no_grade(world, media, assignment):
    submission = upload(assignment, world.learners[0])
    with time_machine.travel(at(dt.date(2027, 3, 31), 16), tick=False):
        class_close(course_class=world.course_class, actor=world.head)
    with pytest.raises(ValidationError, match="không còn nhận bài nộp"):
        upload(assignment, world.learners[1], when=AFTER)
    with pytest.raises(ValidationError, match="chỉ thay đổi qua đính chính"):
        grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="", reason="",
                   actor=world.lecturer)
    assert not Grade.objects.exists() and Submission.objects.count() == 1 and len(stored_files(media)) == 1


# --- the file ---------------------------------------------------------------------------------------------------

def test_the_file_reaches_only_its_learner_and_the_class_staff(world, media, client, make_user, assignment):
    submission = upload(assignment, world.learners[0])
    url = reverse("written_file", args=[submission.pk])
    other_class = class_create(programme=world.course_class.programme, name="K61", starts_on=dt.date(2027, 3, 1),
                               ends_on=dt.date(2027, 3, 31), actor=None)
    outsider = Enrolment.objects.create(course_class=other_class, person=make_user(username="hv_k61")).person
    other_lecturer = make_user(Role.LECTURER, username="gv_khac")
    ClassStaff.objects.create(course_class=other_class, user=other_lecturer, role="head")
    for stranger in (world.learners[1].person, outsider, other_lecturer):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
    for allowed in (world.learners[0].person, world.head, world.lecturer, world.manager):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200, allowed
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert response["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(url).status_code == 302


def test_a_docx_is_downloaded_not_opened(world, media, client, assignment):
    docx = SimpleUploadedFile("tieu-luan.docx", docx_bytes())
    submission = upload(assignment, world.learners[0], file=docx)
    client.force_login(world.lecturer)
    response = client.get(reverse("written_file", args=[submission.pk]))
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''tieu-luan.docx"
    assert submission.file.name.startswith(f"written/{assignment.pk}/") and "tieu-luan" not in submission.file.name


def test_a_learner_of_another_class_cannot_open_the_assignment_page(world, client, make_user, assignment):
    other_class = class_create(programme=world.course_class.programme, name="K61", starts_on=dt.date(2027, 3, 1),
                               ends_on=dt.date(2027, 3, 31), actor=None)
    outsider = Enrolment.objects.create(course_class=other_class, person=make_user(username="hv_k61")).person
    client.force_login(outsider)
    assert client.get(reverse("learner_written", args=[world.course_class.pk, assignment.pk])).status_code == 403
    assert client.get(reverse("learner_written", args=[other_class.pk, assignment.pk])).status_code == 404


# --- grades -----------------------------------------------------------------------------------------------------

def test_the_grade_lands_in_the_class_scores_and_the_completion_list(world, media, assignment):
    learner = world.learners[0]
    submission = upload(assignment, learner)
    grade = grade_save(submission=submission, points=points(assignment, "5.25", "2", "0.5"), comment="Đạt",
                       reason="", actor=world.lecturer)
    assert (grade.version, grade.total) == (1, Decimal("7.75"))
    assert grade.points == {str(c.pk): v for c, v in zip(assignment.criteria.order_by("order"),
                                                         ("5.25", "2.00", "0.50"), strict=True)}
    score = Score.objects.get(enrolment=learner, assessment=assignment.assessment, attempt=1)
    assert (score.value, score.how, score.set_by, score.excused) == (Decimal("7.75"), How.WRITTEN, world.lecturer,
                                                                     False)
    _requirements, rows = class_outcomes(world.course_class)
    assert next(r for r in rows if r.enrolment.pk == learner.pk).outcome.scores["TH"] == Decimal("7.75")
    log = AuditLog.objects.get(action="written.grade")
    assert log.details["total"] == "7.75" and log.action_label == "Chấm bài viết"


@pytest.mark.parametrize(("given", "says"), [
    (("6.25", "2", "1"), "từ 0 đến 6 điểm"),  # above the criterion's maximum
    (("5.1", "2", "1"), "theo bước 0,25"),
    (("-1", "2", "1"), "từ 0 đến 6 điểm"),
])
def test_points_stay_within_each_criterion_in_quarters(world, media, assignment, given, says):
    submission = upload(assignment, world.learners[0])
    with pytest.raises(ValidationError, match=says):
        grade_save(submission=submission, points=points(assignment, *given), comment="", reason="",
                   actor=world.lecturer)
    missing = points(assignment, "5", "2", "1")
    missing.pop(next(iter(missing)))
    with pytest.raises(ValidationError, match="Hãy cho điểm mọi tiêu chí"):
        grade_save(submission=submission, points=missing, comment="", reason="", actor=world.lecturer)
    assert not Grade.objects.exists() and not Score.objects.exists()


def test_a_regrade_without_a_reason_is_refused(world, media, client, assignment):
    submission = upload(assignment, world.learners[0])
    grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="", reason="",
               actor=world.lecturer)
    with pytest.raises(ValidationError) as refused:
        grade_save(submission=submission, points=points(assignment, "6", "2", "1"), comment="", reason="  ",
                   actor=world.lecturer)
    assert refused.value.messages == ["Hãy ghi lý do chấm lại."]
    client.force_login(world.lecturer)
    url = reverse("written_grade", args=[world.course_class.pk, submission.pk])
    criteria = list(assignment.criteria.order_by("order"))
    page = client.post(url, {f"points-{criteria[0].pk}": "6", f"points-{criteria[1].pk}": "2",
                             f"points-{criteria[2].pk}": "1", "comment": "", "reason": "", "seen_version": "1"})
    assert "Hãy ghi lý do chấm lại." in page.content.decode()
    assert Grade.objects.count() == 1
    assert Score.objects.get().value == Decimal("8")
    assert not AuditLog.objects.filter(action="written.regrade").exists()


def test_a_regrade_is_version_two_and_audited_with_both_totals(world, media, client, assignment):
    learner = world.learners[0]
    submission = upload(assignment, learner)
    client.force_login(world.lecturer)
    url = reverse("written_grade", args=[world.course_class.pk, submission.pk])
    criteria = list(assignment.criteria.order_by("order"))
    response = client.post(url, {f"points-{criteria[0].pk}": "4,5", f"points-{criteria[1].pk}": "2",
                                 f"points-{criteria[2].pk}": "1", "comment": "Cần thêm số liệu.",
                                 "seen_version": "0"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'name="reason"' in page and "Lần chấm thứ 1" in page
    response = client.post(url, {f"points-{criteria[0].pk}": "5,5", f"points-{criteria[1].pk}": "2",
                                 f"points-{criteria[2].pk}": "1", "comment": "Đã xem lại phần số liệu.",
                                 "reason": "Phúc tra theo đề nghị của học viên", "seen_version": "1"})
    assert response.status_code == 302
    first, second = Grade.objects.order_by("version")
    assert (first.version, first.total, second.version, second.total) == (1, Decimal("7.5"), 2, Decimal("8.5"))
    assert second.reason == "Phúc tra theo đề nghị của học viên" and second.graded_by == world.lecturer
    assert Score.objects.get(enrolment=learner, assessment=assignment.assessment).value == Decimal("8.5")
    log = AuditLog.objects.get(action="written.regrade")
    assert log.details["old_total"] == "7.50" and log.details["new_total"] == "8.50"
    assert log.details["reason"] == "Phúc tra theo đề nghị của học viên" and log.details["version"] == 2
    assert log.action_label == "Chấm lại bài viết" and log.actor == world.lecturer
    assert AuditLog.objects.filter(action="written.grade").count() == 1
    history = client.get(url).content.decode()
    assert 'id="grade-v2"' in history and 'id="grade-v1"' in history


def test_a_regrade_saved_meanwhile_is_not_overwritten_unseen(world, media, assignment):
    submission = upload(assignment, world.learners[0])
    grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="", reason="",
               actor=world.lecturer, seen_version=0)
    with pytest.raises(ValidationError, match="đã có người chấm"):
        grade_save(submission=submission, points=points(assignment, "6", "2", "1"), comment="", reason="",
                   actor=world.head, seen_version=0)
    assert Grade.objects.count() == 1


def test_only_the_latest_upload_is_graded(world, media, assignment):
    first = upload(assignment, world.learners[0])
    upload(assignment, world.learners[0], when=AFTER)
    with pytest.raises(ValidationError, match="bản mới hơn"):
        grade_save(submission=first, points=points(assignment, "5", "2", "1"), comment="", reason="",
                   actor=world.lecturer)


def test_the_learner_sees_their_grade_and_comments_and_nobody_elses(world, media, client, assignment):
    mine, theirs = world.learners[0], world.learners[1]
    submission = upload(assignment, mine)
    upload(assignment, theirs)
    grade_save(submission=submission, points=points(assignment, "5.25", "2", "1.5"),
               comment="Bài viết tốt, liên hệ thực tiễn sát.", reason="", actor=world.lecturer)
    url = reverse("learner_written", args=[world.course_class.pk, assignment.pk])
    client.force_login(mine.person)
    page = client.get(url).content.decode()
    grade = page.split('id="my-grade"')[1].split("</section>")[0]
    assert "8,75" in grade and "Bài viết tốt, liên hệ thực tiễn sát." in grade
    rubric = page.split('id="rubric"')[1].split("</section>")[0]
    assert '<td>Nội dung</td><td data-label="Điểm">6</td><td data-label="Điểm của bạn">5,25</td>' in rubric
    assert "Viết 10–15 trang" in page and "17:00 20/03/2027" in page
    client.force_login(theirs.person)
    page = client.get(url).content.decode()
    assert 'id="my-grade"' not in page and "Bài viết tốt" not in page
    assert f'href="{reverse("written_file", args=[submission.pk])}"' not in page


def test_the_learner_panel_says_where_each_assignment_stands(world, media, assignment):
    essay = assignment_create(course_class=world.course_class, kind="essay", title="Tiểu luận giữa khóa",
                              instructions="", assessment=None, deadline=DEADLINE - dt.timedelta(days=5),
                              criteria=[("Toàn bài", "10")], actor=world.head)
    assignment_create(course_class=world.course_class, kind="project", title="Đề án",
                                instructions="", assessment=None, deadline=DEADLINE + dt.timedelta(days=5),
                                criteria=[("Toàn bài", "10")], actor=world.head)
    learner = world.learners[0]
    graded = upload(assignment, learner)
    grade_save(submission=graded, points=points(assignment, "6", "2.5", "1"), comment="", reason="",
               actor=world.lecturer)
    upload(essay, learner, when=AFTER)  # late
    panel = learner_written_panel(learner)
    states = {row.assignment.title: (row.state, row.total) for row in panel["rows"]}
    assert states == {"Tiểu luận giữa khóa": ("late", None), "Thu hoạch cuối khóa": ("graded", Decimal("9.5")),
                      "Đề án": ("not_submitted", None)}
    html = render_to_string("courses/learn/_written.html", {"panel": panel})
    assert "Đã chấm: 9,50" in html and "Nộp muộn" in html and "Chưa nộp" in html
    assert reverse("learner_written", args=[world.course_class.pk, essay.pk]) in html
    other = learner_written_panel(world.learners[1])
    assert {row.state for row in other["rows"]} == {"not_submitted"}


# --- query counts -----------------------------------------------------------------------------------------------

def _work(world, make_user, assignment, *, start: int, count: int) -> None:
    """``count`` more learners: one in four not handed in, the others handed in (some late, some twice), graded and
    some regraded."""
    for n in range(start, start + count):
        enrolment = Enrolment.objects.create(course_class=world.course_class, list_order=10 + n,
                                             person=make_user(username=f"them{n}", full_name=f"Học Viên Thêm {n}"))
        if n % 4 == 0:
            continue
        if n % 3 == 0:
            upload(assignment, enrolment)
        submission = upload(assignment, enrolment, when=AFTER if n % 2 else BEFORE)
        grade_save(submission=submission, points=points(assignment, "5", "2", "1"), comment="", reason="",
                   actor=world.lecturer)
        if n % 5 == 0:
            grade_save(submission=submission, points=points(assignment, "6", "2", "1"), comment="",
                       reason="Chấm lại theo đề nghị", actor=world.head)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_assignment_page_and_list_read_a_fixed_number_of_queries(world, media, client, make_user, assignment,
                                                                     django_assert_max_num_queries):
    assignment_page = reverse("written_assignment", args=[world.course_class.pk, assignment.pk])
    listing = reverse("written_list", args=[world.course_class.pk])
    client.force_login(world.lecturer)
    _work(world, make_user, assignment, start=1, count=3)
    small = (_queries(client, assignment_page), _queries(client, listing))
    _work(world, make_user, assignment, start=4, count=20)
    assert Enrolment.objects.filter(course_class=world.course_class).count() == 26
    with django_assert_max_num_queries(small[0]):
        assert client.get(assignment_page).status_code == 200
    with django_assert_max_num_queries(small[1]):
        assert client.get(listing).status_code == 200


def test_the_criteria_stay_in_order(world, assignment):
    assert list(Criterion.objects.filter(assignment=assignment).values_list("order", flat=True)) == [1, 2, 3]


def test_the_learner_panel_reads_a_fixed_number_of_queries(world, media, assignment, django_assert_num_queries):
    learner = Enrolment.objects.select_related("course_class").get(pk=world.learners[0].pk)
    upload(assignment, learner)
    with django_assert_num_queries(3):
        assert len(learner_written_panel(learner)["rows"]) == 1
    for n in range(4):
        extra = assignment_create(course_class=world.course_class, kind="essay", title=f"Tiểu luận {n}",
                                  instructions="", assessment=None, deadline=DEADLINE, criteria=[("Toàn bài", "10")],
                                  actor=world.head)
        submission = upload(extra, learner, when=AFTER)
        if n % 2:
            upload(extra, learner, when=AFTER)  # handed in twice, not graded
        else:
            grade_save(submission=submission, points={extra.criteria.get().pk: "7"}, comment="", reason="",
                       actor=world.lecturer)
    with django_assert_num_queries(3):
        assert len(learner_written_panel(learner)["rows"]) == 5
