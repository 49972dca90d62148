from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.import_flow import ImportFlow
from exams.banks import exports, selectors
from exams.banks.forms import (
    BankAuthorForm,
    BankForm,
    BankTrainingForm,
    BulkActionForm,
    QuestionFilterForm,
    QuestionImportForm,
    RetireLegalBasisForm,
)
from exams.banks.importing.service import QuestionImportResult, import_questions
from exams.banks.models import Bank, Question
from exams.banks.selectors import questions_needing_review
from exams.banks.services import (
    bank_add_author,
    bank_get_or_create,
    bank_training_set,
    questions_approve,
    questions_move,
    questions_retire,
    questions_retire_by_legal_basis,
)
from exams.banks.views.common import get_bank
from exams.common.views import require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUESTION_IMPORT = ImportFlow(session_key="question_import", form_class=QuestionImportForm)


def _filtered_questions(request, bank):
    """The filter form of the bank page and the questions it selects (the page and the export share it)."""
    form = QuestionFilterForm(request.GET or None, bank=bank, legal_bases=selectors.legal_bases(bank=bank))
    filters = form.cleaned_data if form.is_valid() else {}
    return form, selectors.question_list(
        bank=bank, query=filters.get("q") or "", topic_id=filters["topic"].pk if filters.get("topic") else None,
        kind=filters.get("kind") or "", difficulty=filters.get("difficulty") or "", status=filters.get("status") or "",
        legal_basis=filters.get("legal_basis") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def bank_list(request):
    require(request, "exams.use_banks")
    form = BankForm(request.POST or None)
    if request.method == "POST":
        require(request, "exams.add_bank")
        if form.is_valid():
            bank, created = bank_get_or_create(name=form.cleaned_data["name"], actor=request.user,
                                               description=form.cleaned_data["description"],
                                               for_training=form.cleaned_data["for_training"])
            if not created:
                form.add_error("name", _("A bank with this name exists already."))
            else:
                return redirect("bank_detail", pk=bank.pk)
    return render(request, "exams/bank_list.html", {
        "banks": selectors.banks_for(user=request.user), "form": form,
        "can_add": request.user.has_perm("exams.add_bank"),
    })


@login_required
def bank_detail(request, pk: int):
    bank = get_bank(request, pk)
    form, questions = _filtered_questions(request, bank)
    page = Paginator(questions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "exams/bank_detail.html", {
        "bank": bank, "form": form, "page": page, "query": query.urlencode(),
        "can_edit": request.user.has_perm("exams.change_bank", bank), "topics": bank.topics.all(),
        "retire_form": RetireLegalBasisForm(), "authors": bank.authors.order_by("full_name"),
        "author_form": BankAuthorForm(bank=bank),
        "needs_review": questions_needing_review(q.pk for q in page),
    })


@login_required
@require_POST
def bank_authors(request, pk: int):
    bank = get_bank(request, pk, perm="exams.change_bank")
    form = BankAuthorForm(request.POST, bank=bank)
    if form.is_valid():
        bank_add_author(bank=bank, author=form.cleaned_data["author"], actor=request.user)
        messages.success(request, _("%(name)s can now edit this bank.") % {"name": form.cleaned_data["author"]})
    else:
        messages.error(request, _("Choose a question author."))
    return redirect("bank_detail", pk=bank.pk)


@login_required
@require_POST
def bank_training(request, pk: int):
    """The bank's authors open it to training courses' tests, or close it again."""
    bank = get_bank(request, pk, perm="exams.change_bank")
    form = BankTrainingForm(request.POST)
    for_training = form.is_valid() and form.cleaned_data["for_training"]
    bank_training_set(bank=bank, for_training=for_training, actor=request.user)
    messages.success(request, _("The bank is open to training courses.") if for_training
                     else _("The bank is closed to training courses."))
    return redirect("bank_detail", pk=bank.pk)


@login_required
@require_POST
def bank_bulk(request, pk: int):
    bank = get_bank(request, pk, perm="exams.change_bank")
    form = BulkActionForm(request.POST, bank=bank)
    if not form.is_valid():
        messages.error(request, _("Choose questions and an action."))
        return redirect("bank_detail", pk=bank.pk)
    questions, action = list(form.cleaned_data["questions"]), form.cleaned_data["action"]
    if action == "approve" and request.POST.get("read") != "on":
        # Four eyes means reading: the approver first sees every question in full, then confirms having read them.
        return render(request, "exams/bank_bulk_confirm.html", {
            "bank": bank, "questions": Question.objects.filter(pk__in=[q.pk for q in questions])
            .select_related("topic", "author").prefetch_related("choices").order_by("topic__name", "pk"),
            "confirm_error": request.POST.get("confirmed") == "1"})
    if action == "approve":
        result = questions_approve(questions=questions, actor=request.user, read_in_list=True)
        messages.success(request, _("Approved: %(done)s; skipped: %(skipped)s (not drafts, or your own).")
                         % {"done": len(result.done), "skipped": len(result.skipped)})
    elif action == "retire":
        messages.success(request, _("Retired: %(n)s.") % {"n": questions_retire(questions=questions,
                                                                                 actor=request.user)})
    elif form.cleaned_data["topic"] is None:
        messages.error(request, _("Choose the topic to move the questions to."))
    else:
        count = questions_move(questions=questions, topic=form.cleaned_data["topic"], actor=request.user)
        messages.success(request, _("Moved: %(n)s.") % {"n": count})
    return redirect("bank_detail", pk=bank.pk)


@login_required
@require_POST
def bank_retire_legal_basis(request, pk: int):
    bank = get_bank(request, pk, perm="exams.change_bank")
    form = RetireLegalBasisForm(request.POST)
    if form.is_valid():
        count = questions_retire_by_legal_basis(bank=bank, legal_basis=form.cleaned_data["legal_basis"],
                                                actor=request.user)
        messages.success(request, _("Retired %(n)s questions resting on %(basis)s.")
                         % {"n": count, "basis": form.cleaned_data["legal_basis"]})
    return redirect("bank_detail", pk=bank.pk)


@login_required
def bank_export(request, pk: int):
    """The bank (or the filtered part shown) in the import template."""
    bank = get_bank(request, pk)
    _form, questions = _filtered_questions(request, bank)
    response = HttpResponse(exports.questions_xlsx(questions.prefetch_related("choices")), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ngan-hang-{bank.pk}.xlsx"'
    return response


@login_required
def question_template(request):
    require(request, "exams.use_banks")
    response = HttpResponse(exports.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-cau-hoi.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bank_import(request, pk: int):
    """Upload → the whole file checked (nothing written) → confirm → all questions written as drafts."""
    bank = get_bank(request, pk, perm="exams.change_bank")
    page = QUESTION_IMPORT.handle(request, scope=bank.pk, run=partial(_import_into, bank, request.user),
                                  on_written=partial(_questions_imported, request, bank))
    if page.response is not None:
        return page.response
    return render(request, "exams/bank_import.html", {"bank": bank, **page.context})


def _import_into(bank: Bank, actor, data: bytes, *, dry_run: bool, file_name: str,
                 **options) -> QuestionImportResult:
    """The import as the flow runs it: the form's ``format`` is the import's ``fmt``."""
    return import_questions(data, bank_name=bank.name, fmt=options.pop("format"), actor=actor, dry_run=dry_run,
                            file_name=file_name, **options)


def _questions_imported(request, bank: Bank, result: QuestionImportResult) -> HttpResponse:
    messages.success(request, _("%(n)s questions imported as drafts.") % {"n": result.created})
    if result.skipped:
        messages.warning(request, _("%(n)s questions of kinds not supported here were skipped.")
                         % {"n": result.skipped})
    return redirect("bank_detail", pk=bank.pk)

