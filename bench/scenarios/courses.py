"""Training classes (issue 18): a class's completion list at scale, and self check-in from phones.

Part 1, completion (no server: the functions the page and the command call). In a fresh, normally migrated
database: a programme from the chuyên viên preset, a class of N learners (and one of N/10), 20 sessions of 4 periods,
sign-in sheet marks (mostly x, some P and K) and KT1/KT2/TH scores (a few missing, a few fails and retakes), written
in bulk. Then class_outcomes (what the completion and attendance pages run) and completion_xlsx (what
`/courses/classes/<id>/completion/?format=xlsx` and `export_completion` run; it computes the outcomes itself) are
timed and their queries counted, for both sizes: the counts must not depend on N. The smaller class is measured
first (it also pays the imports a running server has already paid). A fixed CPU loop measured in the same process
(baseline_ops_per_s) lets figures from a noisy machine be read as a ratio.

Part 2, self check-in (one daphne process, driven over HTTP). A class with a session today, C learners enrolled
with passwords, and its head (the lecturer role, a class staff row). Before the measured phase every learner and
the lecturer sign in through the login form; the lecturer opens the session's check-in from the check-in screen
(the screen's own form) and the screen then polls its state every 2 s, as check-in.js does. Measured phase: the C
learners come at random moments within --window seconds; each takes the code last shown on the screen (a person
looking at it), opens the QR code's link `/courses/check-in/?code=…`, taps "Check in" (the POST), and lands on the
page the redirect leads to. Reports the latency of the GET, the POST and the screen's poll (p50/p90/p99/max),
errors (any answer but the redirect of a success), server CPU per check-in, /livez on the same server, and, read
from the database after the server stops, how many learners are marked present at the session (must be C).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from decimal import Decimal

from bench.common import (
    base_parser,
    started_at,
    write_report,
)
from bench.scenarios.course_checkin import check_in_part
from bench.scenarios.course_learning import learning_part
from bench.scenarios.papers import baseline_ops_per_s
from bench.scenarios.results import person_name

SESSIONS = 20
PERIODS = 4
UNITS = 10
ASSESSMENTS = ("KT1", "KT2", "TH")


def populate_class(programme, name: str, learners: int, first: int, units: list):
    """One class of ``learners`` people (numbered from ``first``), its sessions, marks and scores, in bulk."""
    from accounts.models import User
    from accounts.vietnamese import normalize_name, search_key
    from courses.models import Attendance, Discipline, Enrolment, How, Module, Score, Session
    from courses.services import class_create

    today = dt.date(2025, 10, 31)  # a fixed, finished class: its figures do not depend on the day of the run
    starts_on = today - dt.timedelta(days=SESSIONS // 2 + 1)
    course_class = class_create(programme=programme, name=name, starts_on=starts_on, ends_on=today, actor=None)
    modules = list(Module.objects.filter(part__programme=programme, kind=Module.Kind.TEACHING)
                   .order_by("part__order", "order"))
    sessions = Session.objects.bulk_create([
        Session(course_class=course_class, date=starts_on + dt.timedelta(days=s // 2), half=("am", "pm")[s % 2],
                module=modules[s % len(modules)], periods=PERIODS) for s in range(SESSIONS)])
    users = []
    for n in range(first, first + learners):
        full_name = normalize_name(person_name(n))
        users.append(User(username=f"bench_hv{n:06d}", full_name=full_name, search_name=search_key(full_name),
                          date_of_birth=dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28), cccd=f"{880000000000 + n:012d}",
                          unit=units[n % len(units)]))
    User.objects.bulk_create(users, batch_size=1000)
    people = dict(User.objects.filter(username__startswith="bench_hv").values_list("username", "pk"))
    Enrolment.objects.bulk_create([
        Enrolment(course_class=course_class, person_id=people[f"bench_hv{n:06d}"], list_order=n - first + 1,
                  unit_text="" if n % 3 else units[n % len(units)].name, position_text="Chuyên viên")
        for n in range(first, first + learners)], batch_size=1000)
    enrolments = list(Enrolment.objects.filter(course_class=course_class).order_by("list_order"))
    marks = []
    for n, enrolment in enumerate(enrolments):
        for s, session in enumerate(sessions):
            if n % 25 == 24 and s % 2:
                mark = "K"  # one learner in 25 misses half the sessions: under the attendance threshold
            elif (n * 3 + s) % 37 == 0:
                mark = "P"
            elif (n * 5 + s) % 53 == 0:
                mark = "K"
            else:
                mark = "x"
            marks.append(Attendance(enrolment=enrolment, session=session, mark=mark, how=How.SHEET))
    Attendance.objects.bulk_create(marks, batch_size=2000)
    assessments = {a.code: a for a in programme.assessments.all()}
    scores = []
    for n, enrolment in enumerate(enrolments):
        for a, code in enumerate(ASSESSMENTS):
            if code == "TH" and n % 40 == 39:
                continue  # a missing thu hoạch
            failed = n % 17 == a
            value = Decimal("4.00") if failed else Decimal(5 + (n * 7 + a * 3) % 50 / 10).quantize(Decimal("0.01"))
            scores.append(Score(enrolment=enrolment, assessment=assessments[code], attempt=1, value=value,
                                how=How.SHEET))
            if failed and n % 2 == 0:  # half of those who failed passed the retake
                scores.append(Score(enrolment=enrolment, assessment=assessments[code], attempt=2,
                                    value=Decimal("6.50"), how=How.SHEET))
    Score.objects.bulk_create(scores, batch_size=2000)
    Discipline.objects.bulk_create([
        Discipline(enrolment=enrolment, level=Discipline.Level.REPRIMAND, reason="Vắng không phép nhiều buổi",
                   decided_on=today) for n, enrolment in enumerate(enrolments) if n % 100 == 50])
    return course_class, len(marks), len(scores)


def measure_class(course_class_id: int) -> dict:
    """Time the completion page's computation and the list's workbook on a class read as the pages read it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.completion_list import class_outcomes, completion_xlsx
    from courses.models import CourseClass

    def fresh():  # what courses.views.common.class_for reads
        return CourseClass.objects.select_related("programme__institution").get(pk=course_class_id)

    course_class = fresh()
    with CaptureQueriesContext(connection) as outcomes_ctx:
        began = time.perf_counter()
        _requirements, rows = class_outcomes(course_class)
        outcomes_s = time.perf_counter() - began
    course_class = fresh()
    with CaptureQueriesContext(connection) as xlsx_ctx:
        began = time.perf_counter()
        data, exported = completion_xlsx(course_class)
        xlsx_s = time.perf_counter() - began
    return {"learners": len(rows), "outcomes_s": round(outcomes_s, 3), "outcomes_queries": len(outcomes_ctx),
            "xlsx_s": round(xlsx_s, 3), "xlsx_queries": len(xlsx_ctx), "xlsx_rows": exported,
            "xlsx_bytes": len(data), "completed": sum(r.outcome.completed for r in rows),
            "outcomes_plus_xlsx_s": round(outcomes_s + xlsx_s, 3)}


