"""Question import and paper generation at exam scale (no server: the services every entry point calls).

Imports a 5,000-question Excel file through import_questions (what the page and the command run),
then draws 2,000 papers of 60 questions from a 1,000-question bank through paper_set_generate, and
counts the queries one paper costs at two paper sizes. A fixed CPU loop measured in the same process
(baseline_ops_per_s) lets figures from a noisy machine be read as a ratio.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time

from bench.common import base_parser, started_at, write_report

TOPICS = ["Một cửa", "Dịch vụ công", "Kiểm soát TTHC", "Cải cách thể chế", "Chính phủ số"]
DIFFICULTIES = ["dễ", "trung bình", "khó"]


def baseline_ops_per_s(seconds: float = 0.5) -> float:
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        total = 0
        for n in range(1000):
            total += n * n
        count += 1
    return round(count * 1000 / (time.perf_counter() - began), 1)


def question_sheet(rows: int, offset: int = 0) -> bytes:
    import xlsxwriter

    from exams.banks.importing.excel import QUESTION_COLUMNS

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for col, name in enumerate(QUESTION_COLUMNS):
        sheet.write_string(0, col, name)
    for r in range(1, rows + 1):
        n = r + offset
        values = [TOPICS[n % len(TOPICS)], "một đáp án", DIFFICULTIES[n % 3], "nhận biết",
                  f"Câu hỏi số {n}: cơ quan nào chịu trách nhiệm tiếp nhận hồ sơ thủ tục hành chính loại {n}?",
                  f"Bộ phận Một cửa {n}", f"Văn thư {n}", f"Thanh tra {n}", f"Phòng chuyên môn {n}", "", "", "A",
                  "", "", "", "Theo quy định về cơ chế một cửa.", "Nghị định 61/2018/NĐ-CP"]
        for col, value in enumerate(values):
            sheet.write_string(r, col, value)
    workbook.close()
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    parser = base_parser("papers", __doc__)
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument("--bank-size", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--items", type=int, default=60)
    args = parser.parse_args(argv)
    params = {"import_rows": args.import_rows, "bank_size": args.bank_size, "papers": args.papers,
              "items": args.items, "json": args.json, "_started_at": started_at()}

    work = tempfile.TemporaryDirectory(prefix="bench-papers-")
    os.environ.update({"APP_ENV": "demo", "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
                       "LOCAL_SECRETS_FILE": f"{work.name}/secrets.env"})
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = f"{work.name}/db.sqlite3"
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from exams.banks.importing.service import import_questions
    from exams.banks.services import questions_approve
    from exams.models import Blueprint, BlueprintRow, Question
    from exams.papers.services import paper_set_generate

    call_command("migrate", verbosity=0)
    author = User.objects.create(username="bench_author", full_name="Người Soạn")
    reviewer = User.objects.create(username="bench_reviewer", full_name="Người Duyệt")

    data = question_sheet(args.import_rows)
    began = time.perf_counter()
    imported = import_questions(data, bank_name="Ngân hàng 5000", fmt="excel", actor=author, file_name="bench.xlsx")
    import_s = time.perf_counter() - began
    if not imported.ok:
        print("\n".join(str(p) for p in imported.problems[:20]), file=sys.stderr)
        return 1

    bank = import_questions(question_sheet(args.bank_size, offset=10**6), bank_name="Ngân hàng 1000", fmt="excel",
                            actor=author).bank
    questions_approve(questions=list(Question.objects.filter(bank=bank)), actor=reviewer)
    cells = [(topic, difficulty) for topic in bank.topics.all() for difficulty in ("easy", "medium", "hard")]

    def blueprint_with(items: int, name: str) -> Blueprint:
        blueprint = Blueprint.objects.create(bank=bank, name=name, scale=Decimal("100"))
        for n, (topic, difficulty) in enumerate(cells):
            count = items // len(cells) + (1 if n < items % len(cells) else 0)
            if count:
                BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty=difficulty, count=count)
        return blueprint

    blueprint = blueprint_with(args.items, "KTC")
    refs = [f"CV{n:05d}" for n in range(1, args.papers + 1)]
    began = time.perf_counter()
    paper_set = paper_set_generate(blueprint=blueprint, name="Ca 1", seed="bench", candidate_refs=refs,
                                   variants=None, actor=author)
    generate_s = time.perf_counter() - began

    queries = {}
    for items in (max(1, args.items // 2), args.items):
        small = blueprint_with(items, f"Q{items}")
        with CaptureQueriesContext(connection) as ctx:
            paper_set_generate(blueprint=small, name=f"Q{items}", seed="q", candidate_refs=["CV1"], variants=None,
                               actor=author)
        queries[items] = len(ctx)

    figures = {
        "import_rows": args.import_rows,
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(args.import_rows / import_s, 1),
        "generate_papers": paper_set.papers.count(),
        "items_per_paper": args.items,
        "generate_s": round(generate_s, 2),
        "papers_per_s": round(args.papers / generate_s, 1),
        "queries_per_paper": queries[args.items],
        "queries_per_paper_by_size": {str(k): v for k, v in queries.items()},
        "baseline_ops_per_s": baseline_ops_per_s(),
        "database": connection.vendor,
    }
    write_report("papers", params, figures, args.json)
    work.cleanup()
    return 0
