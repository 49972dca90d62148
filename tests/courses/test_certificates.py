"""Issuing certificates and what the public verification page says about them (issue 20): serials and register
entries that never repeat, even when two managers issue at once; reissue, completion certification and revocation,
each changing the verification page; the lookup that needs the holder's date of birth; the pages' guards."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from accounts.models import AuditLog, Qualification
from courses.certificates import (
    certificate_reissue,
    certificate_revoke,
    certificates_issue,
    completion_certify,
)
from courses.class_records import class_close
from courses.models import Attendance, Certificate, CourseClass, Enrolment, How, Institution, Programme, Score, Session
from courses.services import class_create
from tests.courses.conftest import at

SITE = "https://thi.example.vn/"
ISSUE_DAY = dt.date(2027, 4, 5)
AFTER = at(ISSUE_DAY, 9)


def complete_and_close(course_class: CourseClass, enrolments, sessions, manager) -> None:
    for enrolment in enrolments:
        for session in sessions:
            Attendance.objects.create(enrolment=enrolment, session=session, mark="x", how=How.PAGE)
        for code, value in (("KT1", "8"), ("KT2", "9"), ("TH", "8.5")):
            Score.objects.create(enrolment=enrolment, assessment=course_class.programme.assessments.get(code=code),
                                 value=Decimal(value), how=How.SHEET)
    with time_machine.travel(AFTER, tick=False):
        class_close(course_class=course_class, actor=manager)


@pytest.fixture
def school(world):
    institution = Institution.objects.create(
        name="Trường Chính trị tỉnh", letterhead_line_1="UBND TỈNH", letterhead_line_2="TRƯỜNG CHÍNH TRỊ",
        signer_title="HIỆU TRƯỞNG", signer_name="Nguyễn Văn Hiệu", place_name="Cao Lãnh")
    programme = world.course_class.programme
    programme.institution = institution
    programme.save()
    return institution


@pytest.fixture
def closed(world, school):
    complete_and_close(world.course_class, world.learners, world.sessions, world.manager)
    return world.course_class


def issue(course_class, actor, **kwargs):
    with time_machine.travel(AFTER, tick=False):
        return certificates_issue(course_class=course_class, issued_on=kwargs.pop("issued_on", ISSUE_DAY),
                                  site_url=SITE, actor=actor, **kwargs)


def second_class(world, name: str) -> CourseClass:
    course_class = class_create(programme=world.course_class.programme, name=name, starts_on=dt.date(2027, 3, 1),
                                ends_on=dt.date(2027, 3, 31), actor=None)
    sessions = [Session.objects.create(course_class=course_class, date=s.date, half=s.half, module=s.module,
                                       periods=s.periods) for s in world.sessions]
    enrolments = [Enrolment.objects.create(course_class=course_class, person=e.person, list_order=e.list_order)
                  for e in world.learners]
    complete_and_close(course_class, enrolments, sessions, world.manager)
    return course_class


@pytest.mark.django_db
class TestIssuing:
    def test_serials_and_register_entries_follow_the_completion_lists_order(self, world, closed):
        certificates = issue(closed, world.manager, decision_number="12/QĐ-TCT", decision_date=ISSUE_DAY)
        assert [(c.holder_name, c.serial, c.register_number) for c in certificates] == [
            ("Lê Thị An", "QLNN-CV-2027-0001", 1), ("Trần Văn Bình", "QLNN-CV-2027-0002", 2),
            ("Nguyễn Văn Cường", "QLNN-CV-2027-0003", 3)]
        first = certificates[0]
        assert first.verify_url == f"{SITE}verify/{first.token}/" and len(first.token) >= 20
        assert (first.institution_name, first.signer_name, first.place_name) == (
            "Trường Chính trị tỉnh", "Nguyễn Văn Hiệu", "Cao Lãnh")
        entries = Qualification.objects.filter(source=Qualification.Source.PLATFORM).order_by("number")
        assert [(q.person.full_name, q.number, q.valid) for q in entries] == [
            ("Lê Thị An", "QLNN-CV-2027-0001", True), ("Trần Văn Bình", "QLNN-CV-2027-0002", True),
            ("Nguyễn Văn Cường", "QLNN-CV-2027-0003", True)]
        log = AuditLog.objects.get(action="certificates.issue")
        assert (log.details["count"], log.details["first"], log.details["last"]) == (
            3, "QLNN-CV-2027-0001", "QLNN-CV-2027-0003")

    def test_the_series_goes_on_in_the_next_class_and_a_prefix_leads_it(self, world, closed, school):
        issue(closed, world.manager)
        school.serial_prefix = "tct"
        school.save()
        later = issue(second_class(world, "K61"), world.manager)
        assert [c.serial for c in later] == ["TCT-QLNN-CV-2027-0001", "TCT-QLNN-CV-2027-0002",
                                             "TCT-QLNN-CV-2027-0003"]
        assert [c.register_number for c in later] == [4, 5, 6]  # one register per institution and year

    def test_only_those_who_qualify_and_hold_nothing_yet(self, world, closed):
        Score.objects.filter(enrolment=world.learners[2], assessment__code="TH").delete()
        assert [c.holder_name for c in issue(closed, world.manager)] == ["Lê Thị An", "Trần Văn Bình"]
        with pytest.raises(ValidationError, match="đã có chứng chỉ"):
            issue(closed, world.manager)
        assert Certificate.objects.count() == 2

    @pytest.mark.parametrize("case", ["open", "future", "before_end", "no_signer", "no_institution"])
    def test_refusals_change_nothing(self, world, school, case):
        if case != "open":
            complete_and_close(world.course_class, world.learners, world.sessions, world.manager)
        day = {"future": dt.date(2027, 4, 6), "before_end": dt.date(2027, 3, 30)}.get(case, ISSUE_DAY)
        if case == "no_signer":
            school.signer_name = " "
            school.save()
        if case == "no_institution":
            programme = world.course_class.programme
            programme.institution = None
            programme.save()
        with pytest.raises(ValidationError):
            issue(CourseClass.objects.get(pk=world.course_class.pk), world.manager, issued_on=day)
        assert not Certificate.objects.exists() and not Qualification.objects.exists()
        assert not AuditLog.objects.filter(action="certificates.issue").exists()


@pytest.mark.django_db(transaction=True)
def test_serials_never_repeat_when_classes_are_issued_at_the_same_moment(world, school, monkeypatch):
    from courses import certificate_render

    monkeypatch.setattr(certificate_render, "wake", lambda: None)  # the commits would start rendering: not tested here
    classes = [second_class(world, f"K{n}") for n in range(61, 65)]
    barrier, failures = threading.Barrier(len(classes)), []

    def run(course_class):
        barrier.wait()
        try:
            issue(course_class, world.manager)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in classes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    serials = list(Certificate.objects.values_list("serial", flat=True))
    entries = list(Certificate.objects.values_list("register_number", flat=True))
    assert sorted(serials) == [f"QLNN-CV-2027-{n:04d}" for n in range(1, 13)]
    assert sorted(entries) == list(range(1, 13))
    for course_class in classes:  # each class took a run of consecutive numbers
        own = sorted(Certificate.objects.filter(enrolment__course_class=course_class)
                     .values_list("register_number", flat=True))
        assert own == list(range(own[0], own[0] + 3))


def verify_text(client, certificate: Certificate) -> str:
    response = client.get(reverse("certificate_verify", args=[certificate.token]))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    return response.content.decode()


@pytest.mark.django_db
class TestVerification:
    def test_a_valid_certificate_shows_the_holder_with_the_cccd_masked(self, client, world, closed):
        an = issue(closed, world.manager)[0]
        page = verify_text(client, an)
        assert "Chứng chỉ còn hiệu lực" in page or "còn hiệu lực" in page
        assert "Lê Thị An" in page and "087******002" in page and "087185000002" not in page
        assert "QLNN-CV-2027-0001" in page and "K60" in page and "Trường Chính trị tỉnh" in page
        assert "01/03/2027" in page and "31/03/2027" in page and "05/04/2027" in page

    def test_a_reissue_says_the_old_one_was_replaced_and_by_which(self, client, world, closed):
        old = issue(closed, world.manager)[0]
        person = old.enrolment.person
        person.full_name = "Lê Thị Ân"
        person.save()
        with time_machine.travel(AFTER, tick=False):
            new = certificate_reissue(certificate=old, reason="Sửa họ tên theo CCCD", issued_on=ISSUE_DAY,
                                      site_url=SITE, actor=world.manager)
        assert new.serial == "QLNN-CV-2027-0004" and new.register_number == 4 and new.holder_name == "Lê Thị Ân"
        page = verify_text(client, old)
        assert "thay thế" in page and "QLNN-CV-2027-0004" in page and "còn hiệu lực" not in page
        assert "còn hiệu lực" in verify_text(client, new)
        entry = Qualification.objects.get(person=person)
        assert (entry.number, entry.valid) == ("QLNN-CV-2027-0004", True)  # the register follows
        assert AuditLog.objects.filter(action="certificate.reissue", details__replaces=old.serial).exists()

    def test_a_completion_certification_stands_for_a_lost_one(self, client, world, closed):
        lost = issue(closed, world.manager)[1]
        with time_machine.travel(AFTER, tick=False):
            paper = completion_certify(certificate=lost, reason="Học viên báo mất", issued_on=ISSUE_DAY,
                                       site_url=SITE, actor=world.manager)
        assert paper.serial == "GCN-QLNN-CV-2027-0001" and paper.kind == Certificate.Kind.COMPLETION
        assert paper.stands_for == lost and paper.holder_name == lost.holder_name
        old_page = verify_text(client, lost)
        assert "mất" in old_page and "GCN-QLNN-CV-2027-0001" in old_page
        new_page = verify_text(client, paper)
        assert "còn hiệu lực" in new_page and "QLNN-CV-2027-0002" in new_page  # in place of the lost one
        assert AuditLog.objects.filter(action="certificate.completion").exists()

    def test_a_revoked_certificate_says_so_without_the_reason(self, client, world, closed):
        certificate = issue(closed, world.manager)[2]
        with time_machine.travel(AFTER, tick=False):
            certificate_revoke(certificate=certificate, reason="Cấp nhầm người", actor=world.manager)
        page = verify_text(client, certificate)
        assert "thu hồi" in page and "05/04/2027" in page and "Cấp nhầm người" not in page
        assert not Qualification.objects.get(person=certificate.enrolment.person).valid
        with pytest.raises(ValidationError):  # a revoked certificate is changed no more
            certificate_revoke(certificate=certificate, reason="Lần nữa", actor=world.manager)
        assert AuditLog.objects.filter(action="certificate.revoke").count() == 1

    def test_an_unknown_token_is_not_found(self, client, closed):
        assert client.get(reverse("certificate_verify", args=["khong-co"])).status_code == 404

    def test_the_lookup_needs_the_holders_date_of_birth(self, client, world, closed):
        person = world.learners[1].person
        person.date_of_birth = dt.date(1990, 5, 17)
        person.save()
        an = issue(closed, world.manager)[0]
        url = reverse("certificate_lookup")
        wrong = client.post(url, {"serial": an.serial, "birth_date": "18/05/1990"}).content.decode()
        assert "Không có chứng chỉ nào khớp" in wrong and "Lê Thị An" not in wrong
        serial_only = client.post(url, {"serial": an.serial, "birth_date": ""}).content.decode()
        assert "Lê Thị An" not in serial_only
        right = client.post(url, {"serial": " qlnn-cv-2027-0001 ", "birth_date": "17/05/1990"})
        assert "Lê Thị An" in right.content.decode() and right["X-Robots-Tag"] == "noindex, nofollow"

    def test_the_lookup_is_limited_per_address(self, client, world, closed, settings):
        settings.CERTIFICATE_LOOKUP_PER_MINUTE = 3
        url = reverse("certificate_lookup")
        with time_machine.travel(AFTER, tick=False):
            codes = [client.post(url, {"serial": f"QLNN-CV-2027-000{n}", "birth_date": "01/01/1990"}).status_code
                     for n in range(1, 6)]
        assert codes == [200, 200, 200, 429, 429]
        settings.CERTIFICATE_VERIFY_PER_MINUTE = 2
        an = issue(closed, world.manager)[0]
        with time_machine.travel(AFTER, tick=False):
            codes = [client.get(reverse("certificate_verify", args=[an.token])).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


@pytest.mark.django_db
class TestPages:
    def test_the_manager_issues_from_the_page(self, client, world, closed):
        url = reverse("class_certificates", args=[closed.pk])
        with time_machine.travel(AFTER, tick=False):
            client.force_login(world.manager)
            page = client.get(url).content.decode()
            assert "3 học viên" in page and 'id="issue-certificates"' in page
            response = client.post(url, {"issued_on": "05/04/2027", "decision_number": "", "decision_date": ""},
                                   follow=True)
        assert "QLNN-CV-2027-0001" in response.content.decode()
        assert Certificate.objects.count() == 3
        assert Certificate.objects.first().verify_url.startswith("http://testserver/verify/")

    def test_half_a_decision_is_refused(self, client, world, closed):
        with time_machine.travel(AFTER, tick=False):
            client.force_login(world.manager)
            response = client.post(reverse("class_certificates", args=[closed.pk]),
                                   {"issued_on": "05/04/2027", "decision_number": "12/QĐ", "decision_date": ""})
        assert response.status_code == 200 and "cả số và ngày" in response.content.decode()
        assert not Certificate.objects.exists()

    def test_the_print_file_waits_for_every_certificate(self, client, world, closed):
        issue(closed, world.manager)
        client.force_login(world.manager)
        response = client.get(reverse("class_certificates_print", args=[closed.pk]) + "?layout=design", follow=True)
        assert response.redirect_chain and "đang được chuẩn bị" in response.content.decode()
        assert client.get(reverse("class_certificates_print", args=[closed.pk]) + "?layout=other").status_code == 404

    def test_a_change_on_the_detail_page_needs_a_reason(self, client, world, closed):
        certificate = issue(closed, world.manager)[0]
        client.force_login(world.manager)
        url = reverse("certificate_change", args=[certificate.pk, "revoke"])
        response = client.post(url, {"revoke-reason": ""})
        assert response.status_code == 200
        assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.VALID
        response = client.post(url, {"revoke-reason": "Cấp nhầm người"}, follow=True)
        assert "đã bị thu hồi" in response.content.decode() or "thu hồi" in response.content.decode()
        assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.REVOKED
        assert client.post(reverse("certificate_change", args=[certificate.pk, "delete"])).status_code == 404

    def test_the_holder_reaches_their_own_file_and_no_one_elses(self, client, world, closed, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path
        first, second = issue(closed, world.manager)[:2]
        for certificate in (first, second):
            certificate.pdf.save(f"{certificate.serial}.pdf", _one_page_pdf(), save=False)
            certificate.rendered_at = AFTER
            certificate.save()
        client.force_login(first.enrolment.person)
        mine = client.get(reverse("certificate_pdf", args=[first.pk]) + "?layout=design")
        assert mine.status_code == 200 and b"".join(mine.streaming_content).startswith(b"%PDF")
        assert client.get(reverse("certificate_pdf", args=[second.pk]) + "?layout=design").status_code == 403
        assert client.get(reverse("certificate_pdf", args=[first.pk]) + "?layout=form").status_code == 403
        assert client.get(reverse("class_certificates", args=[closed.pk])).status_code == 403
        learn = client.get(reverse("learn_class", args=[closed.pk])).content.decode()
        assert first.serial in learn and first.verify_url in learn

    def test_a_closed_class_stays_on_the_holders_dashboard_without_check_in(self, client, world, closed):
        certificate = issue(closed, world.manager)[0]
        client.force_login(certificate.enrolment.person)
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert reverse("learn_home") in dashboard and reverse("learner_check_in") not in dashboard

    def test_without_an_institution_the_page_says_where_to_choose_one_and_offers_no_issuing(self, client, world,
                                                                                           closed):
        Programme.objects.filter(pk=closed.programme_id).update(institution=None)
        client.force_login(world.manager)
        page = client.get(reverse("class_certificates", args=[closed.pk])).content.decode()
        assert 'id="no-institution"' in page and reverse("programme_edit", args=[closed.programme_id]) in page
        assert 'id="issue-certificates"' not in page


def _one_page_pdf():
    import io

    import pikepdf
    from django.core.files.base import ContentFile

    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(842, 595))
        pdf.save(buffer)
    return ContentFile(buffer.getvalue())


@pytest.mark.django_db
def test_the_completion_list_carries_each_learners_valid_serial(world, closed):
    import io

    from openpyxl import load_workbook

    from courses.completion_list import completion_xlsx

    certificates = issue(closed, world.manager)
    with time_machine.travel(AFTER, tick=False):
        certificate_revoke(certificate=certificates[2], reason="Cấp nhầm người", actor=world.manager)
        data, _count = completion_xlsx(closed)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    header = next(n for n, r in enumerate(rows) if r[0] == "STT")
    assert [(r[1], r[-1]) for r in rows[header + 1:header + 4]] == [
        ("Lê Thị An", "QLNN-CV-2027-0001"), ("Trần Văn Bình", "QLNN-CV-2027-0002"), ("Nguyễn Văn Cường", None)]
