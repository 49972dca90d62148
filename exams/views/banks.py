from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exams import exports, selectors
from exams.forms import BankAuthorForm, BankForm, BulkActionForm, QuestionFilterForm, QuestionImportForm, RetireLegalBasisForm
from exams.importing.service import import_questions
from exams.services.questions import (
    bank_add_author,
    bank_get_or_create,
    questions_approve,
    questions_move,
    questions_retire,
    questions_retire_by_legal_basis,
)
from exams.statistics import questions_needing_review
from exams.views.common import get_bank, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_SESSION_KEY = "question_import"


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
            bank, created = bank_get_or_create(name=form.cleaned_data["name"], actor=request.user)
            if not created:
                form.add_error("name", _("A bank with this name exists already."))
            else:
                bank.description = form.cleaned_data["description"]
                bank.save(update_fields=["description"])
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
def bank_bulk(request, pk: int):
    bank = get_bank(request, pk, perm="exams.change_bank")
    form = BulkActionForm(request.POST, bank=bank)
    if not form.is_valid():
        messages.error(request, _("Choose questions and an action."))
        return redirect("bank_detail", pk=bank.pk)
    questions, action = list(form.cleaned_data["questions"]), form.cleaned_data["action"]
    if action == "approve":
        result = questions_approve(questions=questions, actor=request.user)
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


def _stash(token: str):
    return settings.PRIVATE_UPLOAD_ROOT / "question-imports" / f"{token}.bin"


@login_required
@require_http_methods(["GET", "POST"])
def bank_import(request, pk: int):
    """Upload → the whole file checked (nothing written) → confirm → all questions written as drafts."""
    bank = get_bank(request, pk, perm="exams.change_bank")
    context: dict = {"bank": bank, "form": QuestionImportForm()}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stash = request.session.get(IMPORT_SESSION_KEY) or {}
        if stash.get("token") != request.POST.get("token") or stash.get("bank") != bank.pk \
                or not _stash(stash["token"]).is_file():
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect("bank_import", pk=bank.pk)
        path = _stash(stash["token"])
        result = import_questions(path.read_bytes(), bank_name=bank.name, fmt=stash["format"], actor=request.user,
                                  topic=stash["topic"], strict_topics=stash["strict"],
                                  skip_unsupported=stash.get("skip", False), file_name=stash["name"])
        if result.ok:
            path.unlink(missing_ok=True)
            del request.session[IMPORT_SESSION_KEY]
            messages.success(request, _("%(n)s questions imported as drafts.") % {"n": result.created})
            if result.skipped:
                messages.warning(request, _("%(n)s questions of kinds not supported here were skipped.")
                                 % {"n": result.skipped})
            return redirect("bank_detail", pk=bank.pk)
        context.update(result=result, file_name=stash["name"])
    elif request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data
            content = upload.read()
            result = import_questions(content, bank_name=bank.name, fmt=data["format"], actor=request.user,
                                      topic=data["topic"], strict_topics=data["strict_topics"],
                                      skip_unsupported=data["skip_unsupported"], dry_run=True, file_name=upload.name)
            context.update(result=result, file_name=upload.name)
            if result.ok:
                token = uuid.uuid4().hex
                _stash(token).parent.mkdir(parents=True, exist_ok=True)
                _stash(token).write_bytes(content)
                request.session[IMPORT_SESSION_KEY] = {
                    "token": token, "bank": bank.pk, "name": upload.name, "format": data["format"],
                    "topic": data["topic"], "strict": data["strict_topics"], "skip": data["skip_unsupported"],
                }
                context["token"] = token
    return render(request, "exams/bank_import.html", context)

