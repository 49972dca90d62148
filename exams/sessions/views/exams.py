"""HR's and the council's pages for an exam session; the candidate's exam login and "my exams"."""
from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import SpreadsheetUploadForm
from accounts.import_flow import ImportFlow, ImportResult
from accounts.qualification_selectors import requirement_status
from accounts.services import client_ip
from exams.common.views import refuse
from exams.sessions import downloads, exports
from exams.sessions import services as svc
from exams.sessions.access import get_exam
from exams.sessions.forms import (
    CouncilForm,
    ExamCreateForm,
    ExamForm,
    InvigilatorForm,
    RoomForm,
    SittingForm,
    SubjectForm,
)
from exams.sessions.importing import import_candidates
from exams.sessions.models import (
    BLIND_BOARDS,
    CouncilMember,
    Exam,
    InvigilatorAssignment,
    Registration,
    Room,
    Sitting,
    Subject,
)
from exams.sessions.readiness import exam_gaps, sitting_gaps
from exams.sessions.reference import exemption_label
from exams.sessions.selectors import registrations_matching
from exams.sessions.sitting_papers import paper_refs, sitting_papers_make, sitting_papers_problems

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


CANDIDATE_IMPORT = ImportFlow(session_key="candidate_import", form_class=SpreadsheetUploadForm,
                              confirm_fields=("withdraw_missing",))


@login_required
@require_http_methods(["GET", "POST"])
def exam_list(request):
    if not request.user.has_perm("exams.manage_exams"):
        seats = CouncilMember.objects.filter(user=request.user).exclude(board__in=BLIND_BOARDS)
        exams = Exam.objects.filter(pk__in=seats.values("exam_id"))
        if request.method == "POST" or not exams.exists():
            raise PermissionDenied
        return render(request, "exams/exam_list.html", {"exams": exams})
    form = ExamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exam = svc.exam_create(preset_slug=data["preset"], name=data["name"], actor=request.user,
                                   quota=data["quota"], cutoff=data["cutoff"], prefix=data["prefix"] or None)
        except ValidationError as exc:
            form.add_error("prefix", exc)
        else:
            messages.success(request, _("The exam was created from the preset; its candidates are numbered "
                                        "%(prefix)s0001…. Check its subjects.") % {"prefix": exam.number_prefix})
            return redirect("exam_detail", pk=exam.pk)
    return render(request, "exams/exam_list.html", {"exams": Exam.objects.all(), "form": form})


@login_required
def exam_detail(request, pk: int):
    exam = get_exam(request, pk)
    subjects = list(exam.subjects.select_related("blueprint").prefetch_related("sittings"))
    usage = svc.room_usage(exam=exam)
    rooms = [(room, usage.get(room.pk, 0)) for room in exam.rooms.all()]
    manage = request.user.has_perm("exams.manage_exams")
    next_steps = [(to, svc.S(to).label, svc.TRANSITION_EFFECTS.get((src, to), ""), svc.backward_lock(exam, to))
                  for (src, to) in svc.TRANSITIONS
                  if src == exam.status and svc.may_transition(exam=exam, to=to, user=request.user)]
    gaps = exam_gaps(exam) if manage and exam.status in READINESS_SHOWN else []
    call_in_rooms = {room.pk for room, _used in rooms} if manage else set(
        InvigilatorAssignment.objects.filter(user=request.user, room__exam=exam).values_list("room_id", flat=True))
    return render(request, "exams/exam_detail.html", {
        "exam": exam, "subjects": subjects, "rooms": rooms, "manage": manage, "next_steps": next_steps,
        "sees_candidates": request.user.has_perm("exams.view_candidates", exam),
        "sees_results": request.user.has_perm("exams.view_results", exam), "call_in_rooms": call_in_rooms,
        "council": exam.council.select_related("user"),
        "invigilators": [a for s in subjects for sitting in s.sittings.all()
                         for a in sitting.invigilators.select_related("user", "room")],
        "registrations_count": exam.registrations.count(),
        "unallocated": exam.registrations.filter(room__isnull=True).count(),
        "council_form": CouncilForm(exam=exam), "room_form": RoomForm(exam=exam), "sitting_form": SittingForm(exam=exam),
        "invigilator_form": InvigilatorForm(exam=exam),
        "gaps": gaps, "ready": not any(gap.blocking for gap in gaps),
    })


READINESS_SHOWN = (Exam.Status.DRAFT, Exam.Status.REGISTRATION, Exam.Status.SCHEDULED)


