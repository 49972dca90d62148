"""seed_demo: the Đồng Tháp demo data (accounts/demo.py and the management command)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from accounts.demo import DEMO_ACCOUNTS, PEOPLE_COUNT, ProductionRefused, demo_password, demo_people, seed_demo
from accounts.models import AuditLog, OrganisationProfile, OrgUnit, User
from accounts.roles import Role
from accounts.vietnamese import search_key

DEMO_USERNAMES = [a[0] for a in DEMO_ACCOUNTS]
CCCD_RE = re.compile(r"^087[0-3]\d{8}$")


@pytest.fixture
def seeded(db) -> dict:
    return seed_demo()


def _table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _ordinary_people():
    return User.objects.exclude(username__in=DEMO_USERNAMES)


@pytest.mark.django_db
def test_first_run_creates_profile_units_people_and_accounts(seeded):
    assert seeded["profile_updated"] is True
    assert seeded["units_created"] == OrgUnit.objects.count() >= 80
    assert seeded["people_created"] >= 220
    assert seeded["accounts_created"] == len(DEMO_ACCOUNTS) == 12
    assert User.objects.count() >= 200
    profile = OrganisationProfile.current()
    assert profile.province_name == "Đồng Tháp"
    assert profile.authority_line_2 == "TỈNH ĐỒNG THÁP"
    assert profile.signatory_name == "Nguyễn Văn Demo"
    assert OrganisationProfile.objects.count() == 1
    audit = AuditLog.objects.get(action="demo.seed")
    assert audit.actor is None
    assert audit.details["people_created"] == seeded["people_created"]


@pytest.mark.django_db
def test_unit_tree_of_the_province(seeded):
    root = OrgUnit.objects.get(code="DT")
    assert root.name == "UBND tỉnh Đồng Tháp"
    assert root.kind == OrgUnit.Kind.PROVINCE
    assert root.parent is None
    departments = set(root.children.filter(kind=OrgUnit.Kind.DEPARTMENT).values_list("name", flat=True))
    assert departments == {
        "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Giáo dục và Đào tạo", "Sở Y tế",
        "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh",
    }
    districts = OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT)
    assert districts.count() == 12
    assert {d.parent_id for d in districts} == {root.pk}
    assert {d.valid_to for d in districts} == {date(2025, 6, 30)}
    assert set(districts.values_list("name", flat=True)) >= {"UBND thành phố Cao Lãnh", "UBND huyện Tháp Mười"}
    for district in districts:
        assert set(district.children.filter(kind=OrgUnit.Kind.DIVISION).values_list("name", flat=True)) == {
            "Phòng Nội vụ", "Văn phòng HĐND và UBND",
        }
    assert OrgUnit.objects.filter(name="Phòng Nội vụ").count() == 12

    cao_lanh = OrgUnit.objects.get(name="UBND huyện Cao Lãnh")
    my_tho = OrgUnit.objects.get(name="UBND thị trấn Mỹ Thọ")
    assert my_tho.parent == cao_lanh and my_tho.kind == OrgUnit.Kind.COMMUNE
    assert my_tho.valid_to == date(2025, 6, 30)
    assert OrgUnit.objects.get(name="UBND phường 1").parent.name == "UBND thành phố Cao Lãnh"

    new_communes = OrgUnit.objects.filter(valid_from=date(2025, 7, 1))
    assert {"UBND phường Cao Lãnh", "UBND phường Mỹ Tho", "UBND xã Tràm Chim"} <= set(
        new_communes.values_list("name", flat=True)
    )
    assert all(u.parent_id == root.pk and u.kind == OrgUnit.Kind.COMMUNE for u in new_communes)
    assert root.is_valid_on(date(2026, 1, 1))
    assert not cao_lanh.is_valid_on(date(2025, 7, 1)) and cao_lanh.is_valid_on(date(2025, 6, 30))
    assert not new_communes.first().is_valid_on(date(2025, 6, 30))

    units = {u.pk: u for u in OrgUnit.objects.all()}
    codes = [u.code for u in units.values()]
    assert all(codes) and len(set(codes)) == len(codes)
    for unit in units.values():  # the materialised path matches the parent links
        parent_path = units[unit.parent_id].path if unit.parent_id else ""
        assert unit.path == f"{parent_path}{unit.pk:06d}/"
        assert unit.search_name == search_key(unit.name)
    assert OrgUnit.objects.filter(path__startswith=cao_lanh.path).count() == 1 + 2 + 7


@pytest.mark.django_db
def test_demo_accounts_in_their_role_groups(seeded):
    expected = {
        "demo_hr": Role.HR_STAFF,
        "demo_council": Role.COUNCIL_MEMBER,
        "demo_author": Role.QUESTION_AUTHOR,
        "demo_invigilator": Role.INVIGILATOR,
        "demo_marker": Role.MARKER,
        "demo_course": Role.COURSE_MANAGER,
        "demo_organiser": Role.CONTEST_ORGANISER,
        "demo_candidate": Role.CANDIDATE,
        "demo_participant": Role.PARTICIPANT,
        "demo_lecturer": Role.LECTURER,
        "demo_learner": Role.CANDIDATE,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [str(role)]
        assert user.email == f"{username}@example.org"
        assert user.full_name and user.date_of_birth and user.gender and user.unit_id
        assert CCCD_RE.match(user.cccd)
    hr = User.objects.get(username="demo_hr")
    assert hr.hr_scope.code == "DT"
    assert hr.unit.name == "Sở Nội vụ"
    assert User.objects.get(username="demo_candidate").rank.code == "01.003"
    assert User.objects.filter(hr_scope__isnull=False).count() == 1


@pytest.mark.django_db
def test_demo_accounts_log_in_with_the_demo_password(seeded):
    password = demo_password()
    assert password
    if getattr(settings, "DEMO_PASSWORD", ""):
        assert password == settings.DEMO_PASSWORD
    for username in DEMO_USERNAMES:
        assert Client().login(username=username, password=password), username
    assert not Client().login(username="demo_hr", password=password + "x")
    # Ordinary people exist but cannot sign in with a password.
    person = _ordinary_people().first()
    assert not person.has_usable_password()


@pytest.mark.django_db
def test_second_run_creates_and_changes_nothing(seeded):
    counts = _table_counts()
    hashes = dict(User.objects.values_list("username", "password"))
    profile_time = OrganisationProfile.current().updated_at
    again = seed_demo()
    assert {"profile_updated", "units_created", "people_created", "accounts_created", "accounts_updated"} <= set(again)
    made = again.pop("made")  # what exists, by name (the command prints it), not what this run changed
    assert any("Kỳ thi «" in line for line in made)
    assert not any(again.values()), again  # later apps' seeders report zeros too
    assert _table_counts() == counts
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert OrganisationProfile.current().updated_at == profile_time
    assert AuditLog.objects.filter(action="demo.seed").count() == 1


@pytest.mark.django_db
def test_rerun_restores_changed_demo_accounts(seeded):
    hr = User.objects.get(username="demo_hr")
    hr.set_password("something-else-123")
    hr.unit = OrgUnit.objects.get(code="DT.STP")
    hr.save()
    hr.groups.clear()
    result = seed_demo()
    assert result["accounts_updated"] == 1
    assert result["accounts_created"] == result["people_created"] == result["units_created"] == 0
    hr.refresh_from_db()
    assert hr.unit.code == "DT.SNV"
    assert hr.groups.filter(name=Role.HR_STAFF).exists()
    assert Client().login(username="demo_hr", password=demo_password())


@pytest.mark.django_db
def test_people_names_are_plausible(seeded):
    people = list(_ordinary_people())
    assert len(people) >= 220
    names = [p.full_name for p in people]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert all(p.search_name == search_key(p.full_name) for p in people)
    assert sum(len(n.split()) >= 3 for n in names) >= 0.9 * len(names)
    for p in people:
        words = p.full_name.split()
        if words[1] == "Thị":
            assert p.gender == User.Gender.FEMALE, p.full_name
        if words[1] == "Văn":
            assert p.gender == User.Gender.MALE, p.full_name
    genders = {p.gender for p in people}
    assert genders == {User.Gender.MALE, User.Gender.FEMALE}
    kinh = sum(p.ethnicity.name == "Kinh" for p in people)
    assert 0.88 * len(people) <= kinh < len(people)
    assert {p.ethnicity.name for p in people} <= {"Kinh", "Khmer", "Hoa", "Chăm"}


@pytest.mark.django_db
def test_people_cccd_dates_and_careers_are_valid(seeded):
    people = list(User.objects.select_related("rank", "unit"))
    cccds = [p.cccd for p in people]
    assert all(cccds) and len(set(cccds)) == len(cccds)
    for p in people:
        assert CCCD_RE.match(p.cccd), p.cccd
        digit = (0 if p.date_of_birth.year < 2000 else 2) + (1 if p.gender == User.Gender.FEMALE else 0)
        assert p.cccd[3] == str(digit)
        assert p.cccd[4:6] == f"{p.date_of_birth.year % 100:02d}"
        assert date(1966, 1, 1) <= p.date_of_birth <= date(2000, 12, 31)
        assert p.service_start.year - p.date_of_birth.year >= 20
        assert p.service_start <= p.rank_since <= date(2025, 1, 1)
        assert p.unit_id is not None and p.rank is not None
    ordinary = [p for p in people if p.username not in DEMO_USERNAMES]
    assert all(p.username == p.cccd for p in ordinary)
    assert all(re.fullmatch(r"0[3789]\d{8}", p.phone) for p in ordinary)
    ranks = [p.rank.code for p in ordinary]
    assert ranks.count("01.003") > len(ranks) / 2
    assert {"01.002", "01.004"} <= set(ranks)
    assert len({p.unit_id for p in ordinary}) > 30


def test_people_are_deterministic():
    units = [("A", OrgUnit.Kind.DEPARTMENT), ("B", OrgUnit.Kind.COMMUNE)]
    assert demo_people(units) == demo_people(units)
    assert len(demo_people(units)) == PEOPLE_COUNT


@pytest.mark.django_db
def test_command_prints_ok_last(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue().splitlines()[-1] == "ok"
    assert User.objects.count() >= 229
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue().splitlines()[-1] == "ok"


@pytest.mark.django_db
def test_command_refused_in_production(db, settings):
    settings.IS_PRODUCTION = True
    counts = _table_counts()
    profile = OrganisationProfile.current()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("seed_demo", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "Lệnh seed_demo không chạy trong môi trường production." in err.getvalue()
    assert "ok" not in out.getvalue()
    with pytest.raises(ProductionRefused):
        seed_demo()
    assert _table_counts() == counts
    assert OrgUnit.objects.count() == 0
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert OrganisationProfile.current().site_name == profile.site_name
    assert Group.objects.filter(name=Role.HR_STAFF).exists()
