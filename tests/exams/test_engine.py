"""The engine hosts an attempt with no exam session at all: a bare paper, a window, saves over the websocket, a
finish, a score, and the host told after commit (exams/engine.py). The host here is the test itself."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditLog
from accounts.roles import Role
from exam_platform.asgi import application
from exams import engine
from exams.banks.services import (
    bank_get_or_create,
    bank_training_set,
    question_create,
    questions_approve,
    topic_get_or_create,
)
from exams.models import (
    AnswerEvent,
    Attempt,
    AttemptItem,
    Bank,
    Blueprint,
    BlueprintRow,
    Choice,
    Paper,
    PaperItem,
    PaperSet,
    RoomEvent,
)
from exams.papers.services import paper_set_generate, paper_set_seal, paper_set_verify
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
    """Three questions (each with its explanation) of a bank its authors opened to training."""
    bank_training_set(bank=bank, for_training=True, actor=author)
    topic = topic_get_or_create(bank=bank, name="Một cửa")
    questions = [question_create(topic=topic, parsed=single(f"Câu luyện tập {n}", correct=n % 4,
                                                            explanation=f"<p>Giải thích câu {n}</p>"), author=author)
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
def test_a_hosted_paper_is_drawn_again_the_same_from_its_seed_and_sealed_over_what_was_stored(host, blueprint):
    def drawn(owner_ref):
        paper = engine.paper_draw(blueprint_id=blueprint.pk, purpose=PURPOSE, owner_ref=owner_ref, seed="same")
        return paper, [(i.question_id, i.choice_order, i.points)
                       for i in PaperItem.objects.filter(paper_id=paper.id).order_by("position")]

    first, items = drawn("learner-1")
    second, again = drawn("learner-2")
    assert items == again and len(items) == 3
    assert {points for _q, _c, points in items} == {Decimal("2.00")}
    for paper in (first, second):  # the seal made while drawing is the one the stored rows give
        paper_set = PaperSet.objects.get(papers__pk=paper.id)
        assert paper_set.is_sealed and paper_set_verify(paper_set=paper_set)
    # each choice order holds the question's own choices, shuffled or not
    for question_id, order, _points in items:
        assert sorted(order) == sorted(Choice.objects.filter(question_id=question_id).values_list("pk", flat=True))


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


# --- issue 19: banks open to training, one attempt's extension, the review, the purge ----------------------------

@pytest.mark.django_db
def test_only_the_blueprints_of_a_bank_open_to_training_are_offered_and_drawn(host, blueprint, author, reviewer,
                                                                               client):
    secret, _ = bank_get_or_create(name="Đề thi nâng ngạch", actor=author)  # a new bank is closed to training
    topic = topic_get_or_create(bank=secret, name="Bí mật")
    questions_approve(questions=[question_create(topic=topic, parsed=single("Câu thi thật", topic="Bí mật"),
                                                 author=author)], actor=reviewer)
    exam_blueprint = Blueprint.objects.create(bank=secret, name="Đề thi", scale=Decimal(10))
    BlueprintRow.objects.create(blueprint=exam_blueprint, topic=topic, difficulty="medium", count=1)

    assert engine.blueprint_choices() == (engine.BlueprintChoice(id=blueprint.pk, name="Luyện tập",
                                                                 bank_name=blueprint.bank.name, questions=3),)
    with translation.override("vi"), pytest.raises(engine.Refusal) as refused:
        engine.paper_draw(blueprint_id=exam_blueprint.pk, purpose=PURPOSE, owner_ref="learner-1", seed="s")
    assert refused.value.code == "not_training"
    assert refused.value.message == "Ngân hàng câu hỏi của ma trận đề này chưa mở cho các lớp bồi dưỡng."
    assert not PaperSet.objects.filter(hosted_for=PURPOSE).exists()

    client.force_login(author)  # the bank's author opens it on the bank's page
    response = client.post(reverse("bank_training", args=[secret.pk]), {"for_training": "on"})
    assert response.status_code == 302
    assert [choice.id for choice in engine.blueprint_choices()] == [blueprint.pk, exam_blueprint.pk]  # by bank name
    assert AuditLog.objects.get(action="bank.training", object_id=str(secret.pk)).details == {"for_training": True}
    assert engine.paper_draw(blueprint_id=exam_blueprint.pk, purpose=PURPOSE, owner_ref="learner-1",
                             seed="s").questions == 1
    client.post(reverse("bank_training", args=[secret.pk]), {})  # and closes it again
    assert not Bank.objects.get(pk=secret.pk).for_training
    response = client.post(reverse("bank_list"), {"name": "Ngân hàng ôn tập", "description": "", "for_training": "on"})
    assert response.status_code == 302 and Bank.objects.get(name="Ngân hàng ôn tập").for_training
    page = client.get(reverse("bank_detail", args=[secret.pk])).content.decode()
    assert "Mở cho các lớp bồi dưỡng" in page and "open to training" not in page


@pytest.mark.django_db(transaction=True)
async def test_one_attempt_extended_moves_its_deadline_tells_its_page_and_is_audited(host, blueprint, learner,
                                                                                     make_user):
    head = await sync_to_async(make_user)(Role.LECTURER, username="chu_nhiem")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _paper, device, info = await sync_to_async(_open)(learner, blueprint, limit_s=600, window=None)
        cookie = with_device_pass(await sync_to_async(_session_cookie)(learner), device)
        ws = WebsocketCommunicator(application, f"/ws/attempt/{info.id}/", headers=[ORIGIN, cookie])
        assert (await ws.connect())[0]
        await ws.receive_json_from(timeout=3)
        for minutes, reason, code in ((0, "Mất điện", "bad_minutes"), (241, "Mất điện", "bad_minutes"),
                                      (5, "  ", "no_reason")):
            with pytest.raises(engine.Refusal) as refused:
                await sync_to_async(engine.attempt_extend)(attempt_id=info.id, minutes=minutes, reason=reason,
                                                           actor=head)
            assert refused.value.code == code
        extended = await sync_to_async(engine.attempt_extend)(attempt_id=info.id, minutes=15, reason="Mất điện",
                                                              actor=head)
        assert extended.deadline == now + dt.timedelta(minutes=25) and extended.status == "open"
        state = await ws.receive_json_from(timeout=3)
        assert (state["type"], state["deadline"], state["paused"]) == ("state", extended.deadline.isoformat(), False)
        await ws.disconnect()
    assert (await Attempt.objects.aget(pk=info.id)).deadline == extended.deadline
    record = await AuditLog.objects.aget(action="attempt.extend")
    assert (record.actor_id, record.object_id) == (head.pk, str(info.id))
    assert record.details == {"minutes": 15, "reason": "Mất điện", "purpose": PURPOSE}


@pytest.mark.django_db
def test_a_finished_attempt_is_not_extended(host, blueprint, learner, make_user):
    head = make_user(Role.LECTURER, username="chu_nhiem")
    _paper, _device, info = _open(learner, blueprint)
    engine.attempt_finish(attempt_id=info.id)
    with pytest.raises(engine.Refusal) as refused:
        engine.attempt_extend(attempt_id=info.id, minutes=5, reason="Mất điện", actor=head)
    assert refused.value.code == "finished" and Attempt.objects.get(pk=info.id).extension_s == 0
    assert not AuditLog.objects.filter(action="attempt.extend").exists()


@pytest.mark.django_db
def test_a_finished_attempt_is_reviewed_with_the_answers_the_correct_choices_and_the_explanations(host, blueprint,
                                                                                                  learner, make_user):
    paper, device, info = _open(learner, blueprint)
    with pytest.raises(engine.Refusal) as refused:  # the correct answers never reach an open paper
        engine.attempt_review(attempt_id=info.id, owner_id=learner.pk)
    assert refused.value.code == "not_finished"
    correct = _correct_answers(paper.id)
    orders = {item.position: item.choice_order for item in PaperItem.objects.filter(paper_id=paper.id)}
    wrong = next(choice for choice in orders[0] if choice not in correct[0])
    engine.answer_save(attempt_id=info.id, owner_id=learner.pk, item=0, seq=1, value=[wrong], device=device)
    engine.answer_save(attempt_id=info.id, owner_id=learner.pk, item=1, seq=2, value=correct[1], device=device)
    engine.attempt_finish(attempt_id=info.id, owner_id=learner.pk)

    review = engine.attempt_review(attempt_id=info.id, owner_id=learner.pk)
    assert [item.number for item in review.items] == [1, 2, 3] and review.total_points == Decimal(6)
    first, second, third = review.items
    assert [choice.id for choice in first.choices] == orders[0]  # the paper's order, lettered as it showed them
    assert [choice.letter for choice in first.choices] == ["A", "B", "C", "D"]
    assert [c.id for c in first.choices if c.chosen] == [wrong] and [c.id for c in first.choices if c.correct] == \
        correct[0]
    assert (first.score, second.score, third.score) == (Decimal(0), Decimal(2), Decimal(0))
    assert not any(choice.chosen for choice in third.choices)
    question = PaperItem.objects.get(paper_id=paper.id, position=0).question
    assert (first.text, first.explanation) == (question.text, question.explanation)
    assert first.explanation.startswith("<p>Giải thích câu")
    with pytest.raises(engine.Refusal) as refused:
        engine.attempt_review(attempt_id=info.id, owner_id=make_user(Role.CANDIDATE, username="nguoila").pk)
    assert refused.value.code == "not_yours"


OTHER = "another-host"  # a second host's purpose (not one an app registers: unregistering it must not undo the app)


@pytest.mark.django_db
def test_a_purge_deletes_old_finished_attempts_of_its_purpose_with_their_papers_and_nothing_else(host, blueprint,
                                                                                                 learner, author):
    other = []
    engine.host_register(engine.Host(purpose=OTHER, page_url=str, result_url=str,
                                     on_finish=lambda *, attempt_id: other.append(attempt_id)))
    now = timezone.now()
    cutoff = now - dt.timedelta(days=30)
    try:
        with time_machine.travel(now - dt.timedelta(days=31), tick=False):
            old_paper, device, old = _open(learner, blueprint, window=None)
            engine.answer_save(attempt_id=old.id, owner_id=learner.pk, item=0, seq=1,
                               value=_correct_answers(old_paper.id)[0], device=device)
            engine.attempt_finish(attempt_id=old.id)
            _paper, _device, still_open = _open(learner, blueprint, window=None)  # never finished: kept
            contest_paper = engine.paper_draw(blueprint_id=blueprint.pk, purpose=OTHER, owner_ref="x", seed="c")
            contest = engine.attempt_open(owner_id=learner.pk, purpose=OTHER, paper_id=contest_paper.id,
                                          time_limit_s=60, window_closes_at=None, device=device)
            engine.attempt_finish(attempt_id=contest.id)  # another purpose: kept
        with time_machine.travel(now - dt.timedelta(days=29), tick=False):
            _paper, _device, recent = _open(learner, blueprint, window=None)
            engine.attempt_finish(attempt_id=recent.id)  # finished after the cutoff: kept
        old_set = Paper.objects.get(pk=old_paper.id).paper_set_id
        assert AnswerEvent.objects.filter(attempt_id=old.id).exists()

        assert engine.attempts_purge(purpose=PURPOSE, finished_before=cutoff) == 1
        assert not Attempt.objects.filter(pk=old.id).exists()
        assert not AttemptItem.objects.filter(attempt_id=old.id).exists()
        assert not AnswerEvent.objects.filter(attempt_id=old.id).exists()
        assert not PaperSet.objects.filter(pk=old_set).exists() and not Paper.objects.filter(pk=old_paper.id).exists()
        assert not PaperItem.objects.filter(paper_id=old_paper.id).exists()
        assert set(Attempt.objects.values_list("pk", flat=True)) == {still_open.id, recent.id, contest.id}
        assert engine.attempts_purge(purpose=PURPOSE, finished_before=cutoff) == 0
        with pytest.raises(ValueError, match="never purged"):
            engine.attempts_purge(purpose=engine.EXAM, finished_before=now)
    finally:
        engine.host_unregister(OTHER)


@pytest.mark.django_db
def test_the_database_still_keeps_an_exams_sealed_papers_and_every_sealed_set_unchanged(host, blueprint, learner,
                                                                                        author):
    exam_set = paper_set_generate(blueprint=blueprint, name="Ca 1", seed="x", candidate_refs=["CV0001"],
                                  variants=None, actor=author)
    paper_set_seal(paper_set=exam_set, actor=author)
    paper = exam_set.papers.get()
    hosted, _device, _info = _open(learner, blueprint)
    hosted_set = Paper.objects.get(pk=hosted.id).paper_set_id
    for statement, params in (("DELETE FROM exams_paperitem WHERE paper_id = %s", [paper.pk]),
                              ("DELETE FROM exams_paper WHERE id = %s", [paper.pk]),
                              ("DELETE FROM exams_paperset WHERE id = %s", [exam_set.pk]),
                              ("UPDATE exams_paperset SET hosted_for = 'practice' WHERE id = %s", [exam_set.pk]),
                              ("UPDATE exams_paperset SET hosted_for = NULL WHERE id = %s", [hosted_set]),
                              ("UPDATE exams_paperitem SET points = 9 WHERE paper_id = %s", [hosted.id])):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    with pytest.raises(DatabaseError), transaction.atomic():
        exam_set.delete()
    assert PaperItem.objects.filter(paper=paper).count() == 3 and PaperSet.objects.get(pk=exam_set.pk).hosted_for is None
