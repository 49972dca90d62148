"""Forms of the marking pages: a scan upload (type checked by its first bytes), a mark, an appeal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# What a scan may be, recognised by its first bytes (the extension alone proves nothing).
SCAN_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


@dataclass(frozen=True)
class CheckedScan:
    data: bytes
    content_type: str
    extension: str
    sha256: str


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot != -1 else ""


class ScanUploadForm(forms.Form):
    file = forms.FileField(label=_("Scan (PDF, PNG or JPEG)"))

    def clean_file(self) -> CheckedScan:
        upload = self.cleaned_data["file"]
        limit = settings.MAX_SCAN_FILE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
        extension = _extension(upload.name)
        allowed = {ext for _magic, exts in SCAN_TYPES.values() for ext in exts}
        if extension not in allowed:
            raise forms.ValidationError(_("Only PDF, PNG or JPEG files are accepted."))
        data = upload.read()
        for content_type, (magic, extensions) in SCAN_TYPES.items():
            if data.startswith(magic):
                if extension not in extensions:
                    raise forms.ValidationError(_("The file's content does not match its extension."))
                return CheckedScan(data=data, content_type=content_type, extension=extension,
                                   sha256=hashlib.sha256(data).hexdigest())
        raise forms.ValidationError(_("The file is not a real PDF, PNG or JPEG."))


class MarkForm(forms.Form):
    """The mark as the marker types it: 72,5 or 72.5 (a plain decimal, never a thousands separator)."""

    mark = forms.CharField(label=_("Mark"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean_mark(self) -> Decimal:
        raw = self.cleaned_data["mark"].strip().replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise forms.ValidationError(_("Write the mark as a number, e.g. 72,5."))
        return value


class AppealForm(forms.Form):
    subject = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
