import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditLog, OrgUnit, User
from accounts.roles import Role
from accounts.selectors import people_in_scope
from accounts.services import audit_record, unit_create


@pytest.fixture
def register(province, make_user):
    district = unit_create(name="UBND huyện Cao Lãnh", parent=province, code="H01")
    other = unit_create(name="UBND tỉnh Khác", parent=None, code="K")
    people = {
        "duc": make_user(full_name="Trần Minh Đức", unit=district, cccd="087085000001"),
        "nguyen": make_user(full_name="Nguyễn Thị Hoa", unit=district, cccd="087185000002"),
        "dung": make_user(full_name="Lê Văn Dũng", unit=province, cccd="087085000003"),
        "outsider": make_user(full_name="Nguyễn Văn Ngoài", unit=other, cccd="087085000004"),
    }
    return people, district


@pytest.mark.django_db
class TestPeopleRegister:
    def test_an_unaccented_search_finds_accented_names(self, client, hr_user, register):
        client.force_login(hr_user)
        found = list(client.get(reverse("people_list"), {"q": "duc"}).context["page"])
        assert [p.full_name for p in found] == ["Trần Minh Đức"]
        found = {p.full_name for p in client.get(reverse("people_list"), {"q": "NGUYEN"}).context["page"]}
        assert found == {"Nguyễn Thị Hoa"}  # the outsider is outside the HR scope
        found = {p.full_name for p in client.get(reverse("people_list"), {"q": "Dũng"}).context["page"]}
        assert found == {"Lê Văn Dũng"}

    def test_hr_sees_only_people_in_scope(self, client, make_user, register):
        people, district = register
        scoped_hr = make_user(Role.HR_STAFF, username="hr_district", hr_scope=district)
        client.force_login(scoped_hr)
        names = {p.full_name for p in client.get(reverse("people_list")).context["page"]}
        assert names == {"Trần Minh Đức", "Nguyễn Thị Hoa"}
        assert client.get(reverse("person_detail", args=[people["dung"].pk])).status_code == 404

    def test_the_full_cccd_shows_only_to_hr_in_scope(self, client, make_user, register):
        people, district = register
        url = reverse("person_detail", args=[people["duc"].pk])
        client.force_login(make_user(Role.HR_STAFF, username="hr_all", hr_scope=district.parent))
        assert "087085000001" in client.get(url).content.decode()
        client.force_login(make_user(username="self", full_name="Tự Xem Mình", cccd="087085000009"))
        html = client.get(reverse("my_profile")).content.decode()
        assert "087******009" in html and "087085000009" not in html

    def test_the_list_costs_the_same_few_queries_however_many_people(self, client, hr_user, register, make_user):
        people, district = register
        client.force_login(hr_user)
        client.get(reverse("people_list"))  # warm the session
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("people_list"))
        for _ in range(30):
            make_user(unit=district, ethnicity_id=1, rank_id=3)
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("people_list"))
        assert len(response.context["page"].object_list) == 34  # 30 + 3 in scope + the HR user herself
        assert len(many) == len(few) <= 14

    def test_hr_edits_a_person_and_the_change_is_audited(self, client, hr_user, register):
        people, _ = register
        client.force_login(hr_user)
        url = reverse("person_edit", args=[people["duc"].pk])
        form = client.get(url).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(full_name="Trần  Minh   Đức", position="Trưởng phòng", date_of_birth="05/02/1980",
                    gender="Nam")
        response = client.post(url, data)
        assert response.status_code == 302
        person = User.objects.get(pk=people["duc"].pk)
        assert person.position == "Trưởng phòng" and person.date_of_birth == dt.date(1980, 2, 5)
        record = AuditLog.objects.get(action="person.update")
        assert record.actor == hr_user and "position" in record.details["changed"]

    def test_a_bad_edit_changes_nothing(self, client, hr_user, register):
        people, _ = register
        client.force_login(hr_user)
        url = reverse("person_edit", args=[people["duc"].pk])
        response = client.post(url, {"full_name": "Đức", "date_of_birth": "31/02/1980", "gender": "Nam",
                                     "cccd": "123"})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert {"full_name", "date_of_birth", "cccd"} <= set(errors)
        assert User.objects.get(pk=people["duc"].pk).full_name == "Trần Minh Đức"
        assert not AuditLog.objects.filter(action="person.update").exists()

    def test_dates_are_shown_dd_mm_yyyy(self, client, hr_user, register):
        people, _ = register
        client.force_login(hr_user)
        html = client.get(reverse("person_detail", args=[people["duc"].pk])).content.decode()
        assert "01/01/1985" in html


