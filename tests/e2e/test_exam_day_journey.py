"""Exam day in a real browser: the candidate never loses an answer, the invigilator's actions reach the page."""

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import django_shell
from tests.e2e.test_question_author_journey import login

pytestmark = pytest.mark.e2e

PREPARE = """
import datetime as dt, json
from django.utils import timezone
from exams.models import Registration, Sitting, Attempt
sitting = Sitting.objects.get(subject__code="KTC", subject__exam__name__contains="(demo)")
now = timezone.now()
Sitting.objects.filter(pk=sitting.pk).update(starts_at=now - dt.timedelta(minutes=1), opens_at=now - dt.timedelta(minutes=30),
                                             ends_at=now + dt.timedelta(minutes=59))
people = {}
for username in ("demo_candidate",):
    r = Registration.objects.get(exam=sitting.subject.exam, person__username=username)
    people[username] = [r.candidate_number, r.exam_password, r.room_id]
other = Registration.objects.filter(exam=sitting.subject.exam, room_id=people["demo_candidate"][2]).exclude(
    person__username="demo_candidate").order_by("candidate_number").first()
people["other"] = [other.candidate_number, other.exam_password, other.room_id]
print(json.dumps({"sitting": sitting.pk, "people": people}))
"""


def exam_login(page: Page, live_app, number: str, password: str) -> None:
    page.goto(f"{live_app['url']}/exam-login/")
    page.get_by_label("Số báo danh").fill(number)
    page.get_by_label("Mật khẩu dự thi").fill(password)
    page.get_by_role("button", name="Vào phòng thi").click()
    expect(page).to_have_url(re.compile(r"/my-exams/$"))


def enter_room(page: Page, live_app, sitting: int, code: str) -> None:
    page.goto(f"{live_app['url']}/sittings/{sitting}/enter/")
    page.get_by_label("Mã phòng thi (6 chữ số, do giám thị thông báo)").fill(code)
    page.get_by_role("button", name="Vào phòng thi").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    expect(page.locator("#conn")).to_have_attribute("data-state", re.compile("online|http"), timeout=15000)


def countdown_seconds(page: Page) -> int:
    minutes, seconds = page.locator("#countdown").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_candidate_sits_the_exam_and_nothing_is_lost(browser: Browser, live_app, shot):
    world = json.loads(django_shell(live_app, PREPARE))
    sitting = world["sitting"]
    number, password, room = world["people"]["demo_candidate"]

    invigilator = browser.new_page(viewport={"width": 1366, "height": 768})
    login(invigilator, live_app, "demo_invigilator")
    invigilator.goto(f"{live_app['url']}/sittings/{sitting}/rooms/{room}/console/")
    invigilator.get_by_role("button", name="Mở phòng thi").click()
    code = invigilator.locator("#room-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    exam_login(page, live_app, number, password)
    enter_room(page, live_app, sitting, code)
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    first = page.locator(".qwrap").nth(0)
    first.locator("input[type=radio]").nth(1).check()
    expect(page.locator("#pending")).to_have_text("")
    shot(page, "30-exam-page")

    page.reload()  # the answer comes back from the server
    expect(page.locator(".qwrap").nth(0).locator("input[type=radio]").nth(1)).to_be_checked()
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")

    # The invigilator extends the room's time: the countdown grows without a reload.
    before = countdown_seconds(page)
    invigilator.reload()
    expect(invigilator.locator("#console[data-live='1']")).to_be_visible()
    expect(invigilator.locator("#console-table tbody tr").filter(has_text=number)).to_contain_text("Đang làm bài")
    shot(invigilator, "31-console")
    invigilator.get_by_label("Thao tác", exact=True).select_option("extend")
    invigilator.get_by_label("Số phút", exact=True).fill("5")
    invigilator.get_by_label("Lý do", exact=True).fill("Mạng chậm đầu giờ")
    invigilator.get_by_role("button", name="Thực hiện").click()
    expect(page.locator("#countdown")).not_to_have_text(re.compile(r"^(5[0-9]|[0-4][0-9]):"))  # > 60 minutes now
    assert countdown_seconds(page) >= before + 4 * 60

    # A pause shows on the page at once, and the resume clears it.
    invigilator.get_by_label("Thao tác", exact=True).select_option("pause")
    invigilator.get_by_label("Lý do", exact=True).fill("Mất điện tầng 2")
    invigilator.get_by_role("button", name="Thực hiện").click()
    expect(page.locator("#alert")).to_have_text("Phòng thi đang tạm dừng")
    # The pause is in the sticky bar wherever the candidate has scrolled; the clock stops; answers are locked.
    page.locator(".qwrap").last.scroll_into_view_if_needed()
    expect(page.locator("#paused-flag")).to_be_in_viewport()
    expect(page.locator(".qwrap").nth(0).locator("input[type=radio]").first).to_be_disabled()
    stopped = page.locator("#countdown").inner_text()
    page.wait_for_timeout(2200)
    assert page.locator("#countdown").inner_text() == stopped
    shot(page, "31b-paused")
    invigilator.get_by_label("Thao tác", exact=True).select_option("resume")
    invigilator.get_by_role("button", name="Thực hiện").click()
    expect(page.locator("#alert")).to_be_hidden()
    expect(page.locator("#paused-flag")).to_be_hidden()

    # The websocket drops: the next answer waits on this machine (shown as not yet saved) until the page has
    # reconnected by itself, then it is sent and acknowledged.
    # While the network is "down", a reconnecting page meets a socket that takes its messages and never answers
    # (what a dead link looks like), so the wait cannot be cut short by a quick reconnect on a loaded machine.
    sockets, dead, network = [], [], {"up": True}

    def through(ws):
        if network["up"]:
            ws.connect_to_server()
            sockets.append(ws)
        else:
            dead.append(ws)

    page.route_web_socket(re.compile(r".*/ws/attempt/.*"), through)
    page.reload()
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=15000)
    network["up"] = False
    sockets[-1].close()
    expect(page.locator("#conn")).not_to_have_attribute("data-state", "online")
    page.locator(".qwrap").nth(1).locator("input").first.click()
    expect(page.locator("#pending")).not_to_have_text("")
    page.wait_for_timeout(3000)  # past the page's first reconnect: still nothing acknowledged
    expect(page.locator("#pending")).not_to_have_text("")
    shot(page, "33-connection-lost")
    network["up"] = True
    for ws in dead:
        ws.close()
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=15000)
    expect(page.locator("#pending")).to_have_text("", timeout=15000)
    stored = django_shell(live_app, f"""
from exams.models import AttemptItem
print(AttemptItem.objects.filter(attempt__registration__candidate_number="{number}", answer__isnull=False).count())
""")
    assert int(stored) == 2

    # Time runs out (moved through data): the page finishes by itself and shows the score and the slip.
    django_shell(live_app, f"""
import datetime as dt
from django.utils import timezone
from exams.models import Attempt
Attempt.objects.filter(registration__candidate_number="{number}").update(deadline=timezone.now() + dt.timedelta(seconds=3))
""")
    page.reload()
    expect(page).to_have_url(re.compile(r"/result/$"), timeout=20000)
    expect(page.locator("#score")).to_contain_text("Số câu đúng")
    expect(page.get_by_role("button", name="In phiếu kết quả")).to_be_visible()
    shot(page, "32-result-slip")


