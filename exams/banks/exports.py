"""Question banks to the import template (round-trips through import_questions)."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.utils.translation import gettext as _

from accounts.exports import TEMPLATE_HEADER, help_sheet, template_sheet
from exams.banks.importing import base, excel
from exams.banks.models import Question


def _sheet(workbook):
    header = workbook.add_format({**TEMPLATE_HEADER, "text_wrap": True})
    text = workbook.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
    return template_sheet(workbook, name="Câu hỏi", header=header, columns=[
        (name, 50 if name == excel.COL_TEXT else 22, text) for name in excel.QUESTION_COLUMNS])


def questions_xlsx(questions: Iterable[Question]) -> bytes:
    """Every question as one template row. Cells are written as strings, never as formulas."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False})
    sheet = _sheet(workbook)
    for row, q in enumerate(questions, start=1):
        choices = list(q.choices.all())
        if q.kind == base.KIND_SHORT:
            answer = " | ".join(q.accepted_answers)
        else:
            answer = ",".join("ABCDEF"[c.position] for c in choices if c.is_correct)
        values = {
            excel.COL_TOPIC: q.topic.name, excel.COL_KIND: excel.KIND_TEXT[q.kind],
            excel.COL_DIFFICULTY: excel.DIFFICULTY_TEXT[q.difficulty], excel.COL_LEVEL: excel.LEVEL_TEXT[q.level],
            excel.COL_TEXT: q.text, excel.COL_ANSWER: answer, excel.COL_SCORING: excel.SCORING_TEXT[q.scoring],
            excel.COL_KEEP_ORDER: "x" if q.keep_choice_order else "",
            excel.COL_ACCENTS: "x" if q.accent_insensitive else "",
            excel.COL_EXPLANATION: q.explanation, excel.COL_LEGAL_BASIS: q.legal_basis,
        }
        for choice in choices:
            values[excel.OPTION_COLUMNS[choice.position]] = choice.text
        for col, name in enumerate(excel.QUESTION_COLUMNS):
            sheet.write_string(row, col, values.get(name, ""))
    workbook.close()
    return buffer.getvalue()


def template_xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _sheet(workbook)
    help_sheet(workbook, [
        _("One question per row, from row 2."),
        _("Kind: một đáp án, nhiều đáp án, đúng sai, trả lời ngắn, tự luận."),
        _("Answer: option letters (B, or A,C); for đúng sai: Đúng or Sai; for trả lời ngắn: accepted texts "
          "separated by “ | ”."),
        _("Difficulty: dễ, trung bình, khó (empty: trung bình). Level: nhận biết, thông hiểu, vận dụng (empty: "
          "nhận biết)."),
        _("Scoring: toàn phần (default) or từng phần. Keep order, ignore accents: x or empty."),
    ], width=120)
    workbook.close()
    return buffer.getvalue()
