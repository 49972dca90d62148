"""The certificate the promotion exam's target rank requires, as exams reads it from the people register
(accounts.qualification_selectors): a column of the candidate list, and a warning of the candidate import."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import QualificationKind, User
from accounts.qualifications import outside_record, platform_follow, requirement_set
from exams.models import Registration
from exams.sessions.importing import import_candidates
from exams.sessions.services import exam_create
from tests.exams.test_import_candidates import CUTOFF, candidate, cccd, xlsx

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
REQUIRED = "Chứng chỉ bồi dưỡng ngạch chuyên viên"
WARNING = "chưa có chứng chỉ bồi dưỡng theo yêu cầu của ngạch Chuyên viên"


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def exam(db):
    return exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Thi nâng ngạch chuyên viên năm 2026",
                       actor=None, cutoff=CUTOFF)


@pytest.fixture
def kinds(db):
    return {"cv": QualificationKind.objects.create(code="QLNN-CV", name=REQUIRED),
            "llct": QualificationKind.objects.create(code="x-llct", name="Bằng cao cấp LLCT-HC")}


def require(exam, kinds, actor):
    requirement_set(rank=exam.target_rank, kind=kinds["cv"], equivalents=[kinds["llct"]], actor=actor)


def hold(person, kind, number, actor, *, valid=True):
    if valid:
        return outside_record(person=person, kind=kind, issuer="Trường Chính trị tỉnh", number=number,
                              issued_on=dt.date(2025, 1, 1), actor=actor)
    return platform_follow(reference=f"courses.enrolment:{number}", person=person, kind=kind, issuer="Trường",
                           number=number, issued_on=dt.date(2025, 1, 1), valid=False)


def register(exam, make_user, n: int, name: str) -> Registration:
    person = make_user(username=f"ts{n}", full_name=name)
    return Registration.objects.create(exam=exam, person=person, candidate_number=f"CV{n:04d}")


def cells(page: str) -> dict[str, str]:
    """Each candidate number's certificate cell, as text."""
    rows = re.findall(r"<tr><td>(CV\d{4})</td>.*?<td class=\"certificate\"[^>]*>(.*?)</td>", page, flags=re.S)
    return {number: " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for number, cell in rows}


class TestCandidateList:
    def test_the_column_says_who_holds_the_certificate_the_target_rank_requires(self, client, hr_user, exam,
                                                                               kinds, make_user):
        require(exam, kinds, hr_user)
        an, binh, chi, dung = (register(exam, make_user, n, name) for n, name in
                               enumerate(("Trần Văn An", "Lê Thị Bình", "Phạm Văn Chí", "Võ Thị Dung"), start=1))
        hold(an.person, kinds["cv"], "QLNN-CV-2026-0001", hr_user)
        hold(binh.person, kinds["llct"], "LLCT-15", hr_user)
        hold(chi.person, kinds["cv"], "QLNN-CV-2025-0002", hr_user, valid=False)  # revoked
        client.force_login(hr_user)
        page = client.get(reverse("exam_candidates", args=[exam.pk])).content.decode()
        assert "Chứng chỉ Chuyên viên" in page
        shown = cells(page)
        assert shown["CV0001"] == f"Có QLNN-CV-2026-0001 ({REQUIRED})"
        assert shown["CV0002"] == "Có Bằng cao cấp LLCT-HC số LLCT-15, tương đương"
        assert shown["CV0003"] == shown["CV0004"] == "Chưa có"
        assert '<strong class="status-draft">Chưa có</strong>' in page  # highlighted
        assert dung.person.qualifications.count() == 0

    def test_a_dash_when_the_rank_requires_nothing_and_no_column_without_a_target_rank(self, client, hr_user, exam,
                                                                                      make_user):
        register(exam, make_user, 1, "Trần Văn An")
        client.force_login(hr_user)
        page = client.get(reverse("exam_candidates", args=[exam.pk])).content.decode()
        assert cells(page) == {"CV0001": "—"}
        internal = exam_create(preset_slug="sat-hach-noi-bo", name="Sát hạch", actor=None)
        Registration.objects.create(exam=internal, person=User.objects.get(username="ts1"), candidate_number="SH0001")
        page = client.get(reverse("exam_candidates", args=[internal.pk])).content.decode()
        assert 'id="certificate-column"' not in page and 'class="certificate"' not in page

    def test_the_list_costs_the_same_queries_for_5_or_60_candidates_holding_certificates(
            self, client, hr_user, exam, kinds, make_user):
        require(exam, kinds, hr_user)
        client.force_login(hr_user)
        url = reverse("exam_candidates", args=[exam.pk])
        client.get(url)  # the first request fills the per-process caches
        counts = []
        for upto in (5, 60):
            while exam.registrations.count() < upto:
                n = exam.registrations.count() + 1
                registration = register(exam, make_user, n, f"Thí Sinh {n}")
                if n % 3:
                    hold(registration.person, kinds["cv" if n % 2 else "llct"], f"S-{n}", hr_user)
            with CaptureQueriesContext(connection) as queries:
                page = client.get(url).content.decode()
            counts.append(len(queries))
        assert counts[0] == counts[1], counts
        assert list(cells(page).values()).count("Chưa có") == 20


class TestCandidateImport:
    def test_a_known_candidate_without_the_required_certificate_is_warned_not_refused(self, exam, kinds, hr_user):
        import_candidates(xlsx([candidate(1), candidate(2), candidate(3)]), exam=exam, actor=None, dry_run=False)
        require(exam, kinds, hr_user)
        people = {n: User.objects.get(cccd=cccd(n)) for n in (1, 2, 3)}
        hold(people[1], kinds["cv"], "QLNN-CV-1", hr_user)
        hold(people[2], kinds["llct"], "LLCT-2", hr_user)
        rows = [candidate(1), candidate(2), candidate(3), candidate(4)]  # row 5: new to the register
        result = import_candidates(xlsx(rows), exam=exam, actor=None, dry_run=True)
        assert result.ok
        warned = [w for w in result.warnings if WARNING in w.message]
        assert [(w.row, w.warning) for w in warned] == [(4, True)]
        assert warned[0].message.startswith(f"dòng 4: {people[3].full_name} chưa có") and REQUIRED in warned[0].message
        assert str(warned[0]).startswith("Cảnh báo: dòng 4:")

    def test_no_warning_when_the_rank_requires_nothing_or_the_exam_promotes_to_no_rank(self, exam, kinds, hr_user):
        import_candidates(xlsx([candidate(1)]), exam=exam, actor=None, dry_run=False)
        result = import_candidates(xlsx([candidate(1)]), exam=exam, actor=None, dry_run=True)
        assert not [w for w in result.warnings if "chứng chỉ" in w.message]
        internal = exam_create(preset_slug="sat-hach-noi-bo", name="Sát hạch", actor=None, cutoff=CUTOFF)
        require(exam, kinds, hr_user)
        result = import_candidates(xlsx([candidate(1)]), exam=internal, actor=None, dry_run=True)
        assert result.ok and not [w for w in result.warnings if "chứng chỉ" in w.message]
