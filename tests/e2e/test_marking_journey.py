"""Written subject, end to end: the secretary uploads a scan and the head assigns; two markers disagree by more
than the gap, a third marks; the secretary de-anonymises; after publication the candidate appeals and, once
re-marked, sees the score before and after. Set-up steps that are not the journey run in the server's shell."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import django_shell

pytestmark = pytest.mark.e2e

EXAM = "Kỳ thi nâng ngạch chuyên viên chính – hành trình chấm thi"

SETUP = """
from django.contrib.auth.models import Group
from accounts.models import User
from accounts.roles import Role
from exams.models import CouncilMember, Exam, Registration, ScoreEntry, Subject
from exams.marking import services as m
from exams.sessions.services import exam_create, exam_transition, numbers_assign
hr, chair = User.objects.get(username="demo_hr"), User.objects.get(username="demo_council")
demo = User.objects.get(username="demo_candidate")
password = demo.password
def staff(name):
    u = User.objects.create(username=name, full_name="Giám khảo " + name, password=password)
    u.groups.add(Group.objects.get(name=Role.MARKER))
    return u
exam = exam_create(preset_slug="nang-ngach-chuyen-vien-chinh-2020", name=EXAM, actor=hr, quota=1)
add = lambda u, b, p: CouncilMember.objects.create(exam=exam, user=u, board=b, position=p)
add(chair, "council", "chair"); add(hr, "council", "secretary")
for name in ("jm1", "jm2", "jm3"): add(staff(name), "marking", "member")
for name in ("jr1", "jr2"): add(staff(name), "remarking", "member")
other = User.objects.filter(cccd__isnull=False).exclude(username__startswith="demo_").exclude(unit=demo.unit).first()
for n, p in enumerate([demo, other], start=1):
    Registration.objects.create(exam=exam, person=p, candidate_number=f"~{n}", list_order=n, unit=p.unit,
                                unit_text=str(p.unit or ""))
numbers_assign(exam=exam)
for step in ("registration", "scheduled", "running", "marking"):
    exam_transition(exam=exam, to=step, actor=None, reason="e2e")
subjects = {s.code: s for s in Subject.objects.filter(exam=exam)}
for reg in Registration.objects.filter(exam=exam):
    for code in ("KTC", "NN", "TH"):
        ScoreEntry.objects.create(registration=reg, subject=subjects[code], correct=subjects[code].question_count,
                                  total=subjects[code].question_count)
m.paper_script(registration=Registration.objects.get(exam=exam, person=other), subject=subjects["CMNV"], actor=hr)
print(exam.pk, subjects["CMNV"].pk, Registration.objects.get(exam=exam, person=demo).pk)
""".replace("EXAM", repr(EXAM))


def login(page: Page, live_app, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_app['url']}/accounts/login/")
    page.get_by_label("Tài khoản").fill(username)
    page.get_by_label("Mật khẩu").fill(live_app["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def shell(live_app, code: str) -> str:
    prelude = ("from exams.models import Marking, Script, Appeal\nfrom accounts.models import User\n"
               "from exams.marking import services as m\nfrom decimal import Decimal as D\n")
    return django_shell(live_app, prelude + code)


def mark_in_browser(page: Page, live_app, username: str, code: str, mark: str, shot, name: str) -> None:
    login(page, live_app, username)
    page.goto(f"{live_app['url']}/marking/")
    row = page.locator(f'#marking-queue tr[data-code="{code}"]')
    expect(row).to_have_attribute("data-state", "todo")
    row.get_by_role("link").click()
    expect(page.locator("#script-code")).to_have_text(code)
    expect(page.locator("#scans a")).to_have_count(1)
    page.locator("#id_mark").fill(mark)
    page.locator("#mark-submit").click()
    expect(page.locator("#my-mark")).to_contain_text(mark)
    shot(page, name)


def test_two_markers_a_third_deanonymisation_and_an_appeal(page: Page, live_app, shot, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    exam_id, subject_id, reg_id = shell(live_app, SETUP).split()

    # The secretary uploads the candidate's scan, then (heading the marking too) assigns two markers per script.
    login(page, live_app, "demo_hr")
    page.goto(f"{live_app['url']}/subjects/{subject_id}/scripts/")
    scan = tmp_path / "bai-lam.png"
    from PIL import Image, ImageDraw
    image = Image.new("L", (900, 300), 255)
    ImageDraw.Draw(image).text((40, 40), "Bai lam mon CMNV - ban quet", fill=0)
    image.save(scan)
    page.locator(f"#scan-{reg_id}").set_input_files(str(scan))
    page.locator(f"#scan-{reg_id}").locator("xpath=..").locator("button[type=submit]").click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    expect(page.locator('[data-counter="total"]')).to_have_text("2")
    shot(page, "marking-01-scripts")
    page.goto(f"{live_app['url']}/subjects/{subject_id}/marking/")
    page.locator("#assign-button").click()
    expect(page.locator('[data-counter="unassigned"]')).to_have_text("0")
    shot(page, "marking-02-dashboard-assigned")

    code, first, second = shell(live_app, f"""