@login_required
def sitting_detail(request, pk: int):
    """A sitting's page: its papers (made, sealed and attached here), what it still lacks, its invigilators."""
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam", "subject__blueprint", "paper_set"),
                                pk=pk)
    exam = get_exam(request, sitting.subject.exam_id, "exams.manage_exams")
    paper_set = sitting.paper_set
    papers = spares = 0
    if paper_set is not None:
        refs, spares = paper_refs(paper_set.pk)
        papers = len(refs)
    return render(request, "exams/sitting_detail.html", {
        "exam": exam, "sitting": sitting, "subject": sitting.subject, "paper_set": paper_set, "papers": papers,
        "spares": spares, "gaps": sitting_gaps(sitting), "problems": sitting_papers_problems(sitting),
        "invigilators": sitting.invigilators.select_related("user", "room").order_by("room__name"),
    })


@login_required
@require_POST
def sitting_papers(request, pk: int):
    sitting = get_object_or_404(Sitting.objects.select_related("subject__exam", "subject__blueprint"), pk=pk)
    get_exam(request, sitting.subject.exam_id, "exams.manage_exams")
    try:
        paper_set = sitting_papers_make(sitting=sitting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The papers are made and sealed: %(n)s papers (seal %(seal)s…).")
                         % {"n": paper_set.papers.count(), "seal": paper_set.seal_hash[:12]})
    return redirect("sitting_detail", pk=sitting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def exam_edit(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    form = ExamForm(request.POST or None, instance=exam)
    if request.method == "POST" and form.is_valid():
        svc.exam_update(exam=form.instance, changed=form.changed_data, actor=request.user)
        return redirect("exam_detail", pk=exam.pk)
    return render(request, "exams/exam_form.html", {"exam": exam, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def subject_edit(request, pk: int):
    subject = get_object_or_404(Subject.objects.select_related("exam"), pk=pk)
    get_exam(request, subject.exam_id, "exams.manage_exams")
    form = SubjectForm(request.POST or None, instance=subject)
    if request.method == "POST" and form.is_valid():
        changed = [name for name in form.changed_data if name != "correction_reason"]
        if changed:
            svc.subject_update(subject=form.instance, changed=changed, actor=request.user,
                               reason=form.cleaned_data["correction_reason"].strip())
            messages.success(request, _("The subject %(code)s is saved.") % {"code": subject.code})
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("exam_detail", pk=subject.exam_id)
    return render(request, "exams/subject_form.html", {"subject": subject, "form": form})


@login_required
@require_POST
def exam_transition_view(request, pk: int):
    exam = get_exam(request, pk)
    try:
        svc.exam_transition(exam=exam, to=request.POST.get("to", ""), actor=request.user,
                            reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("The exam is now: %(status)s.") % {"status": exam.get_status_display()})
    return redirect("exam_detail", pk=exam.pk)


def _added(request, exam: Exam, form) -> HttpResponse:
    """The exam page again, saying whether the room, sitting or invigilator of its small forms was added."""
    if form.is_valid():
        messages.success(request, _("Saved."))
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                                          for f, e in form.errors.items()))
    return redirect("exam_detail", pk=exam.pk)


@login_required
@require_POST
def council_add_view(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    form = CouncilForm(request.POST, exam=exam)
    if not form.is_valid():
        return _added(request, exam, form)
    try:
        svc.council_add(exam=exam, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        refuse(request, exc)
    except IntegrityError:  # two appointments raced past the form's check; the constraints had the last word
        messages.error(request, _("That board already has a chair or head, or the exam a secretary."))
    else:
        messages.success(request, _("Saved."))
    return redirect("exam_detail", pk=exam.pk)


def _part_added(request, pk: int, form_class, add) -> HttpResponse:
    """One of the exam page's small forms (a room, a sitting, an invigilator): checked, added by ``add(exam, part)``
    (a clash the form could not see is said like its own errors), then the exam page again."""
    exam = get_exam(request, pk, "exams.manage_exams")
    form = form_class(request.POST, exam=exam)
    if form.is_valid():
        try:
            add(exam, form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
    return _added(request, exam, form)


@login_required
@require_POST
def room_add(request, pk: int):
    return _part_added(request, pk, RoomForm,
                       lambda exam, room: svc.room_add(exam=exam, room=room, actor=request.user))


@login_required
@require_POST
def sitting_add(request, pk: int):
    return _part_added(request, pk, SittingForm,
                       lambda exam, sitting: svc.sitting_add(exam=exam, sitting=sitting, actor=request.user))


@login_required
@require_POST
def invigilator_add(request, pk: int):
    return _part_added(request, pk, InvigilatorForm,
                       lambda exam, assignment: svc.invigilator_add(exam=exam, assignment=assignment,
                                                                    actor=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def candidates(request, pk: int):
    """The registrations, and the import: upload → full check → confirm."""
    exam = get_exam(request, pk, "exams.view_candidates")
    manage = request.user.has_perm("exams.manage_exams")
    if request.method == "POST" and not manage:
        raise PermissionDenied
    page = CANDIDATE_IMPORT.handle(request, scope=exam.pk, run=partial(import_candidates, exam=exam, actor=request.user),
                                   on_written=partial(_candidates_imported, request, exam))
    if page.response is not None:
        return page.response
    query = (request.GET.get("q") or "").strip()
    registrations = exam.registrations.select_related("person", "room", "unit").order_by("candidate_number")
    registrations = registrations_matching(registrations, query)
    listed = Paginator(registrations, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    # The certificate the target rank requires: one read for the page (accounts.qualification_selectors).
    target_rank = exam.target_rank
    holdings = requirement_status(rank=target_rank, person_ids=[r.person_id for r in listed]) if target_rank else {}
    return render(request, "exams/candidates.html", {
        "exam": exam, "manage": manage, **page.context, "rooms": exam.rooms.all(), "q": query, "listed": listed,
        "query": urlencode({"q": query}) if query else "", "target_rank": target_rank,
        "registrations": [(r, exemption_label(r.exempt_foreign_language) if r.exempt_foreign_language else "",
                           exemption_label(r.exempt_it) if r.exempt_it else "", holdings.get(r.person_id))
                          for r in listed],
    })


CANDIDATES_PER_PAGE = 100


def _candidates_imported(request, exam: Exam, result: ImportResult) -> HttpResponse:
    messages.success(request, result.sentence)
    return redirect("exam_candidates", pk=exam.pk)


@login_required
@require_POST
def candidates_renumber(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    try:
        count = svc.numbers_assign(exam=exam, renumber=True, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(n)s candidates renumbered in name order.") % {"n": count})
    return redirect("exam_candidates", pk=exam.pk)


@login_required
@require_POST
def rooms_allocate_view(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    try:
        count = svc.rooms_allocate(exam=exam, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("%(n)s candidates allocated to rooms in candidate-number order.") % {"n": count})
    return redirect("exam_candidates", pk=exam.pk)


@login_required
@require_POST
def registration_room(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("exam"), pk=pk)
    get_exam(request, registration.exam_id, "exams.manage_exams")
    room = Room.objects.filter(pk=request.POST.get("room") or 0, exam=registration.exam).first()
    try:
        svc.registration_move(registration=registration, room=room, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("exam_candidates", pk=registration.exam_id)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def candidate_template(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    return _xlsx(exports.candidate_template_xlsx(exam=exam), f"mau-danh-sach-thi-sinh-{exam.pk}.xlsx")


@login_required
def export_call_in(request, pk: int):
    """The call-in list: HR, with the CCCD in full; an invigilator of that room, that room only, with the CCCD masked
    (exams/rules.py, CANDIDATE_LIST_BOARDS); always audited."""
    exam = get_object_or_404(Exam, pk=pk)
    room = exam.rooms.filter(pk=request.GET.get("room") or 0).first()
    full = request.user.has_perm("exams.manage_exams")
    if not (full or (room and request.user.has_perm("exams.export_call_in", room))):
        raise PermissionDenied
    return _xlsx(downloads.call_in_list(exam=exam, room=room, full_cccd=full, actor=request.user, ip=client_ip(request)),
                 f"goi-vao-phong-{exam.pk}.xlsx")


@login_required
def export_candidates(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    return _xlsx(exports.candidates_by_number_xlsx(exam=exam), f"thi-sinh-{exam.pk}.xlsx")


@login_required
def export_exemptions(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    return _xlsx(exports.exemptions_xlsx(exam=exam), f"mien-thi-{exam.pk}.xlsx")


@login_required
def export_login_slips(request, pk: int):
    exam = get_exam(request, pk, "exams.manage_exams")
    room = exam.rooms.filter(pk=request.GET.get("room") or 0).first()
    return _xlsx(downloads.login_slips(exam=exam, room=room, actor=request.user, ip=client_ip(request)),
                 f"phieu-dang-nhap-{exam.pk}.xlsx")
