"""Result values as the Vietnamese pages write them: exact decimals (72,5), a subject's cell (a score, correct of
total, a note), the failed ones marked."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format

from exams.results.selectors import ResultRow
from exams.sessions.models import Subject


def score_text(value) -> str:
    """Exact decimals as the Vietnamese page writes them (72,5; 80), never rounded."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value)


@dataclass
class Cell:
    text: str
    failed: bool = False


def score_cells(row: ResultRow, subjects: list[Subject]) -> list[Cell]:
    cells = []
    for subject in subjects:
        value = row.cell(subject)
        found = row.subjects.get(subject.pk)
        failed = found is not None and not found.passed
        if value is None:
            cells.append(Cell("—", failed))
        elif isinstance(value, str):
            cells.append(Cell(value))
        elif found.correct is not None:
            cells.append(Cell(f"{value}/{found.total}", failed))
        else:
            cells.append(Cell(score_text(value), failed))
    return cells
