"""Self check-in (docs/courses.md, "Self check-in"): while a lecturer keeps a session's check-in open, their screen
shows a QR code and a six-digit code that change every 15 s; a learner of the class scans or types it on their phone
and is marked present.

A code is an HMAC of the window's random secret and the 15-second step, so it cannot be guessed from the ones
before it. It is accepted during its step and for a short grace after the next one begins (typing on a phone takes
a few seconds); a photo of the screen sent to an absent colleague is stale by the time it is typed. Wrong codes are
counted per learner: a few tries a minute, never enough to walk the million codes of a step.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass

import qrcode
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from qrcode.image.svg import SvgPathImage

from accounts import limits
from accounts.models import User
from accounts.services import audit_record
from courses.models import Attendance, CheckInWindow, CourseClass, Enrolment, How, Session

DIGITS = 6
WRONG_TRIES_PER_MINUTE = 10
OPEN_FOR = dt.timedelta(hours=4)  # a half-day; the lecturer closes it sooner
LOOK_BACK_STEPS = 40  # an expired code is recognised as such for ten minutes, then it is simply wrong


class CheckInRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CurrentCode:
    code: str
    seconds_left: int


def _step_seconds() -> int:
    return settings.COURSE_CHECK_IN_STEP_SECONDS


def _step(now: dt.datetime) -> int:
    return int(now.timestamp()) // _step_seconds()


def code_at(window: CheckInWindow, step: int) -> str:
    digest = hmac.new(window.secret.encode(), f"{window.session_id}:{step}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10 ** DIGITS:0{DIGITS}d}"


def current_code(window: CheckInWindow, now: dt.datetime | None = None) -> CurrentCode:
    now = now or timezone.now()
    step = _step(now)
    return CurrentCode(code_at(window, step), (step + 1) * _step_seconds() - int(now.timestamp()))


def window_open(*, session: Session, actor: User) -> CheckInWindow:
    """Open (or reopen, with a new secret) a session's check-in; only on the session's day, in an open class."""
    with transaction.atomic():
        course_class = CourseClass.objects.select_for_update().get(pk=session.course_class_id)
        if course_class.closed_at is not None:
            raise CheckInRefused(_("The class is closed."))
        if session.date != timezone.localdate():
            raise CheckInRefused(_("Check-in opens only on the session's day (%(day)s).")
                                 % {"day": session.date.strftime("%d/%m/%Y")})
        now = timezone.now()
        window, _created = CheckInWindow.objects.update_or_create(session=session, defaults={
            "secret": secrets.token_hex(32), "opened_by": actor, "opened_at": now, "closes_at": now + OPEN_FOR})
        audit_record(actor=actor, action="class.check_in_open", obj=course_class, details={"session": session.pk})
    return window


def window_close(*, session: Session, actor: User) -> None:
    with transaction.atomic():
        deleted, _kinds = CheckInWindow.objects.filter(session=session).delete()
        if deleted:
            audit_record(actor=actor, action="class.check_in_close", obj=session.course_class,
                         details={"session": session.pk})


def open_window(session: Session, now: dt.datetime | None = None) -> CheckInWindow | None:
    window = CheckInWindow.objects.filter(session=session).first()
    return window if window is not None and window.closes_at > (now or timezone.now()) else None


def check_in(*, person: User, code: str) -> Session:
    """Mark ``person`` present at the open session whose current code is ``code``; refused with a message that
    says why (wrong, expired, not open, too many tries)."""
    key = f"check-in:{person.pk}"
    if limits.counted(key, 60) >= WRONG_TRIES_PER_MINUTE:
        raise CheckInRefused(_("Too many wrong codes; wait a minute and type the code on the screen."))
    code = "".join(ch for ch in str(code) if ch.isdigit())
    now = timezone.now()
    windows = list(CheckInWindow.objects.filter(
        closes_at__gt=now, session__date=timezone.localdate(), session__course_class__closed_at__isnull=True,
        session__course_class__enrolments__person=person).select_related("session"))
    if not windows:
        raise CheckInRefused(_("No session of your classes has check-in open now."))
    step, into_step = _step(now), int(now.timestamp()) % _step_seconds()
    for window in windows:
        if hmac.compare_digest(code, code_at(window, step)) or (
                into_step < settings.COURSE_CHECK_IN_GRACE_SECONDS and hmac.compare_digest(code, code_at(window,
                                                                                                         step - 1))):
            _mark_present(window.session, person)
            return window.session
    limits.count(key, 60)
    for window in windows:
        if any(code == code_at(window, step - n) for n in range(1, LOOK_BACK_STEPS)):
            raise CheckInRefused(_("This code has expired: type the code on the screen now."))
    raise CheckInRefused(_("This is not the code on the screen."))


def _mark_present(session: Session, person: User) -> None:
    enrolment = Enrolment.objects.get(course_class_id=session.course_class_id, person=person)
    with transaction.atomic():
        found = Attendance.objects.select_for_update().filter(enrolment=enrolment, session=session).first()
        if found is not None and found.mark == Attendance.Mark.PRESENT:
            return
        Attendance.objects.update_or_create(enrolment=enrolment, session=session, defaults={
            "mark": Attendance.Mark.PRESENT, "how": How.CHECK_IN, "set_by": person, "set_at": timezone.now()})


def checked_in(session: Session) -> list[tuple[str, str]]:
    """(name, hh:mm) of the learners present at ``session``, latest first: the lecturer's live list."""
    return [(a.enrolment.person.full_name, timezone.localtime(a.set_at).strftime("%H:%M:%S"))
            for a in Attendance.objects.filter(session=session, mark=Attendance.Mark.PRESENT)
            .select_related("enrolment__person").order_by("-set_at")]


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline SVG (drawn here, no image file, no outside service)."""
    buffer = io.BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, box_size=12, border=2).save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]  # no XML declaration inside an HTML page
