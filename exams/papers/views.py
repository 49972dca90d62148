from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import modelformset_factory
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exams.banks.views.common import get_bank
from exams.papers import pdf
from exams.papers.forms import BlueprintForm, BlueprintRowForm, BlueprintRowFormSet, PaperSetForm
from exams.papers.models import Blueprint, BlueprintRow, Paper, PaperSet
from exams.papers.services import (
    blueprint_check,
    blueprint_create,
    blueprint_rows_save,
    blueprint_total_points,
    paper_set_delete,
    paper_set_generate,
    paper_set_seal,
    paper_set_verify,
)


@login_required
@require_http_methods(["GET", "POST"])
def blueprint_list(request, bank_pk: int):
    bank = get_bank(request, bank_pk)
    form = BlueprintForm(request.POST or None)
    if request.method == "POST":
        get_bank(request, bank_pk, perm="exams.change_bank")
        if form.is_valid():
            blueprint = blueprint_create(bank=bank, name=form.cleaned_data["name"], scale=form.cleaned_data["scale"],
                                         actor=request.user)
            return redirect("blueprint_detail", pk=blueprint.pk)
    return render(request, "exams/blueprint_list.html", {
        "bank": bank, "form": form, "blueprints": bank.blueprints.all(),
        "can_edit": request.user.has_perm("exams.change_bank", bank),
    })


def _get_blueprint(request, pk: int, perm: str = "exams.view_bank") -> Blueprint:
    blueprint = get_object_or_404(Blueprint.objects.select_related("bank"), pk=pk)
    get_bank(request, blueprint.bank_id, perm=perm)
    return blueprint


def _row_changes(formset) -> tuple[list[BlueprintRow], list[BlueprintRow]]:
    """What saving the valid row formset would write: the stored rows changed and the new rows filled in, and the
    stored rows ticked for deletion (a new row ticked for deletion is dropped)."""
    deleted = formset.deleted_forms
    stored = [f for f in formset.initial_forms if f.instance.pk is not None]
    rows = [f.instance for f in stored if f.has_changed() and f not in deleted]
    rows += [f.instance for f in formset.extra_forms if f.has_changed() and f not in deleted]
    return rows, [f.instance for f in stored if f in deleted]


@login_required
@require_http_methods(["GET", "POST"])
def blueprint_detail(request, pk: int):
    blueprint = _get_blueprint(request, pk)
    can_edit = request.user.has_perm("exams.change_bank", blueprint.bank)
    RowFormSet = modelformset_factory(BlueprintRow, form=BlueprintRowForm, formset=BlueprintRowFormSet, extra=2,
                                      can_delete=True)
    rows = BlueprintRow.objects.filter(blueprint=blueprint).select_related("topic")
    formset = RowFormSet(request.POST or None, queryset=rows, form_kwargs={"bank": blueprint.bank})
    if request.method == "POST":
        _get_blueprint(request, pk, perm="exams.change_bank")
        if formset.is_valid():
            rows, removed = _row_changes(formset)
            blueprint_rows_save(blueprint=blueprint, rows=rows, removed=removed, actor=request.user)
            messages.success(request, _("The blueprint was saved."))
            return redirect("blueprint_detail", pk=blueprint.pk)
    total = blueprint_total_points(blueprint)
    return render(request, "exams/blueprint_detail.html", {
        "blueprint": blueprint, "formset": formset, "can_edit": can_edit, "shortfalls": blueprint_check(
            blueprint=blueprint), "total": total, "factor": (blueprint.scale / total) if total else None,
        "paper_sets": blueprint.paper_sets.filter(hosted_for__isnull=True), "paper_form": PaperSetForm(),
    })


@login_required
@require_POST
def paper_set_create(request, blueprint_pk: int):
    blueprint = _get_blueprint(request, blueprint_pk, perm="exams.change_bank")
    form = PaperSetForm(request.POST)
    if form.is_valid():
        try:
            paper_set = paper_set_generate(blueprint=blueprint, name=form.cleaned_data["name"],
                                           seed=form.cleaned_data["seed"], candidate_refs=form.candidate_refs(),
                                           variants=form.cleaned_data["variants"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("%(n)s papers generated; check them, then seal the set.")
                             % {"n": paper_set.papers.count()})
            return redirect("paper_set_detail", pk=paper_set.pk)
    else:
        messages.error(request, _("Give a name, a seed and the candidates."))
    return redirect("blueprint_detail", pk=blueprint.pk)


def _get_paper_set(request, pk: int, perm: str = "exams.view_bank") -> PaperSet:
    paper_set = get_object_or_404(PaperSet.objects.select_related("blueprint__bank"), pk=pk)
    get_bank(request, paper_set.blueprint.bank_id, perm=perm)
    return paper_set


@login_required
def paper_set_detail(request, pk: int):
    paper_set = _get_paper_set(request, pk)
    return render(request, "exams/paper_set_detail.html", {
        "paper_set": paper_set, "papers": paper_set.papers.all(),
        "can_edit": request.user.has_perm("exams.change_bank", paper_set.blueprint.bank),
        "intact": paper_set_verify(paper_set=paper_set) if paper_set.is_sealed else None,
    })


@login_required
@require_POST
def paper_set_seal_view(request, pk: int):
    paper_set = _get_paper_set(request, pk, perm="exams.change_bank")
    try:
        paper_set = paper_set_seal(paper_set=paper_set, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Sealed. SHA-256: %(hash)s") % {"hash": paper_set.seal_hash})
    return redirect("paper_set_detail", pk=paper_set.pk)


@login_required
@require_POST
def paper_set_delete_view(request, pk: int):
    paper_set = _get_paper_set(request, pk, perm="exams.change_bank")
    blueprint_pk = paper_set.blueprint_id
    try:
        paper_set_delete(paper_set=paper_set, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("paper_set_detail", pk=paper_set.pk)
    messages.success(request, _("The paper set was deleted."))
    return redirect("blueprint_detail", pk=blueprint_pk)


def _get_paper(request, pk: int) -> Paper:
    paper = get_object_or_404(Paper.objects.select_related("paper_set__blueprint__bank"), pk=pk)
    get_bank(request, paper.paper_set.blueprint.bank_id)
    return paper


@login_required
def paper_preview(request, pk: int):
    paper = _get_paper(request, pk)
    return render(request, "exams/paper_preview.html", {"paper": paper, "items": pdf.paper_items(paper)})


@login_required
def paper_pdf_view(request, pk: int, key: bool = False):
    paper = _get_paper(request, pk)
    response = HttpResponse(pdf.paper_pdf(paper, answer_key=key), content_type="application/pdf")
    suffix = "dap-an" if key else "de"
    response["Content-Disposition"] = f'attachment; filename="{suffix}-{paper.code}-{paper.position + 1}.pdf"'
    return response
