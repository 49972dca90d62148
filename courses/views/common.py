"""What the class pages share: the class a page is about, checked against the permission it needs, and the import
flow's page around a runner."""
from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from accounts.forms import SpreadsheetUploadForm
from accounts.import_flow import ImportFlow
from courses.models import CourseClass, Session


def class_for(request, pk: int, perm: str) -> CourseClass:
    course_class = get_object_or_404(CourseClass.objects.select_related("programme__institution"), pk=pk)
    if not request.user.has_perm(perm, course_class):
        raise PermissionDenied
    return course_class


def session_for(request, pk: int, perm: str) -> Session:
    session = get_object_or_404(Session.objects.select_related("course_class__programme", "module"), pk=pk)
    if not request.user.has_perm(perm, session.course_class):
        raise PermissionDenied
    return session


def flow(key: str) -> ImportFlow:
    return ImportFlow(session_key=key, form_class=SpreadsheetUploadForm)


def import_page(request, *, course_class: CourseClass, import_flow: ImportFlow, runner, back: str):
    """Run the import flow of a class page: (response or None, context to render). A write reports its summary and
    goes back to the page named ``back``."""
    def written(result):
        messages.success(request, result.sentence)
        return redirect(back, pk=course_class.pk)

    page = import_flow.handle(request, scope=course_class.pk, on_written=written,
                              run=partial(runner, course_class=course_class, actor=request.user))
    context = dict(page.context)
    context["import_form"] = context.pop("form", None) or SpreadsheetUploadForm()
    return page.response, context


def upload_ready(context: dict) -> dict:
    """The page's context with an empty upload form when no import is under way."""
    context.setdefault("import_form", SpreadsheetUploadForm())
    return context
