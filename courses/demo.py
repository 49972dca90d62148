"""The training demo: two institutions, the two rank programmes from their presets, a chuyên viên class in
progress (demo_lecturer heads and teaches it, demo_learner sits in it, a session today for self check-in) and a
closed class with its records. Idempotent: classes are keyed by name."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courses.models import (
    Attendance,
    ClassStaff,
    CourseClass,
    Enrolment,
    How,
    Institution,
    Lesson,
    Module,
    Programme,
    Score,
    Session,
)
from courses.presets import PRESETS
from courses.services import programme_create

INSTITUTIONS = [
    {"name": "Trường Chính trị tỉnh (demo)", "letterhead_line_1": "UBND TỈNH", "letterhead_line_2": "TRƯỜNG CHÍNH TRỊ",
     "signer_title": "HIỆU TRƯỞNG", "signer_name": "Nguyễn Văn Hiệu", "serial_prefix": "TCT"},
    {"name": "Phân viện Học viện Hành chính Quốc gia (demo)", "letterhead_line_1": "HỌC VIỆN HÀNH CHÍNH QUỐC GIA",
     "letterhead_line_2": "PHÂN VIỆN", "signer_title": "GIÁM ĐỐC", "signer_name": "Trần Thị Giám",
     "serial_prefix": "PV"},
]
PROGRAMMES = ["qlnn-chuyen-vien", "qlnn-chuyen-vien-chinh"]
RUNNING, CLOSED = "K60 (demo)", "K59 (demo)"
LEARNERS = 24


def seed() -> dict:
    institutions = 0
    for spec in INSTITUTIONS:
        _institution, created = Institution.objects.get_or_create(name=spec["name"], defaults=spec)
        institutions += created
    programmes = 0
    school = Institution.objects.get(name=INSTITUTIONS[0]["name"])
    for slug in PROGRAMMES:
        if not Programme.objects.filter(code=PRESETS[slug].code).exists():
            programme = programme_create(preset_slug=slug, actor=None)
            Programme.objects.filter(pk=programme.pk).update(institution=school)
            programmes += 1
    classes = _seed_classes()
    lessons = _seed_lessons()
    made = [_("Training programme %(code)s: /courses/programmes/%(pk)s/") % {"code": p.code, "pk": p.pk}
            for p in Programme.objects.order_by("code")]
    made += [_("Training class %(name)s: /courses/classes/%(pk)s/") % {"name": c.name, "pk": c.pk}
             for c in CourseClass.objects.filter(name__in=[RUNNING, CLOSED]).order_by("name")]
    return {"institutions_created": institutions, "programmes_created": programmes, "classes_created": classes,
            "lessons_created": lessons, "made": made}


LESSONS = [
    ("Tổng quan về nhà nước và hệ thống chính trị",
     "<h2>Mục tiêu</h2><p>Nắm được khái niệm, bản chất và chức năng của nhà nước; vị trí của nhà nước trong hệ "
     "thống chính trị.</p><h2>Nội dung</h2><ol><li>Khái niệm nhà nước</li><li>Bản chất và chức năng</li>"
     "<li>Hệ thống chính trị ở Việt Nam</li></ol>"),
    ("Bộ máy nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam",
     "<p>Các cơ quan lập pháp, hành pháp, tư pháp và chính quyền địa phương; nguyên tắc tổ chức và hoạt động."
     "</p><p>Tài liệu tham khảo: <a href=\"https://vanban.chinhphu.vn\">Cổng thông tin văn bản</a>.</p>"),
    ("Câu hỏi ôn tập chuyên đề 1",
     "<p>Trình bày chức năng của nhà nước. Liên hệ thực tiễn tại cơ quan, đơn vị nơi anh/chị công tác.</p>"),
]


def _seed_lessons() -> int:
    """Three lessons of the chuyên viên programme's first module, text only (a sample to replace)."""
    from courses.lessons import lesson_html

    programme = Programme.objects.filter(code=PRESETS[PROGRAMMES[0]].code).order_by("-version").first()
    if programme is None:
        return 0
    module = Module.objects.filter(part__programme=programme).order_by("part__order", "order").first()
    if module is None or module.lessons.exists():
        return 0
    Lesson.objects.bulk_create([Lesson(module=module, order=n, title=title, body=lesson_html(body), minutes=20,
                                       periods=1) for n, (title, body) in enumerate(LESSONS, start=1)])
    return len(LESSONS)


