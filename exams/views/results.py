"""Results pages: the council and HR see, compute, resolve ties, approve, publish and download; a candidate
sees their own published row. The rules live in ``exams.services.results``; these views parse, authorise,
call and respond."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import xlsxwriter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exports import TEMPLATE_HEADER, help_sheet, template_sheet
from accounts.import_flow import ImportFlow, ImportResult
from accounts.services import client_ip
from accounts.vietnamese import search_key
from exams.forms_results import ComputeForm, PublishForm, ResultsFilterForm, ScoreUploadForm, TieResolveForm
from exams.importing.scores import SCORE_COLUMNS, import_scores
from exams.models import CandidateResult, Exam, Registration, ResultVersion, Subject
from exams.selectors_results import LISTS, OUTCOME_LABELS, ResultRow, own_result, result_rows, subjects_of
from exams.services import downloads
from exams.services import results as svc
from exams.views.common import get_exam, refuse, require
from exams.views.marking import appeal_rows

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



def _number(value) -> str:
    """Exact decimals as the Vietnamese page writes them (72,5; 80), never rounded."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value)


@dataclass
class Cell:
    text: str
    failed: bool = False


def _cells(row: ResultRow, subjects: list[Subject]) -> list[Cell]:
    cells = []
    for subject in subjects:
        value = row.cell(subject)
        found = row.subjects.get(subject.pk)
        failed = found is not None and not found.passed
        if value is None:
            cells.append(Cell("—", failed))
        elif isinstance(value, str):
            cells.append(Cell(value))
        elif found.correct is not None:
            cells.append(Cell(f"{value}/{found.total}", failed))
        else:
            cells.append(Cell(_number(value), failed))
    return cells


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
            "number": row.registration.candidate_number, "score": _number(row.result.ranking_score),
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
        table=[(row, _cells(row, subjects), _number(row.result.ranking_score)) for row in page.object_list],
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
            "n": computed.version.number, "summary": computed.summary})
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
        return _number(self.old.ranking_score) if self.old else ""

    @property
    def new_score(self) -> str:
        return _number(self.new.ranking_score) if self.new else ""


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


# --- Score import ---------------------------------------------------------------------------------------------

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
    messages.success(request, result.summary)
    return redirect("exam_results", pk=exam.pk)


@login_required
def scores_template(request, pk: int):
    exam = get_exam(request, pk, "exams.import_scores")
    return _download(_score_template_xlsx(subjects_of(exam)), XLSX, f"mau-nhap-diem-{exam.pk}.xlsx")


def _score_template_xlsx(subjects: list[Subject]) -> bytes:
    """The import sheet: the exact header, identifiers as text, and a help sheet naming this exam's subjects."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format({**TEMPLATE_HEADER, "font_name": "Times New Roman"})
    as_text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman"})
    plain = workbook.add_format({"font_name": "Times New Roman"})
    template_sheet(workbook, name="Điểm", header=header,
                   columns=[(name, 16, as_text if col < 3 else plain) for col, name in enumerate(SCORE_COLUMNS)])
    lines = [_("One score per row, from row 2: the candidate (candidate number or CCCD), the subject code, "
               "then the number correct and the number of questions (gates) or the score (scored subjects)."),
             _("Scores: 0 to the scale, at most two decimals (72,5 or 72.5). CCCD: 12 digits as text."),
             _("Subjects sat on the computer bring their scores from the platform; exempt subjects take no row.")]
    for subject in subjects:
        if subject.is_gate:
            lines.append(_("%(code)s – %(name)s: «Số câu đúng» and «Số câu» = %(n)s") % {
                "code": subject.code, "name": subject.name, "n": subject.question_count or "…"})
        else:
            lines.append(_("%(code)s – %(name)s: «Điểm» from 0 to %(scale)s") % {
                "code": subject.code, "name": subject.name, "scale": _number(subject.scale)})
    help_sheet(workbook, lines, width=120)
    workbook.close()
    return buffer.getvalue()


# --- Downloads ------------------------------------------------------------------------------------------------

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
    from exams.exports_results import annex_xlsx  # written alongside; imported when first used

    try:
        content, _rows = annex_xlsx(version, list_kind)
    except (ValueError, ValidationError) as exc:  # winners while a tie is open: the message names the people
        refuse(request, exc)
        return redirect("exam_results", pk=exam.pk)
    return _download(content, XLSX, f"phu-luc-{list_kind}-{exam.pk}-v{version.number}.xlsx")


@login_required
def results_decision(request, pk: int):
    exam = get_exam(request, pk, "exams.view_results")
    version = _version_or_back(request, exam)
    if version is None:
        return redirect("exam_results", pk=exam.pk)
    from exams.decision import decision_docx

    try:
        content, _rows = decision_docx(version)
    except (ValueError, ValidationError) as exc:
        refuse(request, exc)
        return redirect("exam_results", pk=exam.pk)
    return _download(content, DOCX, f"du-thao-quyet-dinh-{exam.pk}-v{version.number}.docx")


def _notice(request, result: CandidateResult) -> HttpResponse:
    return _download(downloads.result_notice(result=result, actor=request.user, ip=client_ip(request)), "application/pdf",
                     f"thong-bao-ket-qua-{result.registration.candidate_number}.pdf")


@login_required
def result_notice(request, pk: int):
    """One candidate's notice, for HR and the council (a candidate downloads theirs from "my result")."""
    result = get_object_or_404(CandidateResult.objects.select_related("version__exam", "registration__person"), pk=pk)
    require(request, "exams.view_results", result.version.exam)
    return _notice(request, result)


# --- The candidate's own result -------------------------------------------------------------------------------

def _own(request, pk: int) -> tuple[ResultVersion, ResultRow]:
    """The signed-in person's row of the exam's newest published version; 404 for anything else, so no URL
    reveals whether someone else has a result."""
    registration = (Registration.objects.filter(exam_id=pk, person=request.user).select_related("exam").first())
    if registration is None or not request.user.has_perm("exams.view_own_result", registration):
        raise Http404
    found = own_result(exam=registration.exam, user=request.user)
    if found is None:
        raise Http404
    return found


@login_required
def my_result(request, pk: int):
    version, row = _own(request, pk)
    exam = row.registration.exam
    subjects = subjects_of(exam)
    return render(request, "exams/my_result.html", {
        "exam": exam, "version": version, "row": row, "score": _number(row.result.ranking_score),
        "subjects": list(zip(subjects, _cells(row, subjects), strict=True)),
        **appeal_rows(row.registration),
    })


@login_required
def my_result_notice(request, pk: int):
    _version, row = _own(request, pk)
    return _notice(request, row.result)
