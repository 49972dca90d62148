"""Exam day pages: entering the room, the paper, HTTP saves (the websocket's fallback), the result and slip;
the invigilator's console, its actions, a dispute timeline and the room record."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services import audit_record, client_ip
from exams import devicepass, examday_cache
from exams.dbgate import write_gate
from exams.forms_sessions import RoomActionForm, RoomCodeForm, SittingExtendForm
from exams.models import (
    Admission,
    AnswerEvent,
    Attempt,
    AttemptItem,
    Registration,
    Room,
    RoomEvent,
    RoomSession,
    Sitting,
)
from exams.selectors_room import console_snapshot
from exams.services import attempts as svc
from exams.services import entering, saves
from exams.services.exam_login import exam_login_unlock

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
    that does so gets its device pass (exams/devicepass.py); only the machine holding the paper skips the code."""
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
    if attempt.registration.person_id != request.user.pk:
        raise Http404
    attempt.sitting = attempt.room_session.sitting = examday_cache.sitting_with_exam(attempt.sitting_id)
    return svc.finish_if_overdue(attempt)


def _device_refusal(request, attempt: Attempt):
    """The live paper is only for the machine that entered the room code for it: any other browser (a login slip
    is not enough) goes to the room code, with the reason."""
    try:
        entering.device_check(holder=attempt.device, device=devicepass.device_from(request.COOKIES))
    except svc.ExamDayError as exc:
        messages.warning(request, exc.message)
        return redirect("sitting_enter", sitting_id=attempt.sitting_id)
    return None


# A save's counter is the device epoch in its high bits and the page's own count below (docs/exam-day.md).
SEQ_EPOCH_BITS = 32


@login_required
def attempt_page(request, pk: int):
    attempt = _own_attempt(request, pk)
    if attempt.is_finished:
        return redirect("attempt_result", pk=attempt.pk)
    refusal = _device_refusal(request, attempt)
    if refusal is not None:
        return refusal
    exam = attempt.sitting.subject.exam
    before_start = timezone.now() < attempt.clock_start
    answers, seqs, flagged, body = {}, {}, [], ""
    if not before_start:
        body = examday_cache.paper_body(paper_id=attempt.paper_id, one_per_screen=exam.one_question_per_screen)
        # Only what this candidate has touched: answered (or cleared) or flagged items, with the counter each answer
        # was stored under, so that the page numbers its next saves above it and knows which of its unsent ones
        # the server already holds or has overtaken.
        for position, answer, seq, is_flagged in AttemptItem.objects.filter(
                Q(client_seq__gt=0) | Q(flagged=True), attempt=attempt).values_list("position", "answer",
                                                                                  "client_seq", "flagged"):
            if answer is not None:
                answers[str(position)] = answer
            if seq:
                seqs[str(position)] = seq
            if is_flagged:
                flagged.append(position)
    config = {
        "attempt": attempt.pk, "ws": f"/ws/attempt/{attempt.pk}/", "save": f"/attempts/{attempt.pk}/save/",
        "flag": f"/attempts/{attempt.pk}/flag/", "state": f"/attempts/{attempt.pk}/state/",
        "enter": f"/sittings/{attempt.sitting_id}/enter/", "deadline": attempt.deadline.isoformat(),
        "clock_start": attempt.clock_start.isoformat(), "server_time": timezone.now().isoformat(),
        "paused": attempt.room_session.paused_since is not None, "one_per_screen": exam.one_question_per_screen,
        "result": f"/attempts/{attempt.pk}/result/", "answers": answers, "flagged": sorted(flagged),
        "epoch": attempt.device_epoch, "seq_base": attempt.device_epoch << SEQ_EPOCH_BITS, "seqs": seqs,
    }
    return render(request, "exams/attempt.html", {"attempt": attempt, "paper_body": body, "config": config,
                                                  "before_start": before_start, "exam": exam})


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
                         "paused": attempt.room_session.paused_since is not None})


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
    return redirect("attempt_result", pk=attempt.pk)


