"""Question HTML: an allow-list sanitiser (nh3) and the plain-text forms used for search and duplicates."""

from __future__ import annotations

import hashlib
import html
import re

import nh3

from accounts.vietnamese import normalize_name, search_key, without_format_characters

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "img", "span",
}
ALLOWED_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}
# Images only from our own uploads (no tracking pixels, no external hosts on exam day), in exactly the form an
# upload gets (exams/banks/views/questions.image_upload: a random hex name): a prefix alone let "../" through.
IMAGE_PREFIX = "/media/question-images/"
IMAGE_SRC = re.compile(r"/media/question-images/[0-9a-f]{32}\.(?:png|jpg|gif|webp)")
MAX_IMAGE_SIDE = 2000  # pixels: a width or height past it is clamped, one that is not a number dropped
TAG_RE = re.compile(r"<[^>]+>")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag != "img":
        return value
    if attribute == "src":
        return value if IMAGE_SRC.fullmatch(value) else None
    if attribute in ("width", "height"):
        return str(min(int(value), MAX_IMAGE_SIDE)) if value.isdigit() and int(value) > 0 else None
    return value


def sanitize(text: str) -> str:
    """Allow-listed HTML: formatting, lists, tables and our own images; everything else is removed."""
    cleaned = nh3.clean(
        normalize_nfc(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"https", "http"},
        attribute_filter=_filter_attribute, link_rel=None,
    )
    return cleaned.strip()


def normalize_nfc(text: str) -> str:
    """NFC, without format characters (a bidirectional override in a question would print it backwards)."""
    import unicodedata

    return without_format_characters(unicodedata.normalize("NFC", text or ""))


def plain_text(text: str) -> str:
    """Text without tags or entities, spaces collapsed (what a person reads)."""
    return normalize_name(html.unescape(TAG_RE.sub(" ", text or "")))


def dedup_key(text: str) -> str:
    """Two questions are duplicates when their text matches after NFC, spaces and case folding."""
    return hashlib.sha256(plain_text(text).casefold().encode()).hexdigest()


def search_form(text: str) -> str:
    return search_key(plain_text(text))
