"""Attendance pages: one session's marks on a phone, the class's sign-in sheet, and self check-in (the lecturer's
screen with its rotating code, the learner's page that takes it)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from courses import checkin
from courses.attendance import ClassClosed, import_attendance, session_marks_save, signin_template_xlsx
from courses.completion_list import class_outcomes
from courses.models import Attendance
from courses.views.classes import xlsx_response
from courses.views.common import class_for, flow, import_page, session_for, upload_ready

MARK = "courses.mark_attendance"
SIGNIN_IMPORT = flow("signin_import")


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk: int):
    """One session's learners with a mark each (x, P, K), built for a phone: big targets, one save."""
    session = session_for(request, pk, MARK)
    enrolments = list(session.course_class.enrolments.select_related("person").order_by("list_order", "pk"))
    if request.method == "POST":
        marks = {e.pk: request.POST.get(f"mark-{e.pk}", "") for e in enrolments}
        try:
            changed = session_marks_save(session=session, marks={k: v for k, v in marks.items() if v},
                                         actor=request.user, rest_present=request.POST.get("action") == "rest_present")
        except ClassClosed:
            messages.error(request, _("The class is closed; its marks change only through a correction."))
        else:
            messages.success(request, _("Saved: %(n)s marks changed.") % {"n": changed})
        return redirect("session_attendance", pk=pk)
    marks = {a.enrolment_id: a for a in Attendance.objects.filter(session=session).select_related("set_by")}
    rows = [(e, marks.get(e.pk)) for e in enrolments]
    return render(request, "courses/session_attendance.html", {
        "session": session, "course_class": session.course_class, "rows": rows, "choices": Attendance.Mark.choices})


@login_required
@require_http_methods(["GET", "POST"])
def class_attendance(request, pk: int):
    """The class's attendance: each learner's periods present and rate, and the sign-in sheet's import."""
    course_class = class_for(request, pk, "courses.run_class")
    context = {}
    if request.method == "POST":
        response, context = import_page(request, course_class=course_class, import_flow=SIGNIN_IMPORT,
                                        runner=import_attendance, back="class_attendance")
        if response is not None:
            return response
    _requirements, rows = class_outcomes(course_class)
    return render(request, "courses/class_attendance.html", {
        "course_class": course_class, "rows": rows, **upload_ready(context), "can_run": True,
        "threshold": course_class.programme.attendance_threshold})


@login_required
def signin_template(request, pk: int):
    course_class = class_for(request, pk, "courses.run_class")
    return xlsx_response(signin_template_xlsx(course_class), f"diem-danh-{course_class.pk}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def check_in_screen(request, pk: int):
    """The lecturer's screen: open or close the session's check-in; while open, the code and its QR (refreshed by
    the page from ``check_in_state``) and the learners checked in so far."""
    session = session_for(request, pk, MARK)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                checkin.window_close(session=session, actor=request.user)
            else:
                checkin.window_open(session=session, actor=request.user)
        except checkin.CheckInRefused as exc:
            messages.error(request, exc.message)
        return redirect("check_in_screen", pk=pk)
    return render(request, "courses/check_in_screen.html", {
        "session": session, "course_class": session.course_class, "open": checkin.open_window(session) is not None,
        "state_url": reverse("check_in_state", args=[pk]), "state": _state(request, session)})


@never_cache
@login_required
def check_in_state(request, pk: int):
    session = session_for(request, pk, MARK)
    return JsonResponse(_state(request, session))


def _state(request, session) -> dict:
    window = checkin.open_window(session)
    present = checkin.checked_in(session)
    state = {"open": window is not None, "present": [{"name": n, "at": at} for n, at in present],
             "count": len(present), "enrolled": session.course_class.enrolments.count()}
    if window is not None:
        current = checkin.current_code(window)
        url = request.build_absolute_uri(reverse("learner_check_in")) + f"?code={current.code}"
        state.update(code=current.code, seconds_left=current.seconds_left, qr=checkin.qr_svg(url))
    return state


@login_required
@require_http_methods(["GET", "POST"])
def learner_check_in(request):
    """The learner's phone: the code typed (or brought by the QR code) and one tap to check in."""
    code = request.POST.get("code") or request.GET.get("code") or ""
    if request.method == "POST":
        try:
            session = checkin.check_in(person=request.user, code=code)
        except checkin.CheckInRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You are checked in: %(session)s, %(module)s.") % {
                "session": session, "module": session.module})
            return redirect("learner_check_in")
    return render(request, "courses/learner_check_in.html", {"code": "".join(c for c in code if c.isdigit())[:6]})
