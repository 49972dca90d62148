"""Reading results: the rows of the official lists in their official order (docs/rules.md, "The annex"), for the pages and,
lighter, for the printed documents, and one candidate's own published result. A fixed number of queries whatever
the number of candidates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

from accounts.vietnamese import collation_key, name_sort_key
from exams.results.models import CandidateResult, ResultVersion, SubjectResult
from exams.sessions.models import Exam, Registration, Subject

LIST_ALL, LIST_WINNERS, LIST_BY_UNIT, LIST_UNIT_SUMMARY = "all", "winners", "by-unit", "unit-summary"
LISTS = (LIST_ALL, LIST_WINNERS, LIST_BY_UNIT, LIST_UNIT_SUMMARY)

# `Kết quả` as the annex writes it (docs/rules.md, "The annex"). Fixed official wording, not translated.
OUTCOME_LABELS = {
    CandidateResult.Outcome.SELECTED: "Trúng tuyển",
    CandidateResult.Outcome.NOT_SELECTED: "Không trúng tuyển",
    CandidateResult.Outcome.FAILED: "Không đạt",
    CandidateResult.Outcome.PENDING: "Chờ quyết định",
    CandidateResult.Outcome.PASSED: "Đạt",
}
EXEMPT_LABEL = "Miễn"


@dataclass
class ResultRow:
    """One line of a list: the candidate's record, one cell per subject, the outcome and the note."""

    result: CandidateResult
    registration: Registration
    subjects: dict[int, SubjectResult] = field(default_factory=dict)

    @property
    def person(self):
        return self.registration.person

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.result.outcome]

    @property
    def unit_label(self) -> str:
        reg = self.registration
        return reg.unit.name if reg.unit_id else reg.unit_text

    def cell(self, subject: Subject) -> str | int | Decimal | None:
        """What the annex holds for a subject: `Miễn`, the number correct (gates), the score, or nothing."""
        found = self.subjects.get(subject.pk)
        if found is None or found.absent:
            return None
        if found.exempt:
            return EXEMPT_LABEL
        if found.correct is not None:
            return found.correct
        return found.score


def result_rows(version: ResultVersion, *, list_kind: str = LIST_ALL) -> list[ResultRow]:
    """The rows of a list, in the list's order: `all` in Vietnamese name order, `winners` by place (score, then
    the tie-break chain, then name), `by-unit` by unit (code order, else the registered unit text in Vietnamese
    order) then name. Four queries."""
    results = list(CandidateResult.objects.filter(version=version)
                   .select_related("registration__person__ethnicity", "registration__unit", "registration__rank",
                                   "registration__room"))
    by_candidate: dict[int, dict[int, SubjectResult]] = defaultdict(dict)
    for subject_result in SubjectResult.objects.filter(candidate__version=version):
        by_candidate[subject_result.candidate_id][subject_result.subject_id] = subject_result
    rows = [ResultRow(result=r, registration=r.registration, subjects=by_candidate[r.pk]) for r in results]
    return _in_list_order(rows, list_kind)


def _in_list_order(rows: list[ResultRow], list_kind: str) -> list[ResultRow]:
    """The rows of a list (winners: the selected only), in the list's order."""
    if list_kind == LIST_WINNERS:
        rows = [row for row in rows if row.result.outcome == CandidateResult.Outcome.SELECTED]
        return sorted(rows, key=lambda row: (row.result.rank or 0, _name_key(row)))
    if list_kind in (LIST_BY_UNIT, LIST_UNIT_SUMMARY):
        return sorted(rows, key=lambda row: (unit_key(row.registration), _name_key(row)))
    return sorted(rows, key=_name_key)


def _name_key(row: ResultRow) -> tuple:
    person = row.person
    return name_sort_key(person.full_name, person.date_of_birth, person.cccd)


class SubjectCell(NamedTuple):
    """What a document prints of a SubjectResult (``ResultRow.cell`` and ``unit_summary`` read these fields)."""

    absent: bool
    exempt: str
    correct: int | None
    score: Decimal | None


