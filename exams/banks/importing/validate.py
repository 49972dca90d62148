"""Rules every imported question obeys, whatever the file format."""

from __future__ import annotations

import hashlib
import re

from django.utils.translation import gettext as _

from accounts.spreadsheets import Problem
from accounts.vietnamese import normalize_name
from exams.banks import html
from exams.banks.importing import base, excel

MAX_TEXT = 5000
MAX_OPTION = 1000
MAX_EXPLANATION = 5000
MAX_LEGAL_BASIS = 255
MAX_TOPIC = 200

EXCEL_COLUMNS = {"text": excel.COL_TEXT, "explanation": excel.COL_EXPLANATION, "legal_basis": excel.COL_LEGAL_BASIS,
                 "topic": excel.COL_TOPIC, "answer": excel.COL_ANSWER, "options": excel.OPTION_COLUMNS}
TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")


def duplicate_key(*, kind: str, text: str) -> str:
    """What makes two questions the same question (``Question.dedup_key``): one kind, and one text (the question
    HTML as stored, i.e. sanitised) after NFC, space and case folding. A single-choice and a multiple-response
    version of a text are two questions."""
    return hashlib.sha256(f"{kind}\0{html.dedup_key(text)}".encode()).hexdigest()


def _column(field: str, index: int, excel_columns: bool) -> str | None:
    if not excel_columns:
        return None
    column = EXCEL_COLUMNS[field]
    return column[min(index, len(column) - 1)] if isinstance(column, list) else column


def _warning(message: str, question: base.ParsedQuestion, field: str, excel_columns: bool, index: int = 0) -> Problem:
    # «Cảnh báo: …» prints no row or column, so the message names them itself.
    column = _column(field, index, excel_columns)
    return Problem(str(Problem(message, question.source, column)), question.source, column, warning=True)


def _stored_form(q: base.ParsedQuestion) -> tuple:
    """Everything a question stores except its topic."""
    choices = tuple((html.sanitize(c.text), c.correct) for c in q.choices) if q.kind in base.CHOICE_KINDS else ()
    return (q.kind, html.sanitize(q.text), choices, tuple(normalize_name(a) for a in q.accepted_answers), q.scoring,
            q.keep_choice_order, q.accent_insensitive, q.difficulty, q.level, html.sanitize(q.explanation),
            normalize_name(q.legal_basis))


def drop_repeats(questions: list[base.ParsedQuestion], *, excel_columns: bool,
                 ) -> tuple[list[base.ParsedQuestion], list[Problem]]:
    """A file that holds one question twice, exactly (same kind, text, options, answers and the rest; the topic
    may differ, the first one's is kept), imports it once: the copy is left out, with a warning naming both
    lines. A copy that differs in anything stays, and :func:`validate` refuses it: someone has to choose."""
    kept: list[base.ParsedQuestion] = []
    warnings: list[Problem] = []
    kept_by_key: dict[str, list[base.ParsedQuestion]] = {}
    forms: dict[int, tuple] = {}

    def form(question: base.ParsedQuestion) -> tuple:  # worked out only for questions that share a key
        if id(question) not in forms:
            forms[id(question)] = _stored_form(question)
        return forms[id(question)]

    for question in questions:
        namesakes = kept_by_key.setdefault(duplicate_key(kind=question.kind, text=html.sanitize(question.text)), [])
        earlier = next((first for first in namesakes if form(first) == form(question)), None)
        if earlier is None:
            namesakes.append(question)
            kept.append(question)
        else:
            warnings.append(_warning(_("the same question as on row {first}; it is imported once.").format(
                first=earlier.source), question, "text", excel_columns))
    return kept, warnings


def markup_warnings(questions: list[base.ParsedQuestion], *, excel_columns: bool) -> list[Problem]:
    """Tags the sanitiser will remove, so that it does not happen silently: a cell reading
    ``<html class="cool"> & images`` would otherwise lose its first words. Only HTML can warn (Excel cells, which
    the bank export fills with question HTML, and GIFT's ``[html]``): Aiken and GIFT text is escaped."""
    warnings = []
    for q in questions:
        fields = [("text", 0, q.text), *(("options", i, c.text) for i, c in enumerate(q.choices)),
                  ("explanation", 0, q.explanation)]
        for field, index, value in fields:
            removed = sorted({name.lower() for name in TAG_NAME.findall(value)} - html.ALLOWED_TAGS)
            if removed:
                warnings.append(_warning(
                    _("the tags {tags} are not kept in a question and are removed; to show “<” as written, "
                      "write &lt;.").format(tags=" ".join(f"<{name}>" for name in removed)),
                    q, field, excel_columns, index))
    return warnings


def validate(questions: list[base.ParsedQuestion], *, existing_keys: set[str], known_topics: set[str] | None,
             excel_columns: bool) -> list[Problem]:
    """Problems of the whole list; ``known_topics`` is given only when unknown topics are errors.
    ``existing_keys`` are the :func:`duplicate_key` of the bank's current questions."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}

    def report(message: str, question: base.ParsedQuestion, field: str, index: int = 0) -> None:
        problems.append(Problem(message, question.source, _column(field, index, excel_columns)))

    for q in questions:
        plain = html.plain_text(q.text)
        if not plain:
            report(_("the question text is required."), q, "text")
        elif len(q.text) > MAX_TEXT:
            report(_("the text is longer than {n} characters.").format(n=MAX_TEXT), q, "text")
        else:
            key = duplicate_key(kind=q.kind, text=html.sanitize(q.text))
            if key in existing_keys:
                report(_("the same question is already in the bank."), q, "text")
            elif key in seen:
                report(_("the same question is already on row {first}.").format(first=seen[key]), q, "text")
            else:
                seen[key] = q.source
        for i, choice in enumerate(q.choices):
            if len(choice.text) > MAX_OPTION:
                report(_("the option is longer than {n} characters.").format(n=MAX_OPTION), q, "options", i)
        if len(q.explanation) > MAX_EXPLANATION:
            report(_("the text is longer than {n} characters.").format(n=MAX_EXPLANATION), q, "explanation")
        if len(q.legal_basis) > MAX_LEGAL_BASIS:
            report(_("the text is longer than {n} characters.").format(n=MAX_LEGAL_BASIS), q, "legal_basis")
        if len(q.topic) > MAX_TOPIC:
            report(_("the text is longer than {n} characters.").format(n=MAX_TOPIC), q, "topic")
        elif known_topics is not None and q.topic.casefold() not in known_topics:
            report(_("the topic “{name}” does not exist in this bank.").format(name=q.topic), q, "topic")
        if q.kind in base.CHOICE_KINDS:
            correct = sum(c.correct for c in q.choices)
            if len(q.choices) < 2:
                report(_("a choice question needs at least two options."), q, "options", len(q.choices))
            elif correct == 0:
                report(_("the correct answer is missing."), q, "answer")
            elif q.kind in (base.KIND_SINGLE, base.KIND_TRUE_FALSE) and correct > 1:
                report(_("a single-answer question has exactly one correct answer."), q, "answer")
            if any(not html.plain_text(c.text) for c in q.choices):
                report(_("an option is empty."), q, "options", 0)
        if q.kind == base.KIND_SHORT and not q.accepted_answers:
            report(_("give at least one accepted answer (several separated by “ | ”)."), q, "answer")
    return problems
