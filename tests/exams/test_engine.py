"""The engine hosts an attempt with no exam session at all: a bare paper, a window, saves over the websocket, a
finish, a score, and the host told after commit (exams/engine.py). The host here is the test itself."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from exam_platform.asgi import application
from exams import engine
from exams.banks.services import question_create, questions_approve, topic_get_or_create
from exams.models import Attempt, Blueprint, BlueprintRow, Choice, PaperItem, RoomEvent
from tests.exams.conftest import single
from tests.exams.test_exam_websockets import with_device_pass
from tests.platform.test_websocket import ORIGIN, _session_cookie

PURPOSE = "practice"


@pytest.fixture
def host():
    """A host of the purpose "practice" that records each finish it is told of."""
    finished = []
    engine.host_register(engine.Host(purpose=PURPOSE, page_url=lambda pk: f"/practice/{pk}/",
                                     result_url=lambda pk: f"/practice/{pk}/result/",
                                     on_finish=lambda *, attempt_id: finished.append(attempt_id)))
    yield finished
    engine.host_unregister(PURPOSE)


@pytest.fixture
def blueprint(bank, author, reviewer):
    topic = topic_get_or_create(bank=bank, name="Một cửa")
    questions = [question_create(topic=topic, parsed=single(f"Câu luyện tập {n}", correct=n % 4), author=author)
                 for n in range(3)]
    questions_approve(questions=questions, actor=reviewer)
    blueprint = Blueprint.objects.create(bank=bank, name="Luyện tập", scale=Decimal(10))
    BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=3, points=Decimal(2))
    return blueprint


@pytest.fixture
def learner(make_user):
    return make_user(Role.CANDIDATE, username="hocvien", full_name="Học Viên Một")


def _correct_answers(paper_id: int) -> dict[int, list[int]]:
    """The test's oracle: the correct choice of each item of the paper."""
    return {item.position: [Choice.objects.get(question=item.question_id, is_correct=True).pk]
            for item in PaperItem.objects.filter(paper_id=paper_id)}


def _open(learner, blueprint, *, limit_s=600, window: dt.timedelta | None = dt.timedelta(minutes=5)):
    paper = engine.paper_draw(blueprint_id=blueprint.pk, purpose=PURPOSE, owner_ref=f"learner-{learner.pk}",
                              seed="s1")
    device = engine.device_new()
    info = engine.attempt_open(owner_id=learner.pk, purpose=PURPOSE, paper_id=paper.id, time_limit_s=limit_s,
                               window_closes_at=timezone.now() + window if window else None, device=device)
    return paper, device, info


@pytest.mark.django_db(transaction=True)
async def test_an_attempt_without_an_exam_session_is_saved_over_the_websocket_finished_and_scored(
        host, blueprint, learner):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        paper, device, info = await sync_to_async(_open)(learner, blueprint)
        assert (paper.questions, paper.total_points) == (3, Decimal(6))
        assert info.deadline == now + dt.timedelta(minutes=5)  # the window closes before the time limit ends
        attempt = await Attempt.objects.aget(pk=info.id)
        assert (attempt.registration_id, attempt.sitting_id, attempt.room_session_id) == (None, None, None)

        cookie = with_device_pass(await sync_to_async(_session_cookie)(learner), device)
        ws = WebsocketCommunicator(application, f"/ws/attempt/{info.id}/", headers=[ORIGIN, cookie])
        assert (await ws.connect())[0]
        state = await ws.receive_json_from(timeout=3)
        assert (state["status"], state["paused"]) == ("open", False)
        answers = await sync_to_async(_correct_answers)(paper.id)
        wrong = min(answers)  # one item answered wrong: any other choice of it
        orders = {item.position: item.choice_order async for item in PaperItem.objects.filter(paper_id=paper.id)}
        for seq, (position, value) in enumerate(sorted(answers.items()), start=1):
            chosen = value if position != wrong else [next(c for c in orders[position] if c not in value)]
            await ws.send_json_to({"type": "save", "item": position, "seq": seq, "value": chosen})
            assert await ws.receive_json_from(timeout=3) == {"type": "ack", "seq": seq, "item": position,
                                                             "duplicate": False}
        assert host == []
        finished = await sync_to_async(engine.attempt_finish)(attempt_id=info.id, owner_id=learner.pk)
        assert (await ws.receive_json_from(timeout=3))["type"] == "finished"
        await ws.disconnect()

    assert finished.status == "submitted" and finished.finished_at == now
    assert host == [info.id]  # the host was told once, after the commit
    result = await sync_to_async(engine.attempt_result)(attempt_id=info.id)
    assert (result.attempt.score, result.attempt.correct_count, result.total_points) == (Decimal(4), 2, Decimal(6))
    assert [item.score for item in result.items].count(Decimal(0)) == 1
    assert not await RoomEvent.objects.filter(attempt_id=info.id).aexists()  # no room, no invigilator