@pytest.mark.django_db
class TestAuditLog:
    def test_the_database_refuses_to_update_or_delete_an_audit_record(self):
        record = audit_record(actor=None, action="test.action")
        table = AuditLog._meta.db_table
        for sql in (f"UPDATE {table} SET action = 'forged' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [record.pk])
        assert AuditLog.objects.get(pk=record.pk).action == "test.action"
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditLog.objects.filter(pk=record.pk).update(action="forged")

    def test_hr_and_council_read_it_with_filters(self, client, hr_user, make_user):
        audit_record(actor=hr_user, action="people.import")
        audit_record(actor=hr_user, action="person.update")
        client.force_login(make_user(Role.COUNCIL_MEMBER))
        records = list(client.get(reverse("audit_list"), {"action": "people."}).context["page"])
        assert [r.action for r in records] == ["people.import"]

    def test_a_notice_is_sent_by_staff_and_audited(self, client, hr_user):
        client.force_login(hr_user)
        response = client.post(reverse("notice_send"), {"text": "Họp Hội đồng lúc 14:00"})
        assert response.status_code == 302
        assert AuditLog.objects.filter(action="notice.send", actor=hr_user).count() == 1


@pytest.mark.django_db
def test_the_audit_page_costs_the_same_queries_for_10_or_60_records(client, hr_user):
    client.force_login(hr_user)
    for n in range(10):
        audit_record(actor=hr_user, action=f"test.{n}")
    client.get(reverse("audit_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit_list"))
    for n in range(50):
        audit_record(actor=hr_user, action=f"test.more.{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("audit_list"))
    assert len(response.context["page"].object_list) >= 60
    assert len(many) == len(few) <= 10


@pytest.mark.django_db
def test_the_dashboard_costs_few_queries(client, hr_user, django_assert_max_num_queries):
    client.force_login(hr_user)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(8):
        client.get(reverse("dashboard"))


@pytest.mark.django_db
class TestRoles:
    def test_hr_gives_and_takes_roles_on_the_persons_page_but_never_hr(self, client, hr_user, register):
        people, _district = register
        duc = people["duc"]
        client.force_login(hr_user)
        client.post(reverse("person_roles", args=[duc.pk]), {"roles": [Role.INVIGILATOR, Role.MARKER]})
        assert set(duc.groups.values_list("name", flat=True)) == {Role.INVIGILATOR, Role.MARKER}
        client.post(reverse("person_roles", args=[duc.pk]), {"roles": [Role.MARKER, Role.HR_STAFF]})
        # HR is not HR's to give: the whole change is refused
        assert set(duc.groups.values_list("name", flat=True)) == {Role.INVIGILATOR, Role.MARKER}
        client.post(reverse("person_roles", args=[duc.pk]), {"roles": [Role.MARKER]})
        assert set(duc.groups.values_list("name", flat=True)) == {Role.MARKER}
        record = AuditLog.objects.filter(action="person.roles").latest("pk")
        assert record.details == {"added": [], "removed": [Role.INVIGILATOR.value]}
        page = client.get(reverse("person_detail", args=[duc.pk])).content.decode()
        assert "Giám khảo" in page.split('id="roles"')[1].split("<form")[0]
        assert 'value="hr_staff"' not in page

    def test_the_administrator_gives_hr_and_nobody_changes_their_own_roles(self, client, hr_user, register,
                                                                           django_user_model):
        people, _district = register
        admin = django_user_model.objects.create_superuser(username="quantri", password="x" * 12)
        client.force_login(admin)
        province = hr_user.hr_scope
        client.post(reverse("person_roles", args=[people["dung"].pk]), {"roles": [Role.HR_STAFF],
                                                                        "hr_scope": province.pk})
        assert list(people["dung"].groups.values_list("name", flat=True)) == [Role.HR_STAFF]
        client.force_login(hr_user)
        assert client.post(reverse("person_roles", args=[hr_user.pk]), {"roles": []}).status_code in (403, 404)
        assert hr_user.groups.filter(name=Role.HR_STAFF).exists()

    def test_an_hr_officer_is_given_the_unit_they_manage_and_loses_it_with_the_role(self, client, hr_user, register,
                                                                                   django_user_model):
        people, district = register
        dung = people["dung"]
        admin = django_user_model.objects.create_superuser(username="quantri", password="x" * 12)
        client.force_login(admin)
        form = client.get(reverse("person_detail", args=[dung.pk])).content.decode()
        assert 'name="hr_scope"' in form and "Phạm vi quản lý nhân sự" in form
        # HR without a scope would see nobody: refused in words, nothing changes.
        refused = client.post(reverse("person_roles", args=[dung.pk]), {"roles": [Role.HR_STAFF]}, follow=True)
        assert "Chọn đơn vị mà cán bộ tổ chức này quản lý nhân sự" in refused.content.decode()
        dung.refresh_from_db()
        assert not dung.groups.exists() and dung.hr_scope is None
        client.post(reverse("person_roles", args=[dung.pk]), {"roles": [Role.HR_STAFF], "hr_scope": district.pk})
        dung.refresh_from_db()
        assert dung.hr_scope == district and dung.groups.filter(name=Role.HR_STAFF).exists()
        record = AuditLog.objects.filter(action="person.roles").latest("pk")
        assert record.details["hr_scope"] == [None, district.pk]
        page = client.get(reverse("person_detail", args=[dung.pk])).content.decode()
        assert "Quản lý nhân sự của" in page.split('id="hr-scope"')[1].split("</p>")[0]
        assert set(people_in_scope(user=dung)) == {people["duc"], people["nguyen"]}  # the district's people
        client.force_login(admin)
        client.post(reverse("person_roles", args=[dung.pk]), {"roles": []})
        dung.refresh_from_db()
        assert dung.hr_scope is None and not dung.groups.exists()

    def test_hr_cannot_give_a_scope_nor_the_role(self, client, hr_user, register):
        people, district = register
        client.force_login(hr_user)
        assert 'name="hr_scope"' not in client.get(reverse("person_detail", args=[people["duc"].pk])).content.decode()
        client.post(reverse("person_roles", args=[people["duc"].pk]), {"roles": [Role.MARKER], "hr_scope": district.pk})
        people["duc"].refresh_from_db()
        assert people["duc"].hr_scope is None

    def test_people_outside_hr_refuse_the_roles_page(self, client, make_user, register):
        people, _district = register
        client.force_login(make_user(Role.INVIGILATOR))
        assert client.post(reverse("person_roles", args=[people["duc"].pk]), {"roles": []}).status_code == 403


@pytest.mark.django_db
class TestUnits:
    def test_the_administrator_adds_the_top_unit_and_hr_adds_units_only_under_their_own(
            self, client, hr_user, province, django_user_model):
        admin = django_user_model.objects.create_superuser(username="quantri", password="x" * 12)
        client.force_login(admin)
        client.post(reverse("unit_list"), {"name": "UBND  tỉnh Mới", "kind": "province"})
        top = OrgUnit.objects.get(name="UBND tỉnh Mới", parent=None)
        assert AuditLog.objects.filter(action="unit.add", object_id=str(top.pk)).exists()
        again = client.post(reverse("unit_list"), {"name": "UBND tỉnh mới", "kind": "province"})
        assert "Đơn vị này đã có ở đó" in again.content.decode()
        client.force_login(hr_user)
        refused = client.post(reverse("unit_list"), {"name": "Sở Khác", "kind": "department"})
        assert "Hãy chọn đơn vị cấp trên" in refused.content.decode()
        outside = client.post(reverse("unit_list"), {"name": "Sở Khác", "kind": "department", "parent": top.pk})
        assert outside.status_code == 200 and not OrgUnit.objects.filter(name="Sở Khác").exists()
        client.post(reverse("unit_list"), {"name": "Sở Tư pháp", "kind": "department", "parent": province.pk})
        assert OrgUnit.objects.get(name="Sở Tư pháp").parent == province
