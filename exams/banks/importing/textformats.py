"""Reading question banks written as plain text: Aiken and (a subset of) Moodle's GIFT.

Both parsers take the whole file as text and return the questions they could read plus a
:class:`~accounts.spreadsheets.Problem` for everything they could not, each with the 1-based line it
concerns. Nothing is dropped silently: a question with a problem is not returned, its problem is.
A question of a kind we do not store (matching, numerical, ...) is reported as :class:`Unsupported`,
which the importer may choose to skip instead of refusing the file.
Business rules (duplicates, text length, number of options, number of correct answers) are left to
the shared validator; only a broken format is reported here.

Text formats are text: what the file says is what the candidate reads. Question text, options and
explanations are escaped into the question HTML (``<b>`` shows as those three characters), as
Moodle does; only GIFT's ``[html]`` marker makes a text HTML (sanitised when written, like the
editor's). Accepted short answers are plain text and are not escaped.
"""
from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

from accounts.spreadsheets import Problem


@dataclass(frozen=True)
class Unsupported(Problem):
    """A well-formed question of a kind this platform does not store: refused like any problem unless the
    importer skips unsupported questions (``import_questions --skip-unsupported``)."""


def as_html(text: str) -> str:
    """Text shown exactly as written: ``<``, ``>`` and ``&`` escaped, a line break (GIFT's ``\\n``) kept."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """NFC-normalised lines with their 1-based numbers; a leading BOM is removed.

    Only CR, LF and CRLF end a line (``str.splitlines`` would also split on form feeds and
    Unicode separators, and the numbers would no longer match what an editor shows).
    """
    text = unicodedata.normalize("NFC", text).removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return list(enumerate(text.split("\n"), start=1))
