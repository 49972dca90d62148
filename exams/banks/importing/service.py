"""import_questions: parse any supported file, validate everything, then write all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.import_flow import ImportResult
from accounts.models import User
from accounts.services import audit_record
from accounts.spreadsheets import FileProblem, Problem, read_xlsx
from accounts.vietnamese import normalize_name
from exams.banks import html
from exams.banks.importing import aiken, excel, gift
from exams.banks.importing.textformats import Unsupported
from exams.banks.importing.validate import drop_repeats, duplicate_key, markup_warnings, validate
from exams.banks.models import Bank, Choice, Question, Topic
from exams.banks.services import bank_get_or_create, fill_question

FORMATS = ("excel", "aiken", "gift")
DEFAULT_TOPIC = "Chung"


@dataclass
class QuestionImportResult(ImportResult):
    """The warnings here: questions skipped as unsupported, copies imported once, markup removed; ``skipped``
    counts the unsupported questions left out."""

    skipped: int = 0
    unsupported: int = 0  # unsupported questions among the problems (the file would pass with skip_unsupported)
    bank: Bank | None = None
    topics_created: list[str] = field(default_factory=list)


def format_for(path: str, requested: str | None) -> str | None:
    """The format named, else the file's extension (.xlsx → excel); a .txt file needs --format."""
    if requested:
        return requested
    return "excel" if Path(path).suffix.lower() == ".xlsx" else None


def parse(data: bytes, *, fmt: str, topic: str) -> tuple[list, list[Problem]]:
    if fmt == "excel":
        try:
            sheet = read_xlsx(data, required_columns=excel.QUESTION_COLUMNS)
        except FileProblem as exc:
            return [], [Problem(str(exc))]
        return excel.parse_sheet(sheet)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(_("the text file is not UTF-8."))]
    parser = aiken.parse_aiken if fmt == "aiken" else gift.parse_gift
    return parser(text, topic=topic)


def _skipped(problem: Problem) -> Problem:
    # «Cảnh báo: …» prints no row, so the message names it itself.
    message = _("skipped: {reason}").format(reason=problem.message)
    return Problem(str(Problem(message, problem.row)), problem.row, warning=True)


def import_questions(data: bytes, *, bank_name: str, fmt: str, actor: User, topic: str = DEFAULT_TOPIC,
                     strict_topics: bool = False, skip_unsupported: bool = False, dry_run: bool = False,
                     file_name: str = "") -> QuestionImportResult:
    """Every question of the file, or none. With ``skip_unsupported``, questions of a kind we do not store
    (GIFT matching, numerical, ...) are left out with a warning each instead of refusing the file."""
    result = QuestionImportResult()
    questions, problems = parse(data, fmt=fmt, topic=normalize_name(topic) or DEFAULT_TOPIC)
    unsupported = [p for p in problems if isinstance(p, Unsupported)]
    if skip_unsupported:
        problems = [p for p in problems if not isinstance(p, Unsupported)]
        result.warnings += [_skipped(p) for p in unsupported]
        result.skipped = len(unsupported)
    else:
        result.unsupported = len(unsupported)
    if not questions and not problems:
        problems.append(Problem(_("the file has no questions.")))
    bank = Bank.objects.filter(name=normalize_name(bank_name)).first()
    # Keys computed afresh rather than read from Question.dedup_key, so questions stored before the key took
    # the kind into account are compared by the same rule.
    existing_keys = {duplicate_key(kind=kind, text=text) for kind, text in
                     Question.objects.filter(bank=bank, is_current=True).values_list("kind", "text")} if bank else set()
    topics = {t.name.casefold(): t for t in Topic.objects.filter(bank=bank)} if bank else {}
    excel_columns = fmt == "excel"
    questions, repeats = drop_repeats(questions, excel_columns=excel_columns)
    problems += validate(questions, existing_keys=existing_keys, known_topics=set(topics) if strict_topics else None,
                         excel_columns=excel_columns)
    result.problems = problems
    result.warnings += [*repeats, *markup_warnings(questions, excel_columns=excel_columns)]
    result.sort_problems(excel.QUESTION_COLUMNS)
    new_topics = []
    for question in questions:
        name = normalize_name(question.topic)
        if name.casefold() not in topics and name not in new_topics:
            new_topics.append(name)
    result.topics_created = new_topics
    result.created = len(questions)
    if result.problems or dry_run:
        result.bank = bank
        return result

    with transaction.atomic():
        bank, _created = bank_get_or_create(name=bank_name, actor=actor)
        for name in new_topics:
            topics[name.casefold()] = Topic.objects.create(bank=bank, name=name)
        rows = []
        for parsed in questions:
            question = Question(bank=bank, topic=topics[normalize_name(parsed.topic).casefold()], author=actor,
                                imported=True)
            fill_question(question, parsed)
            rows.append(question)
        Question.objects.bulk_create(rows, batch_size=500)
        ids = [q.pk for q in rows]
        for start in range(0, len(ids), 500):
            Question.objects.filter(pk__in=ids[start:start + 500]).update(lineage=F("pk"))
        choices = [Choice(question=q, position=i, text=html.sanitize(c.text), is_correct=c.correct)
                   for q, parsed in zip(rows, questions, strict=True) for i, c in enumerate(parsed.choices)]
        Choice.objects.bulk_create(choices, batch_size=1000)
        audit_record(actor=actor, action="question.import", obj=bank,
                     details={"file": file_name, "format": fmt, "created": len(rows), "topics_created": new_topics,
                              "skipped": result.skipped})
        result.applied = True
    result.bank = bank
    return result
