"""The exam page's and the console's websockets through the full ASGI stack."""

import datetime as dt
import json

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from exam_platform.asgi import application
from exams.examday import devicepass
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from exams.models import AnswerEvent, AttemptItem, RoomEvent
from tests.platform.test_websocket import ORIGIN, _session_cookie

DEVICE = "device-a"


@pytest.fixture
def started(exam_day):
    room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"], code=room.code,
                                  device=DEVICE).attempt
    item = AttemptItem.objects.select_related("paper_item__question").filter(
        attempt=attempt, paper_item__question__kind="single").first()
    return {**exam_day, "room_session": room, "attempt": attempt, "position": item.position,
            "choices": item.paper_item.choice_order}


def with_device_pass(cookie: tuple[bytes, bytes], device: str) -> tuple[bytes, bytes]:
    """The session cookie plus the device pass a browser gets by entering the room code on ``device``."""
    return cookie[0], cookie[1] + f"; {devicepass.COOKIE}={devicepass.sign(device)}".encode()


async def _connect(user, path, device: str | None = None):
    cookie = await sync_to_async(_session_cookie)(user)
    if device is not None:
        cookie = with_device_pass(cookie, device)
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_save_is_acknowledged_after_it_is_stored_and_a_replay_is_harmless(started):
    with time_machine.travel(started["now"] + dt.timedelta(minutes=15), tick=False):
        ws = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
        state = await ws.receive_json_from(timeout=3)
        assert state["type"] == "state" and state["status"] == "open"
        message = {"type": "save", "item": started["position"], "seq": 1, "value": [started["choices"][1]]}
        await ws.send_json_to(message)
        ack = await ws.receive_json_from(timeout=3)
        assert ack == {"type": "ack", "seq": 1, "item": started["position"], "duplicate": False}
        stored = await sync_to_async(AttemptItem.objects.get)(attempt=started["attempt"], position=started["position"])
        assert stored.answer == [started["choices"][1]]
        await ws.send_json_to(message)
        assert (await ws.receive_json_from(timeout=3))["duplicate"] is True
        await ws.disconnect()
    assert await sync_to_async(AnswerEvent.objects.count)() == 2


