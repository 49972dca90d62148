"""Marking pages of written subjects (issue 7): the anonymisation board's scripts, scans and mapping; the
marking head's dashboard; the marker's queue and marking page; the re-marking head's appeals; the candidate's
appeal from "my result". The rules live in ``exams.marking.services``; these views parse, authorise, call
and respond.

A marker's pages are built from the script's code, the subject and the answer only: nothing here reads the
registration for them, and every URL a marker reaches is keyed by their marking, never by the candidate.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import client_ip
from exams.banks.models import Question
from exams.common.views import refuse, require
from exams.examday.models import AttemptItem
from exams.marking import services as svc
from exams.marking.forms import MarkForm, ScanUploadForm
from exams.marking.models import Appeal, Marking, Script, ScriptScan
from exams.sessions.models import CouncilMember, Exam, Registration, Subject
from exams.sessions.selectors import registrations_matching

S = Script.Status


def _written_subject(request, pk: int, perm: str) -> Subject:
    subject = get_object_or_404(Subject.objects.select_related("exam"), pk=pk, format=Subject.Format.WRITTEN)
    require(request, perm, subject.exam)
    return subject


def _own_marking(request, pk: int) -> Marking:
    """The signed-in marker's marking; 404 for anyone else, so no URL tells whether a marking exists."""
    marking = get_object_or_404(Marking.objects.select_related("script__subject__exam"), pk=pk)
    if not request.user.has_perm("exams.mark_script", marking):
        raise Http404
    return marking


def _scan_response(scan: ScriptScan, code: str) -> FileResponse:
    """The stored file, shown inline under a name made of the code alone."""
    response = FileResponse(scan.file.open("rb"), content_type=scan.content_type)
    response["Content-Disposition"] = f'inline; filename="{code}-{scan.order + 1}{scan.extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass
class BoardLink:
    exam: Exam
    subject: Subject | None
    url_name: str
    label: str


def _board_links(user) -> list[BoardLink]:
    """The pages the user's positions open: scripts (anonymisation), marking dashboard, appeals."""
    positions = list(CouncilMember.objects.filter(user=user).filter(
        Q(board__in=["anonymisation", "marking", "remarking"]) | Q(board="council", position="secretary"))
        .select_related("exam").order_by("exam_id"))
    held: dict[int, set[str]] = {}
    exams: dict[int, Exam] = {}
    for p in positions:
        exams[p.exam_id] = p.exam
        held.setdefault(p.exam_id, set()).add("secretary" if p.board == "council" else f"{p.board}:{p.position}")
    links: list[BoardLink] = []
    subjects = Subject.objects.filter(exam__in=list(exams), format=Subject.Format.WRITTEN).order_by("exam_id", "order")
    for subject in subjects:
        mine = held[subject.exam_id]
        if "secretary" in mine or any(h.startswith("anonymisation:") for h in mine):
            links.append(BoardLink(exams[subject.exam_id], subject, "subject_scripts", _("Scripts and anonymisation")))
        if "secretary" in mine or "marking:head" in mine:
            links.append(BoardLink(exams[subject.exam_id], subject, "marking_dashboard", _("Marking progress")))
    for exam_id, mine in held.items():
        if "secretary" in mine or "remarking:head" in mine:
            links.append(BoardLink(exams[exam_id], None, "appeals_list", _("Appeals (re-marking)")))
    return links


@login_required
def marking_queue(request):
    """The marker's scripts across exams, the ones still to mark first; then the boards the user leads."""
    require(request, "exams.use_marking")
    markings = (Marking.objects.filter(marker=request.user).select_related("script__subject__exam")
                .order_by(F("marked_at").asc(nulls_first=True), "assigned_at", "pk"))
    return render(request, "exams/marking_queue.html", {"markings": markings, "boards": _board_links(request.user)})


@dataclass
class EssayAnswer:
    number: int
    question: str
    answer: str

    @property
    def words(self) -> int:
        return len(self.answer.split())