# Only what the documents print, as plain records: instantiating whole models (every person column, a model per
# subject result) was most of the time of a 10,000-candidate annex. The records carry the attribute names of the
# models they stand for, so ResultRow, unit_key and the sort keys above read them unchanged.
_PRINTED_FIELDS = [
    "pk", "outcome", "passed", "note", "rank", "ranking_score",
    "registration__candidate_number", "registration__position_text", "registration__unit_text",
    "registration__rank_text", "registration__unit_id", "registration__rank_id",
    "registration__person__full_name", "registration__person__date_of_birth", "registration__person__cccd",
    "registration__person__gender", "registration__unit__name", "registration__unit__code",
    "registration__unit__path", "registration__rank__code", "registration__rank__name",
]


def _printed_row(values: tuple, cells: dict[int, SubjectCell]) -> ResultRow:
    (pk, outcome, passed, note, rank, ranking_score, number, position, unit_text, rank_text, unit_id, rank_id,
     full_name, born, cccd, gender, unit_name, unit_code, unit_path, rank_code, rank_name) = values
    person = SimpleNamespace(full_name=full_name, date_of_birth=born, cccd=cccd, gender=gender)
    registration = SimpleNamespace(
        candidate_number=number, position_text=position, unit_text=unit_text, rank_text=rank_text,
        unit_id=unit_id, rank_id=rank_id, person=person,
        unit=SimpleNamespace(name=unit_name, code=unit_code, path=unit_path) if unit_id else None,
        rank=SimpleNamespace(code=rank_code, name=rank_name) if rank_id else None)
    result = SimpleNamespace(pk=pk, outcome=outcome, passed=passed, note=note, rank=rank,
                             ranking_score=ranking_score)
    return ResultRow(result=result, registration=registration, subjects=cells)


def export_rows(version: ResultVersion, list_kind: str) -> list[ResultRow]:
    """The rows and order of :func:`result_rows` (same sort keys), read for printing: only the printed fields, as
    plain records. Two queries."""
    cells: dict[int, dict[int, SubjectCell]] = defaultdict(dict)
    for candidate_id, subject_id, absent, exempt, correct, score in SubjectResult.objects.filter(
            candidate__version=version).values_list("candidate_id", "subject_id", "absent", "exempt", "correct",
                                                    "score"):
        cells[candidate_id][subject_id] = SubjectCell(absent, exempt, correct, score)
    rows = [_printed_row(values, cells[values[0]])
            for values in CandidateResult.objects.filter(version=version).values_list(*_PRINTED_FIELDS)]
    return _in_list_order(rows, list_kind)


def unit_key(reg: Registration) -> tuple:
    """Units with a code first in code order (then by the tree), then unmatched unit texts in Vietnamese order."""
    if reg.unit_id:
        unit = reg.unit
        return (0, unit.code or "", unit.path, "")
    return (1, "", "", collation_key(reg.unit_text or ""))


@dataclass
class UnitSummary:
    label: str
    registered: int = 0
    sat: int = 0
    passed: int = 0
    selected: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        """Passed ÷ sat (None when nobody sat)."""
        return None if not self.sat else Decimal(self.passed) / Decimal(self.sat)


def unit_summary(rows: list[ResultRow]) -> list[UnitSummary]:
    """Per unit: registered, sat (at least one subject taken), passed, selected; in by-unit order."""
    summaries: dict[tuple, UnitSummary] = {}
    for row in sorted(rows, key=lambda r: unit_key(r.registration)):
        key = unit_key(row.registration)
        summary = summaries.setdefault(key, UnitSummary(label=row.unit_label))
        summary.registered += 1
        if any(not s.absent and not s.exempt for s in row.subjects.values()):
            summary.sat += 1
        if row.result.passed:
            summary.passed += 1
        if row.result.outcome == CandidateResult.Outcome.SELECTED:
            summary.selected += 1
    return list(summaries.values())


def subjects_of(exam: Exam) -> list[Subject]:
    return list(exam.subjects.order_by("order", "pk"))


def own_result(*, exam: Exam, user) -> tuple[ResultVersion, ResultRow] | None:
    """A candidate's own row in the latest published version, or None (unpublished, or not registered)."""
    version = published_version(exam)
    if version is None:
        return None
    result = (CandidateResult.objects.filter(version=version, registration__person=user)
              .select_related("registration__person", "registration__unit").first())
    if result is None:
        return None
    subjects = {s.subject_id: s for s in result.subjects.all()}
    return version, ResultRow(result=result, registration=result.registration, subjects=subjects)


def published_version(exam: Exam) -> ResultVersion | None:
    return exam.result_versions.filter(status=ResultVersion.Status.PUBLISHED).order_by("-number").first()
