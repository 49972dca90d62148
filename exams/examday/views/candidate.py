"""Exam day pages: entering the room, the paper, HTTP saves (the websocket's fallback), the result and slip. The
invigilator's console, its actions, a dispute timeline and the room record are in exams/examday/views/console.py."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exam_platform.dbgate import write_gate
from exams.examday import devicepass
from exams.examday.hosts import host_for
from exams.examday.models import EXAM_PURPOSE, Admission, Attempt
from exams.examday.paper_page import paper_page_context
from exams.examday.services import attempts as svc
from exams.examday.services import entering, saves
from exams.sessions import examday_cache
from exams.sessions.forms import RoomCodeForm
from exams.sessions.models import Registration, Sitting

CODE_ATTEMPTS_PER_MINUTE = 5


def _registration_for(request, sitting: Sitting) -> Registration:
    try:  # one by the constraint; get() also skips the default ordering, which joins the exam table
        registration = Registration.objects.select_related("room").get(exam=sitting.subject.exam_id,
                                                                       person=request.user)
    except Registration.DoesNotExist:
        raise Http404 from None
    registration.exam = sitting.subject.exam  # already read with the sitting: not a second join of a wide table
    return registration


@login_required
@require_http_methods(["GET", "POST"])
def sitting_enter(request, sitting_id: int):
    """The candidate enters the room code (at most 5 tries a minute per account, never per address). A browser
    that does so gets its device pass (exams/examday/devicepass.py); only the machine holding the paper skips the code."""
    sitting = examday_cache.sitting_with_exam(sitting_id)
    registration = _registration_for(request, sitting)
    device = devicepass.device_from(request.COOKIES)
    if request.method == "GET":  # a POST from a candidate who has started already resumes in room_enter
        existing = Attempt.objects.filter(registration=registration, sitting=sitting).values_list("pk", "device")
        if existing and device and existing[0][1] == device:
            return redirect("attempt_page", pk=existing[0][0])
    form = RoomCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = f"room-code-failures:{request.user.pk}:{timezone.now():%Y%m%d%H%M}"
        if cache.get(key, 0) >= CODE_ATTEMPTS_PER_MINUTE:
            form.add_error("code", _("Too many wrong codes; wait a minute."))
        else:
            device = device or devicepass.new_device()
            try:
                entry = entering.room_enter(registration=registration, sitting=sitting, code=form.cleaned_data["code"],
                                            device=device)
            except svc.ExamDayError as exc:
                if exc.code == "bad_code":
                    cache.set(key, cache.get(key, 0) + 1, 120)
                form.add_error(None, exc.message)
            else:
                response = (redirect("attempt_page", pk=entry.attempt.pk) if entry.attempt is not None
                            else _enter_page(request, sitting, registration, form, waiting=True))
                devicepass.attach(response, device)
                return response
    return _enter_page(request, sitting, registration, form, waiting=False)


def _enter_page(request, sitting: Sitting, registration: Registration, form: RoomCodeForm, *, waiting: bool):
    """The room-code page; "waiting" while the exam wants the invigilator to admit the candidate first."""
    waiting = waiting or sitting.subject.exam.admit_needs_invigilator and Admission.objects.filter(
        registration=registration, room_session__sitting=sitting, admitted_at__isnull=True).exists()
    return render(request, "exams/sitting_enter.html", {"sitting": sitting, "registration": registration,
                                                        "form": form, "waiting": waiting})


def _own_attempt(request, pk: int) -> Attempt:
    attempt = get_object_or_404(Attempt.objects.select_related("room_session", "registration"), pk=pk)
    if attempt.owner_id != request.user.pk:
        raise Http404
    if attempt.sitting_id is not None:
        attempt.sitting = attempt.room_session.sitting = examday_cache.sitting_with_exam(attempt.sitting_id)
    return svc.finish_if_overdue(attempt)


def _hosted_redirect(attempt: Attempt, *, finished: bool):
    """A hosted attempt (a course test, a contest entry) is shown by its host's pages, never by the exam's."""
    if attempt.purpose == EXAM_PURPOSE:
        return None
    host = host_for(attempt.purpose)
    if host is None:
        raise Http404
    return redirect(host.result_url(attempt.pk) if finished else host.page_url(attempt.pk))


def _device_refusal(request, attempt: Attempt):
    """The live paper is only for the machine that entered the room code for it: any other browser (a login slip
    is not enough) goes to the room code, with the reason."""
    try:
        entering.device_check(holder=attempt.device, device=devicepass.device_from(request.COOKIES))
    except svc.ExamDayError as exc:
        messages.warning(request, exc.message)
        hosted = _hosted_redirect(attempt, finished=False)
        return hosted or redirect("sitting_enter", sitting_id=attempt.sitting_id)
    return None


@login_required
def attempt_page(request, pk: int):
    attempt = _own_attempt(request, pk)
    hosted = _hosted_redirect(attempt, finished=attempt.is_finished)
    if hosted is not None:
        return hosted
    if attempt.is_finished:
        return redirect("attempt_result", pk=attempt.pk)
    refusal = _device_refusal(request, attempt)
    if refusal is not None:
        return refusal
    exam = attempt.sitting.subject.exam
    context = paper_page_context(attempt, one_per_screen=exam.one_question_per_screen,
                                 enter_url=f"/sittings/{attempt.sitting_id}/enter/",
                                 result_url=f"/attempts/{attempt.pk}/result/")
    return render(request, "exams/attempt.html", {**context, "exam": exam})


def _json_body(request) -> dict | None:
    if len(request.body) > 64 * 1024:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # 64 KB of brackets nest deeper than the parser goes
        return None
    return data if isinstance(data, dict) else None


def _bad_message() -> JsonResponse:
    return JsonResponse({"type": "error", "code": "bad_message", "message": _("The message is not valid.")},
                        status=400)


@login_required
@require_POST
def attempt_save_http(request, pk: int):
    """The HTTP fallback: the same service as the websocket, the same acknowledgement."""
    data = _json_body(request)
    if data is None:
        return _bad_message()
    try:
        with svc.busy_as_refusal(), write_gate():
            result = saves.answer_save(attempt_id=pk, user_id=request.user.pk, position=data.get("item"),
                                     seq=data.get("seq"), value=data.get("value"),
                                     device=devicepass.device_from(request.COOKIES),
                                     client_time=data.get("client_time", ""), transport="http")
    except svc.ExamDayError as exc:
        svc.finish_after_refusal(attempt_id=pk, code=exc.code)
        status = 404 if exc.code == "not_yours" else 409
        return JsonResponse({"type": "error", "seq": data.get("seq"), "item": data.get("item"), "code": exc.code,
                             "message": exc.message}, status=status)
    if result.conflict:  # nothing stored: the page numbers above what is stored and sends its value again
        return JsonResponse({"type": "conflict", "seq": result.seq, "item": result.position,
                             "stored_seq": result.stored_seq}, status=409)
    return JsonResponse({"type": "ack", "seq": result.seq, "item": result.position, "duplicate": result.duplicate})


@login_required
@require_POST
def attempt_flag_http(request, pk: int):
    """The HTTP fallback for marking a question for review, as the websocket does it."""
    data = _json_body(request)
    if data is None:
        return _bad_message()
    attempt = _own_attempt(request, pk)
    flagged = bool(data.get("flagged"))
    stored = saves.flag_item(attempt_id=attempt.pk, user_id=request.user.pk,
                             device=devicepass.device_from(request.COOKIES), position=data.get("item"),
                             flagged=flagged)
    return JsonResponse({"type": "flagged", "item": data.get("item"), "flagged": flagged, "stored": stored},
                        status=200 if stored else 409)


@login_required
@require_GET
def attempt_state(request, pk: int):
    attempt = _own_attempt(request, pk)
    return JsonResponse({"type": "state", "status": attempt.status, "deadline": attempt.deadline.isoformat(),
                         "server_time": timezone.now().isoformat(),
                         "paused": attempt.room_session is not None and attempt.room_session.paused_since is not None})


@login_required
@require_POST
def attempt_submit(request, pk: int):
    """Only the machine holding the paper submits it."""
    attempt = _own_attempt(request, pk)
    if attempt.status == Attempt.Status.OPEN:
        refusal = _device_refusal(request, attempt)
        if refusal is not None:
            return refusal
        svc.attempt_finish(attempt=attempt, how=Attempt.Status.SUBMITTED)
    return _hosted_redirect(attempt, finished=True) or redirect("attempt_result", pk=attempt.pk)


@login_required
def attempt_result(request, pk: int):
    attempt = _own_attempt(request, pk)
    hosted = _hosted_redirect(attempt, finished=attempt.is_finished)
    if hosted is not None:
        return hosted
    if not attempt.is_finished:
        return redirect("attempt_page", pk=attempt.pk)
    exam = attempt.sitting.subject.exam
    return render(request, "exams/attempt_result.html", {
        "attempt": attempt, "exam": exam, "subject": attempt.sitting.subject,
        "total": attempt.items.count(), "answered": attempt.items.filter(answer__isnull=False).count(),
    })