def _seed_classes() -> int:
    lecturer = User.objects.filter(username="demo_lecturer").first()
    learner = User.objects.filter(username="demo_learner").first()
    programme = Programme.objects.filter(code=PRESETS[PROGRAMMES[0]].code).order_by("-version").first()
    if lecturer is None or learner is None or programme is None:
        return 0
    people = list(User.objects.filter(origin="", cccd__isnull=False, password__startswith="!")
                  .order_by("cccd")[:LEARNERS * 2])
    today = timezone.localdate()
    created = 0
    for name, start, people_slice, closed in (
            (RUNNING, today - dt.timedelta(days=7), [learner, *people[:LEARNERS - 1]], False),
            (CLOSED, today - dt.timedelta(days=60), people[LEARNERS:LEARNERS * 2], True)):
        if CourseClass.objects.filter(programme__code=programme.code, name=name).exists():
            continue
        created += 1
        _one_class(programme, name, start, people_slice, lecturer, closed=closed)
    return created


def _one_class(programme, name, start, people, lecturer, *, closed: bool) -> None:
    now, today = timezone.now(), timezone.localdate()
    course_class = CourseClass.objects.create(
        programme=programme, name=name, starts_on=start, ends_on=start + dt.timedelta(days=27),
        venue="Hội trường Trường Chính trị tỉnh", capacity=60, closed_at=now if closed else None,
        closed_by=lecturer if closed else None)
    ClassStaff.objects.bulk_create([ClassStaff(course_class=course_class, user=lecturer, role=role)
                                    for role in ("head", "lecturer")])
    modules = list(Module.objects.filter(part__programme=programme, kind=Module.Kind.TEACHING)
                   .order_by("part__order", "order"))
    days = [start + dt.timedelta(days=n) for n in range(28) if (start + dt.timedelta(days=n)).weekday() < 5]
    if not closed and today not in days:
        days.append(today)  # a session today: the lecturer can show self check-in
    sessions = Session.objects.bulk_create([
        Session(course_class=course_class, date=day, half=half, module=modules[(n * 2 + h) % len(modules)],
                periods=4, lecturer=lecturer)
        for n, day in enumerate(sorted(days)[:16]) for h, half in enumerate(("am", "pm"))])
    enrolments = Enrolment.objects.bulk_create([Enrolment(course_class=course_class, person=p, list_order=n,
                                                          unit_text=p.unit.name if p.unit else "",
                                                          position_text=p.position)
                                                for n, p in enumerate(people, start=1)])
    marks = []
    for n, enrolment in enumerate(enrolments):
        for s, session in enumerate(sessions):
            if session.date >= today:
                continue
            mark = "K" if (n == 3 and s % 3 == 0) else "P" if (n % 7 == 5 and s == 2) else "x"
            marks.append(Attendance(enrolment=enrolment, session=session, mark=mark, how=How.SHEET, set_by=lecturer))
    Attendance.objects.bulk_create(marks)
    assessments = list(programme.assessments.order_by("order"))
    scores = []
    for n, enrolment in enumerate(enrolments):
        for a, assessment in enumerate(assessments):
            if not closed and a > 0:
                continue  # in progress: only the first part's test is marked
            if closed and n == 5 and assessment.code == "TH":
                continue  # a missing thu hoạch: the list names it
            value = Decimal(5 + (n * 7 + a * 3) % 50 / 10).quantize(Decimal("0.01"))
            scores.append(Score(enrolment=enrolment, assessment=assessment, value=value, how=How.SHEET,
                                set_by=lecturer))
    Score.objects.bulk_create(scores)
