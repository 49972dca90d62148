"""The exam's and the bank's setup pages write through their services: the rows, and the audit record beside them."""

import json
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from accounts.models import AuditLog
from accounts.roles import Role
from exams.models import Blueprint, BlueprintRow, Exam, InvigilatorAssignment, Quota, Room, Sitting
from exams.papers.forms import BlueprintRowForm
from exams.sessions.forms import ExamForm, SubjectForm


@pytest.fixture
def hr(client, make_user, province):
    user = make_user(Role.HR_STAFF, username="nhansu", hr_scope=province)
    client.force_login(user)
    return user


def posted(form: forms.BaseForm, **changes) -> dict:
    """What the browser sends for ``form`` as it is shown, with ``changes``."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            value = "on" if value else None
        elif isinstance(field, forms.JSONField):
            value = json.dumps(value)
        if value is not None:
            data[name] = value
    return data | changes


@pytest.mark.django_db
def test_hr_edits_the_exam_and_a_subject_and_the_changed_fields_are_recorded(client, exam_day, hr):
    exam = exam_day["exam"]
    response = client.post(reverse("exam_edit", args=[exam.pk]), posted(ExamForm(instance=exam), name="Kỳ thi mới"))
    assert response.status_code == 302 and Exam.objects.get(pk=exam.pk).name == "Kỳ thi mới"
    assert AuditLog.objects.get(action="exam.edit").details == {"fields": ["name"]}
    subject = exam.subjects.get(code="KTC")
    # The exam is scheduled: its subjects' rules are frozen, and change only as a correction with its reason.
    refused = client.post(reverse("subject_edit", args=[subject.pk]),
                          posted(SubjectForm(instance=subject), duration_minutes=45))
    assert refused.status_code == 200 and "hãy nêu lý do" in refused.content.decode()
    assert exam.subjects.get(code="KTC").duration_minutes != 45
    response = client.post(reverse("subject_edit", args=[subject.pk]), posted(
        SubjectForm(instance=subject), duration_minutes=45, correction_reason="Theo Quyết định số 12/QĐ-HĐT"))
    assert response.status_code == 302 and exam.subjects.get(code="KTC").duration_minutes == 45
    assert AuditLog.objects.get(action="exam.subject_correction").details == {
        "fields": ["duration_minutes"], "reason": "Theo Quyết định số 12/QĐ-HĐT"}


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"scale": "0"}, "scale", "Thang điểm phải lớn hơn 0"),
    ({"duration_minutes": "0"}, "duration_minutes", "lớn hơn 0 phút"),
    ({"question_count": "7"}, "question_count", "rút 5 câu hỏi"),
])
def test_a_subjects_rules_are_checked_against_each_other(client, sitting_world, changes, field, message):
    client.force_login(sitting_world["hr"])
    subject = sitting_world["subject"]  # KTC, with a 5-question blueprint, in an exam in registration
    response = client.post(reverse("subject_edit", args=[subject.pk]), posted(SubjectForm(instance=subject), **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


@pytest.mark.django_db
def test_hr_adds_a_room_a_sitting_and_an_invigilator(client, exam_day, hr, make_user):
    exam, subject = exam_day["exam"], exam_day["sitting"].subject
    client.post(reverse("exam_room_add", args=[exam.pk]), {"name": "Phòng 2", "location": "Tầng 3", "capacity": 30})
    room = Room.objects.get(exam=exam, name="Phòng 2")
    client.post(reverse("exam_sitting_add", args=[exam.pk]), {"subject": subject.pk, "starts_at": "01/12/2031 08:00",
                                                              "ends_at": "01/12/2031 09:00", "opens_minutes": 20})
    sitting = Sitting.objects.get(subject=subject, starts_at__year=2031)
    assert (sitting.starts_at - sitting.opens_at).total_seconds() == 20 * 60
    invigilator = make_user(Role.INVIGILATOR, username="giamthi2")
    client.post(reverse("exam_invigilator_add", args=[exam.pk]), {"sitting": sitting.pk, "room": room.pk,
                                                                   "user": invigilator.pk, "role": "room"})
    assert InvigilatorAssignment.objects.filter(sitting=sitting, room=room, user=invigilator).exists()
    assert list(AuditLog.objects.filter(action__in=["exam.room_add", "exam.sitting_add", "exam.invigilator_add"])
                .order_by("pk").values_list("action", "actor")) == [
        ("exam.room_add", hr.pk), ("exam.sitting_add", hr.pk), ("exam.invigilator_add", hr.pk)]


@pytest.mark.django_db
def test_an_invalid_room_names_its_fields_and_adds_nothing(client, exam_day, hr):
    response = client.post(reverse("exam_room_add", args=[exam_day["exam"].pk]), {"name": "", "capacity": -1},
                           follow=True)
    assert "Phòng 2" not in Room.objects.values_list("name", flat=True)
    assert not AuditLog.objects.filter(action="exam.room_add").exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.django_db
def test_hr_removes_a_quota_with_a_record_of_what_it_was(client, exam_day, hr, province):
    exam = exam_day["exam"]
    Exam.objects.filter(pk=exam.pk).update(quota_scope=Exam.QuotaScope.UNIT)
    quota = Quota.objects.create(exam=exam, unit=province, seats=3)
    response = client.post(reverse("exam_quotas", args=[exam.pk]), {"remove": quota.pk})
    assert response.status_code == 302 and not Quota.objects.exists()
    record = AuditLog.objects.get(action="exam.quota_remove")
    assert record.details == {"unit": province.pk, "rank": None, "seats": 3} and record.actor == hr


@pytest.mark.django_db
def test_an_author_creates_a_blueprint_then_edits_adds_and_deletes_its_rows(client, bank, author):
    topic = bank.topics.create(name="Một cửa")
    client.force_login(author)
    response = client.post(reverse("blueprint_list", args=[bank.pk]), {"name": "Đề KTC", "scale": "10"})
    blueprint = Blueprint.objects.get(bank=bank, name="Đề KTC")
    assert response["Location"] == reverse("blueprint_detail", args=[blueprint.pk])
    assert blueprint.created_by == author and blueprint.scale == Decimal(10)
    kept, dropped = (BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty=level, count=1)
                     for level in ("medium", "easy"))
    data = {"form-TOTAL_FORMS": 3, "form-INITIAL_FORMS": 2, "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    for n, row in enumerate((kept, dropped)):
        shown = BlueprintRowForm(instance=row, bank=bank, prefix=f"form-{n}")
        data |= {f"form-{n}-{k}": v for k, v in posted(shown, id=row.pk).items()}
    data |= {"form-0-count": 3, "form-1-DELETE": "on", "form-2-topic": topic.pk, "form-2-difficulty": "hard",
             "form-2-kind": "single", "form-2-count": 1, "form-2-points": "1"}
    response = client.post(reverse("blueprint_detail", args=[blueprint.pk]), data)
    assert response.status_code == 302, response.context["formset"].errors
    assert sorted(BlueprintRow.objects.filter(blueprint=blueprint).values_list("difficulty", "count")) == [
        ("hard", 1), ("medium", 3)]
    assert AuditLog.objects.filter(action="blueprint.edit", actor=author).count() == 1
