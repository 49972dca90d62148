from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from PIL import Image, UnidentifiedImageError

from accounts.permissions import has_role
from accounts.roles import Role
from accounts.services import client_ip
from exams.banks import html, selectors
from exams.banks.forms import QuestionForm
from exams.banks.importing.validate import validate
from exams.banks.models import Choice, Question
from exams.banks.services import item_reviews_resolve, question_approve, question_create, question_update, topic_get_or_create
from exams.banks.views.common import get_bank
from exams.common.views import require

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4000 * 4000


def _validated(form: QuestionForm, *, bank, lineage_id: int | None) -> bool:
    """The form's own checks, then exactly the rules an import applies (one validator)."""
    if not form.is_valid():
        return False
    parsed = form.to_parsed()
    existing = set(bank.questions.filter(is_current=True).exclude(lineage_id=lineage_id)
                   .values_list("dedup_key", flat=True))
    for problem in validate([parsed], existing_keys=existing, known_topics=None, excel_columns=False):
        form.add_error(None, problem.message)
    return form.is_valid()


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request, bank_pk: int):
    bank = get_bank(request, bank_pk, perm="exams.change_bank")
    form = QuestionForm(request.POST or None, bank=bank)
    if request.method == "POST" and _validated(form, bank=bank, lineage_id=None):
        topic = topic_get_or_create(bank=bank, name=form.topic_name())
        question = question_create(topic=topic, parsed=form.to_parsed(), author=request.user)
        messages.success(request, _("The question was saved as a draft; another author approves it."))
        return redirect("question_detail", pk=question.pk)
    return render(request, "exams/question_form.html", {"bank": bank, "form": form})


def _get_question(request, pk: int, perm: str) -> Question:
    question = get_object_or_404(Question.objects.select_related("bank", "topic", "author", "approved_by"), pk=pk)
    get_bank(request, question.bank_id, perm=perm)
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int):
    question = _get_question(request, pk, "exams.change_bank")
    if not question.is_current:
        raise Http404
    bank = question.bank
    form = QuestionForm(request.POST or None, bank=bank, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and _validated(form, bank=bank, lineage_id=question.lineage_id):
        topic = topic_get_or_create(bank=bank, name=form.topic_name())
        try:
            saved = question_update(question=question, topic=topic, parsed=form.to_parsed(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("A new version was created: the old one stays in the papers that used it.")
                             if saved.pk != question.pk else _("The question was saved and is a draft again."))
            return redirect("question_detail", pk=saved.pk)
    return render(request, "exams/question_form.html", {"bank": bank, "form": form, "question": question})


@login_required
def question_detail(request, pk: int):
    question = _get_question(request, pk, "exams.view_bank")
    choices = list(question.choices.all())
    can_edit = request.user.has_perm("exams.change_bank", question.bank)
    return render(request, "exams/question_detail.html", {
        "question": question, "choices": choices, "history": selectors.question_history(question=question),
        "item": selectors.candidate_item(number=1, question=question, choices=choices),
        "can_edit": can_edit and question.is_current,
        "can_approve": can_edit and question.is_current and question.status == Question.Status.DRAFT
        and question.author_id != request.user.pk,
        "open_reviews": question.reviews.filter(resolved_at__isnull=True).select_related("exam", "subject"),
        "can_resolve": request.user.has_perm("exams.resolve_item_review", question),
    })


@login_required
@require_POST
def question_approve_view(request, pk: int):
    question = _get_question(request, pk, "exams.change_bank")
    try:
        question_approve(question=question, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The question is approved and can be drawn into papers."))
    return redirect("question_detail", pk=question.pk)


@login_required
@require_POST
def question_review_resolve(request, pk: int):
    """The question board closes the item-analysis review(s) of this question with a note (audited)."""
    question = _get_question(request, pk, "exams.view_bank")
    require(request, "exams.resolve_item_review", question)
    note = (request.POST.get("note") or "").strip()
    if not note:
        messages.error(request, _("Write what was decided about this question."))
    elif item_reviews_resolve(question=question, actor=request.user, note=note[:2000], ip=client_ip(request)):
        messages.success(request, _("The review is marked resolved."))
    else:
        messages.info(request, _("This question has no open review."))
    return redirect("question_detail", pk=question.pk)


@login_required
@require_POST
def question_preview(request, bank_pk: int):
    """The live preview: the unsaved form rendered by the template the candidate's page uses."""
    bank = get_bank(request, bank_pk, perm="exams.change_bank")
    form = QuestionForm(request.POST, bank=bank)
    form.is_valid()
    parsed = form.to_parsed()
    question = Question(kind=parsed.kind, text=html.sanitize(parsed.text))
    choices = [Choice(pk=n + 1, position=n, text=html.sanitize(c.text)) for n, c in enumerate(parsed.choices)]
    item = selectors.candidate_item(number=1, question=question, choices=choices)
    return render(request, "exams/_candidate_item.html", {"item": item, "preview": True})


@login_required
@require_POST
def image_upload(request):
    """An image for the question editor: size, type and pixel checks, stored under a random name."""
    if not has_role(Role.QUESTION_AUTHOR)(request.user):
        raise PermissionDenied
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": _("Choose an image.")}, status=400)
    if upload.size > MAX_IMAGE_BYTES:
        return JsonResponse({"error": _("The image is larger than 2 MB.")}, status=400)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = IMAGE_FORMATS.get(image.format or "")
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
        width = height = 0
    if kind is None:
        return JsonResponse({"error": _("Only PNG, JPEG, GIF or WebP images are accepted.")}, status=400)
    if width * height > MAX_IMAGE_PIXELS:
        return JsonResponse({"error": _("The image has too many pixels.")}, status=400)
    name = f"{uuid.uuid4().hex}.{kind}"
    folder = settings.MEDIA_ROOT / "question-images"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return JsonResponse({"url": f"{html.IMAGE_PREFIX}{name}"})


@login_required
def question_image(request, name: str):
    """Question images are served to signed-in users only (papers are not public)."""
    path = settings.MEDIA_ROOT / "question-images" / name
    if "/" in name or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"))
