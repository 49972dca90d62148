"""Tests on the engine (issue 19): practice is unlimited, never counted and purged after 30 days; a graded test keeps
its window, its retakes and best-or-last; its answers survive a killed connection; one machine at a time; the class
head extends one learner's time (audited); only blueprints of banks open to training are chosen."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from accounts.roles import Role
from courses import online_tests
from courses.completion_list import class_outcomes
from courses.models import Assessment, CourseTest, Enrolment, How, Module, Score, TestTry
from courses.online_test_selectors import class_tests, learner_tests_panel, live_state
from courses.online_tests import TestFields, ten_point
from exam_platform.asgi import application
from exams import engine
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.models import Attempt, Blueprint, BlueprintRow, Choice, PaperItem
from tests.courses.conftest import at
from tests.exams.conftest import single
from tests.exams.test_exam_websockets import with_device_pass
from tests.platform.test_websocket import ORIGIN, _session_cookie

DAY = dt.date(2027, 3, 10)
OPENS, CLOSES = at(DAY, 8), at(DAY, 17)
INSIDE = at(DAY, 9)
DEVICE = "may-hoc-vien"


def _blueprint(make_user, *, for_training: bool, name: str) -> int:
    """Four single-choice questions of one point each (so k right answers score k × 2.5), each with an explanation."""
    author = make_user(Role.QUESTION_AUTHOR, username=f"tac_gia_{name}")
    reviewer = make_user(Role.QUESTION_AUTHOR, username=f"duyet_{name}")
    bank, _ = bank_get_or_create(name=f"Ngân hàng {name}", actor=author, for_training=for_training)
    topic = topic_get_or_create(bank=bank, name="Thể chế")
    questions = [question_create(topic=topic, parsed=single(f"Câu {name} {n}", correct=n % 4, topic="Thể chế",
                                                            explanation=f"<p>Vì điều {n} của luật</p>"),
                                 author=author) for n in range(4)]
    questions_approve(questions=questions, actor=reviewer)
    blueprint = Blueprint.objects.create(bank=bank, name=f"Ma trận {name}", scale=Decimal(10))
    BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=4, points=Decimal(1))
    return blueprint.pk


@pytest.fixture
def blueprint_id(make_user) -> int:
    return _blueprint(make_user, for_training=True, name="ôn tập")


def _kt1(world) -> Assessment:
    return world.course_class.programme.assessments.get(code="KT1")


def _graded(world, blueprint_id, **changes) -> CourseTest:
    fields = TestFields(mode="graded", title="Kiểm tra phần I", blueprint_id=blueprint_id, minutes=30,
                        assessment=_kt1(world), opens_at=OPENS, closes_at=CLOSES)
    return online_tests.test_create(course_class=world.course_class, fields=_with(fields, **changes),
                                    actor=world.head)


def _practice(world, blueprint_id, **changes) -> CourseTest:
    module = Module.objects.filter(part__programme=world.course_class.programme).order_by("part__order", "order")[0]
    fields = TestFields(mode="practice", title="Luyện tập CD01", blueprint_id=blueprint_id, minutes=15, module=module)
    return online_tests.test_create(course_class=world.course_class, fields=_with(fields, **changes),
                                    actor=world.head)


def _with(fields: TestFields, **changes) -> TestFields:
    return TestFields(**{**fields.__dict__, **changes})


def _items(test_try: TestTry) -> list[PaperItem]:
    return list(PaperItem.objects.filter(paper__attempts__pk=test_try.attempt_id).order_by("position"))


def _choices(item: PaperItem, *, right: bool) -> list[int]:
    """The test's oracle: the correct choice of an item, or one wrong one."""
    correct = list(Choice.objects.filter(question=item.question_id, is_correct=True).values_list("pk", flat=True))
    return correct if right else [next(c for c in item.choice_order if c not in correct)]


def _take(test_try: TestTry, right: int, capture, *, device: str = DEVICE) -> TestTry:
    """Answer the first ``right`` items right and the others wrong, then submit; the engine tells the host (its
    on_finish runs after the commit, captured here)."""
    owner = test_try.enrolment.person_id
    for item in _items(test_try):
        engine.answer_save(attempt_id=test_try.attempt_id, owner_id=owner, item=item.position, seq=item.position + 1,
                           value=_choices(item, right=item.position < right), device=device)
    with capture(execute=True):
        engine.attempt_finish(attempt_id=test_try.attempt_id, owner_id=owner)
    test_try.refresh_from_db()
    return test_try


