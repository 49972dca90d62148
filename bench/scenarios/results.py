"""Results at provincial scale (no server: the functions the commands and pages call).

Creates a chuyên viên promotion exam (KTC, NN, TH gates + CMNV) with N candidates spread over 20 units in a
fresh, normally migrated database, writes their scores as imported score rows, then times compute_results (what
`compute_results` and the council's page run) and the `all` annex (what `export_annex --list all` and the
download run), counting the queries of each. A fixed CPU loop measured in the same process
(baseline_ops_per_s) lets figures from a noisy machine be read as a ratio.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from decimal import Decimal

from bench.common import base_parser, started_at, write_report
from bench.scenarios.papers import baseline_ops_per_s

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thị Kim", "Văn Hoàng", "Đức"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hòa", "Hoan", "Hùng", "Khánh", "Lan", "Linh", "Mai", "Nam",
         "Oanh", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Uyên", "Vinh", "Xuân", "Yến"]
UNITS = 20


def person_name(n: int) -> str:
    return f"{FAMILY[n % len(FAMILY)]} {MIDDLE[(n // 7) % len(MIDDLE)]} {GIVEN[(n * 13) % len(GIVEN)]}"


def populate(candidates: int):
    """The exam, its candidates and their scores, written in bulk (setup, not measured)."""
    from accounts.models import Ethnicity, Rank, User
    from accounts.services import unit_create
    from accounts.vietnamese import normalize_name, search_key
    from exams.models import Exam, Registration, ScoreEntry
    from exams.sessions.services import exam_create

    exam = exam_create(preset_slug="nang-ngach-chuyen-vien-2020", name="Thi nâng ngạch chuyên viên (bench)",
                       actor=None, quota=max(1, candidates // 10))
    Exam.objects.filter(pk=exam.pk).update(status=Exam.Status.MARKING)
    units = [unit_create(name=f"Sở thử nghiệm {u:02d}", parent=None, code=f"B{u:02d}") for u in range(UNITS)]
    ethnicities = list(Ethnicity.objects.order_by("code")[:3])
    rank = Rank.objects.get(code="01.004")
    users = []
    for n in range(candidates):
        name = normalize_name(person_name(n))
        users.append(User(username=f"bench_ts{n:06d}", full_name=name, search_name=search_key(name),
                          date_of_birth=dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
                          gender="Nữ" if n % 2 else "Nam", cccd=f"{870000000000 + n:012d}",
                          ethnicity=ethnicities[0 if n % 10 else 1 + n % 2]))
    User.objects.bulk_create(users, batch_size=1000)
    people = dict(User.objects.filter(username__startswith="bench_ts").values_list("username", "pk"))
    registrations = []
    for n in range(candidates):
        unit = units[n % UNITS]
        registrations.append(Registration(
            exam=exam, person_id=people[f"bench_ts{n:06d}"], candidate_number=f"CV{n + 1:05d}", list_order=n,
            unit=unit, unit_text=unit.name, position_text="Chuyên viên", rank=rank, rank_text="Cán sự",
            service_start=dt.date(2000 + n % 20, 1, 1), exempt_foreign_language="NN_BANG" if n % 9 == 0 else "",
            exempt_it="TH_BANG" if n % 11 == 0 else ""))
    Registration.objects.bulk_create(registrations, batch_size=1000)
    subjects = {s.code: s for s in exam.subjects.all()}
    entries = []
    for n, reg in enumerate(Registration.objects.filter(exam=exam).order_by("list_order")):
        if n % 50 == 49:
            continue  # absent
        for code in ("KTC", "NN", "TH"):
            if reg.exemption_for(subjects[code]):
                continue
            total = subjects[code].question_count
            half = total // 2
            correct = half - 1 if n % 13 == 0 else half + (n * 7 + len(code)) % (total - half + 1)  # 1 in 13 fails
            entries.append(ScoreEntry(registration=reg, subject=subjects[code], total=total, correct=correct))
        entries.append(ScoreEntry(registration=reg, subject=subjects["CMNV"],
                                  score=Decimal(30) + Decimal(n * 37 % 701) / Decimal(10)))  # 30.0 to 100.0
    ScoreEntry.objects.bulk_create(entries, batch_size=2000)
    return exam, len(subjects)


def main(argv: list[str]) -> int:
    parser = base_parser("results", __doc__)
    parser.add_argument("--candidates", type=int, default=10000)
    args = parser.parse_args(argv)
    params = {"candidates": args.candidates, "json": args.json, "_started_at": started_at()}

    work = tempfile.TemporaryDirectory(prefix="bench-results-")
    os.environ.update({"APP_ENV": "demo", "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
                       "LOCAL_SECRETS_FILE": f"{work.name}/secrets.env"})
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = f"{work.name}/db.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exams.results.exports import annex_xlsx, version_for_export
    from exams.results.services import compute_results

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    exam, subjects = populate(args.candidates)
    setup_s = time.perf_counter() - began

    with CaptureQueriesContext(connection) as compute_ctx:
        began = time.perf_counter()
        computed = compute_results(exam=exam, actor=None)
        compute_s = time.perf_counter() - began
    with CaptureQueriesContext(connection) as export_ctx:
        began = time.perf_counter()
        data, rows = annex_xlsx(version_for_export(exam), "all")
        export_s = time.perf_counter() - began

    version = computed.version
    figures = {
        "candidates": version.candidates,
        "subjects": subjects,
        "compute_s": round(compute_s, 2),
        "compute_queries": len(compute_ctx),
        "export_s": round(export_s, 2),
        "export_queries": len(export_ctx),
        "export_rows": rows,
        "export_bytes": len(data),
        "passed": version.passed,
        "selected": version.selected,
        "ties_unresolved": version.ties_unresolved,
        "setup_s": round(setup_s, 2),
        "baseline_ops_per_s": baseline_ops_per_s(),
        "database": connection.vendor,
    }
    write_report("results", params, figures, args.json)
    work.cleanup()
    return 0
