import datetime as dt
import io
from contextlib import redirect_stdout
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditLog, User
from accounts.roles import Role
from exams.candidate.room_scope import scoped_registration_id
from exams.models import CouncilMember, Exam, Registration, Room, Sitting
from exams.sessions.presets import PRESETS
from exams.sessions.services import (
    council_add,
    exam_create,
    exam_transition,
    numbers_assign,
    registration_move,
    rooms_allocate,
)

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Ho_Chi_Minh


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


EXPECTED_SUBJECTS = {
    "nang-ngach-chuyen-vien-2020": [("KTC", "computer", 60, 60, "gate_half", True, False, False, 10),
                                    ("NN", "computer", 30, 30, "gate_half", True, True, False, 5),
                                    ("TH", "computer", 30, 30, "gate_half", True, True, False, 5),
                                    ("CMNV", "written", None, 120, "score_half", False, False, True, 10)],
    "nang-ngach-chuyen-vien-chinh-2020": [("KTC", "computer", 60, 60, "gate_half", True, False, False, 10),
                                          ("NN", "computer", 30, 30, "gate_half", True, True, False, 5),
                                          ("TH", "computer", 30, 30, "gate_half", True, True, False, 5),
                                          ("CMNV", "written", None, 180, "score_half", False, False, True, 10)],
    "nang-ngach-chuyen-vien-cao-cap-2020": [("DA", "written", None, 480, "project_pair", False, False, True, 10),
                                            ("BVDA", "oral", None, 30, "project_pair", False, False, True, 5)],
    "kiem-dinh-dau-vao-2023-dai-hoc": [("KD", "computer", 100, 120, "gate_half", True, False, False, 10)],
    "kiem-dinh-dau-vao-2023-cao-dang": [("KD", "computer", 80, 100, "gate_half", True, False, False, 10)],
    "sat-hach-noi-bo": [("SH", "computer", 30, 30, "gate_half", True, False, False, 5)],
}
PREFIXES = {"nang-ngach-chuyen-vien-2020": "CV", "nang-ngach-chuyen-vien-chinh-2020": "CVC",
            "nang-ngach-chuyen-vien-cao-cap-2020": "CVCC", "kiem-dinh-dau-vao-2023-dai-hoc": "KDDH",
            "kiem-dinh-dau-vao-2023-cao-dang": "KDCD", "sat-hach-noi-bo": "SH"}


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(EXPECTED_SUBJECTS))
def test_each_preset_creates_the_subjects_domain_md_lists(slug):
    exam = exam_create(preset_slug=slug, name="Kỳ thi", actor=None, quota=10)
    got = [(s.code, s.format, s.question_count, s.duration_minutes, s.pass_rule, s.is_gate, s.exemptible, s.ranks,
            s.late_entry_minutes) for s in exam.subjects.all()]
    assert got == EXPECTED_SUBJECTS[slug]
    assert all(s.timing == "fixed" for s in exam.subjects.all())
    assert exam.number_prefix == PREFIXES[slug] and exam.status == "draft"
    assert exam.cutoff == dt.date(2026, 11, 27)
    assert exam.tie_break == ["female", "minority", "older", "longer_service"]
    assert (exam.reprimand_rate, exam.warning_rate) == (Decimal("0.20"), Decimal("0.40"))
    assert exam.quota == (None if slug.startswith(("kiem-dinh", "sat-hach")) else 10)
    assert set(PRESETS) == set(EXPECTED_SUBJECTS)


