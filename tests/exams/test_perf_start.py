"""The start spike's path: entering the code, starting, opening the paper — a bounded number of queries each,
and the paper body rendered once per sealed paper (query counts, never timings; bench/ measures time)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams.examday.services import attempts as svc
from exams.examday.services import entering, saves
from exams.models import AttemptItem
from tests.helpers import give_device_pass

DEVICE = "device-a"


@pytest.fixture
def room(exam_day):
    cache.clear()
    return svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])


def _count(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


@pytest.mark.django_db
def test_entering_the_code_and_starting_stays_within_a_few_queries(client, exam_day, room):
    client.force_login(exam_day["candidates"][0])
    url = reverse("sitting_enter", args=[exam_day["sitting"].pk])
    client.get(url)
    queries, page = _count(lambda: client.get(url))
    assert page.status_code == 200
    assert queries <= 3  # the user, the registration, an attempt: the session and the sitting come from the cache
    queries, response = _count(lambda: client.post(url, {"code": room.code, "device": DEVICE}))
    assert response.status_code == 302
    assert queries <= 13  # the user, the registration, the room with the checks, the admission (no savepoint),
    # the paper, the room locked, the attempt, its items (one INSERT … SELECT), the events (one INSERT), savepoints


@pytest.mark.django_db
def test_exam_day_pages_have_no_menu_and_no_notices_channel(client, exam_day, room):
    """Nothing to wander off to during an exam, and no permission lookups on the start spike's pages."""
    client.force_login(exam_day["candidates"][0])
    url = reverse("sitting_enter", args=[exam_day["sitting"].pk])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert 'class="main-nav"' not in page and "/ws/notices/" not in page
    assert not [q for q in captured.captured_queries if "auth_permission" in q["sql"] or "auth_group" in q["sql"]]
    attempt_url = client.post(url, {"code": room.code, "device": DEVICE})["Location"]
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        paper = client.get(attempt_url).content.decode()
    assert 'class="main-nav"' not in paper and "/ws/notices/" not in paper and 'id="paper"' in paper
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'class="main-nav"' in dashboard  # every other page keeps its frame


@pytest.mark.django_db
def test_the_paper_page_renders_the_paper_once_and_keeps_the_candidates_own_state_out_of_it(client, exam_day,
                                                                                            room):
    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                                  code=room.code, device=DEVICE).attempt
    item = AttemptItem.objects.select_related("paper_item__question").filter(
        attempt=attempt, paper_item__question__kind="single").first()
    client.force_login(exam_day["candidates"][0])
    give_device_pass(client, DEVICE)
    url = reverse("attempt_page", args=[attempt.pk])
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        first, page = _count(lambda: client.get(url))
        choice = item.paper_item.choice_order[0]
        saves.answer_save(attempt_id=attempt.pk, user_id=attempt.registration.person_id, position=item.position,
                        seq=1, value=[choice], device=DEVICE)
        saves.flag_item(attempt_id=attempt.pk, user_id=attempt.registration.person_id, device=DEVICE,
                      position=item.position, flagged=True)
        again, reloaded = _count(lambda: client.get(url))
    assert page.status_code == reloaded.status_code == 200
    assert again <= 3 and first - again >= 2  # the user, the attempt, the candidate's own answers: the paper's
    # items, questions and choices are read only once, and the sitting comes from the cache

    def body(response):
        html = response.content.decode()
        return html[html.index('<div class="exam-layout">'):html.index('id="submit-form"')]

    assert body(page) == body(reloaded) and "checked" not in body(reloaded)
    assert f'data-position="{item.position}"' in body(page) and f'value="{choice}"' in body(page)
    config = reloaded.context["config"]
    assert config["answers"] == {str(item.position): [choice]} and config["flagged"] == [item.position]
    assert config["seqs"] == {str(item.position): 1} and (config["epoch"], config["seq_base"]) == (1, 2**32)


@pytest.mark.django_db
def test_two_candidates_never_share_a_cached_paper(client, exam_day, room):
    attempts = [entering.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code,
                                    device=f"device-{n}").attempt
                for n, registration in enumerate(exam_day["registrations"])]
    assert attempts[0].paper_id != attempts[1].paper_id
    bodies = []
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        for n, (attempt, person) in enumerate(zip(attempts, exam_day["candidates"], strict=True)):
            client.force_login(person)
            give_device_pass(client, f"device-{n}")
            html = client.get(reverse("attempt_page", args=[attempt.pk])).content.decode()
            bodies.append(re.findall(r'value="(\d+)"', html))
            expected = [str(c) for i in AttemptItem.objects.filter(attempt=attempt).select_related("paper_item")
                        .order_by("position") for c in i.paper_item.choice_order]
            assert bodies[-1] == expected  # each page shows its own paper's choices in its own order


@pytest.mark.django_db
def test_the_paper_body_writes_each_question_exactly_as_the_shared_candidate_item_does(exam_day, room):
    """exams/papers/body.py writes _candidate_item.html's markup in Python (for speed): it must never drift."""
    from django.template.loader import render_to_string

    from exams.papers.body import paper_body_html
    from exams.sessions.examday_cache import paper_items

    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                                  code=room.code, device=DEVICE).attempt
    items = paper_items(attempt.paper_id)
    assert {item.kind for item, _position, _label in items} == {"single", "short"}
    body = paper_body_html(items, one_per_screen=True)
    inline = re.findall(r"<article.*?</article>", body, re.S)
    shared = [re.search(r"<article.*?</article>", render_to_string("exams/_candidate_item.html", {"item": item}),
                        re.S).group(0) for item, _position, _label in items]

    def squeeze(html):
        return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()

    assert len(inline) == len(items) and [squeeze(a) for a in inline] == [squeeze(b) for b in shared]
    assert body.count('class="qbtn"') == body.count('class="secondary flag"') == len(items)
    assert "data-prev" in body and "data-prev" not in paper_body_html(items, one_per_screen=False)


