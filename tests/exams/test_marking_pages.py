"""Marking pages (issue 7): no page or file a marker reaches shows who wrote the script; independent marks;
scan uploads checked by content; the mapping only for the secretary and the anonymisation board; appeals
from "my result" inside the window only; every refused POST changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import AuditLog
from accounts.roles import Role
from exams.banks.importing.base import ParsedQuestion
from exams.banks.services import bank_get_or_create, question_create, topic_get_or_create
from exams.marking import services as svc
from exams.models import (
    Appeal,
    Attempt,
    AttemptItem,
    CouncilMember,
    Marking,
    Paper,
    PaperItem,
    PaperSet,
    Room,
    RoomSession,
    ScoreEntry,
    Script,
    ScriptScan,
    Sitting,
    Subject,
)
from exams.results import services as results_svc
from tests.exams.results_helpers import candidate, full_scores, promotion_exam

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
NAMES = ["Trịnh Thị Bảo Ngọc", "Lưu Quốc Vĩnh", "Thạch Thị Sa Rươl"]
UNITS = ["Phòng Tài nguyên và Môi trường huyện Tháp Mười", "UBND xã Tân Công Sính", "Trung tâm Y tế huyện Tam Nông"]
ROOM = "Phòng thi A-17"
ESSAY_ANSWER = "Cải cách thủ tục hành chính giúp người dân giảm thời gian đi lại."


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


@pytest.fixture
def staff(make_user, province):
    from accounts.services import unit_create
    other = unit_create(name="Sở Xây dựng", parent=province, kind="department", code="SXD")
    return {
        "secretary": make_user(Role.COUNCIL_MEMBER, username="thuky"),
        "chair": make_user(Role.COUNCIL_MEMBER, username="chutich"),
        "hr": make_user(Role.HR_STAFF, username="nhansu", hr_scope=province),
        "anon": make_user(Role.COUNCIL_MEMBER, username="banphach"),
        "head": make_user(Role.MARKER, username="truongban"),
        "m1": make_user(Role.MARKER, username="cham1", unit=other),
        "m2": make_user(Role.MARKER, username="cham2"),
        "m3": make_user(Role.MARKER, username="cham3"),
        "rhead": make_user(Role.MARKER, username="truongphuckhao"),
        "r1": make_user(Role.MARKER, username="phuckhao1"),
        "r2": make_user(Role.MARKER, username="phuckhao2"),
    }


def _online_attempt(exam, subject, registration, author):
    """A finished on-computer CMNV paper with one essay answer (rows written directly: marking is tested)."""
    bank, _ = bank_get_or_create(name="Ngân hàng tự luận", actor=author)
    topic = topic_get_or_create(bank=bank, name="Cải cách hành chính")
    question = question_create(topic=topic, author=author, parsed=ParsedQuestion(
        source=0, topic=topic.name, kind="essay", text="<p>Nêu ý nghĩa của cải cách thủ tục hành chính.</p>"))
    from exams.models import Blueprint
    blueprint = Blueprint.objects.create(bank=bank, name="Tự luận", scale=D(100))
    paper_set = PaperSet.objects.create(blueprint=blueprint, name="CMNV", seed="s")
    paper = Paper.objects.create(paper_set=paper_set, candidate_ref=registration.candidate_number, code="01",
                                 position=0, total_points=D(100))
    item = PaperItem.objects.create(paper=paper, position=0, question=question, points=D(100))
    start = timezone.now() - dt.timedelta(days=1)
    sitting = Sitting.objects.create(subject=subject, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                     opens_at=start - dt.timedelta(minutes=30))
    room = Room.objects.create(exam=exam, name=ROOM, capacity=5)
    room_session = RoomSession.objects.create(sitting=sitting, room=room, code="654321", code_valid_until=start,
                                              opened_by=author)
    attempt = Attempt.objects.create(owner_id=registration.person_id, registration=registration, sitting=sitting,
                                     room_session=room_session, paper=paper,
                                     clock_start=start, duration_s=7200, deadline=start + dt.timedelta(hours=2),
                                     status=Attempt.Status.SUBMITTED, finished_at=start + dt.timedelta(hours=1))
    AttemptItem.objects.create(attempt=attempt, paper_item=item, position=0, answer=ESSAY_ANSWER)
    return attempt


@pytest.fixture
def world(staff, make_user, settings, tmp_path, client):
    """Three candidates of CMNV: two on paper (one PNG scan each, uploaded through the page), one on the
    computer with an essay; two markers assigned to each script by the head."""
    settings.MEDIA_ROOT = tmp_path
    exam = promotion_exam(quota=1)
    exam.appeal_fee = D("150000")
    exam.save()
    add = lambda user, b, p: CouncilMember.objects.create(exam=exam, user=user, board=b, position=p)  # noqa: E731
    add(staff["secretary"], "council", "secretary")
    add(staff["chair"], "council", "chair")
    add(staff["anon"], "anonymisation", "member")
    add(staff["head"], "marking", "head")
    for key in ("m1", "m2", "m3"):
        add(staff[key], "marking", "member")
    add(staff["rhead"], "remarking", "head")
    add(staff["r1"], "remarking", "member")
    add(staff["r2"], "remarking", "member")
    subject = Subject.objects.get(exam=exam, code="CMNV")
    regs = [candidate(exam, n, name=NAMES[n - 1], unit_text=UNITS[n - 1]) for n in (1, 2, 3)]
    for reg in regs:
        full_scores(reg, None)
    attempt = _online_attempt(exam, subject, regs[2], make_user(Role.INVIGILATOR, username="giamthi"))
    svc.anonymise(subject=subject, actor=staff["secretary"])
    client.force_login(staff["secretary"])
    for reg, data in zip(regs[:2], (PNG, JPEG), strict=True):
        name = "bai.png" if data == PNG else "bai.jpg"
        client.post(reverse("subject_scan_upload", args=[subject.pk, reg.pk]),
                    {"file": SimpleUploadedFile(name, data)})
    client.logout()
    assert ScriptScan.objects.count() == 2
    svc.markers_assign(subject=subject, actor=staff["head"])
    return {"exam": exam, "subject": subject, "registrations": regs, "attempt": attempt, **staff}


def _forbidden(world) -> list[str]:
    out = [ROOM]
    for reg in world["registrations"]:
        out += [reg.person.full_name, reg.candidate_number, reg.person.cccd, reg.unit_text]
    return out


def _assert_anonymous(content: bytes, world, where: str) -> None:
    text = content.decode("utf-8", errors="replace")
    for secret in _forbidden(world):
        assert secret not in text, f"{where} shows {secret!r}"
    assert "/attempts/" not in text and "/registrations/" not in text and "/upload/" not in text, where
    assert f"attempt {world['attempt'].pk}" not in text.casefold(), where


def _walk_marker(client, world, marker) -> int:
    """Every page and file the marker reaches; returns how many were checked."""
    client.force_login(marker)
    checked = 0
    response = client.get(reverse("marking_queue"))
    assert response.status_code == 200
    _assert_anonymous(response.content, world, "queue")
    checked += 1
    for marking in Marking.objects.filter(marker=marker):
        assert reverse("marking_page", args=[marking.pk]) in response.content.decode()
        page = client.get(reverse("marking_page", args=[marking.pk]))
        assert page.status_code == 200
        _assert_anonymous(page.content, world, f"marking {marking.pk}")
        checked += 1
        for scan in marking.script.scans.all():
            url = reverse("marking_scan", args=[marking.pk, scan.pk])
            assert url in page.content.decode()
            file_response = client.get(url)
            assert file_response.status_code == 200
            body = b"".join(file_response.streaming_content)
            assert body in (PNG, JPEG)
            _assert_anonymous(body + file_response["Content-Disposition"].encode(), world, f"scan {scan.pk}")
            checked += 1
    subject, exam = world["subject"], world["exam"]
    scan = ScriptScan.objects.first()
    for url in (reverse("subject_scripts", args=[subject.pk]), reverse("subject_mapping", args=[subject.pk]),
                reverse("marking_dashboard", args=[subject.pk]), reverse("appeals_list", args=[exam.pk]),
                reverse("subject_scan", args=[subject.pk, scan.pk])):
        refused = client.get(url)
        assert refused.status_code == 403, url
        _assert_anonymous(refused.content, world, url)
        checked += 1
    client.logout()
    return checked


@pytest.mark.django_db
class TestAnonymity:
    def test_no_page_or_file_a_marker_reaches_shows_the_candidate(self, client, world):
        for key in ("m1", "m2", "m3"):
            assert _walk_marker(client, world, world[key]) >= 7
        # Mark everything (the third marking too), then walk again: the other marks are shown, names never.
        for marking in Marking.objects.order_by("pk"):
            svc.mark_record(marking=marking, mark=D("60") if marking.round == "first" else D("62"),
                            actor=marking.marker)
        for key in ("m1", "m2", "m3"):
            _walk_marker(client, world, world[key])

    def test_the_exams_own_pages_refuse_a_marker(self, client, world):
        exam = world["exam"]
        client.force_login(world["m1"])
        for name in ("exam_detail", "exam_candidates", "exam_results"):
            response = client.get(reverse(name, args=[exam.pk]))
            assert response.status_code == 403, name
            _assert_anonymous(response.content, world, name)

    def test_the_online_answer_is_shown_with_its_question_and_the_paper_one_as_scans(self, client, world):
        online = Script.objects.get(source="online")
        marking = online.markings.first()
        client.force_login(marking.marker)
        page = client.get(reverse("marking_page", args=[marking.pk])).content.decode()
        assert ESSAY_ANSWER in page and "Nêu ý nghĩa của cải cách thủ tục hành chính." in page
        assert online.code in page and "Chuyên môn, nghiệp vụ" in page

    def test_the_secretary_and_the_anonymisation_board_see_the_mapping(self, client, world):
        for key in ("secretary", "anon"):
            client.force_login(world[key])
            page = client.get(reverse("subject_mapping", args=[world["subject"].pk]))
            assert page.status_code == 200
            for script in Script.objects.select_related("registration__person"):
                assert script.code in page.content.decode()
                assert script.registration.person.full_name in page.content.decode()
        assert AuditLog.objects.filter(action="marking.mapping_view").count() == 2

    def test_the_mapping_refuses_markers_the_marking_head_hr_and_the_chair(self, client, world):
        for key in ("m1", "head", "rhead", "hr", "chair"):
            client.force_login(world[key])
            assert client.get(reverse("subject_mapping", args=[world["subject"].pk])).status_code == 403, key
            assert client.get(reverse("subject_scripts", args=[world["subject"].pk])).status_code == 403, key

    def test_the_heads_dashboards_show_codes_never_candidates(self, client, world):
        client.force_login(world["head"])
        page = client.get(reverse("marking_dashboard", args=[world["subject"].pk]))
        assert page.status_code == 200
        _assert_anonymous(page.content, world, "dashboard")
        client.force_login(world["rhead"])
        page = client.get(reverse("appeals_list", args=[world["exam"].pk]))
        assert page.status_code == 200
        _assert_anonymous(page.content, world, "appeals")


def _markings(world, marker_key):
    return list(Marking.objects.filter(marker=world[marker_key]).select_related("script"))


@pytest.mark.django_db
class TestMarking:
    def test_a_marker_cannot_open_or_mark_another_markers_marking(self, client, world):
        theirs = Marking.objects.exclude(marker=world["m1"]).exclude(script__markings__marker=world["m1"]).first()
        assert theirs is not None
        client.force_login(world["m1"])
        assert client.get(reverse("marking_page", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("marking_page", args=[theirs.pk]), {"mark": "50"}).status_code == 404
        scan = ScriptScan.objects.filter(script=theirs.script).first() or ScriptScan.objects.first()
        assert client.get(reverse("marking_scan", args=[theirs.pk, scan.pk])).status_code == 404
        mine = _markings(world, "m1")[0]
        other_scan = ScriptScan.objects.exclude(script=mine.script).first()
        assert client.get(reverse("marking_scan", args=[mine.pk, other_scan.pk])).status_code == 404
        theirs.refresh_from_db()
        assert theirs.mark is None

    def test_the_other_mark_stays_hidden_until_both_are_in(self, client, world):
        script = Script.objects.get(source="online")
        first, second = script.markings.get(round="first"), script.markings.get(round="second")
        client.force_login(first.marker)
        response = client.post(reverse("marking_page", args=[first.pk]), {"mark": "37,25", "comment": "Ý chưa đủ"},
                               follow=True)
        first.refresh_from_db()
        assert first.mark == D("37.25") and first.comment == "Ý chưa đủ"
        assert b'id="other-marks-hidden"' in response.content
        client.force_login(second.marker)
        page = client.get(reverse("marking_page", args=[second.pk])).content.decode()
        assert "37,25" not in page and "37.25" not in page and "Ý chưa đủ" not in page
        client.post(reverse("marking_page", args=[second.pk]), {"mark": "40"})
        client.force_login(first.marker)
        page = client.get(reverse("marking_page", args=[first.pk])).content.decode()
        assert 'id="other-marks"' in page and "40" in page

    def test_a_gap_calls_a_third_marker_who_sees_neither_mark(self, client, world):
        script = Script.objects.get(source="online")
        first, second = script.markings.get(round="first"), script.markings.get(round="second")
        client.force_login(first.marker)
        client.post(reverse("marking_page", args=[first.pk]), {"mark": "31,5"})
        client.force_login(second.marker)
        client.post(reverse("marking_page", args=[second.pk]), {"mark": "77,75"})
        third = script.markings.get(round="third")
        client.force_login(third.marker)
        queue = client.get(reverse("marking_queue")).content.decode()
        assert reverse("marking_page", args=[third.pk]) in queue
        page = client.get(reverse("marking_page", args=[third.pk])).content.decode()
        assert "31,5" not in page and "77,75" not in page
        client.force_login(world["head"])
        dashboard = client.get(reverse("marking_dashboard", args=[world["subject"].pk])).content.decode()
        assert f'data-code="{script.code}"' in dashboard and 'data-counter="third">1<' in dashboard

    def test_a_refused_mark_changes_nothing(self, client, world):
        marking = _markings(world, "m2")[0]
        client.force_login(world["m2"])
        for bad in ("60,1", "101", "-1", "abc"):
            response = client.post(reverse("marking_page", args=[marking.pk]), {"mark": bad}, follow=True)
            assert response.status_code == 200
            marking.refresh_from_db()
            assert marking.mark is None, bad
        assert vi("The mark must be a multiple of {step}.").split("{")[0] in \
            client.post(reverse("marking_page", args=[marking.pk]), {"mark": "60,1"}, follow=True).content.decode()
        client.post(reverse("marking_page", args=[marking.pk]), {"mark": "60"})
        client.post(reverse("marking_page", args=[marking.pk]), {"mark": "90"})
        marking.refresh_from_db()
        assert marking.mark == D("60")
        assert AuditLog.objects.filter(action="marking.mark").count() == 1

    def test_the_queue_lists_only_my_markings_unmarked_first(self, client, world, django_assert_max_num_queries):
        mine = _markings(world, "m2")
        svc.mark_record(marking=mine[0], mark=D("50"), actor=world["m2"])
        client.force_login(world["m2"])
        with django_assert_max_num_queries(12):
            page = client.get(reverse("marking_queue")).content.decode()
        states = [chunk.split('"')[0] for chunk in page.split('data-state="')[1:]]
        assert states == sorted(states, key=lambda s: s != "todo") and states.count("done") == 1
        assert page.count('data-code="') == len(mine)

    def test_the_dashboard_counts_per_marker(self, client, world, django_assert_max_num_queries):
        client.force_login(world["head"])
        with django_assert_max_num_queries(12):
            page = client.get(reverse("marking_dashboard", args=[world["subject"].pk])).content.decode()
        assert 'data-counter="total">3<' in page and 'data-counter="marked">0<' in page
        assert page.count('data-marker="') == Marking.objects.values("marker").distinct().count() >= 3


def _upload(client, world, name, data, reg=0):
    return client.post(reverse("subject_scan_upload", args=[world["subject"].pk, world["registrations"][reg].pk]),
                       {"file": SimpleUploadedFile(name, data)}, follow=True)


@pytest.mark.django_db
class TestUploads:
    @pytest.mark.parametrize(("name", "data", "message"), [
        ("bai.txt", b"plain text", "Only PDF, PNG or JPEG files are accepted."),
        ("bai.pdf", b"MZ\x90\x00 not a pdf", "The file is not a real PDF, PNG or JPEG."),
        ("bai.pdf", PNG, "The file's content does not match its extension."),
        ("bai.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "The file is not a real PDF, PNG or JPEG."),
    ])
    def test_wrong_type_or_bad_magic_is_refused_and_nothing_stored(self, client, world, tmp_path, name, data, message):
        client.force_login(world["secretary"])
        files_before = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
        scripts, scans = Script.objects.count(), ScriptScan.objects.count()
        response = _upload(client, world, name, data, reg=2)
        assert escape(vi(message)) in response.content.decode()
        assert (Script.objects.count(), ScriptScan.objects.count()) == (scripts, scans)
        assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == files_before

    def test_oversize_is_refused(self, client, world, settings):
        settings.MAX_SCAN_FILE_BYTES = 1024 * 1024
        client.force_login(world["secretary"])
        response = _upload(client, world, "bai.pdf", PDF + b"0" * (1024 * 1024))
        assert vi("The file is larger than %(mb)s MB.") % {"mb": 1} in response.content.decode()
        assert ScriptScan.objects.count() == 2

    def test_a_pdf_is_stored_with_its_facts_and_served_only_through_the_view(self, client, world, tmp_path):
        client.force_login(world["secretary"])
        response = _upload(client, world, "BAI.PDF", PDF)
        scan = ScriptScan.objects.get(content_type="application/pdf")
        assert (scan.extension, scan.size, scan.uploaded_by) == (".pdf", len(PDF), world["secretary"])
        import hashlib
        assert scan.sha256 == hashlib.sha256(PDF).hexdigest() and scan.order == 1
        assert (tmp_path / scan.file.name).read_bytes() == PDF
        assert world["registrations"][0].candidate_number in response.content.decode()
        served = client.get(reverse("subject_scan", args=[world["subject"].pk, scan.pk]))
        assert served["Content-Type"] == "application/pdf" and b"".join(served.streaming_content) == PDF
        assert _upload(client, world, "again.pdf", PDF).content.decode().count(
            vi("This file is already uploaded for this script.")) == 1
        assert ScriptScan.objects.filter(content_type="application/pdf").count() == 1

    def test_markers_cannot_upload(self, client, world):
        client.force_login(world["m1"])
        assert _upload(client, world, "bai.png", PNG).status_code == 403
        assert ScriptScan.objects.count() == 2


@pytest.mark.django_db
def test_refused_posts_of_the_boards_change_nothing(client, world):
    subject, exam = world["subject"], world["exam"]

    def snapshot():
        return (Script.objects.count(), Marking.objects.count(), ScoreEntry.objects.count(),
                ScriptScan.objects.count(), Appeal.objects.count(),
                AuditLog.objects.exclude(action__startswith="auth.").count())

    before = snapshot()
    client.force_login(world["m1"])
    for url in (reverse("subject_anonymise", args=[subject.pk]), reverse("subject_deanonymise", args=[subject.pk]),
                reverse("marking_assign", args=[subject.pk]), reverse("my_result_appeal", args=[exam.pk])):
        assert client.post(url).status_code in (403, 404), url
    client.force_login(world["head"])  # heads marking, but neither anonymises nor de-anonymises
    assert client.post(reverse("subject_deanonymise", args=[subject.pk])).status_code == 403
    assert client.post(reverse("subject_anonymise", args=[subject.pk])).status_code == 403
    client.force_login(world["secretary"])  # allowed, but not everything is marked yet: refused with a message
    response = client.post(reverse("subject_deanonymise", args=[subject.pk]), follow=True).content.decode()
    assert all(script.code in response for script in Script.objects.all())  # the message names what is unmarked
    assert snapshot() == before


def _publish(world):
    """Marks 50, 60, 40 for the three candidates (no tie at the one place), de-anonymised and published."""
    subject = world["subject"]
    marks = dict(zip([r.pk for r in world["registrations"]], ("50", "60", "40"), strict=True))
    for marking in Marking.objects.select_related("script").order_by("pk"):
        svc.mark_record(marking=marking, mark=D(marks[marking.script.registration_id]), actor=marking.marker)
    svc.deanonymise(subject=subject, actor=world["secretary"])
    version = results_svc.compute_results(exam=world["exam"], actor=None).version
    results_svc.approve(exam=world["exam"], version=version, actor=world["chair"])
    return results_svc.publish(exam=world["exam"], version=version, actor=world["hr"])


@pytest.mark.django_db
class TestAppealPage:
    def test_inside_the_window_the_candidate_files_and_later_sees_the_outcome(self, client, world, settings,
                                                                              django_capture_on_commit_callbacks):
        settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
        with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=HCM), tick=False):
            _publish(world)
        reg = world["registrations"][0]
        client.force_login(reg.person)
        url = reverse("my_result", args=[world["exam"].pk])
        with time_machine.travel(dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=HCM), tick=False):
            page = client.get(url).content.decode()
            assert "23:59:59 16/03/2026" in page and "150.000" in page and 'class="file-appeal"' in page
            response = client.post(reverse("my_result_appeal", args=[world["exam"].pk]),
                                   {"subject": world["subject"].pk, "reason": "Xin phúc khảo"}, follow=True)
        appeal = Appeal.objects.get(registration=reg)
        assert (appeal.status, appeal.reason, appeal.fee, appeal.score_before) == ("filed", "Xin phúc khảo",
                                                                                  D("150000"), D("50"))
        assert 'data-status="filed"' in response.content.decode()
        # The re-marking head assigns from the appeals page; the re-markers mark; the outcome is shown.
        client.force_login(world["rhead"])
        client.post(reverse("appeal_assign", args=[appeal.pk]))
        remarks = list(appeal.markings.order_by("round"))
        assert len(remarks) == 2 and {m.marker_id for m in remarks} <= {world[k].pk for k in ("rhead", "r1", "r2")}
        with django_capture_on_commit_callbacks(execute=True):
            for m, mark in zip(remarks, ("70", "72"), strict=True):
                client.force_login(m.marker)
                page = client.get(reverse("marking_page", args=[m.pk])).content.decode()
                form = page.split('id="mark"')[1].split("</form>")[0].replace("0–100", "")
                form = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", form)  # a random token may hold "50"
                assert "50" not in form  # the earlier marks (50 and 50) are hidden from the re-markers
                client.post(reverse("marking_page", args=[m.pk]), {"mark": mark})
        client.force_login(reg.person)
        page = client.get(url).content.decode()
        assert 'data-status="decided"' in page and "50 → 71" in page

    def test_outside_the_window_the_form_is_gone_and_a_post_is_refused(self, client, world, settings):
        settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
        with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=HCM), tick=False):
            _publish(world)
        reg = world["registrations"][1]
        client.force_login(reg.person)
        with time_machine.travel(dt.datetime(2026, 3, 17, 0, 0, 0, tzinfo=HCM), tick=False):
            page = client.get(reverse("my_result", args=[world["exam"].pk])).content.decode()
            assert 'class="file-appeal"' not in page
            response = client.post(reverse("my_result_appeal", args=[world["exam"].pk]),
                                   {"subject": world["subject"].pk}, follow=True)
        assert vi("The appeal window closed on {when}.").split("{")[0].strip() in response.content.decode()
        assert not Appeal.objects.exists()

    def test_no_appeal_for_someone_else_or_a_subject_without_appeals(self, client, world):
        _publish(world)
        reg = world["registrations"][0]
        client.force_login(reg.person)
        ktc = Subject.objects.get(exam=world["exam"], code="KTC")
        response = client.post(reverse("my_result_appeal", args=[world["exam"].pk]), {"subject": ktc.pk}, follow=True)
        assert response.status_code == 200
        client.force_login(world["m1"])  # not registered in the exam: 404, as for any result
        assert client.post(reverse("my_result_appeal", args=[world["exam"].pk]),
                           {"subject": world["subject"].pk}).status_code == 404
        assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_the_demo_has_scripts_waiting_for_demo_marker_and_an_open_appeal_window(client, settings, tmp_path):
    from accounts.demo import seed_demo
    from exams.marking.demo import DEMO_APPEAL_EXAM, DEMO_MARKING_EXAM
    from exams.models import Exam

    settings.MEDIA_ROOT = tmp_path
    assert seed_demo()["marking_exams_created"] == 2
    waiting = Marking.objects.filter(marker__username="demo_marker", mark__isnull=True,
                                     script__subject__exam__name=DEMO_MARKING_EXAM)
    assert waiting.count() >= 2 and all(m.script.scans.exists() for m in waiting)
    marker = waiting.first().marker
    client.force_login(marker)
    assert client.get(reverse("marking_page", args=[waiting.first().pk])).status_code == 200
    exam = Exam.objects.get(name=DEMO_APPEAL_EXAM)
    candidate_user = exam.registrations.get(person__username="demo_candidate").person
    client.force_login(candidate_user)
    page = client.get(reverse("my_result", args=[exam.pk])).content.decode()
    assert 'class="file-appeal"' in page and "150.000" in page
    assert seed_demo()["marking_exams_created"] == 0
