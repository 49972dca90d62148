"""The candidate's exam page under the Content-Security-Policy: the header is there, and the page (its cached paper
body included) writes nothing the policy refuses: no style or on… attribute, no inline script or style block."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from exams.banks.html import sanitize
from exams.examday.services import attempts as svc
from exams.examday.services import entering
from tests.helpers import give_device_pass
from tests.platform.test_content_security_policy import POLICY, directives

DEVICE = "device-a"
INLINE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\s(style|on[a-z]+)\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.mark.django_db
def test_the_exam_page_carries_the_policy_and_nothing_inline(client, exam_day):
    room = svc.room_open(sitting=exam_day["sitting"], room=exam_day["room"], actor=exam_day["invigilator"])
    attempt = entering.room_enter(registration=exam_day["registrations"][0], sitting=exam_day["sitting"],
                                  code=room.code, device=DEVICE).attempt
    client.force_login(exam_day["candidates"][0])
    give_device_pass(client, DEVICE)
    with time_machine.travel(exam_day["now"] + dt.timedelta(minutes=15), tick=False):
        response = client.get(reverse("attempt_page", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="paper"' in html
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert INLINE_ATTRIBUTE.search(html) is None
    assert "<style" not in html
    # Scripts come from files; the rest is data (json_script), which the browser does not run.
    scripts = SCRIPT_TAG.findall(html)
    assert scripts and all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts


def test_question_html_keeps_no_style_attribute():
    """Question text is shown on pages whose policy refuses inline styles: the sanitiser drops them when it is stored
    (and the author's live preview, set with innerHTML, would be refused them too)."""
    cleaned = sanitize('<p style="color:red">Điều <span style="font-weight:bold">1</span></p>'
                       '<table style="width:100%"><tr><td style="border:1px" colspan="2">x</td></tr></table>'
                       f'<img src="/media/question-images/{"0" * 32}.png" style="width:9px" width="9" alt="">')
    assert "style" not in cleaned
    assert '<td colspan="2">x</td>' in cleaned and 'width="9"' in cleaned