@pytest.mark.django_db
class TestCreateExamCommand:
    def run(self, *args) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            call_command("create_exam", *args, stdout=out)
        return out.getvalue()

    def test_it_prints_only_the_new_id_and_applies_the_defaults(self):
        out = self.run("--preset", "nang-ngach-chuyen-vien-2020", "--name", "Kỳ thi nâng ngạch 2026")
        exam = Exam.objects.get()
        assert out == f"{exam.pk}\n"
        assert (exam.quota, exam.cutoff, exam.number_prefix, exam.target_rank.code) == (
            None, dt.date(2026, 11, 27), "CV", "01.003")

    def test_it_takes_quota_cutoff_and_prefix(self):
        self.run("--preset", "sat-hach-noi-bo", "--name", "Sát hạch", "--quota", "5", "--cutoff", "2026-12-31",
                 "--prefix", "ST")
        exam = Exam.objects.get()
        assert (exam.cutoff, exam.number_prefix) == (dt.date(2026, 12, 31), "ST")

    def test_an_unknown_preset_or_bad_date_is_wrong_usage(self):
        with pytest.raises(CommandError):
            call_command("create_exam", "--preset", "khong-co", "--name", "X")
        with pytest.raises(CommandError) as caught:
            call_command("create_exam", "--preset", "sat-hach-noi-bo", "--name", "X", "--cutoff", "31/12/2026")
        assert caught.value.returncode == 2
        assert not Exam.objects.exists()


@pytest.fixture
def exam(db):
    return exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Kỳ thi 2026", actor=None, quota=3)


@pytest.fixture
def people(exam, make_user):
    return {role: make_user(role, username=f"p_{role}") for role in (Role.HR_STAFF, Role.COUNCIL_MEMBER,
                                                                       Role.CANDIDATE)}


@pytest.mark.django_db
class TestLifecycle:
    def test_hr_opens_registration_and_schedules(self, exam, people):
        exam_transition(exam=exam, to="registration", actor=people[Role.HR_STAFF])
        with pytest.raises(ValidationError, match="Chưa có thí sinh"):  # the readiness check: nobody to examine
            exam_transition(exam=exam, to="scheduled", actor=people[Role.HR_STAFF])
        Registration.objects.create(exam=exam, person=people[Role.CANDIDATE], candidate_number="CV0001")
        exam_transition(exam=exam, to="scheduled", actor=people[Role.HR_STAFF])
        assert Exam.objects.get().status == "scheduled"
        assert AuditLog.objects.filter(action="exam.transition").count() == 2

    def test_only_the_right_position_moves_the_exam(self, exam, people, make_user):
        hr, member, candidate = people[Role.HR_STAFF], people[Role.COUNCIL_MEMBER], people[Role.CANDIDATE]
        with pytest.raises(PermissionDenied):
            exam_transition(exam=exam, to="registration", actor=candidate)
        exam_transition(exam=exam, to="registration", actor=hr)
        Registration.objects.create(exam=exam, person=candidate, candidate_number="CV0001")
        exam_transition(exam=exam, to="scheduled", actor=hr)
        with pytest.raises(PermissionDenied):  # HR does not start the exam: the council chair does
            exam_transition(exam=exam, to="running", actor=hr)
        with pytest.raises(PermissionDenied):  # a council member without the chair's position neither
            exam_transition(exam=exam, to="running", actor=member)
        council_add(exam=exam, user=member, board="council", position="chair", actor=hr)
        exam_transition(exam=exam, to="running", actor=member)
        secretary = make_user(Role.COUNCIL_MEMBER, username="secretary")
        council_add(exam=exam, user=secretary, board="council", position="secretary", actor=hr)
        exam_transition(exam=exam, to="marking", actor=secretary)
        exam_transition(exam=exam, to="results", actor=secretary)
        with pytest.raises(ValidationError):  # approval is of a results version (exams.results.services)
            exam_transition(exam=exam, to="approved", actor=member)
        assert Exam.objects.get().status == "results"

    def test_the_exam_never_goes_back_past_what_exists(self, exam, people):
        hr = people[Role.HR_STAFF]
        exam_transition(exam=exam, to="registration", actor=hr)
        Registration.objects.create(exam=exam, person=people[Role.CANDIDATE], candidate_number="CV0001")
        with pytest.raises(ValidationError, match="không thể quay về bản nháp"):
            exam_transition(exam=exam, to="draft", actor=hr)
        exam_transition(exam=exam, to="scheduled", actor=hr)
        exam_transition(exam=exam, to="registration", actor=hr)  # nothing made yet: allowed
        exam_transition(exam=exam, to="scheduled", actor=hr)
        assert exam.status == "scheduled"  # with papers made, going back is refused (test_sitting_papers.py)

    def test_a_step_that_skips_states_is_refused(self, exam, people):
        with pytest.raises(ValidationError):
            exam_transition(exam=exam, to="running", actor=people[Role.HR_STAFF])
        assert Exam.objects.get().status == "draft" and not AuditLog.objects.filter(action="exam.transition").exists()

    def test_one_chair_and_one_secretary_per_exam(self, exam, people, make_user):
        hr = people[Role.HR_STAFF]
        council_add(exam=exam, user=make_user(username="a"), board="council", position="chair", actor=hr)
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            CouncilMember.objects.create(exam=exam, user=make_user(username="b"), board="council", position="chair")