def test_a_page_whose_websocket_never_connects_saves_over_http(browser: Browser, live_app):
    world = json.loads(django_shell(live_app, PREPARE))
    sitting = world["sitting"]
    number, password, room = world["people"]["other"]
    code = django_shell(live_app, f"""
from accounts.models import User
from exams.models import Room, Sitting
from exams.examday.services.attempts import room_open
print(room_open(sitting=Sitting.objects.get(pk={sitting}), room=Room.objects.get(pk={room}),
                actor=User.objects.get(username="demo_invigilator")).code)
""")
    page = browser.new_page()
    # A network that refuses websockets (some proxies do): the page must fall back to HTTP by itself.
    page.add_init_script("window.WebSocket = function () { throw new Error('websockets blocked'); };")
    exam_login(page, live_app, number, password)
    enter_room(page, live_app, sitting, code)
    expect(page.locator("#conn")).to_have_attribute("data-state", "http", timeout=15000)
    page.locator(".qwrap").nth(0).locator("input").first.click()
    expect(page.locator("#pending")).to_have_text("", timeout=15000)
    answers = json.loads(django_shell(live_app, f"""
import json
from exams.models import AnswerEvent, AttemptItem
mine = dict(attempt__registration__candidate_number="{number}")
print(json.dumps([list(AnswerEvent.objects.filter(**mine).values_list("transport", flat=True)),
                  AttemptItem.objects.filter(**mine, answer__isnull=False).count()]))
"""))
    assert answers[0] and set(answers[0]) == {"http"} and answers[1] == 1

    # Over the paper's save allowance the server refuses without acknowledging: the answer stays on this machine
    # (shown as not yet saved, no alarm for the candidate) and goes again by itself until it is stored.
    refusals = []

    def slow_down_once(route):
        if refusals:
            route.continue_()
            return
        refusals.append(route.request.post_data_json)
        route.fulfill(json={"type": "error", "code": "slow_down", "item": refusals[0]["item"],
                            "seq": refusals[0]["seq"], "message": "Câu trả lời đang được gửi quá nhanh"})

    page.route(re.compile(r".*/attempts/\d+/save/$"), slow_down_once)
    page.locator(".qwrap").nth(1).locator("input").first.click()
    expect(page.locator("#pending")).not_to_have_text("")
    expect(page.locator("#pending")).to_have_text("", timeout=15000)
    expect(page.locator("#alert")).to_be_hidden()
    stored = django_shell(live_app, f"""
from exams.models import AttemptItem
print(AttemptItem.objects.filter(attempt__registration__candidate_number="{number}", answer__isnull=False).count())
""")
    assert refusals and int(stored) == 2
