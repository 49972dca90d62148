"""Quotas per unit or per rank group, for exams whose quota does not apply to the whole exam."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from exams.common.views import require
from exams.sessions.forms import QuotaForm
from exams.sessions.models import Exam, Quota
from exams.sessions.services import quota_remove, quota_save


@login_required
@require_http_methods(["GET", "POST"])
def exam_quotas(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    require(request, "exams.manage_exams", exam)
    form = QuotaForm(request.POST or None, exam=exam)
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove:
            quota_remove(quota=get_object_or_404(Quota.objects.select_related("exam"), pk=remove, exam=exam),
                         actor=request.user)
            messages.success(request, _("The quota was removed."))
            return redirect("exam_quotas", pk=exam.pk)
        if form.is_valid():
            quota_save(quota=form.instance, actor=request.user)
            messages.success(request, _("The quota was saved."))
            return redirect("exam_quotas", pk=exam.pk)
    quotas = exam.quotas.select_related("unit", "rank").order_by("unit__path", "rank__code")
    return render(request, "exams/quotas.html", {"exam": exam, "form": form, "quotas": quotas,
                                                 "total": sum(q.seats for q in quotas)})