def _start(test, enrolment, *, device: str = DEVICE) -> TestTry:
    return online_tests.try_start(course_test=test, enrolment=enrolment, device=device)


def _refused(test, enrolment) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        _start(test, enrolment)
    return refused.value


def _outcomes(world) -> list:
    _requirements, rows = class_outcomes(world.course_class)
    return [(row.enrolment.pk, row.outcome) for row in rows]


# --- practice ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_practice_has_as_many_tries_as_wanted_each_a_fresh_paper_and_never_counts(
        world, blueprint_id, django_capture_on_commit_callbacks):
    test = _practice(world, blueprint_id)
    before = _outcomes(world)
    learner = world.learners[0]
    with time_machine.travel(at(dt.date(2027, 4, 20), 9), tick=False):  # after the class's dates: practice has no window
        tries = [_take(_start(test, learner), right, django_capture_on_commit_callbacks) for right in (4, 1, 3, 0)]
    assert [(t.number, t.status, t.score) for t in tries] == [
        (1, "submitted", Decimal("10.00")), (2, "submitted", Decimal("2.50")), (3, "submitted", Decimal("7.50")),
        (4, "submitted", Decimal("0.00"))]
    assert len({Attempt.objects.get(pk=t.attempt_id).paper_id for t in tries}) == 4  # a fresh paper each try
    assert not Score.objects.exists()  # never counted: no score, the completion list as it was
    assert _outcomes(world) == before
    assert learner_tests_panel(learner)["practice"][0].used == 4


