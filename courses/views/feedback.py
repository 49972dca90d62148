"""Anonymous feedback: the learner's page (rate each module and lecturer once), the class's summary (its head and the
course manager) and the institution's (the course manager), each with its workbook."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from courses.feedback import feedback_give
from courses.feedback_exports import class_feedback_xlsx, summary_feedback_xlsx
from courses.feedback_selectors import (
    MAX_COMMENT,
    class_summary,
    learner_feedback_panel,
    lecturer_summaries,
    min_group,
    programme_summaries,
)
from courses.models import Institution
from courses.views.classes import xlsx_response
from courses.views.common import class_for

MANAGE = "courses.manage_catalogue"


class FeedbackForm(forms.Form):
    stars = forms.TypedChoiceField(label=gettext_lazy("Stars"), coerce=int, choices=[(n, n) for n in range(1, 6)],
                                   error_messages={"required": gettext_lazy("Choose from 1 to 5 stars.")})
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=MAX_COMMENT, strip=True,
                              error_messages={"max_length": gettext_lazy(
                                  "A comment is at most %(limit_value)s characters long.")})


def _back(request, pk: int):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("learn_feedback", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def learn_feedback(request, pk: int):
    """The learner's feedback: a form per module × lecturer they may rate now; what they rated is listed without
    their stars or words."""
    course_class = class_for(request, pk, "courses.learn")
    enrolment = get_object_or_404(course_class.enrolments.select_related("course_class__programme"),
                                  person=request.user)
    panel = learner_feedback_panel(enrolment)
    if request.method == "POST":
        item = next((i for i in panel["to_give"] if i["target"].key == request.POST.get("target")), None)
        if item is None:  # rated already, not open yet, or not a module and lecturer of the class
            messages.error(request, _("This module and lecturer cannot be rated now."))
            return redirect("learn_feedback", pk=pk)
        form = FeedbackForm(request.POST)
        if form.is_valid():
            target = item["target"]
            try:
                feedback_give(enrolment=enrolment, module=target.module, lecturer=target.lecturer,
                              stars=form.cleaned_data["stars"], comment=form.cleaned_data["comment"],
                              actor=request.user)
            except ValidationError as exc:
                item["errors"] = exc.messages
            else:
                messages.success(request, _("Thank you: your feedback is recorded without your name."))
                return _back(request, pk)
        else:
            item["errors"] = [message for errors in form.errors.values() for message in errors]
        item["stars"] = form.cleaned_data.get("stars")
        item["comment"] = request.POST.get("comment", "")[:MAX_COMMENT]
    return render(request, "courses/learn/feedback.html", {"course_class": course_class, "panel": panel})


@login_required
def class_feedback(request, pk: int):
    """The class's feedback: per module × lecturer, counts, means, stars and (from the minimum group on) comments."""
    course_class = class_for(request, pk, "courses.run_class")
    overall, groups = class_summary(course_class)
    return render(request, "courses/class_feedback.html", {
        "course_class": course_class, "can_run": True, "overall": overall, "groups": groups,
        "min_group": min_group(), "manager": request.user.has_perm(MANAGE)})


@login_required
def class_feedback_download(request, pk: int):
    course_class = class_for(request, pk, "courses.run_class")
    return xlsx_response(class_feedback_xlsx(course_class), f"phan-hoi-lop-{course_class.pk}.xlsx")


def _institution(request) -> Institution | None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    chosen = request.GET.get("institution", "")
    return get_object_or_404(Institution, pk=chosen) if chosen.isdigit() else None


@login_required
def feedback_summary(request):
    """The institution's summaries for the course manager: per programme code and per lecturer."""
    institution = _institution(request)
    return render(request, "courses/feedback_summary.html", {
        "institution": institution, "institutions": Institution.objects.order_by("name"),
        "programmes": programme_summaries(institution), "lecturers": lecturer_summaries(institution),
        "min_group": min_group()})


@login_required
def feedback_summary_download(request):
    institution = _institution(request)
    return xlsx_response(summary_feedback_xlsx(institution),
                         f"phan-hoi-{institution.pk if institution else 'tat-ca'}.xlsx")
