"""Reading Aiken, Moodle's plain multiple-choice format: a question, its lettered options, then ``ANSWER: X``.

What every text format shares (line numbers, escaping, what a problem says) is in ``textformats``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.spreadsheets import Problem
from exams.banks.importing.base import (
    KIND_SINGLE,
    ParsedChoice,
    ParsedQuestion,
)
from exams.banks.importing.textformats import as_html, numbered_lines

# Moodle's own rule: a capital letter, "." or ")", an optional space (``A)Correct`` is an option).
_AIKEN_OPTION = re.compile(r"^([A-Z])[.)](\s*)(.*)$")


_AIKEN_ANSWER = re.compile(r"^ANSWER\s*:(.*)$", re.IGNORECASE)


@dataclass
class _AikenDraft:
    start: int
    text_lines: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    broken: bool = False  # a problem has already been reported for it
    blank_after_text: bool = False


def _aiken_option(line: str, draft: _AikenDraft | None) -> re.Match | None:
    """The option on ``line``, if it is one. ``A. text`` always is; ``A.text`` (no space, which Moodle accepts)
    only where it can be: inside a question, with the next letter. So "C.Mác sinh năm nào?" after a
    finished question, or after question text awaiting its option A, stays question text."""
    option = _AIKEN_OPTION.match(line)
    if option is None or option.group(2) or not option.group(3):
        return option
    if draft is None:
        return None
    expected = chr(ord(draft.options[-1][0]) + 1) if draft.options else "A"
    return option if option.group(1) == expected else None


def parse_aiken(text: str, *, topic: str) -> tuple[list[ParsedQuestion], list[Problem]]:
    """Read an Aiken file: question line(s), options ``A. text`` / ``A) text`` / ``A)text``, then ``ANSWER: X``.

    Problems about a whole question (no options, no ANSWER line) carry the line the question starts
    on; the others carry the offending line.
    """
    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    draft: _AikenDraft | None = None

    def end_without_answer() -> None:
        nonlocal draft
        if draft is None:
            return
        if draft.options:
            problems.append(Problem(_("this question has no ANSWER line."), row=draft.start))
        else:
            problems.append(Problem(_("this question has no options."), row=draft.start))
        draft = None

    for number, raw in numbered_lines(text):
        line = raw.strip()
        if not line:
            if draft is not None and not draft.options:
                draft.blank_after_text = True
            continue

        answer = _AIKEN_ANSWER.match(line)
        if answer:
            if draft is None:
                problems.append(Problem(_("this ANSWER line does not belong to any question."), row=number))
                continue
            if not draft.options:
                problems.append(Problem(_("this question has no options."), row=draft.start))
                draft = None
                continue
            value = answer.group(1).strip()
            letter = value.rstrip(".)").strip().upper()
            letters = [option_letter for option_letter, _text in draft.options]
            if not value:
                problems.append(Problem(_("the ANSWER line is empty."), row=number))
            elif letter not in letters:
                problems.append(Problem(
                    _("the answer “{answer}” does not name one of the options.").format(answer=value[:20]), row=number,
                ))
            elif not draft.broken:
                questions.append(ParsedQuestion(
                    source=draft.start,
                    topic=topic,
                    kind=KIND_SINGLE,
                    text=as_html(" ".join(draft.text_lines)),
                    choices=[ParsedChoice(text=as_html(option_text), correct=option_letter == letter)
                             for option_letter, option_text in draft.options],
                ))
            draft = None
            continue

        option = _aiken_option(line, draft)
        if option:
            if draft is None:
                draft = _AikenDraft(start=number, broken=True)
                problems.append(Problem(_("an option line comes before any question text."), row=number))
            letter = option.group(1)
            expected = chr(ord(draft.options[-1][0]) + 1) if draft.options else "A"
            if letter != expected:
                problems.append(Problem(
                    _("option {letter} is out of sequence: {expected} was expected.").format(
                        letter=letter, expected=expected),
                    row=number,
                ))
                draft.broken = True
            draft.options.append((letter, option.group(3).strip()))
            continue

        # A line of question text: it continues the current question only while no option has been
        # read and no blank line has been seen; otherwise it starts the next question.
        if draft is not None and (draft.options or draft.blank_after_text):
            end_without_answer()
        if draft is None:
            draft = _AikenDraft(start=number)
        draft.text_lines.append(line)

    end_without_answer()
    return questions, problems