def _register(exam, person, number=""):
    return Registration.objects.create(exam=exam, person=person, candidate_number=number or f"~{person.pk}")


@pytest.mark.django_db
class TestNumbersAndRooms:
    def test_numbers_follow_vietnamese_name_order_then_birth_date_then_cccd(self, exam, make_user):
        people = [
            make_user(full_name="Trần Văn Đức", cccd="087085000001"),
            make_user(full_name="Lê Thị Dung", cccd="087085000002"),
            make_user(full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 1, 1), cccd="087085000009"),
            make_user(full_name="Nguyễn Văn An", date_of_birth=dt.date(1980, 1, 1), cccd="087085000008"),
            make_user(full_name="Nguyễn Văn An", date_of_birth=dt.date(1980, 1, 1), cccd="087085000003"),
        ]
        for person in people:
            _register(exam, person)
        numbers_assign(exam=exam)
        order = list(Registration.objects.order_by("candidate_number").values_list("person__cccd", flat=True))
        assert order == ["087085000003", "087085000008", "087085000009", "087085000002", "087085000001"]
        assert Registration.objects.get(person=people[4]).candidate_number == "CV0001"

    def test_new_registrations_get_the_next_numbers_and_renumbering_stops_once_scheduled(self, exam, make_user):
        first = _register(exam, make_user(full_name="Võ Văn Zinh"))
        numbers_assign(exam=exam)
        _register(exam, make_user(full_name="Lê Văn An"))
        numbers_assign(exam=exam)
        assert Registration.objects.get(pk=first.pk).candidate_number == "CV0001"  # never renumbered by itself
        numbers_assign(exam=exam, renumber=True)
        assert Registration.objects.get(pk=first.pk).candidate_number == "CV0002"  # name order on demand
        exam.status = "scheduled"
        with pytest.raises(ValidationError):
            numbers_assign(exam=exam, renumber=True)

    def test_rooms_fill_in_number_order_and_capacity_is_enforced(self, exam, make_user, hr_user):
        for n in range(5):
            _register(exam, make_user(full_name=f"Nguyễn Văn {chr(65 + n)}a"))
        numbers_assign(exam=exam)
        small = Room.objects.create(exam=exam, name="Phòng 1", capacity=2)
        with pytest.raises(ValidationError):
            rooms_allocate(exam=exam, actor=hr_user)
        big = Room.objects.create(exam=exam, name="Phòng 2", capacity=3)
        rooms_allocate(exam=exam, actor=hr_user)
        rooms = list(Registration.objects.order_by("candidate_number").values_list("room__name", flat=True))
        assert rooms == ["Phòng 1", "Phòng 1", "Phòng 2", "Phòng 2", "Phòng 2"]
        mover = Registration.objects.filter(room=small).first()
        with pytest.raises(ValidationError):
            registration_move(registration=mover, room=big, actor=hr_user)  # Phòng 2 is full
        registration_move(registration=Registration.objects.filter(room=big).first(), room=None, actor=hr_user)
        registration_move(registration=mover, room=big, actor=hr_user)
        assert Registration.objects.filter(room=big).count() == 3


