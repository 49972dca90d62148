"""Results pages: the council and HR see, compute, resolve ties, approve, publish and download; a candidate
sees their own published row. The rules live in ``exams.results.services``; these views parse, authorise,
call and respond."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.import_flow import ImportFlow, ImportResult
from accounts.services import client_ip
from accounts.vietnamese import search_key
from exams.common.views import refuse, require
from exams.results import downloads
from exams.results import services as svc
from exams.results.display import score_cells, score_text
from exams.results.exports import is_draft
from exams.results.forms import ComputeForm, PublishForm, ResultsFilterForm, ScoreUploadForm, TieResolveForm
from exams.results.importing import import_scores, score_template_xlsx
from exams.results.models import CandidateResult, ResultVersion
from exams.results.selectors import (
    LIST_ALL,
    LIST_BY_UNIT,
    LIST_UNIT_SUMMARY,
    LIST_WINNERS,
    LISTS,
    OUTCOME_LABELS,
    ResultRow,
    result_rows,
    subjects_of,
)
from exams.sessions.access import get_exam
from exams.sessions.models import Exam, Registration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


PAGE_SIZE = 50


SCORE_IMPORT = ImportFlow(session_key="score_import", form_class=ScoreUploadForm)


V = ResultVersion.Status


def _shown_version(exam: Exam, request) -> ResultVersion | None:
    """The version asked for with ``?v=n`` (history links), else the newest."""
    number = request.GET.get("v")
    if number:
        if not number.isdigit():
            raise Http404
        return get_object_or_404(ResultVersion, exam=exam, number=int(number))
    return svc.current_version(exam)


def _matches(row: ResultRow, outcome: str, words: list[str]) -> bool:
    if outcome and row.result.outcome != outcome:
        return False
    if words:
        haystack = f"{search_key(row.person.full_name)} {row.registration.candidate_number.casefold()}"
        return all(word in haystack for word in words)
    return True


def _ties(version: ResultVersion, rows: list[ResultRow], *, decide: bool) -> list[dict]:
    """Each unresolved tie with the facts the chain compared; ``decide``: the chair's form is shown."""
    ties = []
    for tie in version.ties:
        members = [row for row in rows if row.result.tie_group == tie["group"]]
        people = [{
            "registration_id": row.registration.pk, "name": row.person.full_name,
            "number": row.registration.candidate_number, "score": score_text(row.result.ranking_score),
            "gender": row.person.get_gender_display() if row.person.gender else "—",
            "minority": None if row.person.ethnicity is None else row.person.ethnicity.is_minority,
            "birth_date": row.person.date_of_birth,
            "service_start": row.registration.service_start or row.person.service_start,
        } for row in members]
        ties.append({"group": tie["group"], "places": tie["places"], "people": people, "decide": decide})
    return ties


@login_required
def results(request, pk: int):
    """The version's status, counters, warnings, ties, actions and the filtered, paginated table."""
    exam = get_exam(request, pk, "exams.view_results")
    version = _shown_version(exam, request)
    context: dict = {"exam": exam, "version": version,
                     "may_compute": request.user.has_perm("exams.compute_results", exam),
                     "may_import": request.user.has_perm("exams.import_scores", exam)}
    latest = svc.current_version(exam) if version is not None else None
    is_latest = version is not None and latest.pk == version.pk
    context["compute_form"] = ComputeForm(needs_reason=_needs_reason(exam, latest))
    context["needs_reason"] = _needs_reason(exam, latest)
    if version is None:
        return render(request, "exams/results.html", context)

    subjects = subjects_of(exam)
    rows = result_rows(version)
    filters = ResultsFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    words = search_key(chosen.get("q") or "").split()
    shown = [row for row in rows if _matches(row, chosen.get("outcome") or "", words)]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chair = is_latest and version.status == V.DRAFT and request.user.has_perm("exams.approve_results", exam)
    context.update(
        subjects=subjects, filters=filters, page=page, query=query.urlencode(), shown_count=len(shown),
        table=[(row, score_cells(row, subjects), score_text(row.result.ranking_score)) for row in page.object_list],
        is_latest=is_latest, ties=_ties(version, rows, decide=chair), may_approve=chair,
        may_publish=(is_latest and version.status == V.APPROVED
                     and request.user.has_perm("exams.publish_results", exam)),
        publish_form=PublishForm(), lists=LISTS,
    )
    return render(request, "exams/results.html", context)


