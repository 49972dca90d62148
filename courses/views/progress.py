"""Who is behind: a class's progress report per module and per learner, and its workbook (the class's lecturers, its
head and the course manager)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from courses.progress_report import class_progress, progress_xlsx
from courses.views.classes import xlsx_response
from courses.views.common import class_for

FOLLOW = "courses.follow_class"


@login_required
def class_progress_view(request, pk: int):
    course_class = class_for(request, pk, FOLLOW)
    return render(request, "courses/class_progress.html", {
        "course_class": course_class, "report": class_progress(course_class),
        "can_run": request.user.has_perm("courses.run_class", course_class)})


@login_required
def class_progress_download(request, pk: int):
    course_class = class_for(request, pk, FOLLOW)
    return xlsx_response(progress_xlsx(course_class), f"tien-do-lop-{course_class.pk}.xlsx")