@pytest.mark.django_db
class TestExamLogin:
    @pytest.fixture
    def open_exam(self, exam, make_user):
        person = make_user(Role.CANDIDATE, full_name="Bùi Thị Thanh Thúy", username="thuy")
        registration = _register(exam, person, "CV0007")
        registration.exam_password = "abc23xyz"
        registration.save()
        subject = exam.subjects.get(code="KTC")
        Sitting.objects.create(subject=subject, starts_at=NOW + dt.timedelta(minutes=20),
                               ends_at=NOW + dt.timedelta(minutes=80), opens_at=NOW - dt.timedelta(minutes=10))
        exam.status = "scheduled"
        exam.save()
        return registration

    def test_the_candidate_enters_with_number_and_password_while_the_exam_is_open(self, client, open_exam):
        response = client.post(reverse("exam_login"), {"candidate_number": "cv0007", "password": "abc23xyz"})
        assert response.status_code == 302 and response.url == reverse("my_exams")
        assert int(client.session["_auth_user_id"]) == open_exam.person_id
        page = client.get(reverse("my_exams")).content.decode()
        assert "CV0007" in page and "Kiến thức chung" in page and "Nội quy" in page

    def test_each_request_loads_the_same_account_the_orm_would_and_never_an_inactive_one(self, open_exam):
        from exams.examday.auth import ExamCredentialBackend

        person = User.objects.get(pk=open_exam.person_id)
        person.last_login = NOW
        person.save()
        loaded = ExamCredentialBackend().get_user(person.pk)
        fields = [field.attname for field in User._meta.concrete_fields]
        assert [(getattr(loaded, name), type(getattr(loaded, name))) for name in fields] == [
            (getattr(person, name), type(getattr(person, name))) for name in fields]
        assert loaded.last_login == NOW and loaded.get_session_auth_hash() == person.get_session_auth_hash()
        assert ExamCredentialBackend().get_user(person.pk + 1000) is None
        assert ExamCredentialBackend().get_user("not a number") is None
        User.objects.filter(pk=person.pk).update(is_active=False)
        assert ExamCredentialBackend().get_user(person.pk) is None

    def test_it_refuses_a_wrong_password_and_outside_the_window(self, client, open_exam):
        assert client.post(reverse("exam_login"), {"candidate_number": "CV0007", "password": "nope"}).status_code == 200
        assert "_auth_user_id" not in client.session
        with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
            client.post(reverse("exam_login"), {"candidate_number": "CV0007", "password": "abc23xyz"})
        assert "_auth_user_id" not in client.session

    def test_five_wrong_passwords_lock_that_number_on_that_machine_for_a_while(self, client, open_exam):
        client.get(reverse("exam_login"))  # the page gives the browser what tells it from the room's other machines
        for _ in range(5):
            client.post(reverse("exam_login"), {"candidate_number": "CV0007", "password": "nope"})
        client.post(reverse("exam_login"), {"candidate_number": "CV0007", "password": "abc23xyz"})
        assert "_auth_user_id" not in client.session

    def test_it_asks_which_exam_when_two_open_exams_share_the_number(self, client, open_exam, make_user):
        other = exam_create(preset_slug="sat-hach-noi-bo", name="Sát hạch", actor=None)
        other.status = "scheduled"
        other.save()
        twin = _register(other, open_exam.person, "CV0007")
        twin.exam_password = "abc23xyz"
        twin.save()
        Sitting.objects.create(subject=other.subjects.get(), starts_at=NOW + dt.timedelta(minutes=5),
                               ends_at=NOW + dt.timedelta(minutes=35), opens_at=NOW - dt.timedelta(minutes=5))
        response = client.post(reverse("exam_login"), {"candidate_number": "CV0007", "password": "abc23xyz"})
        assert {name for _id, name in response.context["choices"]} == {"Kỳ thi 2026", "Sát hạch"}
        assert "_auth_user_id" not in client.session
        client.post(reverse("exam_login"), {"candidate_number": "CV0007", "password": "abc23xyz", "exam": other.pk})
        assert scoped_registration_id(client.session) == twin.pk


@pytest.mark.django_db
def test_an_exemption_excuses_only_its_own_exemptible_subject(exam, make_user):
    registration = _register(exam, make_user(), "CV0001")
    registration.exempt_foreign_language = "NN_DTTS"
    subjects = {s.code: s for s in exam.subjects.all()}
    assert registration.exemption_for(subjects["NN"]) == "NN_DTTS"
    assert registration.exemption_for(subjects["TH"]) == "" and registration.exemption_for(subjects["KTC"]) == ""
    subjects["NN"].exemptible = False  # an exam that made the subject compulsory
    assert registration.exemption_for(subjects["NN"]) == ""