@pytest.mark.django_db
def test_the_paper_body_escapes_everything_but_the_sanitised_texts(exam_day, room):
    from exams.banks.selectors import CandidateChoice, CandidateItem
    from exams.papers.body import paper_body_html

    item = CandidateItem(number=1, kind="single", text="<p>Đúng <b>hay</b> sai?</p>", points=None,
                         choices=[CandidateChoice(7, "A", "<i>Có</i>")])
    body = paper_body_html([(item, 0, '<script>"x"</script>')], one_per_screen=False)
    assert "<script>" not in body and "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in body
    assert "<p>Đúng <b>hay</b> sai?</p>" in body and "<i>Có</i>" in body


@pytest.mark.django_db
def test_the_start_writes_the_same_items_as_the_orm_would(exam_day, room):
    """entering.attempt_items_create copies the paper's items with one INSERT … SELECT: each row must read back as
    bulk_create's would (every item of the paper once, its position, no answer, not flagged, no score)."""
    from exams.models import PaperItem

    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                                  code=room.code, device=DEVICE).attempt
    fields = ("paper_item_id", "position", "answer", "client_seq", "answered_at", "flagged", "score")
    raw = list(AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list(*fields))
    expected = [AttemptItem(attempt=attempt, paper_item_id=pk, position=position) for pk, position in
                PaperItem.objects.filter(paper_id=attempt.paper_id).order_by("position").values_list("pk", "position")]
    AttemptItem.objects.filter(attempt=attempt).delete()
    AttemptItem.objects.bulk_create(expected)
    orm = list(AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list(*fields))
    assert raw == orm and len(raw) == 5
    assert raw[0][2:] == (None, 0, None, False, None)


@pytest.mark.django_db
def test_a_second_machine_starting_at_the_same_moment_finds_the_attempt_and_is_refused(exam_day, room, monkeypatch):
    """The attempt is inserted without reading first; when another request of the same candidate has just
    created it (the unique constraint), the start falls back to the resume rules: the other device is refused,
    nothing of this request is written, and the first attempt keeps its items."""
    from exams.models import Admission, Attempt, RoomEvent

    registration, sitting = exam_day["registrations"][0], exam_day["sitting"]
    first = entering.room_enter(registration=registration, sitting=sitting, code=room.code, device=DEVICE).attempt
    events = RoomEvent.objects.count()
    # The moment of the race: this request's check ran before the first attempt existed.
    checked = entering._room_with_checks

    def checked_before_the_first_attempt(**kwargs):
        room_session = checked(**kwargs)
        room_session.started = None
        return room_session

    monkeypatch.setattr(entering, "_room_with_checks", checked_before_the_first_attempt)
    with pytest.raises(svc.ExamDayError) as refused:
        entering.room_enter(registration=registration, sitting=sitting, code=room.code, device="device-b")
    assert refused.value.code == "other_device"
    assert Attempt.objects.filter(registration=registration).get() == first
    assert AttemptItem.objects.filter(attempt=first).count() == 5
    assert Admission.objects.filter(registration=registration).count() == 1 and RoomEvent.objects.count() == events
    # The same machine racing itself (a double click) gets its attempt back.
    assert entering.room_enter(registration=registration, sitting=sitting, code=room.code, device=DEVICE).attempt == first


@pytest.mark.django_db
def test_the_written_out_room_query_answers_each_check_for_this_candidate_only(exam_day):
    """room_enter's one statement: the room open or not, this candidate's suspension (not another's, not a lesser
    penalty), this candidate's attempt already started (not another's)."""
    from exams.models import Penalty

    first, second = exam_day["registrations"]
    sitting, invigilator = exam_day["sitting"], exam_day["invigilator"]
    svc.penalty_record(registration=first, sitting=sitting, kind=Penalty.Kind.SUSPENSION, reason="Điện thoại",
                       actor=invigilator)
    with pytest.raises(svc.ExamDayError) as closed:
        entering.room_enter(registration=second, sitting=sitting, code="", device=DEVICE)
    assert closed.value.code == "room_closed"
    with pytest.raises(svc.ExamDayError) as suspended:  # the room is not open: the suspension is still told first
        entering.room_enter(registration=first, sitting=sitting, code="", device=DEVICE)
    assert suspended.value.code == "suspended"
    room = svc.room_open(sitting=sitting, room=exam_day["room"], actor=invigilator)
    with pytest.raises(svc.ExamDayError) as suspended:
        entering.room_enter(registration=first, sitting=sitting, code=room.code, device=DEVICE)
    assert suspended.value.code == "suspended"
    svc.penalty_record(registration=second, sitting=sitting, kind=Penalty.Kind.WARNING, reason="Trao đổi",
                       actor=invigilator)
    checked = entering._room_with_checks(registration=second, sitting=sitting)
    assert checked.pk == room.pk and not checked.suspended and checked.started is None
    attempt = entering.room_enter(registration=second, sitting=sitting, code=room.code, device=DEVICE).attempt
    assert entering._room_with_checks(registration=second, sitting=sitting).started == attempt.pk
    assert entering._room_with_checks(registration=first, sitting=sitting).started is None
