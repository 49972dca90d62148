import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from accounts.models import Ethnicity, OrganisationProfile, Rank, User, mask_cccd


def _user(**fields) -> User:
    base = {"username": fields.pop("username", "u"), "full_name": "Lê Văn Tám", "date_of_birth": dt.date(1980, 5, 1)}
    return User(**(base | fields))


@pytest.mark.django_db
class TestUserModel:
    def test_it_normalises_the_name_and_stores_an_accent_free_search_column(self):
        user = _user(full_name="  Nguye\u0302\u0303n   Văn  Đức ")  # decomposed input, extra spaces
        user.save()
        user.refresh_from_db()
        assert user.full_name == "Nguyễn Văn Đức"
        assert user.search_name == "nguyen van duc"
        assert user.name_parts == ("Nguyễn", "Văn", "Đức")

    @pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"])
    def test_it_refuses_a_cccd_that_is_not_exactly_12_ascii_digits(self, bad):
        # IntegrityError from the CHECK constraint; PostgreSQL refuses 13 characters earlier (DataError).
        with pytest.raises(DatabaseError), transaction.atomic():
            User.objects.bulk_create([_user(cccd=bad)])  # bulk_create skips Python checks: the DB refuses

    def test_it_accepts_a_12_digit_cccd_with_a_leading_zero_and_keeps_it(self):
        _user(cccd="087185000123").save()
        assert User.objects.get(cccd="087185000123").cccd_masked == "087******123"

    def test_it_refuses_two_people_with_the_same_cccd(self):
        _user(username="a", cccd="087185000123").save()
        with pytest.raises(IntegrityError), transaction.atomic():
            _user(username="b", cccd="087185000123").save()

    def test_it_allows_many_people_without_cccd_or_email(self):
        for n in range(3):
            _user(username=f"x{n}").save()
        assert User.objects.filter(cccd__isnull=True, email="").count() == 3

    def test_it_refuses_the_same_email_twice_whatever_the_case(self):
        _user(username="a", email="an@example.org").save()
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.bulk_create([_user(username="b", email="AN@example.org")])

    def test_it_refuses_a_gender_other_than_nam_or_nu(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.bulk_create([_user(gender="X")])


@pytest.mark.django_db
def test_migrations_ship_the_reference_data():
    assert Ethnicity.objects.count() == 54
    assert Ethnicity.objects.get(code=1).name == "Kinh" and not Ethnicity.objects.get(code=1).is_minority
    assert Ethnicity.objects.get(name="Khmer").aliases == ["Khơ-me", "Khơ me"]
    assert list(Rank.objects.values_list("code", flat=True)) == ["01.001", "01.002", "01.003", "01.004", "01.005"]
    profile = OrganisationProfile.current()
    assert profile.authority_line_1 == "ỦY BAN NHÂN DÂN"
    assert "Đồng Tháp" not in profile.authority_line_2  # neutral until seed_demo or HR fills it


def test_mask_cccd_keeps_first_and_last_three_digits():
    assert mask_cccd("087185000123") == "087******123"
    assert mask_cccd(None) == ""


@pytest.mark.django_db
def test_pages_read_the_profile_from_the_cache_and_see_a_saved_change_at_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/exam-login/")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/exam-login/").content.decode()
    assert not [q for q in captured.captured_queries if "organisationprofile" in q["sql"]]
    profile = OrganisationProfile.current()
    assert profile.site_name in page
    profile.site_name = "Cổng thi tuyển công chức tỉnh Mẫu"
    profile.save()
    assert "Cổng thi tuyển công chức tỉnh Mẫu" in client.get("/exam-login/").content.decode()