@pytest.mark.django_db(transaction=True)
async def test_malformed_and_oversized_messages_are_refused_without_closing(started):
    with time_machine.travel(started["now"] + dt.timedelta(minutes=15), tick=False):
        ws = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
        await ws.receive_json_from(timeout=3)
        await ws.send_to(text_data="{not json")
        assert (await ws.receive_json_from(timeout=3))["code"] == "bad_message"
        await ws.send_to(text_data="[" * 30000 + "]" * 30000)  # nests deeper than the parser goes
        assert (await ws.receive_json_from(timeout=3))["code"] == "bad_message"
        await ws.send_to(text_data=json.dumps({"type": "save", "item": 0, "seq": 1, "value": "x" * 70000}))
        assert (await ws.receive_json_from(timeout=3))["code"] == "bad_message"
        await ws.send_json_to({"type": "save", "item": 42, "seq": 1, "value": [1]})
        refusal = await ws.receive_json_from(timeout=3)
        assert refusal["code"] == "bad_item" and refusal["message"] == "Câu hỏi này không có trong đề thi của bạn."
        await ws.disconnect()
    assert await sync_to_async(AnswerEvent.objects.count)() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_second_device_and_another_candidate_are_refused(started):
    ws = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device="device-b")
    refused = await ws.receive_json_from(timeout=3)
    assert refused["type"] == "refused" and refused["code"] == "other_device"
    assert (await ws.receive_output(timeout=3))["type"] == "websocket.close"
    other = await _connect(started["candidates"][1], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
    assert (await other.receive_json_from(timeout=3))["code"] == "not_yours"


@pytest.mark.django_db(transaction=True)
async def test_an_extension_reaches_the_open_page_without_a_reload(started):
    ws = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
    first = await ws.receive_json_from(timeout=3)
    await sync_to_async(svc.extend)(room_session=started["room_session"], minutes=5, reason="Sự cố",
                                    actor=started["invigilator"])
    update = await ws.receive_json_from(timeout=3)
    assert update["type"] == "state"
    assert dt.datetime.fromisoformat(update["deadline"]) - dt.datetime.fromisoformat(first["deadline"]) == \
        dt.timedelta(minutes=5)
    await sync_to_async(svc.room_pause)(room_session=started["room_session"], actor=started["invigilator"],
                                        reason="Mất điện")
    assert (await ws.receive_json_from(timeout=3))["paused"] is True
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_focus_loss_and_drops_are_recorded_and_the_console_sees_them_live(started):
    console = await _connect(started["invigilator"], f"/ws/console/{started['room_session'].pk}/")
    snapshot = await console.receive_json_from(timeout=3)
    assert snapshot["type"] == "snapshot" and snapshot["code"] == started["room_session"].code
    row = next(r for r in snapshot["rows"] if r["candidate_number"] == "CV0001")
    assert row["state"] == "in_progress" and row["focus_losses"] == 0
    page = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
    await page.receive_json_from(timeout=3)
    await page.send_json_to({"type": "event", "kind": "focus_lost"})
    await page.disconnect()
    for _ in range(5):  # a fresh snapshot arrives within a second of each change
        snapshot = await console.receive_json_from(timeout=2)
        row = next(r for r in snapshot["rows"] if r["candidate_number"] == "CV0001")
        if row["focus_losses"] == 1 and row["drops"] == 1:
            break
    assert row["focus_losses"] == 1 and row["drops"] == 1
    await console.disconnect()
    kinds = await sync_to_async(lambda: sorted(RoomEvent.objects.filter(attempt=started["attempt"])
                                               .values_list("kind", flat=True)))()
    assert "focus_lost" in kinds and "disconnected" in kinds


@pytest.mark.django_db(transaction=True)
async def test_the_console_refuses_anyone_but_the_rooms_people(started, make_user):
    from accounts.roles import Role

    stranger = await sync_to_async(make_user)(Role.INVIGILATOR, username="khac")
    cookie = await sync_to_async(_session_cookie)(stranger)
    communicator = WebsocketCommunicator(application, f"/ws/console/{started['room_session'].pk}/",
                                         headers=[ORIGIN, cookie])
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_a_room_wide_extension_gives_each_page_its_own_new_deadline(started):
    """One message for the room; each page takes its own deadline from it (one candidate had extra time)."""
    other = await sync_to_async(lambda: entering.room_enter(
        registration=started["registrations"][1], sitting=started["sitting"], code=started["room_session"].code,
        device="device-b").attempt)()
    await sync_to_async(svc.extend)(room_session=started["room_session"], minutes=10, reason="Khuyết tật",
                                    actor=started["invigilator"], attempt=other)
    pages = [await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE),
             await _connect(started["candidates"][1], f"/ws/attempt/{other.pk}/", device="device-b")]
    before = [dt.datetime.fromisoformat((await page.receive_json_from(timeout=3))["deadline"]) for page in pages]
    assert before[1] - before[0] == dt.timedelta(minutes=10)
    await sync_to_async(svc.extend)(room_session=started["room_session"], minutes=5, reason="Mất điện",
                                    actor=started["invigilator"])
    for page, deadline in zip(pages, before, strict=True):
        update = await page.receive_json_from(timeout=3)
        assert update["type"] == "state" and update["status"] == "open" and update["paused"] is False
        assert dt.datetime.fromisoformat(update["deadline"]) - deadline == dt.timedelta(minutes=5)
    await sync_to_async(svc.room_pause)(room_session=started["room_session"], actor=started["invigilator"],
                                        reason="Mất điện")
    await sync_to_async(svc.room_resume)(room_session=started["room_session"], actor=started["invigilator"])
    for page in pages:
        assert (await page.receive_json_from(timeout=3))["paused"] is True
        assert (await page.receive_json_from(timeout=3))["paused"] is False
        assert await page.receive_nothing(timeout=0.2)  # one message each, not one per candidate of the room
        await page.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_messages_reach_their_handler_without_a_database_hand_over_each(started, monkeypatch):
    """channels hands close_old_connections to the database thread before every message; the exam page's consumer
    does not (its database calls clean up themselves), and its saves are still stored and acknowledged."""
    import channels.consumer

    hand_overs = []

    async def counted():
        hand_overs.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    with time_machine.travel(started["now"] + dt.timedelta(minutes=15), tick=False):
        ws = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
        await ws.receive_json_from(timeout=3)
        for seq in (1, 2, 3):
            await ws.send_json_to({"type": "save", "item": started["position"], "seq": seq,
                                   "value": [started["choices"][seq]]})
            assert (await ws.receive_json_from(timeout=3))["type"] == "ack"
        await ws.send_json_to({"type": "ping", "seq": 9})
        assert (await ws.receive_json_from(timeout=3))["type"] == "pong"
        await ws.disconnect()
    assert hand_overs == []
    stored = await sync_to_async(AttemptItem.objects.get)(attempt=started["attempt"], position=started["position"])
    assert stored.answer == [started["choices"][3]]


@pytest.mark.django_db(transaction=True)
async def test_a_flooding_socket_gets_refusals_not_acknowledgements(started, settings):
    settings.EXAM_SAVE_BURST = 2
    with time_machine.travel(started["now"] + dt.timedelta(minutes=15), tick=False):
        ws = await _connect(started["candidates"][0], f"/ws/attempt/{started['attempt'].pk}/", device=DEVICE)
        await ws.receive_json_from(timeout=3)
        answers = []
        for seq in (1, 2, 3):
            await ws.send_json_to({"type": "save", "item": started["position"], "seq": seq,
                                   "value": [started["choices"][seq % 2]]})
            answers.append(await ws.receive_json_from(timeout=3))
        await ws.disconnect()
    assert [a["type"] for a in answers] == ["ack", "ack", "error"] and answers[2]["code"] == "slow_down"
    stored = await sync_to_async(AttemptItem.objects.get)(attempt=started["attempt"], position=started["position"])
    assert stored.client_seq == 2  # the refused save was not written; the page keeps it and sends it again
