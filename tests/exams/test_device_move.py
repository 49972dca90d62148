"""Moving a paper to another machine (issue 14, "acknowledged but not stored"): the new machine takes the paper only
with the room code, numbers its saves above the old one's (device epochs), and a save that reaches a stored counter
with another value is a conflict, never an acknowledgement, over websocket and HTTP alike. A browser with only the
login slip never reaches the live paper."""

import datetime as dt

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.urls import reverse

from exams.examday import devicepass
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from exams.models import AnswerEvent, Attempt, AttemptItem
from tests.exams.test_exam_websockets import _connect
from tests.helpers import give_device_pass

OLD, NEW = "machine-old", "machine-new"
EPOCH = 2**32


@pytest.fixture
def moved(exam_day):
    """A candidate answered on the old machine (counter 1 of epoch 1); the invigilator released the paper and the
    candidate entered the room code on the new machine (epoch 2)."""
    room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    registration = exam_day["registrations"][0]
    attempt = entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code,
                                  device=OLD).attempt
    item = AttemptItem.objects.select_related("paper_item").filter(
        attempt=attempt, paper_item__question__kind="single").first()
    first, second = item.paper_item.choice_order[:2]
    from exams.examday.services import saves

    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        saves.answer_save(attempt_id=attempt.pk, user_id=registration.person_id, position=item.position,
                          seq=EPOCH + 1, value=[first], device=OLD)
        entering.release(attempt=attempt, actor=exam_day["invigilator"], reason="Máy treo")
        entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code, device=NEW)
    return {**exam_day, "room_session": room, "attempt": attempt, "position": item.position, "first": first,
            "second": second, "person": exam_day["candidates"][0]}


def _stored(moved):
    return AttemptItem.objects.values_list("answer", "client_seq").get(attempt=moved["attempt"],
                                                                        position=moved["position"])


@pytest.mark.django_db
class TestOverHttp:
    def _post(self, client, moved, seq, value):
        with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
            return client.post(reverse("attempt_save", args=[moved["attempt"].pk]),
                               {"item": moved["position"], "seq": seq, "value": value},
                               content_type="application/json")

    def test_a_page_numbering_afresh_on_the_new_machine_gets_a_conflict_not_an_acknowledgement(self, client,
                                                                                                moved):
        client.force_login(moved["person"])
        give_device_pass(client, NEW)
        response = self._post(client, moved, 1, [moved["second"]])
        assert response.status_code == 409
        assert response.json() == {"type": "conflict", "seq": 1, "item": moved["position"], "stored_seq": EPOCH + 1}
        assert _stored(moved) == ([moved["first"]], EPOCH + 1)  # nothing overwritten, nothing claimed as stored
        # The page numbers above the stored counter and sends its value again: now it is stored.
        again = self._post(client, moved, EPOCH + 2, [moved["second"]])
        assert again.json() == {"type": "ack", "seq": EPOCH + 2, "item": moved["position"], "duplicate": False}
        assert _stored(moved) == ([moved["second"]], EPOCH + 2)

    def test_the_new_machines_epoch_is_above_every_counter_of_the_old_one(self, client, moved):
        client.force_login(moved["person"])
        give_device_pass(client, NEW)
        with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
            page = client.get(reverse("attempt_page", args=[moved["attempt"].pk]))
        config = page.context["config"]
        assert (config["epoch"], config["seq_base"]) == (2, 2 * EPOCH)
        assert config["seqs"] == {str(moved["position"]): EPOCH + 1}
        ack = self._post(client, moved, config["seq_base"] + 1, [moved["second"]]).json()
        assert ack["type"] == "ack" and ack["duplicate"] is False
        assert _stored(moved) == ([moved["second"]], 2 * EPOCH + 1)

    def test_a_replay_of_exactly_the_stored_value_is_still_acknowledged(self, client, moved):
        client.force_login(moved["person"])
        give_device_pass(client, NEW)
        response = self._post(client, moved, 1, [moved["first"]])
        assert response.json() == {"type": "ack", "seq": 1, "item": moved["position"], "duplicate": True}

    def test_the_old_machine_and_a_browser_without_the_room_code_can_neither_save_nor_flag(self, client, moved):
        client.force_login(moved["person"])
        give_device_pass(client, OLD)
        assert self._post(client, moved, EPOCH + 5, [moved["second"]]).json()["code"] == "other_device"
        client.cookies.pop(devicepass.COOKIE)
        refused = self._post(client, moved, 2 * EPOCH + 5, [moved["second"]])
        assert refused.status_code == 409 and refused.json()["code"] == "no_device"
        flag = client.post(reverse("attempt_flag", args=[moved["attempt"].pk]),
                           {"item": moved["position"], "flagged": True}, content_type="application/json")
        assert flag.status_code == 409 and flag.json()["stored"] is False
        assert _stored(moved) == ([moved["first"]], EPOCH + 1)
        assert not AttemptItem.objects.filter(attempt=moved["attempt"], flagged=True).exists()

    def test_flags_go_over_http_from_the_machine_holding_the_paper(self, client, moved):
        client.force_login(moved["person"])
        give_device_pass(client, NEW)
        flag = client.post(reverse("attempt_flag", args=[moved["attempt"].pk]),
                           {"item": moved["position"], "flagged": True}, content_type="application/json")
        assert flag.json() == {"type": "flagged", "item": moved["position"], "flagged": True, "stored": True}
        assert AttemptItem.objects.get(attempt=moved["attempt"], position=moved["position"]).flagged is True


