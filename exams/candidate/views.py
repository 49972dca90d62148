"""The candidate's own pages: the exam-room login, "my exams", the published result with its notice, and the
appeal. They read across exam sessions, exam day, results and marking, so they sit above those slices; what an
exam-room session reaches is the rule in ``exams.candidate.room_scope``."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import client_ip
from exams.candidate.room_scope import exam_room_sign_in, scoped_registration_id
from exams.common.views import refuse
from exams.examday.services import login as login_limits
from exams.marking import services as marking_svc
from exams.marking.forms import AppealForm
from exams.marking.selectors import appeal_rows
from exams.results.display import score_cells, score_text
from exams.results.models import ResultVersion
from exams.results.selectors import ResultRow, own_result, subjects_of
from exams.results.views.results import notice_response
from exams.sessions.forms import ExamLoginForm
from exams.sessions.models import Registration, Subject
from exams.sessions.reference import exemption_label


@require_http_methods(["GET", "POST"])
def exam_login(request):
    """"Đăng nhập phòng thi": candidate number + exam password; asks which exam when several match. The session
    reaches only that registration's candidate pages (exams/candidate/room_scope.py)."""
    form = ExamLoginForm(request.POST or None)
    choices = []
    browser = login_limits.browser_id(request.COOKIES)
    if request.method == "POST" and form.is_valid():
        try:
            matches = login_limits.exam_login_match(
                candidate_number=form.cleaned_data["candidate_number"], password=form.cleaned_data["password"],
                exam_id=form.cleaned_data.get("exam"), ip=client_ip(request), browser=browser)
        except login_limits.ExamLoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            if len(matches) == 1:
                exam_room_sign_in(request=request, registration=matches[0])
                return redirect("my_exams")
            if len(matches) > 1:
                choices = [(r.exam_id, r.exam.name) for r in matches]
            else:
                form.add_error(None, _("The candidate number or password is wrong, or the exam is not open now."))
    response = render(request, "exams/exam_login.html", {"form": form, "choices": choices})
    if not browser:  # what tells this machine's wrong tries from another's behind the same address
        response.set_cookie(login_limits.BROWSER_COOKIE, login_limits.new_browser_id(),
                            max_age=login_limits.BROWSER_COOKIE_AGE_S, httponly=True, samesite="Lax",
                            secure=settings.SESSION_COOKIE_SECURE)
    return response


@login_required
def my_exams(request):
    """The person's registrations; an exam-room session sees only the one it signed in to."""
    registrations = Registration.objects.filter(person=request.user)
    scoped = scoped_registration_id(request.session)
    if scoped is not None:
        registrations = registrations.filter(pk=scoped)
    registrations = (registrations.select_related("exam", "room")
                     .prefetch_related("exam__subjects__sittings").order_by("-exam__created_at"))
    rows = []
    for r in registrations:
        subjects = []
        for subject in r.exam.subjects.all():
            exempt = r.exemption_for(subject)
            subjects.append((subject, list(subject.sittings.all()), exemption_label(exempt) if exempt else ""))
        rows.append((r, subjects))
    published = set(ResultVersion.objects.filter(exam__in=[r.exam_id for r, _s in rows],
                                                 status=ResultVersion.Status.PUBLISHED).values_list("exam_id", flat=True))
    return render(request, "exams/my_exams.html", {"rows": rows, "published": published})


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
        "exam": exam, "version": version, "row": row, "score": score_text(row.result.ranking_score),
        "subjects": list(zip(subjects, score_cells(row, subjects), strict=True)),
        **appeal_rows(row.registration),
    })


@login_required
def my_result_notice(request, pk: int):
    _version, row = _own(request, pk)
    return notice_response(request, row.result)


@login_required
@require_POST
def my_result_appeal(request, pk: int):
    registration = Registration.objects.filter(exam_id=pk, person=request.user).select_related("exam").first()
    if registration is None or not request.user.has_perm("exams.file_appeal", registration):
        raise Http404
    form = AppealForm(request.POST)
    subject = None
    if form.is_valid():
        subject = Subject.objects.filter(exam_id=pk, pk=form.cleaned_data["subject"]).first()
    if subject is None:
        messages.error(request, _("Choose the subject to appeal."))
        return redirect("my_result", pk=pk)
    try:
        marking_svc.appeal_file(registration=registration, subject=subject, actor=request.user,
                        reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Your appeal for %(subject)s is filed.") % {"subject": subject.name})
    return redirect("my_result", pk=pk)