@pytest.mark.django_db
def test_a_practice_result_shows_each_question_the_answer_the_correct_one_and_the_explanation(
        world, blueprint_id, client, django_capture_on_commit_callbacks):
    test = _practice(world, blueprint_id)
    learner = world.learners[0]
    test_try = _take(_start(test, learner), 1, django_capture_on_commit_callbacks)
    client.force_login(learner.person)
    page = client.get(reverse("learner_test_result", args=[world.course_class.pk, test.pk, test_try.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "2,50" in text
    assert text.count('class="card review-item"') == 4
    for n in range(4):
        assert f"Vì điều {n} của luật" in text  # every explanation, after the try
    assert text.count("<strong>câu trả lời của bạn</strong>") == 4 and text.count("<strong>đúng</strong>") == 4
    assert "practice" not in text and "submitted" not in text  # nothing raw on a Vietnamese page


@pytest.mark.django_db
def test_practice_tries_are_purged_by_the_command_after_30_days_and_graded_tries_never(
        world, blueprint_id, django_capture_on_commit_callbacks, settings):
    practice, graded = _practice(world, blueprint_id), _graded(world, blueprint_id)
    learner = world.learners[0]
    with time_machine.travel(INSIDE, tick=False):
        old = _take(_start(practice, learner), 2, django_capture_on_commit_callbacks)
        counted = _take(_start(graded, learner), 3, django_capture_on_commit_callbacks)
        left_open = _start(practice, learner)  # never submitted: it runs out at its deadline
    with time_machine.travel(INSIDE + dt.timedelta(days=29), tick=False):
        newer = _take(_start(practice, learner), 1, django_capture_on_commit_callbacks)
        out = StringIO()
        call_command("purge_practice", stdout=out)
        assert out.getvalue().strip() == "tries=0 attempts=0"  # not before 30 days
    assert TestTry.objects.count() == 4
    with time_machine.travel(INSIDE + dt.timedelta(days=30, hours=1), tick=False):
        out = StringIO()
        call_command("purge_practice", stdout=out)
    assert out.getvalue().strip() == "tries=2 attempts=2"
    assert set(TestTry.objects.values_list("pk", flat=True)) == {counted.pk, newer.pk}
    assert not Attempt.objects.filter(pk__in=[old.attempt_id, left_open.attempt_id]).exists()
    assert Attempt.objects.filter(pk=counted.attempt_id).exists()  # a graded try and its attempt stay
    assert Score.objects.get(enrolment=learner, assessment=_kt1(world)).value == Decimal("7.50")
    assert AuditLog.objects.get(action="class.practice_purge").details["tries"] == 2
    settings.COURSE_PRACTICE_KEEP_DAYS = 1  # the setting decides how long
    with time_machine.travel(INSIDE + dt.timedelta(days=30, hours=2), tick=False):
        out = StringIO()
        call_command("purge_practice", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "tries=1 attempts=0" and TestTry.objects.count() == 2
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("purge_practice", "--days", "0", stderr=err)
    assert exited.value.code == 1 and err.getvalue().strip() == "Giữ các lượt luyện tập ít nhất một ngày."


# --- graded -----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_graded_test_starts_only_inside_its_window_and_ends_by_its_close(world, blueprint_id):
    test = _graded(world, blueprint_id)
    learner = world.learners[0]
    with time_machine.travel(OPENS - dt.timedelta(minutes=1), tick=False):
        refused = _refused(test, learner)
    assert (refused.code, refused.messages[0]) == ("not_open", "Bài kiểm tra mở lúc 08:00 10/03/2027.")
    with time_machine.travel(CLOSES, tick=False):
        refused = _refused(test, learner)
    assert refused.code == "window" and refused.messages[0] == "Đã hết thời gian làm bài kiểm tra này."
    assert not TestTry.objects.exists() and not Attempt.objects.exists()
    with time_machine.travel(CLOSES - dt.timedelta(minutes=10), tick=False):
        late = _start(test, learner)
    assert late.deadline == CLOSES  # 30 minutes, but the window closes first


@pytest.mark.django_db
def test_a_retake_only_after_a_try_under_the_pass_mark_and_never_beyond_the_retakes_allowed(
        world, blueprint_id, django_capture_on_commit_callbacks):
    test = _graded(world, blueprint_id)  # KT1: pass mark 5, one retake, the best try counts
    passed, failed, recovered = world.learners
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(INSIDE, tick=False):
        first = _start(test, passed)
        assert _start(test, passed).pk == first.pk  # an open try is continued, never a second one
        _take(first, 2, capture)  # 5.00: a pass
        refused = _refused(test, passed)
        assert refused.code == "passed"
        assert refused.messages[0] == "Bạn đã đạt bài kiểm tra này với 5,00 điểm: chỉ được thi lại khi dưới 5,00."
        _take(_start(test, failed), 1, capture)  # 2.50
        second = _take(_start(test, failed), 1, capture)  # allowed after a fail: try 2
        assert second.number == 2
        refused = _refused(test, failed)
        assert refused.code == "no_tries_left" and refused.messages[0] == "Bạn đã dùng hết 2 lượt làm bài kiểm tra này."
        _take(_start(test, recovered), 0, capture)
        _take(_start(test, recovered), 4, capture)
    assert sorted(Score.objects.values_list("enrolment", "attempt", "value", "how")) == sorted([
        (passed.pk, 1, Decimal("5.00"), How.ONLINE_TEST), (failed.pk, 1, Decimal("2.50"), How.ONLINE_TEST),
        (failed.pk, 2, Decimal("2.50"), How.ONLINE_TEST), (recovered.pk, 1, Decimal("0.00"), How.ONLINE_TEST),
        (recovered.pk, 2, Decimal("10.00"), How.ONLINE_TEST)])
    assert TestTry.objects.count() == 5


@pytest.mark.django_db
def test_best_or_last_counts_in_the_completion_list_as_the_assessment_says(
        world, blueprint_id, django_capture_on_commit_callbacks):
    test = _graded(world, blueprint_id)
    learner = world.learners[0]
    with time_machine.travel(INSIDE, tick=False):
        _take(_start(test, learner), 1, django_capture_on_commit_callbacks)  # 2.50
        _take(_start(test, learner), 0, django_capture_on_commit_callbacks)  # 0.00, the last

    def counted() -> Decimal:
        return dict(_outcomes(world))[learner.pk].scores["KT1"]

    assert counted() == Decimal("2.50")  # the best try
    Assessment.objects.filter(pk=_kt1(world).pk).update(counts=Assessment.Counts.LAST)
    assert counted() == Decimal("0.00")  # the last try
    assert "KT1 dưới 5 điểm" in dict(_outcomes(world))[learner.pk].reasons


def test_the_score_on_the_ten_point_scale_is_rounded_half_up_to_two_decimals():
    assert ten_point(Decimal(2), Decimal(3)) == Decimal("6.67")
    assert ten_point(Decimal(1), Decimal(16)) == Decimal("0.63")  # 0.625: half-up, not half-even
    assert ten_point(Decimal(6), Decimal(6)) == Decimal("10.00") and ten_point(None, Decimal(4)) == Decimal("0.00")


@pytest.mark.django_db(transaction=True)
async def test_a_graded_tries_answers_survive_a_killed_connection(world, blueprint_id):
    test = await sync_to_async(_graded)(world, blueprint_id)
    learner = world.learners[0]
    with time_machine.travel(INSIDE, tick=False):
        test_try = await sync_to_async(_start)(test, learner)
        items = await sync_to_async(_items)(test_try)
        right = {item.position: await sync_to_async(_choices)(item, right=True) for item in items}
        cookie = with_device_pass(await sync_to_async(_session_cookie)(learner.person), DEVICE)
        path = f"/ws/attempt/{test_try.attempt_id}/"

        ws = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
        assert (await ws.connect())[0]
        assert (await ws.receive_json_from(timeout=3))["status"] == "open"
        for seq, position in enumerate([0, 1, 2], start=1):
            await ws.send_json_to({"type": "save", "item": position, "seq": seq, "value": right[position]})
            assert (await ws.receive_json_from(timeout=3))["type"] == "ack"
        await ws.disconnect(code=1006)  # the connection dies: no close from the page, no submit

        again = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])  # the same machine comes back
        assert (await again.connect())[0]
        assert (await again.receive_json_from(timeout=3))["status"] == "open"
        page = await sync_to_async(engine.paper_page)(attempt_id=test_try.attempt_id, owner_id=learner.person_id,
                                                      device=DEVICE, heading="", reenter_url="", reenter_label="")
        assert page["config"]["answers"] == {str(p): right[p] for p in (0, 1, 2)}  # what the page shows again
        finished = await sync_to_async(engine.attempt_finish)(attempt_id=test_try.attempt_id,
                                                              owner_id=learner.person_id)
        assert (await again.receive_json_from(timeout=3))["type"] == "finished"
        await again.disconnect()
    assert finished.status == "submitted"
    test_try = await TestTry.objects.aget(pk=test_try.pk)  # the engine told the host after the commit
    assert (test_try.status, test_try.score) == ("submitted", Decimal("7.50"))
    score = await Score.objects.aget(enrolment=learner, assessment__code="KT1", attempt=1)
    assert (score.value, score.how) == (Decimal("7.50"), How.ONLINE_TEST)


@pytest.mark.django_db
def test_one_machine_at_a_time_another_browser_is_told_where_the_try_is_open(world, blueprint_id, client):
    test = _graded(world, blueprint_id)
    learner = world.learners[0]
    url = reverse("learner_test", args=[world.course_class.pk, test.pk])
    other = Client()
    with time_machine.travel(INSIDE, tick=False):
        client.force_login(learner.person)
        other.force_login(learner.person)
        rules = client.get(url).content.decode()
        assert "0 lượt đã dùng / 2" in rules and "Lần cao điểm nhất" in rules
        started = client.post(url)
        test_try = TestTry.objects.get()
        assert started.url == reverse("learner_test_paper", args=[world.course_class.pk, test.pk, test_try.pk])
        assert engine.devicepass.COOKIE in started.cookies  # the start gives this browser its device pass
        paper = client.get(started.url)
        text = paper.content.decode()
        assert paper.status_code == 200 and 'id="exam-config"' in text and "/static/js/exam.js" in text
        assert other.post(url).url == started.url  # the other browser is sent to the same try ...
        refused = other.get(started.url)  # ... and refused there
        assert refused.status_code == 409 and "Bài thi này đang mở trên máy khác." in refused.content.decode()
        assert 'id="exam-config"' not in refused.content.decode()
    assert TestTry.objects.count() == 1


@pytest.mark.django_db
def test_the_class_head_extends_one_learners_time_with_a_reason_audited(world, blueprint_id, client):
    test = _graded(world, blueprint_id)
    with time_machine.travel(INSIDE, tick=False):
        test_try = _start(test, world.learners[0])
        url = reverse("class_test_extend", args=[world.course_class.pk, test.pk, test_try.pk])
        client.force_login(world.lecturer)  # teaches the class, does not run it
        assert client.post(url, {"minutes": 10, "reason": "Mất kết nối"}).status_code == 403
        client.force_login(world.head)
        client.post(url, {"minutes": 10, "reason": ""})  # no reason: nothing changes
        assert TestTry.objects.get().deadline == INSIDE + dt.timedelta(minutes=30)
        response = client.post(url, {"minutes": 10, "reason": "Mất kết nối"})
    assert response.status_code == 302
    assert TestTry.objects.get().deadline == INSIDE + dt.timedelta(minutes=40)
    assert Attempt.objects.get(pk=test_try.attempt_id).deadline == INSIDE + dt.timedelta(minutes=40)
    record = AuditLog.objects.get(action="class.test_extend")
    assert (record.actor_id, record.details["minutes"], record.details["reason"]) == (world.head.pk, 10, "Mất kết nối")
    assert AuditLog.objects.get(action="attempt.extend").actor_id == world.head.pk


@pytest.mark.django_db
def test_a_finished_try_is_not_extended(world, blueprint_id, django_capture_on_commit_callbacks):
    test = _graded(world, blueprint_id)
    with time_machine.travel(INSIDE, tick=False):
        test_try = _take(_start(test, world.learners[0]), 2, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError) as refused:
            online_tests.extend_try(test_try=test_try, minutes=5, reason="Mất điện", actor=world.head)
    assert refused.value.code == "finished" and not AuditLog.objects.filter(action="class.test_extend").exists()


# --- setting tests ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_only_a_blueprint_of_a_bank_open_to_training_can_be_chosen(world, blueprint_id, make_user, client):
    secret = _blueprint(make_user, for_training=False, name="đề thi")
    client.force_login(world.head)
    page = client.get(reverse("class_tests", args=[world.course_class.pk])).content.decode()
    assert "Ma trận ôn tập" in page and "Ma trận đề thi" not in page
    with pytest.raises(ValidationError) as refused:
        _practice(world, secret)
    assert refused.value.code == "blueprint"
    response = client.post(reverse("class_tests", args=[world.course_class.pk]), {
        "mode": "practice", "title": "Lén", "blueprint": secret, "minutes": 10,
        "module": Module.objects.filter(part__programme=world.course_class.programme).first().pk})
    assert response.status_code == 200 and not CourseTest.objects.exists()


@pytest.mark.django_db
def test_a_test_is_set_with_what_its_kind_needs(world, blueprint_id, client):
    th = world.course_class.programme.assessments.get(code="TH")
    for changes, code in (({"assessment": th}, "assessment"), ({"assessment": None}, "assessment"),
                          ({"closes_at": OPENS}, "window"), ({"opens_at": None}, "window"),
                          ({"minutes": 0}, "minutes"), ({"title": "  "}, "title")):
        with pytest.raises(ValidationError) as refused:
            _graded(world, blueprint_id, **changes)
        assert refused.value.code == code, changes
    with pytest.raises(ValidationError) as refused:
        _practice(world, blueprint_id, module=None)
    assert refused.value.code == "module"
    _graded(world, blueprint_id)
    with pytest.raises(ValidationError) as refused:  # one graded test per assessment
        _graded(world, blueprint_id, title="Lần nữa")
    assert refused.value.code == "assessment"
    client.force_login(world.head)
    response = client.post(reverse("class_tests", args=[world.course_class.pk]), {
        "mode": "graded", "title": "KT2", "blueprint": blueprint_id, "minutes": 45,
        "assessment": world.course_class.programme.assessments.get(code="KT2").pk,
        "opens_at": "10/03/2027 17:00", "closes_at": "10/03/2027 08:00"})
    assert "Bài kiểm tra phải đóng sau khi mở." in response.content.decode()
    assert CourseTest.objects.count() == 1 and AuditLog.objects.filter(action="class.test_create").count() == 1


@pytest.mark.django_db
def test_once_tried_a_test_keeps_its_blueprint_mode_and_assessment_but_its_window_and_time_move(
        world, blueprint_id, make_user, client):
    test = _graded(world, blueprint_id)
    other_blueprint = _blueprint(make_user, for_training=True, name="khác")
    online_tests.test_update(course_test=test, fields=_base(test, blueprint_id=other_blueprint), actor=world.head)
    assert CourseTest.objects.get().blueprint_id == other_blueprint  # no try yet: anything changes
    with time_machine.travel(INSIDE, tick=False):
        _start(test, world.learners[0])
    kt2 = world.course_class.programme.assessments.get(code="KT2")
    module = Module.objects.filter(part__programme=world.course_class.programme).first()
    for changes in ({"blueprint_id": blueprint_id}, {"assessment": kt2}, {"mode": "practice", "module": module}):
        with pytest.raises(ValidationError) as refused:
            online_tests.test_update(course_test=test, fields=_base(test, **changes), actor=world.head)
        assert refused.value.messages[0] == ("Học viên đã làm bài kiểm tra này: ma trận đề, loại bài và nội dung "
                                             "đánh giá không còn thay đổi được. Tên, thời gian mở và thời gian làm "
                                             "bài vẫn đổi được.")
    online_tests.test_update(course_test=test, fields=_base(test, closes_at=CLOSES + dt.timedelta(hours=2),
                                                            minutes=45), actor=world.head)
    test.refresh_from_db()
    assert (test.closes_at, test.minutes, test.blueprint_id) == (CLOSES + dt.timedelta(hours=2), 45, other_blueprint)
    edit = AuditLog.objects.filter(action="class.test_edit").order_by("-pk").first()
    assert edit.details["before"] == {"minutes": 30, "closes_at": CLOSES.isoformat()}
    assert edit.details["after"] == {"minutes": 45, "closes_at": (CLOSES + dt.timedelta(hours=2)).isoformat()}
    client.force_login(world.head)
    response = client.post(reverse("class_test_delete", args=[world.course_class.pk, test.pk]), follow=True)
    assert "Học viên đã làm bài kiểm tra này: không xóa được nữa." in response.content.decode()
    assert CourseTest.objects.filter(pk=test.pk).exists()
    untried = _practice(world, blueprint_id)
    client.post(reverse("class_test_delete", args=[world.course_class.pk, untried.pk]))
    assert not CourseTest.objects.filter(pk=untried.pk).exists()
    assert AuditLog.objects.filter(action="class.test_delete").count() == 1


def _base(test: CourseTest, **changes) -> TestFields:
    test.refresh_from_db()
    return TestFields(**{"mode": test.mode, "title": test.title, "blueprint_id": test.blueprint_id,
                         "minutes": test.minutes, "module": test.module, "assessment": test.assessment,
                         "opens_at": test.opens_at, "closes_at": test.closes_at, **changes})


@pytest.mark.django_db
def test_a_closed_class_takes_no_new_try_and_its_tests_no_longer_change(world, blueprint_id):
    practice = _practice(world, blueprint_id)
    world.course_class.closed_at = timezone.now()
    world.course_class.save()
    refused = _refused(practice, world.learners[0])
    assert refused.code == "closed"
    with pytest.raises(ValidationError) as refused:
        online_tests.test_delete(course_test=practice, actor=world.head)
    assert refused.value.code == "closed"


# --- the pages --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_live_page_shows_every_learner_and_their_tries_and_its_state_refreshes(
        world, blueprint_id, client, django_capture_on_commit_callbacks):
    test = _graded(world, blueprint_id)
    with time_machine.travel(INSIDE, tick=False):
        _take(_start(test, world.learners[0]), 3, django_capture_on_commit_callbacks)
        running = _start(test, world.learners[1])
        client.force_login(world.head)
        page = client.get(reverse("class_test_live", args=[world.course_class.pk, test.pk])).content.decode()
        state = client.get(reverse("class_test_live_state", args=[world.course_class.pk, test.pk])).json()
    for learner in world.learners:
        assert learner.person.full_name in page
    assert page.count('class="extend-form"') == 1 and "js/course-test-live.js" in page and "<script>" not in page
    assert state["started"] == 2 and state["open"] == 1 and state["learners"] == 3
    by_id = {t["id"]: t for t in state["tries"]}
    assert by_id[running.pk]["status_label"] == "Đang làm bài" and by_id[running.pk]["deadline"] == "09:30 10/03/2027"
    assert [t["score"] for t in state["tries"] if not t["open"]] == ["7,50"]
    with time_machine.travel(INSIDE + dt.timedelta(minutes=31), tick=False):  # past the deadline and the grace
        state = client.get(reverse("class_test_live_state", args=[world.course_class.pk, test.pk])).json()
    assert {t["id"]: t["status"] for t in state["tries"]}[running.pk] == "expired"
    assert Score.objects.filter(enrolment=world.learners[1]).get().value == Decimal("0.00")


@pytest.mark.django_db
def test_the_learners_panel_lists_the_class_tests_with_their_tries(world, blueprint_id, django_capture_on_commit_callbacks):
    graded, practice = _graded(world, blueprint_id), _practice(world, blueprint_id)
    learner = world.learners[0]
    with time_machine.travel(INSIDE, tick=False):
        _take(_start(graded, learner), 3, django_capture_on_commit_callbacks)
        _start(practice, learner)
        panel = learner_tests_panel(learner)
        html = render_to_string("courses/learn/_tests.html", {"panel": panel})
    assert [row.course_test for row in panel["graded"]] == [graded] and panel["graded"][0].counted == Decimal("7.50")
    assert [row.course_test for row in panel["practice"]] == [practice] and panel["practice"][0].open_try
    assert "Kiểm tra phần I" in html and "7,50" in html and "1 lượt đã dùng / 2" in html and "đang làm" in html


def _more_learners(world, make_user, n: int) -> None:
    for k in range(n):
        person = make_user(username=f"them{k}", full_name=f"Học Viên Thêm {k}", cccd=f"0871851{k:05d}")
        Enrolment.objects.create(course_class=world.course_class, person=person, list_order=10 + k)


@pytest.mark.django_db
def test_the_lists_read_a_fixed_number_of_queries_whatever_the_class_size(
        world, blueprint_id, make_user, django_assert_max_num_queries):
    graded, _practice_test = _graded(world, blueprint_id), _practice(world, blueprint_id)
    with time_machine.travel(INSIDE, tick=False):
        for enrolment in world.learners:
            _start(graded, enrolment, device=f"may-{enrolment.pk}")
        for size in (0, 20):
            _more_learners(world, make_user, size)
            world.course_class.refresh_from_db()
            test = CourseTest.objects.select_related("course_class", "assessment").get(pk=graded.pk)
            with django_assert_max_num_queries(2):
                live_state(test)
            with django_assert_max_num_queries(1):
                class_tests(world.course_class)
            enrolment = Enrolment.objects.select_related("course_class").get(pk=world.learners[0].pk)
            with django_assert_max_num_queries(2):
                learner_tests_panel(enrolment)


@pytest.mark.django_db
def test_a_graded_result_shows_the_score_only_and_a_try_is_its_learners_alone(
        world, blueprint_id, client, django_capture_on_commit_callbacks):
    test = _graded(world, blueprint_id)
    with time_machine.travel(INSIDE, tick=False):
        test_try = _take(_start(test, world.learners[0]), 3, django_capture_on_commit_callbacks)
        result = reverse("learner_test_result", args=[world.course_class.pk, test.pk, test_try.pk])
        paper = reverse("learner_test_paper", args=[world.course_class.pk, test.pk, test_try.pk])
        client.force_login(world.learners[0].person)
        text = client.get(result).content.decode()
        assert "7,50" in text and "cách tính: lần cao điểm nhất" in text
        assert "Vì điều" not in text and "review-item" not in text  # a graded paper's answers stay secret
        assert client.get(paper).url == result  # finished: the paper sends to the result
        client.force_login(world.learners[1].person)  # a classmate
        assert client.get(result).status_code == 404 and client.get(paper).status_code == 404