s = Script.objects.get(registration_id={reg_id})
print(s.code, s.markings.get(round="first").marker.username, s.markings.get(round="second").marker.username)
""").split()
    shell(live_app, f"""
for mk in Marking.objects.filter(script__subject_id={subject_id}).exclude(script__registration_id={reg_id}):
    m.mark_record(marking=mk, mark=D("60"), actor=mk.marker)
print("ok")
""")

    mark_in_browser(page, live_app, first, code, "40", shot, "marking-03-first-mark")
    expect(page.locator("#other-marks-hidden")).to_be_visible()  # the second mark is not in yet
    mark_in_browser(page, live_app, second, code, "70", shot, "marking-04-second-mark-gap")
    expect(page.locator("#other-marks")).to_contain_text("40")
    third = shell(live_app, f'print(Marking.objects.get(script__code="{code}", script__subject_id={subject_id}, '
                            f'round="third").marker.username)')
    assert third not in (first, second)
    mark_in_browser(page, live_app, third, code, "66", shot, "marking-05-third-mark")
    expect(page.locator("#other-marks-hidden")).to_be_visible()  # a third marker never sees the first two

    login(page, live_app, "demo_hr")
    page.goto(f"{live_app['url']}/subjects/{subject_id}/marking/")
    expect(page.locator('[data-counter="marked"]')).to_have_text("2")
    page.goto(f"{live_app['url']}/subjects/{subject_id}/scripts/")
    page.locator("#deanonymise-button").click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    page.goto(f"{live_app['url']}/subjects/{subject_id}/scripts/mapping/")
    expect(page.locator(f'#mapping tr[data-code="{code}"]')).to_contain_text("68")
    shot(page, "marking-06-mapping-after-deanonymise")

    # Results computed, approved and published (issue 6's journey covers those pages).
    shell(live_app, f"""
from exams.models import Exam
from exams.results import services as r
exam = Exam.objects.get(pk={exam_id})
v = r.compute_results(exam=exam, actor=None).version
r.approve(exam=exam, version=v, actor=User.objects.get(username="demo_council"))
r.publish(exam=exam, version=v, actor=User.objects.get(username="demo_hr"), decision_number="9/QĐ-UBND")
print("ok")
""")

    login(page, live_app, "demo_candidate")
    page.goto(f"{live_app['url']}/my-exams/{exam_id}/result/")
    expect(page.locator("#appeal-deadline")).to_be_visible()
    expect(page.locator("#appeal-fee")).to_be_visible()
    page.locator("#appeals textarea").fill("Em đề nghị chấm phúc khảo bài thi môn Chuyên môn, nghiệp vụ.")
    page.locator("#appeals .file-appeal").click()
    expect(page.locator(".appeal-status")).to_have_attribute("data-status", "filed")
    shot(page, "marking-07-appeal-filed")

    login(page, live_app, "demo_hr")
    page.goto(f"{live_app['url']}/exams/{exam_id}/appeals/")
    page.locator(f'tr[data-code="{code}"] .assign-appeal').click()
    expect(page.locator(f'tr[data-code="{code}"]')).to_have_attribute("data-status", "remarking")
    shot(page, "marking-08-appeal-assigned")

    shell(live_app, f"""
for mk, mark in zip(Marking.objects.filter(appeal__isnull=False, script__code="{code}",
                                           script__subject_id={subject_id}).order_by("round"), ("80", "82")):
    m.mark_record(marking=mk, mark=D(mark), actor=mk.marker)
print("ok")
""")
    login(page, live_app, "demo_candidate")
    page.goto(f"{live_app['url']}/my-exams/{exam_id}/result/")
    expect(page.locator(".appeal-status")).to_have_attribute("data-status", "decided")
    expect(page.locator(".appeal-outcome")).to_have_text("68 → 81")
    shot(page, "marking-09-appeal-outcome")