def _needs_reason(exam: Exam, latest: ResultVersion | None) -> bool:
    """After approval a computation opens a new version, which must say why (a draft of it keeps its reason)."""
    return exam.status not in svc.COMPUTABLE and (latest is None or latest.status != V.DRAFT)


@login_required
@require_POST
def results_compute(request, pk: int):
    exam = get_exam(request, pk, "exams.compute_results")
    new_version = exam.status not in svc.COMPUTABLE
    form = ComputeForm(request.POST, needs_reason=_needs_reason(exam, svc.current_version(exam)))
    if not form.is_valid():
        messages.error(request, _("Give the reason for the new version."))
        return redirect("exam_results", pk=exam.pk)
    try:
        computed = svc.compute_results(exam=exam, actor=request.user, new_version=new_version,
                                       reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Version %(n)s computed: %(summary)s") % {
            "n": computed.version.number, "summary": _(
                "%(candidates)s candidates, %(passed)s passed, %(selected)s selected, %(ties)s ties unresolved") % {
                "candidates": computed.version.candidates, "passed": computed.version.passed,
                "selected": computed.version.selected, "ties": computed.version.ties_unresolved}})
    return redirect("exam_results", pk=exam.pk)


@login_required
@require_POST
def results_tie(request, pk: int):
    exam = get_exam(request, pk, "exams.resolve_ties")
    version = svc.current_version(exam)
    group = request.POST.get("group", "")
    tie = next((t for t in (version.ties if version else []) if str(t["group"]) == group), None)
    if tie is None:
        messages.error(request, _("This tie is already resolved."))
        return redirect("exam_results", pk=exam.pk)
    form = TieResolveForm(request.POST, tied=tie["tied"], places=tie["places"], prefix=f"tie{group}")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("exam_results", pk=exam.pk)
    try:
        svc.tie_resolve(exam=exam, version=version, tie_group=tie["group"], chosen_ids=form.cleaned_data["chosen"],
                        reason=form.cleaned_data["reason"], actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("The council's decision is recorded and the results recomputed."))
    return redirect("exam_results", pk=exam.pk)


