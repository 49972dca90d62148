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

from exams.models import AttemptItem
from exams.services import attempts as svc
from exams.services import saves

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
    queries, response = _count(lambda: client.post(url, {"code": room.code, "device": DEVICE}))
    assert response.status_code == 302
    assert queries <= 24  # session and user, then the checks, the admission and the attempt with its 5 items


@pytest.mark.django_db
def test_the_paper_page_renders_the_paper_once_and_keeps_the_candidates_own_state_out_of_it(client, exam_day,
                                                                                            room):
    attempt = svc.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                             code=room.code, device=DEVICE).attempt
    item = AttemptItem.objects.select_related("paper_item__question").filter(
        attempt=attempt, paper_item__question__kind="single").first()
    client.force_login(exam_day["candidates"][0])
    url = reverse("attempt_page", args=[attempt.pk])
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        first, page = _count(lambda: client.get(url))
        choice = item.paper_item.choice_order[0]
        saves.answer_save(attempt_id=attempt.pk, user_id=attempt.registration.person_id, position=item.position,
                        seq=1, value=[choice], device=DEVICE)
        saves.flag_item(attempt_id=attempt.pk, user_id=attempt.registration.person_id, position=item.position,
                      flagged=True)
        again, reloaded = _count(lambda: client.get(url))
    assert page.status_code == reloaded.status_code == 200
    assert again <= 13 and first - again >= 2  # the paper's items, questions and choices are read only once

    def body(response):
        html = response.content.decode()
        return html[html.index('<div class="exam-layout">'):html.index('id="submit-form"')]

    assert body(page) == body(reloaded) and "checked" not in body(reloaded)
    assert f'data-position="{item.position}"' in body(page) and f'value="{choice}"' in body(page)
    config = reloaded.context["config"]
    assert config["answers"] == {str(item.position): [choice]} and config["flagged"] == [item.position]


@pytest.mark.django_db
def test_two_candidates_never_share_a_cached_paper(client, exam_day, room):
    attempts = [svc.room_enter(registration=registration, sitting=exam_day["sitting"], code=room.code,
                               device=f"device-{n}").attempt
                for n, registration in enumerate(exam_day["registrations"])]
    assert attempts[0].paper_id != attempts[1].paper_id
    bodies = []
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        for attempt, person in zip(attempts, exam_day["candidates"], strict=True):
            client.force_login(person)
            html = client.get(reverse("attempt_page", args=[attempt.pk])).content.decode()
            bodies.append(re.findall(r'value="(\d+)"', html))
            expected = [str(c) for i in AttemptItem.objects.filter(attempt=attempt).select_related("paper_item")
                        .order_by("position") for c in i.paper_item.choice_order]
            assert bodies[-1] == expected  # each page shows its own paper's choices in its own order


@pytest.mark.django_db
def test_the_paper_body_writes_each_question_exactly_as_the_shared_candidate_item_does(exam_day, room):
    """_paper_body.html writes _candidate_item.html out inline (for speed): the markup must never drift."""
    from django.template.loader import render_to_string

    from exams.views.examday import paper_items

    attempt = svc.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                             code=room.code, device=DEVICE).attempt
    items = paper_items(attempt.paper_id)
    assert {item.kind for item, _position, _label in items} == {"single", "short"}
    body = render_to_string("exams/_paper_body.html", {"items": items, "one_per_screen": True})
    inline = re.findall(r"<article.*?</article>", body, re.S)
    shared = [re.search(r"<article.*?</article>", render_to_string("exams/_candidate_item.html", {"item": item}),
                        re.S).group(0) for item, _position, _label in items]

    def squeeze(html):
        return re.sub(r"\s+", " ", html)

    assert [squeeze(a) for a in inline] == [squeeze(b) for b in shared]
