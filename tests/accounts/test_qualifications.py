"""The qualifications register (accounts/qualifications.py, accounts/qualification_selectors.py and their pages): HR
records, corrects and removes what people obtained elsewhere, with a scan checked by its first bytes; platform
entries change only through courses; kinds and each rank's requirement; who meets a rank's requirement."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditLog, Qualification, QualificationKind, Rank, RankRequirement
from accounts.qualification_selectors import Holding, requirement_status
from accounts.qualifications import (
    kind_create,
    kind_edit,
    kind_remove,
    outside_edit,
    outside_record,
    outside_remove,
    platform_follow,
    requirement_remove,
    requirement_set,
)
from accounts.roles import Role
from accounts.services import unit_create

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PROGRAMME_PRESET = "qlnn-chuyen-vien"


@pytest.fixture(autouse=True)
def _frozen_today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(province, make_user, hr_user):
    district = unit_create(name="UBND huyện Cao Lãnh", parent=province, code="H01")
    other = unit_create(name="UBND huyện Châu Thành", parent=province, code="H02")
    kinds = {
        "cv": QualificationKind.objects.create(code="QLNN-CV", name="Chứng chỉ bồi dưỡng ngạch chuyên viên"),
        "llct": QualificationKind.objects.create(code="x-llct", name="Bằng cao cấp lý luận chính trị – hành chính"),
        "tin": QualificationKind.objects.create(code="x-tin", name="Chứng chỉ tin học cơ bản"),
    }
    return {
        "hr": hr_user, "district": district, "other": other, "kinds": kinds,
        "an": make_user(full_name="Trần Văn An", unit=district),
        "binh": make_user(full_name="Lê Thị Bình", unit=district),
        "chi": make_user(full_name="Phạm Văn Chí", unit=other),
        "hr_other": make_user(Role.HR_STAFF, username="hr_chau_thanh", hr_scope=other),
        "rank": Rank.objects.get(code="01.003"),
    }


def upload(data: bytes = PDF, name: str = "chung-chi.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def record(world, person="an", kind="cv", number="CV-2024-0001", **overrides):
    values = {"person": world[person], "kind": world["kinds"][kind], "issuer": "Trường Chính trị tỉnh",
              "number": number, "issued_on": dt.date(2024, 6, 1), "note": "", "scan": None, "actor": world["hr"]}
    values.update(overrides)
    return outside_record(**values)


def platform_entry(world, person="an", number="QLNN-CV-2026-0001", valid=True) -> Qualification:
    return platform_follow(reference=f"courses.enrolment:{number}", person=world[person], kind=world["kinds"]["cv"],
                           issuer="Trường Chính trị tỉnh", number=number, issued_on=dt.date(2026, 5, 1), valid=valid)


class TestOutsideEntries:
    def test_hr_records_one_with_its_scan_and_the_audit_log_says_what(self, world):
        entry = record(world, scan=upload(), note="  Bản sao   có chứng thực ")
        entry.refresh_from_db()
        assert (entry.source, entry.valid, entry.note, entry.scan_type) == (
            "outside", True, "Bản sao có chứng thực", "application/pdf")
        assert entry.scan.name.startswith("qualifications/") and entry.scan.name.endswith(".pdf")
        assert "chung-chi" not in entry.scan.name  # never the uploader's name
        assert entry.scan.read() == PDF
        log = AuditLog.objects.get(action="qualification.record")
        assert log.details["number"] == "CV-2024-0001" and log.details["person"] == world["an"].pk

    @pytest.mark.parametrize(("data", "name", "kind"), [(PNG, "scan.png", "image/png"),
                                                        (JPEG, "scan.JPEG", "image/jpeg")])
    def test_a_jpeg_or_png_scan_is_known_by_its_first_bytes(self, world, data, name, kind):
        assert record(world, scan=upload(data, name)).scan_type == kind

    @pytest.mark.parametrize(("data", "name"), [(b"<html>not a pdf</html>", "gia.pdf"), (PNG, "anh.pdf"),
                                                (PDF, "chung-chi.docx")])
    def test_a_scan_that_is_not_what_it_says_is_refused_and_nothing_is_kept(self, world, tmp_path, data, name):
        with pytest.raises(ValidationError) as refused:
            record(world, scan=upload(data, name))
        assert set(refused.value.error_dict) == {"scan"}
        assert not Qualification.objects.exists() and not AuditLog.objects.filter(action__startswith="qual")
        assert not (tmp_path / "qualifications").exists() or not any((tmp_path / "qualifications").iterdir())

    def test_bad_input_names_every_field_at_fault_and_writes_nothing(self, world):
        with pytest.raises(ValidationError) as refused:
            record(world, number="  ", issuer="", issued_on=dt.date(2026, 11, 28), kind="cv")
        assert set(refused.value.error_dict) == {"number", "issuer", "issued_on"}
        assert "sau ngày hôm nay" in str(refused.value.error_dict["issued_on"])
        assert record(world, issued_on=dt.date(2026, 11, 27)).issued_on == dt.date(2026, 11, 27)  # today is fine

    def test_the_same_number_of_the_same_kind_is_refused_for_the_same_person_only(self, world):
        record(world, number="CV-2024-0001")
        with pytest.raises(ValidationError, match="đã có chứng chỉ"):
            record(world, number="cv-2024-0001 ")
        record(world, person="binh", number="CV-2024-0001")
        record(world, kind="tin", number="CV-2024-0001")
        assert Qualification.objects.count() == 3

    def test_an_edit_replaces_the_scan_and_deletes_the_old_file_once_committed(
            self, world, django_capture_on_commit_callbacks):
        entry = record(world, scan=upload())
        old = entry.scan.path
        with django_capture_on_commit_callbacks(execute=True):
            outside_edit(qualification=entry, kind=world["kinds"]["llct"], issuer="Học viện Chính trị khu vực IV",
                         number="LLCT-123", issued_on=dt.date(2020, 1, 2), note="", scan=upload(PNG, "moi.png"),
                         actor=world["hr"])
        entry.refresh_from_db()
        assert (entry.kind, entry.number, entry.scan_type) == (world["kinds"]["llct"], "LLCT-123", "image/png")
        assert entry.scan.read() == PNG
        assert not Path(old).exists()
        changed = AuditLog.objects.get(action="qualification.edit").details["changed"]
        assert changed["number"] == ["CV-2024-0001", "LLCT-123"] and "scan" in changed

    def test_removal_needs_a_reason_and_the_audit_log_keeps_what_the_entry_said(self, world):
        entry = record(world)
        with pytest.raises(ValidationError) as refused:
            outside_remove(qualification=entry, reason="   ", actor=world["hr"])
        assert set(refused.value.error_dict) == {"reason"} and Qualification.objects.filter(pk=entry.pk).exists()
        outside_remove(qualification=entry, reason="Ghi nhầm người", actor=world["hr"])
        assert not Qualification.objects.filter(pk=entry.pk).exists()
        log = AuditLog.objects.get(action="qualification.remove")
        assert (log.details["reason"], log.details["number"]) == ("Ghi nhầm người", "CV-2024-0001")

    def test_a_platform_entry_is_never_edited_or_removed_by_hr(self, world):
        entry = platform_entry(world)
        with pytest.raises(ValidationError, match="lớp học đã cấp"):
            outside_remove(qualification=entry, reason="Không cần", actor=world["hr"])
        with pytest.raises(ValidationError, match="lớp học đã cấp"):
            outside_edit(qualification=entry, kind=world["kinds"]["cv"], issuer="Khác", number="X",
                         issued_on=dt.date(2026, 1, 1), actor=world["hr"])
        entry.refresh_from_db()
        assert (entry.number, entry.issuer) == ("QLNN-CV-2026-0001", "Trường Chính trị tỉnh")
        assert not AuditLog.objects.filter(action__startswith="qualification.").exists()


class TestKindsAndRequirements:
    def test_a_kind_is_removed_only_when_nobody_holds_it_and_no_rank_requires_or_accepts_it(self, world):
        kinds = world["kinds"]
        record(world, kind="tin")
        requirement_set(rank=world["rank"], kind=kinds["cv"], equivalents=[kinds["llct"]], actor=world["hr"])
        for key, words in (("tin", "đang có người"), ("cv", "đang có ngạch"), ("llct", "đang có ngạch")):
            with pytest.raises(ValidationError, match=words):
                kind_remove(kind=kinds[key], actor=world["hr"])
        assert QualificationKind.objects.count() == 3
        spare = kind_create(name="  Chứng chỉ   ngoại ngữ B1 ", actor=world["hr"])
        assert spare.name == "Chứng chỉ ngoại ngữ B1" and spare.code.startswith("x-")
        kind_remove(kind=spare, actor=world["hr"])
        assert not QualificationKind.objects.filter(pk=spare.pk).exists()
        assert AuditLog.objects.filter(action="qualification_kind.remove", details__name=spare.name).exists()

    def test_the_certificate_kind_of_a_training_programme_is_not_removed(self, world):
        from courses.models import Programme
        from courses.services import programme_create

        programme = programme_create(preset_slug=PROGRAMME_PRESET, actor=None)
        Programme.objects.filter(pk=programme.pk).update(qualification_kind=world["kinds"]["tin"])
        with pytest.raises(ValidationError, match="chương trình bồi dưỡng"):
            kind_remove(kind=world["kinds"]["tin"], actor=world["hr"])
        assert QualificationKind.objects.filter(pk=world["kinds"]["tin"].pk).exists()
        assert not AuditLog.objects.filter(action="qualification_kind.remove").exists()

    def test_two_kinds_never_share_a_name(self, world):
        with pytest.raises(ValidationError, match="Đã có loại"):
            kind_create(name="chứng chỉ tin học cơ bản", actor=world["hr"])
        with pytest.raises(ValidationError, match="Đã có loại"):
            kind_edit(kind=world["kinds"]["tin"], name="Chứng chỉ bồi dưỡng ngạch chuyên viên", actor=world["hr"])
        assert kind_edit(kind=world["kinds"]["tin"], name="Chứng chỉ ứng dụng CNTT cơ bản",
                         actor=world["hr"]).name == "Chứng chỉ ứng dụng CNTT cơ bản"

    def test_a_requirement_is_set_without_listing_its_own_kind_as_equivalent_and_removed(self, world):
        kinds, rank = world["kinds"], world["rank"]
        requirement = requirement_set(rank=rank, kind=kinds["cv"], equivalents=[kinds["cv"], kinds["llct"]],
                                      actor=world["hr"])
        assert list(requirement.equivalents.all()) == [kinds["llct"]]
        requirement_set(rank=rank, kind=kinds["llct"], equivalents=[], actor=world["hr"])
        assert RankRequirement.objects.get(rank=rank).kind == kinds["llct"]
        requirement_remove(rank=rank, actor=world["hr"])
        assert not RankRequirement.objects.exists()
        with pytest.raises(ValidationError, match="chưa có yêu cầu"):
            requirement_remove(rank=rank, actor=world["hr"])
        assert AuditLog.objects.filter(action="rank_requirement.set").count() == 2


class TestRequirementStatus:
    def test_met_by_the_required_kind_or_an_equivalent_never_by_a_revoked_one(self, world):
        kinds, rank = world["kinds"], world["rank"]
        requirement_set(rank=rank, kind=kinds["cv"], equivalents=[kinds["llct"]], actor=world["hr"])
        platform_entry(world, person="an")
        record(world, person="binh", kind="llct", number="LLCT-77")
        platform_entry(world, person="chi", number="QLNN-CV-2026-0009", valid=False)  # revoked
        ids = [world[p].pk for p in ("an", "binh", "chi")]
        status = requirement_status(rank=rank, person_ids=[*ids, None])
        required = "Chứng chỉ bồi dưỡng ngạch chuyên viên"
        assert status[world["an"].pk] == Holding(met=True, required=required,
                                                  by=f"QLNN-CV-2026-0001 ({required})")
        assert status[world["binh"].pk] == Holding(
            met=True, required=required, by="Bằng cao cấp lý luận chính trị – hành chính số LLCT-77, tương đương")
        assert status[world["chi"].pk] == Holding(met=False, required=required)

    def test_the_required_kind_is_named_before_an_equivalent_the_person_also_holds(self, world):
        kinds = world["kinds"]
        requirement_set(rank=world["rank"], kind=kinds["cv"], equivalents=[kinds["llct"]], actor=world["hr"])
        record(world, kind="cv", number="CV-1", issued_on=dt.date(2019, 1, 1))
        record(world, kind="llct", number="LLCT-2", issued_on=dt.date(2025, 1, 1))
        assert requirement_status(rank=world["rank"], person_ids=[world["an"].pk])[world["an"].pk].by.startswith("CV-1")

    def test_a_rank_without_requirement_is_met_by_everyone_in_one_query(self, world, django_assert_num_queries):
        with django_assert_num_queries(1):
            status = requirement_status(rank=world["rank"], person_ids=[world["an"].pk])
        assert status == {world["an"].pk: Holding(met=True, required=None)}
        assert requirement_status(rank=None, person_ids=[world["an"].pk])[world["an"].pk].met

    def test_two_queries_whatever_the_number_of_people(self, world, make_user, django_assert_num_queries):
        kinds = world["kinds"]
        requirement_set(rank=world["rank"], kind=kinds["cv"], equivalents=[kinds["llct"]], actor=world["hr"])
        people = [make_user(unit=world["district"]) for _ in range(40)]
        for n, person in enumerate(people):
            outside_record(person=person, kind=kinds["cv" if n % 2 else "llct"], issuer="Trường", number=f"S{n}",
                           issued_on=dt.date(2024, 1, 1), actor=world["hr"])
        for size in (2, 40):
            with django_assert_num_queries(2):
                status = requirement_status(rank=world["rank"], person_ids=[p.pk for p in people[:size]])
            assert len(status) == size and all(h.met for h in status.values())


class TestPages:
    def test_hr_records_an_outside_certificate_with_a_pdf_scan_and_sees_it_on_the_person_page(self, client, world):
        client.force_login(world["hr"])
        person = world["an"]
        page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
        assert "Chứng chỉ, văn bằng" in page and "Chưa ghi nhận chứng chỉ, văn bằng nào." in page
        response = client.post(reverse("qualification_add", args=[person.pk]), {
            "kind": world["kinds"]["llct"].pk, "number": "LLCT-2019-15", "issuer": "Học viện Chính trị khu vực IV",
            "issued_on": "02/01/2019", "note": "", "scan": upload()})
        assert response.status_code == 302 and response.url.endswith("#qualifications")
        entry = Qualification.objects.get(person=person)
        page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
        assert "LLCT-2019-15" in page and "Ngoài hệ thống" in page and "Còn hiệu lực" in page
        scan_url = reverse("qualification_scan", args=[person.pk, entry.pk])
        assert scan_url in page and reverse("qualification_edit", args=[person.pk, entry.pk]) in page
        scan = client.get(scan_url)
        assert scan["Content-Type"] == "application/pdf" and b"".join(scan.streaming_content) == PDF
        assert scan["Cache-Control"] == "private, no-store"

    def test_a_fake_pdf_or_a_future_date_is_refused_with_a_vietnamese_message(self, client, world):
        client.force_login(world["hr"])
        url = reverse("qualification_add", args=[world["an"].pk])
        data = {"kind": world["kinds"]["cv"].pk, "number": "CV-1", "issuer": "Trường", "issued_on": "01/01/2024"}
        page = client.post(url, {**data, "scan": upload(b"MZ not a pdf at all", "gia.pdf")})
        assert page.status_code == 200 and "không phải là tệp PDF, JPEG, PNG thật" in page.content.decode()
        page = client.post(url, {**data, "issued_on": "28/11/2026"})
        assert "Ngày cấp không được sau ngày hôm nay." in page.content.decode()
        assert not Qualification.objects.exists()

    def test_hr_of_another_district_gets_404_and_other_staff_403(self, client, world, make_user):
        entry = record(world, scan=upload())
        urls = [reverse("person_detail", args=[world["an"].pk]),
                reverse("qualification_add", args=[world["an"].pk]),
                reverse("qualification_edit", args=[world["an"].pk, entry.pk]),
                reverse("qualification_remove", args=[world["an"].pk, entry.pk]),
                reverse("qualification_scan", args=[world["an"].pk, entry.pk])]
        client.force_login(world["hr_other"])
        assert [client.get(url).status_code for url in urls] == [404] * 5
        assert client.post(urls[3], {"reason": "Thử"}).status_code == 404
        assert Qualification.objects.filter(pk=entry.pk).exists()
        client.force_login(make_user(Role.COURSE_MANAGER, username="ql_lop"))
        assert [client.get(url).status_code for url in urls] == [403] * 5
        assert client.get(reverse("qualification_settings")).status_code == 403

    def test_a_platform_entry_shows_no_edit_or_remove_and_its_pages_send_hr_back(self, client, world):
        entry = platform_entry(world)
        client.force_login(world["hr"])
        page = client.get(reverse("person_detail", args=[world["an"].pk])).content.decode()
        assert "QLNN-CV-2026-0001" in page and "Cấp trên hệ thống" in page
        assert reverse("qualification_remove", args=[world["an"].pk, entry.pk]) not in page
        response = client.post(reverse("qualification_remove", args=[world["an"].pk, entry.pk]), {"reason": "Thử"},
                               follow=True)
        assert "lớp học đã cấp" in response.content.decode() and Qualification.objects.filter(pk=entry.pk).exists()

    def test_hr_removes_an_outside_entry_with_a_reason(self, client, world):
        entry = record(world)
        client.force_login(world["hr"])
        url = reverse("qualification_remove", args=[world["an"].pk, entry.pk])
        assert "CV-2024-0001" in client.get(url).content.decode()
        blank = client.post(url, {"reason": " "})
        assert blank.status_code == 200 and blank.context["form"].errors["reason"]
        assert Qualification.objects.filter(pk=entry.pk).exists()
        assert client.post(url, {"reason": "Ghi nhầm"}).status_code == 302
        assert not Qualification.objects.filter(pk=entry.pk).exists()

    def test_the_configuration_page_adds_kinds_sets_a_requirement_and_guards_removal(self, client, world):
        kinds, rank = world["kinds"], world["rank"]
        client.force_login(world["hr_other"])  # any HR officer configures
        page = client.get(reverse("qualification_settings")).content.decode()
        assert "Danh mục chứng chỉ, văn bằng" in page and "Chuyên viên (01.003)" in page
        client.post(reverse("qualification_kind_add"), {"name": "Chứng chỉ ngoại ngữ B1"})
        assert QualificationKind.objects.filter(name="Chứng chỉ ngoại ngữ B1").exists()
        prefix = f"rank{rank.pk}"
        response = client.post(reverse("rank_requirement_set", args=[rank.pk]),
                               {f"{prefix}-kind": kinds["cv"].pk, f"{prefix}-equivalents": [kinds["llct"].pk]})
        assert response.status_code == 302 and response.url.endswith(f"#rank-{rank.pk}")
        requirement = RankRequirement.objects.get(rank=rank)
        assert requirement.kind == kinds["cv"] and list(requirement.equivalents.all()) == [kinds["llct"]]
        refused = client.post(reverse("qualification_kind_remove", args=[kinds["llct"].pk]), follow=True)
        assert "đang có ngạch yêu cầu" in refused.content.decode()
        assert QualificationKind.objects.filter(pk=kinds["llct"].pk).exists()
        client.post(reverse("rank_requirement_set", args=[rank.pk]), {f"{prefix}-kind": ""})
        assert not RankRequirement.objects.exists()

    def test_the_configuration_page_costs_the_same_queries_for_few_or_many_kinds(self, client, world):
        client.force_login(world["hr"])
        url = reverse("qualification_settings")
        client.get(url)
        counts = []
        for extra in (0, 25):
            for n in range(extra):
                QualificationKind.objects.create(code=f"x-{n}", name=f"Văn bằng {n}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            counts.append(len(queries))
        assert counts[0] == counts[1], counts