@login_required
@require_POST
def results_approve(request, pk: int):
    exam = get_exam(request, pk, "exams.approve_results")
    version = svc.current_version(exam)
    if version is None:
        messages.error(request, _("The results have not been computed yet."))
        return redirect("exam_results", pk=exam.pk)
    try:
        svc.approve(exam=exam, version=version, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Version %(n)s is approved by the council.") % {"n": version.number})
    return redirect("exam_results", pk=exam.pk)


@login_required
@require_POST
def results_publish(request, pk: int):
    exam = get_exam(request, pk, "exams.publish_results")
    version = svc.current_version(exam)
    form = PublishForm(request.POST)
    if version is None:
        messages.error(request, _("The results have not been computed yet."))
    elif not form.is_valid():
        messages.error(request, _("Give the decision number and date (dd/mm/yyyy)."))
    else:
        try:
            svc.publish(exam=exam, version=version, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            refuse(request, exc)
        else:
            messages.success(request, _("Version %(n)s is published; candidates now see their own results.")
                             % {"n": version.number})
    return redirect("exam_results", pk=exam.pk)


@login_required
def results_versions(request, pk: int):
    exam = get_exam(request, pk, "exams.view_results")
    versions = exam.result_versions.select_related("computed_by", "approved_by", "published_by").order_by("-number")
    return render(request, "exams/results_versions.html", {"exam": exam, "versions": versions})


@dataclass
class Change:
    registration: Registration
    old: CandidateResult | None
    new: CandidateResult | None

    @property
    def old_outcome(self) -> str:
        return OUTCOME_LABELS[self.old.outcome] if self.old else ""

    @property
    def new_outcome(self) -> str:
        return OUTCOME_LABELS[self.new.outcome] if self.new else ""

    @property
    def old_score(self) -> str:
        return score_text(self.old.ranking_score) if self.old else ""

    @property
    def new_score(self) -> str:
        return score_text(self.new.ranking_score) if self.new else ""


def _changes(old: ResultVersion, new: ResultVersion) -> list[Change]:
    """The candidates whose outcome, ranking score or note differ between two versions (two queries)."""
    def load(version):
        return {r.registration_id: r for r in CandidateResult.objects.filter(version=version)
                .select_related("registration__person")}

    before, after = load(old), load(new)
    changes = []
    for reg_id in before.keys() | after.keys():
        a, b = before.get(reg_id), after.get(reg_id)
        if a and b and (a.outcome, a.ranking_score, a.note) == (b.outcome, b.ranking_score, b.note):
            continue
        changes.append(Change(registration=(b or a).registration, old=a, new=b))
    return sorted(changes, key=lambda c: c.registration.candidate_number)


@login_required
def results_compare(request, pk: int, number: int):
    exam = get_exam(request, pk, "exams.view_results")
    new = get_object_or_404(ResultVersion, exam=exam, number=number)
    old = get_object_or_404(ResultVersion, exam=exam, number=number - 1)
    return render(request, "exams/results_compare.html", {"exam": exam, "old": old, "new": new,
                                                          "changes": _changes(old, new)})


@login_required
@require_http_methods(["GET", "POST"])
def scores_import(request, pk: int):
    """Upload → every problem listed (nothing written) → confirm; the same two steps as every import."""
    exam = get_exam(request, pk, "exams.import_scores")
    page = SCORE_IMPORT.handle(request, scope=exam.pk, run=partial(import_scores, exam=exam, actor=request.user),
                               on_written=partial(_scores_imported, request, exam))
    if page.response is not None:
        return page.response
    return render(request, "exams/results_scores_import.html", {
        "exam": exam, "subjects": subjects_of(exam), "approved": exam.status not in svc.COMPUTABLE, **page.context,
    })


def _scores_imported(request, exam: Exam, result: ImportResult) -> HttpResponse:
    messages.success(request, result.sentence)
    return redirect("exam_results", pk=exam.pk)


@login_required
def scores_template(request, pk: int):
    exam = get_exam(request, pk, "exams.import_scores")
    return _download(score_template_xlsx(subjects_of(exam)), XLSX, f"mau-nhap-diem-{exam.pk}.xlsx")


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _version_or_back(request, exam: Exam):
    version = _shown_version(exam, request)
    if version is None:
        messages.error(request, _("The results have not been computed yet."))
    return version


@login_required
def results_annex(request, pk: int, list_kind: str):
    exam = get_exam(request, pk, "exams.view_results")
    if list_kind not in LISTS:
        raise Http404
    version = _version_or_back(request, exam)
    if version is None:
        return redirect("exam_results", pk=exam.pk)
    from exams.results.exports import annex_xlsx  # written alongside; imported when first used

    try:
        content, _rows = annex_xlsx(version, list_kind)
    except (ValueError, ValidationError) as exc:  # winners while a tie is open: the message names the people
        refuse(request, exc)
        return redirect("exam_results", pk=exam.pk)
    return _download(content, XLSX, f"phu-luc-{ANNEX_FILE_NAMES.get(list_kind, list_kind)}-{exam.pk}-v{version.number}.xlsx")


@login_required
def results_decision(request, pk: int):
    exam = get_exam(request, pk, "exams.view_results")
    version = _version_or_back(request, exam)
    if version is None:
        return redirect("exam_results", pk=exam.pk)
    from exams.results.decision import decision_docx

    try:
        content, _rows = decision_docx(version)
    except (ValueError, ValidationError) as exc:
        refuse(request, exc)
        return redirect("exam_results", pk=exam.pk)
    name = "du-thao-quyet-dinh" if is_draft(version) else "quyet-dinh"  # DỰ THẢO only until the council approves
    return _download(content, DOCX, f"{name}-{exam.pk}-v{version.number}.docx")


# The annexes' file names, in the words of the lists (never the URL's English slugs).
ANNEX_FILE_NAMES = {LIST_ALL: "toan-bo-thi-sinh", LIST_WINNERS: "thi-sinh-trung-tuyen", LIST_BY_UNIT: "theo-don-vi",
                    LIST_UNIT_SUMMARY: "tong-hop-theo-don-vi"}


def notice_response(request, result: CandidateResult) -> HttpResponse:
    return _download(downloads.result_notice(result=result, actor=request.user, ip=client_ip(request)), "application/pdf",
                     f"thong-bao-ket-qua-{result.registration.candidate_number}.pdf")


@login_required
def result_notice(request, pk: int):
    """One candidate's notice, for HR and the council (a candidate downloads theirs from "my result")."""
    result = get_object_or_404(CandidateResult.objects.select_related("version__exam", "registration__person"), pk=pk)
    require(request, "exams.view_results", result.version.exam)
    return notice_response(request, result)
