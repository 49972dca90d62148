"""A class in progress for the training tests: QLNN-CV (KT1, KT2, TH), class K60 in March 2027 with four sessions
of 4 periods (16 scheduled), a head, a lecturer and three learners."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from accounts.roles import Role
from courses.models import ClassStaff, CourseClass, Enrolment, Module, Session
from courses.services import class_create, programme_create

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = [dt.date(2027, 3, 1), dt.date(2027, 3, 2)]


@dataclass
class World:
    course_class: CourseClass
    sessions: list[Session]
    learners: list[Enrolment]
    head: object
    lecturer: object
    manager: object


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HCM)


@pytest.fixture
def world(make_user) -> World:
    programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    course_class = class_create(programme=programme, name="K60", starts_on=DAYS[0], ends_on=dt.date(2027, 3, 31),
                                actor=None)
    module = Module.objects.filter(part__programme=programme).order_by("part__order", "order").first()
    sessions = [Session.objects.create(course_class=course_class, date=day, half=half, module=module, periods=4)
                for day in DAYS for half in ("am", "pm")]
    head = make_user(Role.LECTURER, username="chu_nhiem", full_name="Chủ Nhiệm Lớp")
    lecturer = make_user(Role.LECTURER, username="giang_vien", full_name="Giảng Viên Dạy")
    manager = make_user(Role.COURSE_MANAGER, username="quan_ly", full_name="Quản Lý Đào Tạo")
    ClassStaff.objects.create(course_class=course_class, user=head, role="head")
    ClassStaff.objects.create(course_class=course_class, user=lecturer, role="lecturer")
    names = ["Trần Văn Bình", "Lê Thị An", "Nguyễn Văn Cường"]
    learners = []
    for n, name in enumerate(names, start=1):
        person = make_user(username=f"hv{n}", full_name=name, cccd=f"08718500000{n}")
        learners.append(Enrolment.objects.create(course_class=course_class, person=person, list_order=n))
    return World(course_class, sessions, learners, head, lecturer, manager)
