"""Reading (a subset of) Moodle's GIFT: single and multiple choice, true/false, short answer and essay, with
categories, weights and feedback.

What every text format shares (line numbers, escaping, what a problem says) is in ``textformats``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.spreadsheets import Problem
from exams.banks.importing.base import (
    FALSE_TEXT,
    KIND_ESSAY,
    KIND_MULTIPLE,
    KIND_SHORT,
    KIND_SINGLE,
    KIND_TRUE_FALSE,
    SCORING_ALL_OR_NOTHING,
    SCORING_PARTIAL,
    TRUE_TEXT,
    ParsedChoice,
    ParsedQuestion,
)
from exams.banks.importing.textformats import Unsupported, as_html, numbered_lines

# Moodle's escapes: \~ \= \# \{ \} \: stand for the character itself, \\ for a backslash, \n for a line break.
_GIFT_ESCAPES = {**{c: c for c in "~=#{}:\\"}, "n": "\n"}


# What a [format] marker means here. Moodle's default (no marker) is its "moodle" auto-format; here the
# default, [moodle] and [plain] are text shown as written, and so is [markdown] (nothing renders Markdown:
# **bold** shows its asterisks). Only [html] is HTML, sanitised on writing like the editor's.
_GIFT_FORMATS = {"[html]": True, "[moodle]": False, "[plain]": False, "[markdown]": False}


_CATEGORY = "$CATEGORY:"


_CONTEXT_SEGMENT = re.compile(r"^\$\w+\$$")  # $course$, $system$, ...


_WEIGHT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class _Char:
    """One character of a GIFT question; ``escaped`` ones never have a special meaning."""

    ch: str
    escaped: bool
    line: int


@dataclass
class _Block:
    start: int
    topic: str
    lines: list[tuple[int, str]] = field(default_factory=list)


class _GiftError(Exception):
    def __init__(self, message: str, line: int, *, unsupported: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.unsupported = unsupported

    def problem(self) -> Problem:
        return (Unsupported if self.unsupported else Problem)(self.message, row=self.line)


def _chars(lines: list[tuple[int, str]]) -> list[_Char]:
    """The block's lines joined with one space, escapes resolved, each character knowing its line."""
    chars: list[_Char] = []
    for index, (number, line) in enumerate(lines):
        if index:
            chars.append(_Char(" ", False, number))
        i = 0
        while i < len(line):
            if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in _GIFT_ESCAPES:
                chars.append(_Char(_GIFT_ESCAPES[line[i + 1]], True, number))
                i += 2
            else:
                chars.append(_Char(line[i], False, number))
                i += 1
    return chars


def _at(chars: list[_Char], index: int, token: str) -> bool:
    """Whether the unescaped ``token`` starts at ``index``."""
    part = chars[index:index + len(token)]
    return len(part) == len(token) and all(not c.escaped and c.ch == t for c, t in zip(part, token, strict=True))


def _find(chars: list[_Char], token: str, start: int = 0) -> int:
    for index in range(start, len(chars) - len(token) + 1):
        if _at(chars, index, token):
            return index
    return -1


def _trim(chars: list[_Char]) -> list[_Char]:
    start, end = 0, len(chars)
    while start < end and not chars[start].escaped and chars[start].ch.isspace():
        start += 1
    while end > start and not chars[end - 1].escaped and chars[end - 1].ch.isspace():
        end -= 1
    return chars[start:end]


def _text(chars: list[_Char]) -> str:
    return "".join(c.ch for c in chars).strip()


def _with_format(chars: list[_Char], is_html: bool) -> tuple[bool, list[_Char]]:
    """Whether the text is HTML (its own ``[format]`` marker, else ``is_html``) and the text without the marker."""
    chars = _trim(chars)
    for prefix, marks_html in _GIFT_FORMATS.items():
        part = chars[:len(prefix)]
        if len(part) == len(prefix) and all(
            not c.escaped and c.ch.lower() == p for c, p in zip(part, prefix, strict=True)
        ):
            return marks_html, _trim(chars[len(prefix):])
    return is_html, chars


def _html(chars: list[_Char], is_html: bool) -> str:
    """Question HTML for a text, an option or an explanation (see the module docstring)."""
    is_html, chars = _with_format(chars, is_html)
    return _text(chars) if is_html else as_html(_text(chars))


def _category_name(path: str, default: str) -> str:
    """Last segment of a ``$CATEGORY:`` path (``//`` is a slash inside a name); ``default`` when none."""
    segments = [s.replace("\0", "/").strip() for s in path.replace("//", "\0").split("/")]
    segments = [s for s in segments if s and not _CONTEXT_SEGMENT.match(s)]
    if segments and segments[0].lower() == "top":
        segments = segments[1:]
    return segments[-1] if segments else default


