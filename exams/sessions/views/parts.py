"""Correcting an exam's parts: one page to edit a room, a sitting, an invigilator assignment or a registration,
and a confirmed POST to remove one. When a part can no longer change, its page says why and offers nothing
(exams.sessions.corrections holds the rules and refuses again if the page was stale)."""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exams.common.views import refuse
from exams.sessions import corrections
from exams.sessions.access import get_exam
from exams.sessions.forms import InvigilatorForm, RegistrationForm, RoomForm, SittingForm
from exams.sessions.models import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting

MANAGE = "exams.manage_exams"


def _edit_page(request, *, exam: Exam, form, lock: str, save: Callable[[], object], title: str, back: str,
               remove_url: str = "", remove_lock: str = "", remove_confirm: str = "",
               remove_reason: bool = False) -> HttpResponse:
    if request.method == "POST":
        if lock:
            messages.error(request, lock)
        elif form.is_valid():
            try:
                save()
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(back)
    if lock:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "exams/part_form.html", {
        "exam": exam, "form": form, "lock": lock, "title": title, "back": back, "remove_url": remove_url,
        "remove_lock": remove_lock, "remove_confirm": remove_confirm, "remove_reason": remove_reason})


def _removed(request, back: str, remove: Callable[[], None], done: str) -> HttpResponse:
    try:
        remove()
    except ValidationError as exc:
        refuse(request, exc)
    else:
        messages.success(request, done)
    return redirect(back)


# --- rooms ---------------------------------------------------------------------------------------------------------

def _room(request, pk: int) -> Room:
    room = get_object_or_404(Room.objects.select_related("exam"), pk=pk)
    get_exam(request, room.exam_id, MANAGE)
    return room


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request, pk: int):
    room = _room(request, pk)
    form = RoomForm(request.POST or None, instance=room, exam=room.exam)
    return _edit_page(
        request, exam=room.exam, form=form, lock=corrections.room_lock(room),
        save=lambda: corrections.room_update(room=form.instance, changed=form.changed_data, actor=request.user),
        title=_("Room %(name)s") % {"name": room.name}, back=reverse("exam_detail", args=[room.exam_id]),
        remove_url=reverse("room_remove", args=[room.pk]),
        remove_confirm=_("Remove the room %(name)s? Its invigilator assignments go with it.") % {"name": room.name})


@login_required
@require_POST
def room_remove(request, pk: int):
    room = _room(request, pk)
    return _removed(request, reverse("exam_detail", args=[room.exam_id]),
                    lambda: corrections.room_remove(room=room, actor=request.user),
                    _("The room %(name)s is removed.") % {"name": room.name})


# --- sittings ------------------------------------------------------------------------------------------------------

def _sitting(request, pk: int) -> Sitting:
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam", "paper_set"), pk=pk)
    get_exam(request, sitting.subject.exam_id, MANAGE)
    return sitting


@login_required
@require_http_methods(["GET", "POST"])
def sitting_edit(request, pk: int):
    sitting = _sitting(request, pk)
    exam = sitting.subject.exam
    form = SittingForm(request.POST or None, instance=sitting, exam=exam)
    lock = corrections.sitting_lock(sitting)
    return _edit_page(
        request, exam=exam, form=form, lock=lock,
        save=lambda: corrections.sitting_update(sitting=form.instance, changed=form.changed_data, actor=request.user),
        title=_("Move the sitting"), back=reverse("sitting_detail", args=[sitting.pk]),
        remove_url=reverse("sitting_remove", args=[sitting.pk]), remove_lock=lock,
        remove_confirm=_("Remove this sitting? Its sealed papers stay in the register, detached from it."))


@login_required
@require_POST
def sitting_remove(request, pk: int):
    sitting = _sitting(request, pk)
    exam_id = sitting.subject.exam_id
    try:
        corrections.sitting_remove(sitting=sitting, actor=request.user)
    except ValidationError as exc:
        refuse(request, exc)
        return redirect("sitting_detail", pk=pk)
    messages.success(request, _("The sitting is removed."))
    return redirect("exam_detail", pk=exam_id)


# --- council and invigilators --------------------------------------------------------------------------------------

@login_required
@require_POST
def council_remove(request, pk: int):
    member = get_object_or_404(CouncilMember.objects.select_related("exam", "user"), pk=pk)
    get_exam(request, member.exam_id, MANAGE)
    return _removed(request, reverse("exam_detail", args=[member.exam_id]),
                    lambda: corrections.council_remove(member=member, actor=request.user),
                    _("%(name)s no longer holds that position.") % {"name": member.user.full_name})


def _assignment(request, pk: int) -> InvigilatorAssignment:
    assignment = get_object_or_404(InvigilatorAssignment.objects.select_related(
        "sitting__subject__exam", "room", "user"), pk=pk)
    get_exam(request, assignment.sitting.subject.exam_id, MANAGE)
    return assignment


@login_required
@require_http_methods(["GET", "POST"])
def invigilator_edit(request, pk: int):
    assignment = _assignment(request, pk)
    exam = assignment.sitting.subject.exam
    form = InvigilatorForm(request.POST or None, instance=assignment, exam=exam)
    return _edit_page(
        request, exam=exam, form=form, lock=corrections.invigilator_lock(assignment),
        save=lambda: corrections.invigilator_update(assignment=form.instance, changed=form.changed_data,
                                                    actor=request.user),
        title=_("Invigilator %(name)s") % {"name": assignment.user.full_name},
        back=reverse("exam_detail", args=[exam.pk]), remove_url=reverse("invigilator_remove", args=[assignment.pk]),
        remove_lock=corrections.invigilator_remove_lock(assignment),
        remove_confirm=_("Take %(name)s off this room?") % {"name": assignment.user.full_name})


@login_required
@require_POST
def invigilator_remove(request, pk: int):
    assignment = _assignment(request, pk)
    return _removed(request, reverse("exam_detail", args=[assignment.sitting.subject.exam_id]),
                    lambda: corrections.invigilator_remove(assignment=assignment, actor=request.user),
                    _("%(name)s is off that room.") % {"name": assignment.user.full_name})


# --- registrations -------------------------------------------------------------------------------------------------

def _registration(request, pk: int) -> Registration:
    registration = get_object_or_404(Registration.objects.select_related("exam", "person"), pk=pk)
    get_exam(request, registration.exam_id, MANAGE)
    return registration


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request, pk: int):
    registration = _registration(request, pk)
    form = RegistrationForm(request.POST or None, instance=registration)
    lock = corrections.registration_lock(registration)
    return _edit_page(
        request, exam=registration.exam, form=form, lock=lock,
        save=lambda: corrections.registration_update(registration=form.instance, changed=form.changed_data,
                                                     actor=request.user),
        title=f"{registration.candidate_number} – {registration.person.full_name}",
        back=reverse("exam_candidates", args=[registration.exam_id]),
        remove_url=reverse("registration_withdraw", args=[registration.pk]), remove_lock=lock, remove_reason=True,
        remove_confirm=_("Withdraw %(name)s from the exam?") % {"name": registration.person.full_name})


@login_required
@require_POST
def registration_withdraw(request, pk: int):
    registration = _registration(request, pk)
    return _removed(request, reverse("exam_candidates", args=[registration.exam_id]),
                    lambda: corrections.registration_withdraw(registration=registration, actor=request.user,
                                                              reason=request.POST.get("reason", "")[:500]),
                    _("%(name)s is withdrawn from the exam.") % {"name": registration.person.full_name})