def _essay_answers(script: Script) -> list[EssayAnswer]:
    """The essay answers of an on-computer script, with their questions (text only, never the attempt)."""
    if script.attempt_id is None:
        return []
    items = (AttemptItem.objects.filter(attempt_id=script.attempt_id, paper_item__question__kind=Question.Kind.ESSAY)
             .select_related("paper_item__question").order_by("position"))
    return [EssayAnswer(number=item.position + 1, question=item.paper_item.question.text,
                        answer=item.answer if isinstance(item.answer, str) else "") for item in items]


@login_required
@require_http_methods(["GET", "POST"])
def marking_page(request, pk: int):
    marking = _own_marking(request, pk)
    script, subject = marking.script, marking.script.subject
    form = MarkForm(request.POST or None)
    if request.method == "POST":
        if marking.mark is not None:
            messages.error(request, _("This mark is already recorded; marks are not changed once given."))
            return redirect("marking_page", pk=marking.pk)
        if form.is_valid():
            try:
                settled = svc.mark_record(marking=marking, mark=form.cleaned_data["mark"], actor=request.user,
                                          comment=form.cleaned_data["comment"])
            except (ValidationError, PermissionDenied) as exc:
                refuse(request, exc)
                return redirect("marking_page", pk=marking.pk)
            messages.success(request, _("Your mark for script %(code)s is recorded.") % {"code": script.code})
            if settled.third_assigned is not None:
                messages.info(request, _("The two marks differ by more than the gap: a third marker marks this "
                                         "script."))
            return redirect("marking_page", pk=marking.pk)
    return render(request, "exams/marking_page.html", {
        "marking": marking, "script": script, "subject": subject, "form": form,
        "essays": _essay_answers(script), "scans": list(script.scans.all()),
        "others": svc.visible_marks(marking),
    })


@login_required
def marking_scan(request, pk: int, scan_pk: int):
    marking = _own_marking(request, pk)
    scan = get_object_or_404(ScriptScan, pk=scan_pk, script_id=marking.script_id)
    return _scan_response(scan, marking.script.code)


@login_required
def subject_scripts(request, pk: int):
    """Anonymise the on-computer papers, upload paper scans per candidate, de-anonymise when all are marked."""
    subject = _written_subject(request, pk, "exams.anonymise_scripts")
    registrations = (Registration.objects.filter(exam=subject.exam).select_related("person")
                     .order_by("candidate_number"))
    query = (request.GET.get("q") or "").strip()
    registrations = registrations_matching(registrations, query)
    listed = Paginator([r for r in registrations if not r.exemption_for(subject)], 100).get_page(
        request.GET.get("page"))
    scripts = {s.registration_id: s for s in Script.objects.filter(
        subject=subject, registration__in=[r.pk for r in listed]).annotate(scan_count=Count("scans"))}
    rows = [(r, scripts.get(r.pk)) for r in listed]
    counts = Script.objects.filter(subject=subject).aggregate(
        total=Count("pk"), marked=Count("pk", filter=Q(status=S.MARKED)))
    return render(request, "exams/marking_scripts.html", {
        "exam": subject.exam, "subject": subject, "rows": rows, "counts": counts, "form": ScanUploadForm(),
        "listed": listed, "q": query, "query": urlencode({"q": query}) if query else "",
        "may_deanonymise": request.user.has_perm("exams.deanonymise_scripts", subject.exam),
    })


@login_required
@require_POST
def subject_anonymise(request, pk: int):
    subject = _written_subject(request, pk, "exams.anonymise_scripts")
    try:
        created = svc.anonymise(subject=subject, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("%(n)s paper(s) answered on the computer received a secret code.") % {"n": created})
    return redirect("subject_scripts", pk=subject.pk)


@login_required
@require_POST
def subject_scan_upload(request, pk: int, registration_pk: int):
    """One scan for one candidate: checked (size, extension, first bytes) before anything is stored."""
    subject = _written_subject(request, pk, "exams.anonymise_scripts")
    registration = get_object_or_404(Registration, pk=registration_pk, exam=subject.exam)
    form = ScanUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("subject_scripts", pk=subject.pk)
    try:
        svc.scan_upload(registration=registration, subject=subject, scan=form.cleaned_data["file"], actor=request.user,
                        ip=client_ip(request))
    except (ValidationError, PermissionDenied, IntegrityError) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Scan stored for %(number)s.") % {"number": registration.candidate_number})
    return redirect("subject_scripts", pk=subject.pk)


