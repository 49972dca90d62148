"""Private files (course material and written work, the scans of qualifications in the people register): checked by
size and by their first bytes (an extension alone proves nothing), stored under a random name, and served only
through views that check who may read them (in production the reverse proxy sends the bytes:
``PRIVATE_MEDIA_ACCEL_PREFIX``). Every app may use it: it imports nothing of theirs."""
from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

# kind: (extensions, content type, label shown in messages)
KINDS = {
    "pdf": ((".pdf",), "application/pdf", "PDF"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"),
    "pptx": ((".pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "PowerPoint (.pptx)"),
    "doc": ((".doc",), "application/msword", "Word (.doc)"),
    "ppt": ((".ppt",), "application/vnd.ms-powerpoint", "PowerPoint (.ppt)"),
    "mp4": ((".mp4", ".m4v"), "video/mp4", "MP4"),
    "webm": ((".webm",), "video/webm", "WebM"),
    "jpg": ((".jpg", ".jpeg"), "image/jpeg", "JPEG"),
    "png": ((".png",), "image/png", "PNG"),
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_OOXML_PART = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml"}


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # the UploadedFile, rewound: a FileField saves it as it is
    name: str  # the uploader's name for it, cleaned (shown, never used to store)
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot != -1 else ""


def _kind_of(upload, head: bytes, extension: str) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist()[:2000])
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        return next((kind for kind, part in _OOXML_PART.items() if part in names), None)
    if head.startswith(_OLE2):
        return {".doc": "doc", ".ppt": "ppt"}.get(extension)
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(_JPEG):
        return "jpg"
    if head.startswith(_PNG):
        return "png"
    return None


def _labels(kinds: Iterable[str]) -> str:
    return ", ".join(KINDS[kind][2] for kind in kinds)


def check_upload(upload, *, kinds: Iterable[str], max_bytes: int) -> CheckedFile:
    """The upload if it is one of ``kinds`` by its content and extension and within ``max_bytes``; otherwise a
    ValidationError saying why, in the user's language."""
    kinds = tuple(kinds)
    if upload is None:
        raise forms.ValidationError(_("Choose a file (at most %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)})
    if upload.size > max_bytes:
        raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    extension = _extension(upload.name)
    allowed = {ext for kind in kinds for ext in KINDS[kind][0]}
    if extension not in allowed:
        raise forms.ValidationError(_("Only these files are accepted: %(kinds)s.") % {"kinds": _labels(kinds)})
    upload.seek(0)
    head = upload.read(16)
    kind = _kind_of(upload, head, extension)
    if kind is None or kind not in kinds:
        raise forms.ValidationError(_("The file is not a real %(kinds)s file.") % {"kinds": _labels(kinds)})
    if extension not in KINDS[kind][0]:
        raise forms.ValidationError(_("The file's content does not match its extension."))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = "".join(ch for ch in upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if ch.isprintable())[:200]
    return CheckedFile(upload=upload, name=name or f"file{extension}", kind=kind, extension=extension,
                       content_type=KINDS[kind][1], size=upload.size, sha256=digest.hexdigest())


def serve_private(field_file, *, name: str, content_type: str, inline: bool = True) -> HttpResponse:
    """The stored file under the name given, never cached by a shared cache. With ``PRIVATE_MEDIA_ACCEL_PREFIX`` the
    reverse proxy sends the bytes (X-Accel-Redirect to its internal location over MEDIA_ROOT)."""
    prefix = settings.PRIVATE_MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