def completion_part(learners: int) -> dict:
    work = tempfile.TemporaryDirectory(prefix="bench-courses-")
    os.environ.update({"APP_ENV": "demo", "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
                       "LOCAL_SECRETS_FILE": f"{work.name}/secrets.env", "SQLITE_PATH": f"{work.name}/db.sqlite3"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.services import unit_create
    from courses.services import programme_create

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    units = [unit_create(name=f"Sở thử nghiệm {u:02d}", parent=None, code=f"HV{u:02d}") for u in range(UNITS)]
    small = max(1, learners // 10)
    small_class, _marks, _scores = populate_class(programme, "K61", small, learners, units)
    big_class, marks, scores = populate_class(programme, "K60", learners, 0, units)
    setup_s = time.perf_counter() - began
    figures = {"small": measure_class(small_class.pk), "large": measure_class(big_class.pk)}
    figures.update({"sessions": SESSIONS, "attendance_marks": marks, "score_rows": scores, "setup_s": round(setup_s, 2),
                    "same_queries_at_any_size": figures["small"]["outcomes_queries"] == figures["large"]["outcomes_queries"]
                    and figures["small"]["xlsx_queries"] == figures["large"]["xlsx_queries"],
                    "baseline_ops_per_s": baseline_ops_per_s(), "database": connection.vendor})
    connection.close()
    work.cleanup()
    return figures

def main(argv: list[str]) -> int:
    parser = base_parser("courses", __doc__)
    parser.add_argument("--learners", type=int, default=500, help="learners of the class whose completion is listed")
    parser.add_argument("--checkins", type=int, default=200, help="learners who check in from their phones")
    parser.add_argument("--window", type=float, default=60, help="seconds over which the check-ins are spread")
    parser.add_argument("--poll", type=float, default=2, help="seconds between two polls of the lecturer's screen")
    parser.add_argument("--login-concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--online-learners", type=int, default=5000, help="learners on a lesson page (part 3)")
    parser.add_argument("--seconds", type=float, default=90, help="length of the heartbeat phase (part 3)")
    parser.add_argument("--period", type=float, default=30, help="seconds between two beats of a lesson page")
    parser.add_argument("--idle", type=float, default=20, help="seconds the sockets stay open without a beat first")
    parser.add_argument("--testers", type=int, default=500, help="learners who take the graded test (part 3)")
    parser.add_argument("--items", type=int, default=20, help="questions of the graded test")
    parser.add_argument("--answer-every", type=float, default=5, help="seconds between two answers of a tester")
    parser.add_argument("--start-window", type=float, default=60, help="seconds over which the testers start")
    parser.add_argument("--test-seconds", type=float, default=180, help="heartbeats while the test is taken")
    parser.add_argument("--part", choices=["both", "all", "completion", "check-in", "learning"], default="all")
    args = parser.parse_args(argv)
    params = {k: v for k, v in vars(args).items()} | {"_started_at": started_at()}
    for key in ("DATABASE_URL", "REDIS_URL"):  # embedded mode only: SQLite files of its own, one daphne process
        os.environ.pop(key, None)
    figures: dict = {}
    if args.part in ("all", "both", "completion"):
        figures["completion"] = completion_part(args.learners)
    if args.part in ("all", "both", "check-in"):
        figures["check_in"] = check_in_part(args)
    if args.part in ("all", "learning"):
        figures["learning"] = learning_part(args)
    write_report("courses", params, figures, args.json)
    check_in = figures.get("check_in")
    if check_in and (check_in["errors"] or check_in["marked_present"] != args.checkins):
        return 1
    learning = figures.get("learning")
    if learning and (learning["socket_errors"] or learning["beat_errors"] or learning["with_tests"]["test_errors"]
                     or learning["with_tests"]["lost_answers"] or learning["with_tests"]["beat_errors"]):
        return 1
    return 0
