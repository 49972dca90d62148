"""Questions' duplicate key now includes their kind (a single-choice and a multiple-response version of one text
are two questions): recompute the keys stored before. Data only."""

import hashlib
import html
import re
import unicodedata

from django.db import migrations

TAG_RE = re.compile(r"<[^>]+>")


def _normalize_name(text: str) -> str:
    # accounts.vietnamese.normalize_name, frozen: NFC, format characters (Cf) removed, whitespace runs collapsed.
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def _key(kind: str, text: str) -> str:
    # The key as exams.importing.validate.duplicate_key computes it in this release, written out here so that the
    # migration keeps meaning what it meant when later code changes.
    plain = _normalize_name(html.unescape(TAG_RE.sub(" ", text or "")))
    text_key = hashlib.sha256(plain.casefold().encode()).hexdigest()
    return hashlib.sha256(f"{kind}\0{text_key}".encode()).hexdigest()


def recompute(apps, schema_editor):
    Question = apps.get_model("exams", "Question")
    for pk, kind, text in Question.objects.values_list("pk", "kind", "text").iterator():
        Question.objects.filter(pk=pk).update(dedup_key=_key(kind, text))


class Migration(migrations.Migration):
    dependencies = [("exams", "0008_attempt_device_epoch")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
