"""Lessons of a module (docs/courses.md, "Lessons"): the course manager writes them, attaches files and a video;
the text is sanitised on the way in, files are checked by their first bytes (courses/uploads.py). A lesson with
learners' progress is not deleted (its record would go with it); a new programme version copies its lessons."""
from __future__ import annotations

import re

import nh3
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from courses.models import Lesson, LessonFile, LessonProgress, Module
from courses.uploads import CheckedFile

LESSON_TAGS = {"h2", "h3", "h4", "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "ul", "ol", "li",
               "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "hr"}
LESSON_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_HAS_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class LessonError(Exception):
    """A refused lesson change, with the message for the person who asked."""


def lesson_html(text: str) -> str:
    """The lesson's text as stored: allow-listed HTML (headings, paragraphs, lists, tables, links over http(s));
    plain text becomes paragraphs (a blank line between them) with its line breaks kept."""
    text = (text or "").replace("\r\n", "\n").strip()
    if text and not _HAS_TAG.search(text):
        from html import escape

        text = "".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in re.split(r"\n\s*\n", text)
                       if block.strip())
    return nh3.clean(text, tags=LESSON_TAGS, attributes=LESSON_ATTRIBUTES, url_schemes={"https", "http"},
                     link_rel="noopener noreferrer nofollow").strip()


_PLAIN_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>", re.S)


def lesson_text_for_editing(body: str) -> str:
    """The stored text as its author edits it: text that was typed as plain paragraphs (only <p> and <br>) comes
    back as plain paragraphs; anything richer stays HTML."""
    from html import unescape

    blocks = _PLAIN_PARAGRAPH.findall(body or "")
    if not blocks or "".join(f"<p>{block}</p>" for block in blocks) != body:
        return body or ""
    if any(re.search(r"<(?!br>)", block) for block in blocks):
        return body
    return "\n\n".join(unescape(block.replace("<br>", "\n")) for block in blocks)


def lesson_create(*, module: Module, fields: dict, actor: User) -> Lesson:
    with transaction.atomic():
        last = Lesson.objects.select_for_update().filter(module=module).aggregate(m=Max("order"))["m"] or 0
        lesson = Lesson.objects.create(module=module, order=last + 1, created_by=actor, **_clean(fields))
        audit_record(actor=actor, action="lesson.create", obj=lesson,
                     details={"module": module.code, "title": lesson.title})
    return lesson


def lesson_update(*, lesson: Lesson, fields: dict, actor: User) -> Lesson:
    fields = _clean(fields)
    changed = sorted(name for name, value in fields.items() if getattr(lesson, name) != value)
    with transaction.atomic():
        Lesson.objects.filter(pk=lesson.pk).update(updated_at=timezone.now(), **fields)
        audit_record(actor=actor, action="lesson.edit", obj=lesson, details={"fields": changed})
    lesson.refresh_from_db()
    return lesson


def _clean(fields: dict) -> dict:
    allowed = {"title", "body", "video_url", "minutes", "periods"}
    cleaned = {name: value for name, value in fields.items() if name in allowed}
    if "body" in cleaned:
        cleaned["body"] = lesson_html(cleaned["body"])
    if "title" in cleaned:
        cleaned["title"] = " ".join(cleaned["title"].split())
    return cleaned


def lesson_delete(*, lesson: Lesson, actor: User) -> None:
    """Refused once a learner has opened it: their time and completion would go with it."""
    with transaction.atomic():
        if LessonProgress.objects.filter(lesson=lesson).exists():
            raise LessonError(_("Learners have already opened this lesson: it can no longer be deleted. Edit it "
                                "instead."))
        audit_record(actor=actor, action="lesson.delete", obj=lesson,
                     details={"module": lesson.module.code, "title": lesson.title})
        files = [f.file.name for f in lesson.files.all()] + ([lesson.video_file.name] if lesson.video_file else [])
        lesson.delete()
        transaction.on_commit(lambda: _unlink_unused(files))


def lesson_move(*, lesson: Lesson, step: int, actor: User) -> None:
    """Swap the lesson with the one before (step -1) or after (+1) it in its module."""
    with transaction.atomic():
        siblings = list(Lesson.objects.select_for_update().filter(module_id=lesson.module_id).order_by("order"))
        index = next(i for i, other in enumerate(siblings) if other.pk == lesson.pk)
        target = index + step
        if not 0 <= target < len(siblings):
            return
        other = siblings[target]
        first, second = siblings[index].order, other.order
        Lesson.objects.filter(pk=lesson.pk).update(order=0)
        Lesson.objects.filter(pk=other.pk).update(order=first)
        Lesson.objects.filter(pk=lesson.pk).update(order=second)
        audit_record(actor=actor, action="lesson.move", obj=lesson, details={"order": second})


def lesson_file_add(*, lesson: Lesson, checked: CheckedFile, actor: User) -> LessonFile:
    with transaction.atomic():
        attached = LessonFile(lesson=lesson, name=checked.name, content_type=checked.content_type, size=checked.size,
                              uploaded_by=actor)
        attached.file.save(checked.name, checked.upload, save=False)
        attached.save()
        audit_record(actor=actor, action="lesson.file_add", obj=lesson, details={"file": checked.name,
                                                                                 "size": checked.size})
    return attached


def lesson_file_remove(*, attached: LessonFile, actor: User) -> None:
    with transaction.atomic():
        name = attached.file.name
        audit_record(actor=actor, action="lesson.file_remove", obj=attached.lesson, details={"file": attached.name})
        attached.delete()
        transaction.on_commit(lambda: _unlink_unused([name]))


def lesson_video_set(*, lesson: Lesson, checked: CheckedFile | None, actor: User) -> Lesson:
    """Upload the lesson's video (replacing the one before) or, with ``checked`` None, take it off."""
    with transaction.atomic():
        old = lesson.video_file.name if lesson.video_file else ""
        if checked is None:
            lesson.video_file, lesson.video_size, lesson.video_type = "", 0, ""
        else:
            lesson.video_file.save(checked.name, checked.upload, save=False)
            lesson.video_size, lesson.video_type = checked.size, checked.content_type
        lesson.updated_at = timezone.now()
        lesson.save(update_fields=["video_file", "video_size", "video_type", "updated_at"])
        audit_record(actor=actor, action="lesson.video", obj=lesson,
                     details={"file": checked.name if checked else "", "size": checked.size if checked else 0})
        if old:
            transaction.on_commit(lambda: _unlink_unused([old]))
    return lesson


def _unlink_unused(names: list[str]) -> None:
    """Delete stored files no lesson refers to any more (a programme's versions share their lessons' files)."""
    from django.core.files.storage import default_storage

    for name in names:
        if not name:
            continue
        if LessonFile.objects.filter(file=name).exists() or Lesson.objects.filter(video_file=name).exists():
            continue
        default_storage.delete(name)


def lessons_copy(*, modules: dict[int, Module]) -> None:
    """Copy the lessons (and their files' records: the stored files are shared) of the old modules to the new ones:
    ``modules`` maps an old module's id to its copy in the new programme version."""
    lessons = list(Lesson.objects.filter(module_id__in=modules).prefetch_related("files"))
    copies = []
    for lesson in lessons:
        files = list(lesson.files.all())
        lesson.pk, lesson.module = None, modules[lesson.module_id]
        copies.append((lesson, files))
    Lesson.objects.bulk_create([lesson for lesson, _files in copies])
    attached = []
    for lesson, files in copies:
        for item in files:
            item.pk, item.lesson = None, lesson
            attached.append(item)
    LessonFile.objects.bulk_create(attached)
