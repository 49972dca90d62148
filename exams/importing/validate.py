"""Rules every imported question obeys, whatever the file format."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.spreadsheets import Problem
from exams import html
from exams.importing import base, excel

MAX_TEXT = 5000
MAX_OPTION = 1000
MAX_EXPLANATION = 5000
MAX_LEGAL_BASIS = 255
MAX_TOPIC = 200

EXCEL_COLUMNS = {"text": excel.COL_TEXT, "explanation": excel.COL_EXPLANATION, "legal_basis": excel.COL_LEGAL_BASIS,
                 "topic": excel.COL_TOPIC, "answer": excel.COL_ANSWER, "options": excel.OPTION_COLUMNS}


def validate(questions: list[base.ParsedQuestion], *, existing_keys: set[str], known_topics: set[str] | None,
             excel_columns: bool) -> list[Problem]:
    """Problems of the whole list; ``known_topics`` is given only when unknown topics are errors."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}

    def report(message: str, question: base.ParsedQuestion, field: str, index: int = 0) -> None:
        column = None
        if excel_columns:
            column = EXCEL_COLUMNS[field]
            if isinstance(column, list):
                column = column[min(index, len(column) - 1)]
        problems.append(Problem(message, question.source, column))

    for q in questions:
        plain = html.plain_text(q.text)
        if not plain:
            report(_("the question text is required."), q, "text")
        elif len(q.text) > MAX_TEXT:
            report(_("the text is longer than {n} characters.").format(n=MAX_TEXT), q, "text")
        else:
            key = html.dedup_key(q.text)
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