@pytest.mark.django_db
class TestTheLoginSlipAlone:
    """A second browser signed in with the candidate's slip, without the room code, never sees the live paper."""

    def test_it_is_sent_to_the_room_code_instead_of_the_paper(self, client, moved):
        client.force_login(moved["person"])
        attempt = moved["attempt"]
        with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
            page = client.get(reverse("attempt_page", args=[attempt.pk]))
            assert page.status_code == 302 and page["Location"] == reverse("sitting_enter", args=[attempt.sitting_id])
            enter = client.get(page["Location"])
        html = enter.content.decode()
        assert enter.status_code == 200 and 'name="code"' in html and 'id="paper"' not in html
        assert "Hãy nhập mã phòng thi trên máy này để mở bài thi của bạn." in html  # the reason is said

    def test_it_cannot_submit_the_paper(self, client, moved):
        client.force_login(moved["person"])
        with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
            response = client.post(reverse("attempt_submit", args=[moved["attempt"].pk]))
        assert response.status_code == 302 and "enter" in response["Location"]
        assert Attempt.objects.get().status == "open"

    def test_entering_the_room_code_gives_the_browser_its_pass_and_the_paper(self, client, exam_day):
        room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
        client.force_login(exam_day["candidates"][0])
        url = reverse("sitting_enter", args=[exam_day["sitting"].pk])
        wrong = client.post(url, {"code": "000000" if room.code != "000000" else "111111"})
        assert devicepass.COOKIE not in wrong.cookies and not Attempt.objects.exists()
        response = client.post(url, {"code": room.code})
        attempt = Attempt.objects.get()
        assert response["Location"] == reverse("attempt_page", args=[attempt.pk])
        assert devicepass.device_from({devicepass.COOKIE: response.cookies[devicepass.COOKIE].value}) == attempt.device
        assert response.cookies[devicepass.COOKIE]["httponly"]
        assert client.get(url)["Location"] == reverse("attempt_page", args=[attempt.pk])  # this machine skips the code
        with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
            assert 'id="paper"' in client.get(response["Location"]).content.decode()

    def test_a_forged_pass_is_no_pass(self, client, moved):
        client.force_login(moved["person"])
        client.cookies[devicepass.COOKIE] = f"{NEW}:forged"
        with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
            assert client.get(reverse("attempt_page", args=[moved["attempt"].pk])).status_code == 302


@pytest.mark.django_db(transaction=True)
async def test_over_the_websocket_the_move_is_resolved_and_the_old_machine_is_closed_out(moved):
    attempt, position = moved["attempt"], moved["position"]
    with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
        old = await _connect(moved["person"], f"/ws/attempt/{attempt.pk}/", device=OLD)
        refusal = await old.receive_json_from(timeout=3)
        assert refusal["type"] == "refused" and refusal["code"] == "other_device"
        slip_only = await _connect(moved["person"], f"/ws/attempt/{attempt.pk}/")
        assert (await slip_only.receive_json_from(timeout=3))["code"] == "no_device"

        new = await _connect(moved["person"], f"/ws/attempt/{attempt.pk}/", device=NEW)
        assert (await new.receive_json_from(timeout=3))["type"] == "state"
        await new.send_json_to({"type": "save", "item": position, "seq": 1, "value": [moved["second"]]})
        assert await new.receive_json_from(timeout=3) == {"type": "conflict", "seq": 1, "item": position,
                                                          "stored_seq": EPOCH + 1}
        await new.send_json_to({"type": "save", "item": position, "seq": EPOCH + 2, "value": [moved["second"]]})
        assert await new.receive_json_from(timeout=3) == {"type": "ack", "seq": EPOCH + 2, "item": position,
                                                          "duplicate": False}
        await new.send_json_to({"type": "flag", "item": position, "flagged": True})
        assert (await new.receive_json_from(timeout=3))["stored"] is True
        await new.disconnect()
    assert await sync_to_async(_stored)(moved) == ([moved["second"]], EPOCH + 2)
    applied = await sync_to_async(lambda: list(AnswerEvent.objects.order_by("pk").values_list("client_seq", "applied",
                                                                                               "device")))()
    assert applied == [(EPOCH + 1, True, OLD), (1, False, NEW), (EPOCH + 2, True, NEW)]


@pytest.mark.django_db(transaction=True)
async def test_a_release_reaches_the_open_page_and_the_paper_then_waits_for_the_room_code(moved):
    attempt = moved["attempt"]
    with time_machine.travel(moved["now"] + dt.timedelta(minutes=20), tick=False):
        page = await _connect(moved["person"], f"/ws/attempt/{attempt.pk}/", device=NEW)
        await page.receive_json_from(timeout=3)
        await sync_to_async(entering.release)(attempt=await sync_to_async(Attempt.objects.get)(pk=attempt.pk),
                                              actor=moved["invigilator"], reason="Đổi máy lần nữa")
        assert (await page.receive_json_from(timeout=3))["type"] == "released"
        assert (await page.receive_output(timeout=3))["type"] == "websocket.close"
        # The paper is free: no page reaches it, not even the machine that held it, until the code is entered.
        again = await _connect(moved["person"], f"/ws/attempt/{attempt.pk}/", device=NEW)
        assert (await again.receive_json_from(timeout=3))["code"] == "other_device"