def parse_gift(text: str, *, topic: str) -> tuple[list[ParsedQuestion], list[Problem]]:
    """Read the supported subset of Moodle's GIFT format.

    ``//`` comment lines are ignored, ``$CATEGORY: path`` sets the topic of the questions after it
    (the path's last segment; ``topic`` until one appears), ``::title::`` is dropped, ``\\~ \\= \\# \\{ \\}
    \\:`` and ``\\\\`` are unescaped and ``\\n`` is a line break. A ``[format]`` marker before the question
    text, an answer or the general feedback says how to read it (see ``_GIFT_FORMATS``); an answer or the
    feedback without one is read like the question text, as Moodle does.

    Supported: multiple choice (one ``=``), multiple answers (weights or several ``=``), true/false,
    short answer (``=`` entries; one weighted 0 % or less is Moodle's feedback for other answers and is
    not accepted) and essay (``{}``). Matching, numerical, missing-word, descriptions (no answer block)
    and short answers with partial credit are :class:`Unsupported`. Problems about the answer block carry
    the line of its ``{``; a bad weight or an empty answer carries the line of that answer; the others
    the line the question starts on.
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    current_topic = topic
    for number, raw in numbered_lines(text):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("//"):
            continue
        if line[:len(_CATEGORY)].upper() == _CATEGORY:
            current = None
            current_topic = _category_name(line[len(_CATEGORY):], topic)
            continue
        if current is None:
            current = _Block(start=number, topic=current_topic)
            blocks.append(current)
        current.lines.append((number, line))

    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    for block in blocks:
        try:
            questions.append(_gift_question(block))
        except _GiftError as error:
            problems.append(error.problem())
    return questions, problems


def _gift_question(block: _Block) -> ParsedQuestion:
    chars = _trim(_chars(block.lines))
    if _at(chars, 0, "::"):
        end = _find(chars, "::", 2)
        if end < 0:
            raise _GiftError(_("the title is not closed with “::”."), block.start)
        chars = chars[end + 2:]
    is_html, chars = _with_format(chars, False)

    opening = _find(chars, "{")
    if opening < 0:
        raise _GiftError(_("the question has no answer block."), block.start, unsupported=True)
    brace_line = chars[opening].line
    closing = _find(chars, "}", opening + 1)
    if closing < 0:
        raise _GiftError(_("the answer block is not closed."), brace_line)
    inner = chars[opening + 1:closing]
    nested = _find(inner, "{")
    if nested >= 0:
        raise _GiftError(_("the answer block contains an unescaped “{”."), inner[nested].line)
    if _trim(chars[closing + 1:]):
        raise _GiftError(
            _("missing-word questions (an answer block followed by more text) are not supported."), brace_line,
            unsupported=True,
        )

    question = ParsedQuestion(source=block.start, topic=block.topic, kind=KIND_ESSAY,
                              text=_html(chars[:opening], is_html))
    general_feedback = _find(inner, "####")
    if general_feedback >= 0:
        question.explanation = _html(inner[general_feedback + 4:], is_html)
        inner = inner[:general_feedback]
    inner = _trim(inner)

    # The kind, decided in Moodle's order.
    if not inner:
        return question  # {} is an essay
    if _at(inner, 0, "#"):
        raise _GiftError(_("numerical questions are not supported."), brace_line, unsupported=True)
    if _find(inner, "~") < 0 and _find(inner, "->") >= 0:
        raise _GiftError(_("matching questions are not supported."), brace_line, unsupported=True)

    feedback = _find(inner, "#")
    head = _text(inner[:feedback] if feedback >= 0 else inner).upper()
    if head in _TRUE_FALSE:
        answer = _TRUE_FALSE[head]
        question.kind = KIND_TRUE_FALSE
        question.choices = [ParsedChoice(TRUE_TEXT, correct=answer), ParsedChoice(FALSE_TEXT, correct=not answer)]
        return question

    entries = _gift_entries(inner, brace_line)
    if not any(marker.ch == "~" for marker, _weight, _answer in entries):
        question.kind = KIND_SHORT
        for marker, weight, _answer in entries:
            if weight is not None and 0 < weight < 100:
                raise _GiftError(_("short answers with partial credit are not supported."), marker.line,
                                 unsupported=True)
        # An answer weighted 0 % (or less) is not accepted: Moodle uses "=%0%*#…" for feedback on any other answer.
        question.accepted_answers = [_text(_with_format(answer, is_html)[1]) for _marker, weight, answer in entries
                                     if weight is None or weight > 0]
        return question

    weights = [weight if weight is not None else (100.0 if marker.ch == "=" else 0.0)
               for marker, weight, _answer in entries]
    question.choices = [ParsedChoice(_html(answer, is_html), correct=weight > 0)
                        for (_marker, _weight, answer), weight in zip(entries, weights, strict=True)]
    if any(weight not in (0, 100) for weight in weights):
        question.kind, question.scoring = KIND_MULTIPLE, SCORING_PARTIAL
    elif sum(choice.correct for choice in question.choices) >= 2:
        question.kind, question.scoring = KIND_MULTIPLE, SCORING_ALL_OR_NOTHING
    else:
        question.kind = KIND_SINGLE
    return question


def _gift_entries(inner: list[_Char], brace_line: int) -> list[tuple[_Char, float | None, list[_Char]]]:
    """Split ``=a ~%50%b#feedback`` into (marker, weight or None, answer); per-answer feedback is dropped."""
    starts = [i for i, c in enumerate(inner) if not c.escaped and c.ch in "=~"]
    if not starts or starts[0] != 0:
        raise _GiftError(_("the answer block must start with “=” or “~”."), brace_line)
    entries = []
    problem: _GiftError | None = None
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(inner)
        marker, body = inner[start], _trim(inner[start + 1:end])
        weight = None
        if _at(body, 0, "%"):
            closing = _find(body, "%", 1)
            raw = _text(body[1:closing]) if closing >= 0 else _text(body)
            if closing < 0 or not _WEIGHT.match(raw) or not -100 <= float(raw.replace(",", ".")) <= 100:
                problem = problem or _GiftError(
                    _("the weight “{weight}” is not a number between -100 and 100.").format(weight=raw[:20]),
                    marker.line,
                )
                continue
            weight = float(raw.replace(",", "."))
            body = body[closing + 1:]
        feedback = _find(body, "#")
        answer = _trim(body[:feedback] if feedback >= 0 else body)
        if not _text(_with_format(answer, False)[1]):
            problem = problem or _GiftError(_("an answer in the block is empty."), marker.line)
            continue
        entries.append((marker, weight, answer))
    if problem is not None:
        raise problem
    return entries