@login_required
def subject_scan(request, pk: int, scan_pk: int):
    subject = _written_subject(request, pk, "exams.anonymise_scripts")
    scan = get_object_or_404(ScriptScan.objects.select_related("script"), pk=scan_pk, script__subject=subject)
    return _scan_response(scan, scan.script.code)


@login_required
def subject_mapping(request, pk: int):
    """The secret codes and the candidates behind them (audited: every look is recorded)."""
    subject = _written_subject(request, pk, "exams.anonymise_scripts")
    scripts = svc.script_identities(subject=subject, actor=request.user, ip=client_ip(request))
    return render(request, "exams/marking_mapping.html", {"exam": subject.exam, "subject": subject,
                                                          "scripts": scripts})


@login_required
@require_POST
def subject_deanonymise(request, pk: int):
    subject = _written_subject(request, pk, "exams.deanonymise_scripts")
    try:
        n = svc.deanonymise(subject=subject, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("%(n)s final mark(s) written into the scores; the results can be computed.")
                         % {"n": n})
    return redirect("subject_scripts", pk=subject.pk)


@login_required
def marking_dashboard(request, pk: int):
    """Progress per marker, scripts waiting for a third marking, marked / total (codes only, never names)."""
    subject = _written_subject(request, pk, "exams.head_marking")
    scripts = Script.objects.filter(subject=subject)
    counts = scripts.aggregate(total=Count("pk"), marked=Count("pk", filter=Q(status=S.MARKED)),
                               third=Count("pk", filter=Q(status=S.THIRD)))
    counts["unassigned"] = scripts.exclude(markings__round=Marking.Round.FIRST).count()
    per_marker = (Marking.objects.filter(script__subject=subject, appeal__isnull=True)
                  .values("marker__username", "marker__full_name")
                  .annotate(assigned=Count("pk"), marked=Count("pk", filter=Q(mark__isnull=False)))
                  .order_by("marker__full_name", "marker__username"))
    waiting = (Marking.objects.filter(script__subject=subject, round=Marking.Round.THIRD, mark__isnull=True)
               .select_related("script", "marker").order_by("script__code"))
    return render(request, "exams/marking_dashboard.html", {
        "exam": subject.exam, "subject": subject, "counts": counts, "per_marker": per_marker, "waiting": waiting,
    })


@login_required
@require_POST
def marking_assign(request, pk: int):
    subject = _written_subject(request, pk, "exams.head_marking")
    try:
        n = svc.markers_assign(subject=subject, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Two markers assigned to each of %(n)s script(s).") % {"n": n})
    return redirect("marking_dashboard", pk=subject.pk)


@login_required
def appeals_list(request, pk: int):
    """The exam's appeals by status, with the re-markers' progress (codes only: re-marking is blind too)."""
    exam = get_object_or_404(Exam, pk=pk)
    require(request, "exams.head_remarking", exam)
    appeals = list(Appeal.objects.filter(subject__exam=exam).select_related("script", "subject")
                   .prefetch_related("markings__marker").order_by("status", "filed_at"))
    groups = [(label, [a for a in appeals if a.status == value]) for value, label in Appeal.Status.choices]
    return render(request, "exams/appeals_list.html", {"exam": exam, "groups": groups})


@login_required
@require_POST
def appeal_assign(request, pk: int):
    appeal = get_object_or_404(Appeal.objects.select_related("subject__exam"), pk=pk)
    require(request, "exams.head_remarking", appeal.subject.exam)
    try:
        svc.appeal_assign(appeal=appeal, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Two re-markers assigned to script %(code)s.") % {"code": appeal.script.code})
    return redirect("appeals_list", pk=appeal.subject.exam_id)
