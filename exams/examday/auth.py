"""Exam-room login: candidate number + exam password, valid from the first sitting's opening to the
last sitting's close. Signs the registration's person in to an exam-room session, which reaches only that
registration's candidate pages (exams/candidate/room_scope.py), never the rest of their account."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import User
from exams.common.sql import Names
from exams.sessions.models import Exam, Registration, Sitting


def active_registrations(*, candidate_number: str, password: str, now=None) -> list[Registration]:
    """Registrations whose number and password match and whose exam is open for logging in now; each carries
    ``sittings_close``, the close of its exam's last sitting (where the exam-room session's scope starts to end)."""
    now = now or timezone.now()
    number = (candidate_number or "").strip().upper()
    if not number or not password:
        return []
    found = []
    candidates = Registration.objects.filter(candidate_number=number).exclude(exam_password="").select_related(
        "exam", "person")
    for registration in candidates:
        if not constant_time_compare(registration.exam_password, password.strip()):
            continue
        window = Sitting.objects.filter(subject__exam=registration.exam_id).aggregate(
            opens=Min("opens_at"), closes=Max("ends_at"))
        if window["opens"] and window["opens"] <= now <= window["closes"] and registration.exam.status in (
                Exam.Status.SCHEDULED, Exam.Status.RUNNING):
            registration.sittings_close = window["closes"]
            found.append(registration)
    return found


class ExamCredentialBackend(BaseBackend):
    """``authenticate(request, candidate_number=…, exam_password=…, exam_id=…)``."""

    def authenticate(self, request, candidate_number=None, exam_password=None, exam_id=None, **kwargs):
        if candidate_number is None or exam_password is None:
            return None
        matches = active_registrations(candidate_number=candidate_number, password=exam_password)
        if exam_id is not None:
            matches = [r for r in matches if r.exam_id == int(exam_id)]
        if len(matches) != 1 or not matches[0].person.is_active:
            return None
        person = matches[0].person
        person.exam_registration_id = matches[0].pk
        return person

    def get_user(self, user_id):
        """Every request of a candidate signed in this way asks, three per candidate at the start spike: one
        written-out SELECT of the active account (the ORM compiled the same statement anew each time: more than
        twice the cost). The values equal the ORM's (tested, on SQLite and PostgreSQL)."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        return next(iter(User.objects.raw(_active_user_sql(connection.vendor), [pk, True])), None)


@lru_cache(maxsize=4)
def _active_user_sql(vendor: str) -> str:
    user = Names(User)
    return f"SELECT {user.columns()} FROM {user.table} WHERE {user.pk} = %s AND {user.is_active} = %s"  # noqa: S608
