"""Lessons through the course manager's pages: sanitised text, files checked by their first bytes and served only to
who may read them, a video link or file, the order, deleting guarded by learners' progress, versions copying them."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditLog
from courses.lessons import lesson_create, lesson_html, lesson_text_for_editing
from courses.models import Lesson, LessonFile, LessonProgress, Module
from courses.progress import lesson_open
from courses.services import programme_update

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def module(world) -> Module:
    return Module.objects.filter(part__programme=world.course_class.programme).order_by("part__order", "order").first()


def test_the_text_is_sanitised_and_plain_text_becomes_paragraphs():
    assert lesson_html("Dòng một\nDòng hai\n\nĐoạn hai") == "<p>Dòng một<br>Dòng hai</p><p>Đoạn hai</p>"
    cleaned = lesson_html('<h2>Mục</h2><script>alert(1)</script><p onclick="x()">Chữ <a href="javascript:x()">a</a>'
                          '<a href="https://dichvucong.gov.vn">b</a></p><img src="http://evil/x.png">')
    assert "<script" not in cleaned and "onclick" not in cleaned and "javascript:" not in cleaned
    assert "<img" not in cleaned and "<h2>Mục</h2>" in cleaned
    assert 'href="https://dichvucong.gov.vn"' in cleaned and 'rel="noopener noreferrer nofollow"' in cleaned


def test_plain_paragraphs_come_back_as_typed_and_richer_text_as_html():
    typed = "Dòng một\nHai < ba & bốn\n\nĐoạn hai"
    assert lesson_text_for_editing(lesson_html(typed)) == typed
    rich = lesson_html("<h2>Mục</h2><p>Chữ</p>")
    assert lesson_text_for_editing(rich) == rich


def test_the_manager_adds_edits_orders_and_deletes_a_lesson(client, world, module):
    client.force_login(world.manager)
    response = client.post(reverse("module_lessons", args=[module.pk]), {
        "title": "Bài 1  Tổng quan", "body": "<p>Nội dung</p><script>x</script>", "video_url": "", "minutes": 20,
        "periods": 1})
    first = Lesson.objects.get()
    assert response.url == reverse("lesson_edit", args=[first.pk])
    assert (first.title, first.body, first.order) == ("Bài 1 Tổng quan", "<p>Nội dung</p>", 1)
    client.post(reverse("module_lessons", args=[module.pk]), {"title": "Bài 2", "body": "", "minutes": 10,
                                                               "periods": 0})
    second = Lesson.objects.get(title="Bài 2")
    assert second.order == 2
    client.post(reverse("lesson_move", args=[second.pk]), {"direction": "up"})
    assert list(Lesson.objects.order_by("order").values_list("title", flat=True)) == ["Bài 2", "Bài 1 Tổng quan"]
    response = client.post(reverse("lesson_edit", args=[first.pk]), {
        "action": "save", "title": "Bài 1", "body": "Mới", "video_url": "http://video.example/x", "minutes": 20,
        "periods": 1})
    assert response.status_code == 200 and "https://" in response.content.decode()  # a link must be https
    client.post(reverse("lesson_edit", args=[first.pk]), {
        "action": "save", "title": "Bài 1", "body": "Mới", "video_url": "https://video.example/x", "minutes": 25,
        "periods": 1})
    first.refresh_from_db()
    assert (first.body, first.video_url, first.minutes) == ("<p>Mới</p>", "https://video.example/x", 25)
    lesson_open(enrolment=world.learners[0], lesson=first)
    response = client.post(reverse("lesson_delete", args=[first.pk]), follow=True)
    assert Lesson.objects.filter(pk=first.pk).exists()
    assert "đã mở bài học này" in response.content.decode()
    client.post(reverse("lesson_delete", args=[second.pk]))
    assert not Lesson.objects.filter(pk=second.pk).exists()
    assert set(AuditLog.objects.filter(action__startswith="lesson.").values_list("action", flat=True)) == {
        "lesson.create", "lesson.move", "lesson.edit", "lesson.delete"}


def test_files_are_checked_by_their_first_bytes_and_served_only_to_the_class(client, world, module, make_user):
    lesson = lesson_create(module=module, fields={"title": "Bài 1", "body": "", "minutes": 5, "periods": 0},
                           actor=world.manager)
    client.force_login(world.manager)
    url = reverse("lesson_edit", args=[lesson.pk])
    fake = SimpleUploadedFile("tai-lieu.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"action": "file", "file": fake})
    assert "Tệp không phải là tệp PDF, Word" in response.content.decode()
    assert not LessonFile.objects.exists()
    renamed = SimpleUploadedFile("tai-lieu.pdf", docx_bytes())
    response = client.post(url, {"action": "file", "file": renamed})
    assert "không khớp" in response.content.decode() and not LessonFile.objects.exists()
    client.post(url, {"action": "file", "file": SimpleUploadedFile("Bài giảng.pdf", PDF)})
    client.post(url, {"action": "file", "file": SimpleUploadedFile("Đề cương.docx", docx_bytes())})
    pdf, docx = LessonFile.objects.order_by("pk")
    assert (pdf.name, pdf.content_type, docx.content_type.endswith("document")) == (
        "Bài giảng.pdf", "application/pdf", True)
    assert "Bài giảng" not in pdf.file.name  # stored under a random name

    learner_url = reverse("learn_lesson_file", args=[world.course_class.pk, lesson.pk, pdf.pk])
    client.force_login(world.learners[0].person)
    response = client.get(learner_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store" and response["Content-Disposition"].startswith("inline")
    client.force_login(make_user(username="nguoingoai"))
    assert client.get(learner_url).status_code == 403
    assert client.get(reverse("lesson_file", args=[lesson.pk, pdf.pk])).status_code == 403


def test_the_proxy_sends_the_file_when_configured(client, world, module, settings):
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/_private/"
    lesson = lesson_create(module=module, fields={"title": "Bài 1", "body": "", "minutes": 5, "periods": 0},
                           actor=world.manager)
    client.force_login(world.manager)
    client.post(reverse("lesson_edit", args=[lesson.pk]), {"action": "file",
                                                           "file": SimpleUploadedFile("a.pdf", PDF)})
    attached = LessonFile.objects.get()
    response = client.get(reverse("lesson_file", args=[lesson.pk, attached.pk]))
    assert response["X-Accel-Redirect"] == f"/_private/{attached.file.name}" and response.content == b""


def test_a_video_file_over_the_operator_limit_is_refused(client, world, module, settings):
    settings.COURSE_VIDEO_MAX_BYTES = 1024
    lesson = lesson_create(module=module, fields={"title": "Bài 1", "body": "", "minutes": 5, "periods": 0},
                           actor=world.manager)
    client.force_login(world.manager)
    mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000
    response = client.post(reverse("lesson_edit", args=[lesson.pk]), {"action": "video",
                                                                        "video": SimpleUploadedFile("v.mp4", mp4)})
    assert "lớn hơn" in response.content.decode()
    lesson.refresh_from_db()
    assert not lesson.video_file
    settings.COURSE_VIDEO_MAX_BYTES = 4096
    client.post(reverse("lesson_edit", args=[lesson.pk]), {"action": "video",
                                                           "video": SimpleUploadedFile("v.mp4", mp4)})
    lesson.refresh_from_db()
    assert (lesson.video_type, lesson.video_size) == ("video/mp4", len(mp4))
    client.force_login(world.learners[0].person)
    page = client.get(reverse("learn_lesson", args=[world.course_class.pk, lesson.pk])).content.decode()
    assert reverse("learn_lesson_video", args=[world.course_class.pk, lesson.pk]) in page


def test_a_new_programme_version_keeps_its_lessons(world, module):
    lesson = lesson_create(module=module, fields={"title": "Bài 1", "body": "x", "minutes": 5, "periods": 0},
                           actor=world.manager)
    programme = world.course_class.programme
    with pytest.MonkeyPatch.context() as patch:  # a class of this version has started: the edit is a new version
        patch.setattr("courses.services.programme_started", lambda _programme: True)
        new = programme_update(programme=programme, fields={"name": programme.name}, modules={},
                               actor=world.manager)
    assert new.pk != programme.pk
    copied = Lesson.objects.get(module__part__programme=new)
    assert (copied.title, copied.body, copied.module.code) == ("Bài 1", "<p>x</p>", module.code)
    assert Lesson.objects.get(pk=lesson.pk).module == module  # the old version's class keeps its own


def test_progress_rows_cannot_repeat(world, module):
    lesson = lesson_create(module=module, fields={"title": "Bài 1", "body": "", "minutes": 5, "periods": 0},
                           actor=world.manager)
    lesson_open(enrolment=world.learners[0], lesson=lesson)
    lesson_open(enrolment=world.learners[0], lesson=lesson)
    assert LessonProgress.objects.count() == 1


def test_no_upload_is_read_past_the_platform_bound(client, world, module, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    lesson = lesson_create(module=module, fields={"title": "Bài 1", "body": "", "minutes": 5, "periods": 0},
                           actor=world.manager)
    client.force_login(world.manager)
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 5000)
    response = client.post(reverse("lesson_edit", args=[lesson.pk]), {"action": "file", "file": big})
    assert response.status_code == 200 and "Hãy chọn một tệp" in response.content.decode()
    assert not LessonFile.objects.exists()
    settings.MAX_UPLOAD_BYTES = 10  # the whole body is declared larger than the bound and a megabyte: not read
    response = client.post(reverse("lesson_edit", args=[lesson.pk]),
                           {"action": "file", "file": SimpleUploadedFile("b.pdf", PDF + b"0" * 2_000_000)})
    assert response.status_code == 200 and not LessonFile.objects.exists()