@pytest.mark.django_db(transaction=True)
def test_the_deadline_is_the_earlier_of_the_time_limit_and_the_window_and_the_lazy_finish_tells_the_host(
        host, blueprint, learner, settings):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _paper, _device, info = _open(learner, blueprint, limit_s=120, window=dt.timedelta(hours=1))
        assert info.deadline == now + dt.timedelta(seconds=120)
        _paper, _device, unbounded = _open(learner, blueprint, limit_s=90, window=None)
        assert unbounded.deadline == now + dt.timedelta(seconds=90)
    with time_machine.travel(now + dt.timedelta(seconds=120 + settings.EXAM_SAVE_GRACE_SECONDS + 1), tick=False):
        expired = engine.attempt_get(attempt_id=info.id, owner_id=learner.pk)
    assert (expired.status, expired.finished_at) == ("expired", info.deadline)
    assert host == [info.id]


@pytest.mark.django_db
def test_a_closed_window_a_foreign_owner_and_an_unknown_purpose_are_refused(host, blueprint, learner, make_user):
    with pytest.raises(engine.Refusal) as refused:
        _open(learner, blueprint, window=dt.timedelta(seconds=-1))
    assert refused.value.code == "window" and Attempt.objects.count() == 0
    _paper, device, info = _open(learner, blueprint)
    stranger = make_user(Role.CANDIDATE, username="nguoila")
    with pytest.raises(engine.Refusal) as refused:
        engine.answer_save(attempt_id=info.id, owner_id=stranger.pk, item=0, seq=1, value=None, device=device)
    assert refused.value.code == "not_yours"
    with pytest.raises(engine.Refusal) as refused:
        engine.attempt_finish(attempt_id=info.id, owner_id=stranger.pk)
    assert refused.value.code == "not_yours"
    with pytest.raises(ValueError, match="no host"):
        engine.paper_draw(blueprint_id=blueprint.pk, purpose="unknown", owner_ref="x", seed="s")
    with pytest.raises(ValueError, match="no host"):
        engine.attempt_open(owner_id=learner.pk, purpose=engine.EXAM, paper_id=info.paper_id, time_limit_s=60,
                            window_closes_at=None, device=device)


@pytest.mark.django_db
def test_the_database_holds_an_exam_attempt_to_its_session_and_a_hosted_one_to_none(host, blueprint, learner,
                                                                                    exam_day):
    _paper, _device, info = _open(learner, blueprint)
    hosted = Attempt.objects.get(pk=info.id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.filter(pk=hosted.pk).update(purpose=engine.EXAM)  # an exam attempt without its session
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.filter(pk=hosted.pk).update(sitting=exam_day["sitting"])  # a hosted one with a sitting


@pytest.mark.django_db
def test_the_exam_pages_send_a_hosted_attempt_to_its_host(host, blueprint, learner, client):
    _paper, device, info = _open(learner, blueprint)
    client.force_login(learner)
    assert client.get(f"/attempts/{info.id}/").url == f"/practice/{info.id}/"
    context = engine.paper_page(attempt_id=info.id, owner_id=learner.pk, device=device, heading="Luyện tập",
                                reenter_url=f"/practice/{info.id}/", reenter_label="Mở lại bài")
    assert context["config"]["result"] == f"/practice/{info.id}/result/" and context["paper_body"]
    with pytest.raises(engine.Refusal):  # another browser
        engine.paper_page(attempt_id=info.id, owner_id=learner.pk, device="other", heading="", reenter_url="",
                          reenter_label="")
    response = client.post(f"/attempts/{info.id}/submit/")  # a browser without the device pass: back to the page
    assert response.status_code == 302 and response.url == f"/practice/{info.id}/"
    assert host == [] and not engine.attempt_get(attempt_id=info.id).is_finished
    client.cookies[engine.devicepass.COOKIE] = engine.devicepass.sign(device)
    response = client.post(f"/attempts/{info.id}/submit/")
    assert response.url == f"/practice/{info.id}/result/" and engine.attempt_get(attempt_id=info.id).is_finished
    assert client.get(f"/attempts/{info.id}/result/").url == f"/practice/{info.id}/result/"