@login_required
def attempt_result(request, pk: int):
    attempt = _own_attempt(request, pk)
    if not attempt.is_finished:
        return redirect("attempt_page", pk=attempt.pk)
    exam = attempt.sitting.subject.exam
    return render(request, "exams/attempt_result.html", {
        "attempt": attempt, "exam": exam, "subject": attempt.sitting.subject,
        "total": attempt.items.count(), "answered": attempt.items.filter(answer__isnull=False).count(),
    })


# --- the invigilator's console ---------------------------------------------------------------------------

def _room_session_or_none(sitting: Sitting, room: Room) -> RoomSession | None:
    return RoomSession.objects.filter(sitting=sitting, room=room).select_related("sitting__subject__exam", "room").first()


def _may_watch(request, sitting: Sitting, room: Room) -> bool:
    user = request.user
    if sitting.invigilators.filter(user=user, room=room).exists():
        return True
    session = _room_session_or_none(sitting, room)
    return bool(session and user.has_perm("exams.watch_room", session))


@login_required
def console(request, sitting_id: int, room_id: int):
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam"), pk=sitting_id)
    room = get_object_or_404(Room, pk=room_id, exam=sitting.subject.exam_id)
    if not _may_watch(request, sitting, room):
        raise PermissionDenied
    session = _room_session_or_none(sitting, room)
    snapshot = console_snapshot(room_session=session) if session else None
    return render(request, "exams/console.html", {
        "sitting": sitting, "room": room, "session": session, "snapshot": snapshot,
        "close_at": svc.room_close_at(session) if session else None, "form": RoomActionForm(),
        # Only where it adds something to the room's own extension: two rooms or more open.
        "may_extend_sitting": sitting.room_sessions.count() > 1
        and request.user.has_perm("exams.extend_sitting", sitting),
    })


@login_required
@require_POST
def console_action(request, sitting_id: int, room_id: int):
    """Every action carries a reason and lands in the audit log (the services write it)."""
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam"), pk=sitting_id)
    room = get_object_or_404(Room, pk=room_id, exam=sitting.subject.exam_id)
    is_invigilator = sitting.invigilators.filter(user=request.user, room=room).exists()
    session = _room_session_or_none(sitting, room)
    if not (is_invigilator or (session and request.user.has_perm("exams.act_in_room", session))):
        raise PermissionDenied
    form = RoomActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action is not valid."))
        return redirect("room_console", sitting_id=sitting.pk, room_id=room.pk)
    data = form.cleaned_data
    action, reason = data["action"], (data.get("reason") or "").strip()
    registration = Registration.objects.filter(pk=data.get("registration") or 0, room=room).first()
    attempt = Attempt.objects.filter(registration=registration, sitting=sitting).first() if registration else None
    done = _("Done.")
    try:
        if action == "unlock_login" and registration is not None:  # needs no open room: before it opens, too
            exam_login_unlock(registration=registration, actor=request.user, reason=reason, ip=client_ip(request))
            done = _("The exam login of %(number)s is unlocked.") % {"number": registration.candidate_number}
        elif action == "open":
            session = svc.room_open(sitting=sitting, room=room, actor=request.user)
            examday_cache.warm_room(sitting=sitting, room=room)
        elif session is None:
            raise svc.ExamDayError("room_closed", _("Open the room first."))
        elif action == "new_code":
            svc.room_code_regenerate(room_session=session, actor=request.user)
        elif action == "pause":
            svc.room_pause(room_session=session, actor=request.user, reason=reason)
        elif action == "resume":
            svc.room_resume(room_session=session, actor=request.user, reason=reason)
        elif action == "extend":
            svc.extend(room_session=session, minutes=data.get("minutes") or 0, reason=reason, actor=request.user,
                       attempt=attempt if registration else None)
        elif action == "admit" and registration is not None:
            admission = Admission.objects.filter(registration=registration, room_session=session).first()
            if admission is None:
                raise svc.ExamDayError("not_entered", _("The candidate has not entered the room code yet."))
            entering.admit(admission=admission, actor=request.user, reason=reason)
        elif action == "release" and attempt is not None:
            entering.release(attempt=attempt, actor=request.user, reason=reason)
        elif action == "penalty" and registration is not None and data.get("penalty"):
            svc.penalty_record(registration=registration, sitting=sitting, kind=data["penalty"], reason=reason,
                               actor=request.user)
        elif action == "incident":
            svc.incident_record(room_session=session, text=reason, actor=request.user, registration=registration)
        else:
            raise svc.ExamDayError("bad_action", _("Choose a candidate for this action."))
    except svc.ExamDayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("room_console", sitting_id=sitting.pk, room_id=room.pk)


