"""The question bank spreadsheet: reading rows into ParsedQuestions (column-level problems)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from accounts import cells
from accounts.spreadsheets import Problem, Sheet
from exams.banks.importing import base

COL_TOPIC = "Chủ đề"
COL_KIND = "Loại"
COL_DIFFICULTY = "Độ khó"
COL_LEVEL = "Mức độ"
COL_TEXT = "Nội dung câu hỏi"
OPTION_COLUMNS = [f"Phương án {letter}" for letter in "ABCDEF"]
COL_ANSWER = "Đáp án"
COL_SCORING = "Chấm điểm"
COL_KEEP_ORDER = "Giữ thứ tự"
COL_ACCENTS = "Không phân biệt dấu"
COL_EXPLANATION = "Giải thích"
COL_LEGAL_BASIS = "Căn cứ pháp lý"

QUESTION_COLUMNS = [COL_TOPIC, COL_KIND, COL_DIFFICULTY, COL_LEVEL, COL_TEXT, *OPTION_COLUMNS, COL_ANSWER,
                    COL_SCORING, COL_KEEP_ORDER, COL_ACCENTS, COL_EXPLANATION, COL_LEGAL_BASIS]

KIND_LABELS = {"một đáp án": base.KIND_SINGLE, "nhiều đáp án": base.KIND_MULTIPLE, "đúng sai": base.KIND_TRUE_FALSE,
               "trả lời ngắn": base.KIND_SHORT, "tự luận": base.KIND_ESSAY}
DIFFICULTY_LABELS = {"dễ": base.DIFFICULTY_EASY, "trung bình": base.DIFFICULTY_MEDIUM, "khó": base.DIFFICULTY_HARD}
LEVEL_LABELS = {"nhận biết": base.LEVEL_RECOGNITION, "thông hiểu": base.LEVEL_COMPREHENSION,
                "vận dụng": base.LEVEL_APPLICATION}
SCORING_LABELS = {"toàn phần": base.SCORING_ALL_OR_NOTHING, "từng phần": base.SCORING_PARTIAL}
TRUE_FALSE_ANSWERS = {"đúng": True, "sai": False}

# The reverse maps, for the export.
KIND_TEXT = {v: k for k, v in KIND_LABELS.items()}
DIFFICULTY_TEXT = {v: k for k, v in DIFFICULTY_LABELS.items()}
LEVEL_TEXT = {v: k for k, v in LEVEL_LABELS.items()}
SCORING_TEXT = {v: k for k, v in SCORING_LABELS.items()}


def fold(value: str) -> str:
    """Label matching: NFC, case and spaces folded; "đúng/sai" and "đúng - sai" read as "đúng sai"."""
    return " ".join(re.split(r"[\s/\-]+", value.casefold())).strip()


def _label(row: dict, column: str, labels: dict[str, str], default: str | None, problems: list[Problem],
           number: int) -> str | None:
    raw = cells.text(row[column])
    if not raw:
        if default is None:
            problems.append(Problem(_("this cell is required."), number, column))
        return default
    value = labels.get(fold(raw))
    if value is None:
        problems.append(Problem(_("“{value}” is not one of: {allowed}.").format(
            value=raw[:40], allowed=", ".join(labels)), number, column))
    return value


def _flag(row: dict, column: str, problems: list[Problem], number: int) -> bool:
    raw = cells.text(row[column]).casefold()
    if raw in ("", "x"):
        return raw == "x"
    problems.append(Problem(_("write x or leave the cell empty."), number, column))
    return False


def parse_sheet(sheet: Sheet) -> tuple[list[base.ParsedQuestion], list[Problem]]:
    """Every row of the sheet; rows with a problem are reported and left out of the list."""
    parsed, problems = [], []
    for number, row in sheet.rows:
        question = _parse_row(number, row, problems)
        if question is not None:
            parsed.append(question)
    return parsed, problems


def _parse_row(number: int, row: dict[str, Any], problems: list[Problem]) -> base.ParsedQuestion | None:
    before = len(problems)
    topic = cells.text(row[COL_TOPIC])
    if not topic:
        problems.append(Problem(_("this cell is required."), number, COL_TOPIC))
    kind = _label(row, COL_KIND, KIND_LABELS, None, problems, number)
    difficulty = _label(row, COL_DIFFICULTY, DIFFICULTY_LABELS, base.DIFFICULTY_MEDIUM, problems, number)
    level = _label(row, COL_LEVEL, LEVEL_LABELS, base.LEVEL_RECOGNITION, problems, number)
    scoring = _label(row, COL_SCORING, SCORING_LABELS, base.SCORING_ALL_OR_NOTHING, problems, number)
    keep_order = _flag(row, COL_KEEP_ORDER, problems, number)
    accents = _flag(row, COL_ACCENTS, problems, number)
    text = cells.text(row[COL_TEXT])
    if not text:
        problems.append(Problem(_("the question text is required."), number, COL_TEXT))
    options = [cells.text(row[column]) for column in OPTION_COLUMNS]
    answer = cells.text(row[COL_ANSWER])

    question = base.ParsedQuestion(
        source=number, topic=topic, kind=kind or "", text=text, difficulty=difficulty or "",
        level=level or "", scoring=scoring or base.SCORING_ALL_OR_NOTHING, keep_choice_order=keep_order,
        accent_insensitive=accents, explanation=cells.text(row[COL_EXPLANATION]),
        legal_basis=cells.text(row[COL_LEGAL_BASIS]),
    )
    if kind in base.CHOICE_KINDS:
        _parse_choices(question, options, answer, number, problems)
    elif kind == base.KIND_SHORT:
        question.accepted_answers = [a.strip() for a in answer.split("|") if a.strip()]
        if not question.accepted_answers:
            problems.append(Problem(_("give at least one accepted answer (several separated by “ | ”)."),
                                    number, COL_ANSWER))
        _no_options(options, number, problems)
    elif kind == base.KIND_ESSAY:
        _no_options(options, number, problems)
    if scoring == base.SCORING_PARTIAL and kind and kind != base.KIND_MULTIPLE:
        problems.append(Problem(_("partial credit applies only to multiple-answer questions."), number,
                                COL_SCORING))
    return question if len(problems) == before else None


def _no_options(options: list[str], number: int, problems: list[Problem]) -> None:
    for column, option in zip(OPTION_COLUMNS, options, strict=True):
        if option:
            problems.append(Problem(_("this kind of question has no options."), number, column))
            return


def _parse_choices(question: base.ParsedQuestion, options: list[str], answer: str, number: int,
                   problems: list[Problem]) -> None:
    if question.kind == base.KIND_TRUE_FALSE and not any(options) and fold(answer) in TRUE_FALSE_ANSWERS:
        truth = TRUE_FALSE_ANSWERS[fold(answer)]
        question.choices = [base.ParsedChoice(base.TRUE_TEXT, truth), base.ParsedChoice(base.FALSE_TEXT, not truth)]
        return
    last = max((i for i, option in enumerate(options) if option), default=-1)
    for i in range(last):
        if not options[i]:
            problems.append(Problem(_("an option is missing before a later one."), number, OPTION_COLUMNS[i]))
            return
    if last < 1:
        problems.append(Problem(_("a choice question needs at least two options."), number,
                                OPTION_COLUMNS[last + 1]))
        return
    if not answer:
        problems.append(Problem(_("the correct answer is missing."), number, COL_ANSWER))
        return
    letters = [part.strip().upper() for part in re.split(r"[,;\s]+", answer) if part.strip()]
    if any(len(letter) != 1 or letter not in "ABCDEF" for letter in letters):
        problems.append(Problem(_("“{value}” is not an answer: write option letters such as B or A,C.").format(
            value=answer[:30]), number, COL_ANSWER))
        return
    indexes = sorted({"ABCDEF".index(letter) for letter in letters})
    if any(i > last for i in indexes):
        problems.append(Problem(_("the answer points at an empty option."), number, COL_ANSWER))
        return
    if question.kind in (base.KIND_SINGLE, base.KIND_TRUE_FALSE) and len(indexes) > 1:
        problems.append(Problem(_("a single-answer question has exactly one correct answer."), number, COL_ANSWER))
        return
    if question.kind == base.KIND_TRUE_FALSE and [fold(o) for o in options[: last + 1]] != ["đúng", "sai"]:
        problems.append(Problem(_("a true/false question has the options Đúng and Sai."), number,
                                OPTION_COLUMNS[0]))
        return
    question.choices = [base.ParsedChoice(option, i in indexes) for i, option in enumerate(options[: last + 1])]