@login_required
@require_POST
def sitting_extend(request, sitting_id: int):
    """More time for the whole sitting (every open room at once), with a reason and an audit record."""
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam"), pk=sitting_id)
    if not request.user.has_perm("exams.extend_sitting", sitting):
        raise PermissionDenied
    form = SittingExtendForm(request.POST)
    back = request.POST.get("room")
    try:
        if not form.is_valid():
            raise svc.ExamDayError("bad_minutes", _("Give between 1 and 240 minutes, and a reason."))
        updated = svc.extend_sitting(sitting=sitting, minutes=form.cleaned_data["minutes"],
                                     reason=form.cleaned_data["reason"], actor=request.user)
    except svc.ExamDayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("%(n)d candidate has more time.", "%(n)d candidates have more time.",
                                           len(updated)) % {"n": len(updated)})
    if back and back.isdigit() and Room.objects.filter(pk=back, exam=sitting.subject.exam_id).exists():
        return redirect("room_console", sitting_id=sitting.pk, room_id=int(back))
    return redirect("my_sittings")


# What a spreadsheet program may take as the start of a formula: "=", "+", "-", "@", and a tab or carriage return
# before one (OWASP's list). Such a cell is written with a leading apostrophe, as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@login_required
def attempt_timeline(request, pk: int):
    """Every save, event and action of one attempt, in time order, for a dispute (CSV)."""
    attempt = get_object_or_404(Attempt.objects.select_related("room_session", "registration__person"), pk=pk)
    if not request.user.has_perm("exams.watch_room", attempt.room_session):
        raise PermissionDenied
    rows = [(e.server_time, "save", e.position + 1, e.client_seq, e.client_time, e.device, e.transport,
             e.answer if isinstance(e.answer, str) else json.dumps(e.answer, ensure_ascii=False),
             "applied" if e.applied else "replay")
            for e in AnswerEvent.objects.filter(attempt=attempt)]
    rows += [(e.at, e.kind, "", "", "", "", "", json.dumps(e.details, ensure_ascii=False),
              f"{e.actor or ''} {e.reason}".strip()) for e in RoomEvent.objects.filter(
        attempt=attempt).select_related("actor")]
    rows.sort(key=lambda r: r[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["time", "what", "question", "client_seq", "client_time", "device", "transport", "data", "note"])
    for row in rows:
        writer.writerow([timezone.localtime(row[0]).isoformat(), *(_csv_safe(v) for v in row[1:])])
    audit_record(actor=request.user, action="export.attempt_timeline", obj=attempt, ip=client_ip(request))
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dien-bien-{attempt.registration.candidate_number}.csv"'
    return response


@login_required
def room_record(request, pk: int):
    """The printable record of the room: who sat, who was absent, incidents, submission times."""
    session = get_object_or_404(RoomSession.objects.select_related("sitting__subject__exam", "room"), pk=pk)
    if not request.user.has_perm("exams.watch_room", session):
        raise PermissionDenied
    return render(request, "exams/room_record.html", {
        "session": session, "rows": console_snapshot(room_session=session)["rows"],
        "attempts": {a.registration_id: a for a in Attempt.objects.filter(room_session=session)},
        "incidents": RoomEvent.objects.filter(room_session=session, kind__in=[
            RoomEvent.Kind.INCIDENT, RoomEvent.Kind.PENALTY, RoomEvent.Kind.PAUSED, RoomEvent.Kind.RESUMED,
            RoomEvent.Kind.EXTENDED]).select_related("actor", "registration__person"),
    })


@login_required
def my_sittings(request):
    """The invigilator's sittings and rooms, each with its console."""
    from exams.models import InvigilatorAssignment

    assignments = (InvigilatorAssignment.objects.filter(user=request.user)
                   .select_related("sitting__subject__exam", "room").order_by("sitting__starts_at"))
    if not assignments.exists() and not request.user.has_perm("exams.manage_exams"):
        raise PermissionDenied
    return render(request, "exams/my_sittings.html", {"assignments": assignments})
