"""Contest (issue 21): close and rank a round of N entries, then export its ranking, as the organiser does it.

Setup (not measured), in the server's database before it starts (a Django shell): a contest with two groups (civil
servants 80 %, citizens 20 %), a round whose window has ended, N participants each with one finished entry written in
bulk (`Entry` rows as the submission's `entry_record` leaves them: questions, answered, correct, prediction, time taken,
submission time; no engine attempt behind them, so the close has nothing to finish). The values are seeded so the
ranking chain is exercised at every link: about a quarter of the entries fully correct, predictions from a few
hundred values (many equal), times taken from a narrow range (many equal to the millisecond), submission times with
collisions to the millisecond, and a few unanswered questions (invalid entries).

Measured, through the server (one daphne process; embedded mode unless --postgres), as the organiser's browser: sign
in through the login form (APP_ENV=demo: no second factor), open the round's page, POST its close (`close_rank_s`:
the request that finishes, computes each group's actual value, chooses the counted entries, ranks and stores N
standings), then GET the ranking download (`export_s`: all N rows, written row by row to a file, streamed). Reported:
each figure, the server's peak RSS before and after the export, the file's size and rows. `--keep-export FILE`
keeps the list it timed. Targets: close and rank < 10 s, export < 30 s in bounded memory.

Then the public page (`/contests/<id>/public/`, no sign-in, as a phone reads it), two ways: `--connections` (50)
clients requesting it back to back for `--landing-seconds` (requests per second; target ≥ 400 on one process; the
clients are wrk's, a generator in C, when Debian's `wrk` is installed, else httpx's, which cost more CPU), and
`--readers` (2,000) clients each reloading it every 10 s, started spread over the first period (latency; target p99
< 200 ms). The load generator runs on the same 2-core machine as the server, so it takes CPU from it.

Last, on a server of its own, the burst of `--burst` (2,000) participants taking a round over the pages
(bench/scenarios/contest_burst.py tells it).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import httpx

from bench.common import base_parser, percentiles, running_server, started_at, write_report
from bench.scenarios.contest_burst import burst_part
from bench.scenarios.course_checkin import CSRF, PASSWORD, login
from bench.scenarios.results import person_name

ORGANISER = "bench_organiser"
SETUP = """
from bench.scenarios.contest import prepare
prepare(entries={entries}, password={password!r})
"""


def prepare(*, entries: int, password: str) -> None:
    """Run in the server's database by `manage.py shell`; prints the round's id as JSON."""
    import datetime as dt
    import random

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from accounts.vietnamese import normalize_name, search_key
    from contests.models import Contest, ContestGroup, Entry, Participant, Round, RoundGroup

    began = time.perf_counter()
    organiser = User.objects.create(username=ORGANISER, full_name="Ban Tổ Chức", password=make_password(password))
    organiser.groups.add(Group.objects.get(name=Role.CONTEST_ORGANISER))
    now = timezone.now()
    contest = Contest.objects.create(name="Hội thi tìm hiểu CCHC (bench)", organiser="Sở Nội vụ")
    servants = ContestGroup.objects.create(contest=contest, name="Cán bộ, công chức, viên chức", civil_servants=True)
    citizens = ContestGroup.objects.create(contest=contest, name="Nhân dân", order=2)
    closes = now - dt.timedelta(minutes=1)
    contest_round = Round.objects.create(contest=contest, number=1, opens_at=closes - dt.timedelta(days=7),
                                         closes_at=closes)
    for group in (servants, citizens):
        RoundGroup.objects.create(round=contest_round, group=group, blueprint_id=1, minutes=20, first_prizes=1,
                                  second_prizes=2, third_prizes=3, consolation_prizes=20)
    rng = random.Random(2027)
    batch = 5000
    for start in range(0, entries, batch):
        numbers = range(start, min(entries, start + batch))
        people = []
        for n in numbers:
            name = normalize_name(person_name(n))
            people.append(User(username=f"bench_p{n:07d}", full_name=name, search_name=search_key(name),
                               password="!", date_of_birth=dt.date(1960 + n % 45, 1 + n % 12, 1 + n % 28),
                               gender=("Nam", "Nữ")[n % 2], cccd=f"{870000000000 + n:012d}",
                               phone=f"09{n:08d}"))
        User.objects.bulk_create(people, batch_size=batch)
        ids = dict(User.objects.filter(username__in=[p.username for p in people]).values_list("username", "pk"))
        participants = [Participant(
            contest=contest, person_id=ids[f"bench_p{n:07d}"], group=servants if n % 5 else citizens,
            full_name=people[i].full_name, unit_name=f"Đơn vị thử nghiệm {n % 400:03d}", consent_at=closes)
            for i, n in enumerate(numbers)]
        Participant.objects.bulk_create(participants, batch_size=batch)
        joined = dict(Participant.objects.filter(contest=contest, person_id__in=list(ids.values()))
                      .values_list("person_id", "pk"))
        rows = []
        for n in numbers:
            correct = 20 if rng.random() < 0.25 else rng.randint(8, 19)
            taken = rng.randint(300_000, 300_400)  # a narrow range: many equal to the millisecond
            submitted = closes - dt.timedelta(milliseconds=rng.randint(1, 5_000_000))
            answered = 20 if rng.random() > 0.01 else 19
            rows.append(Entry(round=contest_round, participant_id=joined[ids[f"bench_p{n:07d}"]], number=1,
                              attempt_id=1_000_000 + n, started_at=submitted - dt.timedelta(milliseconds=taken),
                              deadline=submitted + dt.timedelta(minutes=10), status=Entry.Status.SUBMITTED,
                              submitted_at=submitted, time_taken_ms=taken, questions=20, answered=answered,
                              correct=min(correct, answered), prediction=rng.choice(range(entries // 4,
                                                                                    entries // 4 + 300))))
        Entry.objects.bulk_create(rows, batch_size=batch)
    print(json.dumps({"round": contest_round.pk, "contest": contest.pk,
                      "setup_s": round(time.perf_counter() - began, 1)}))


def wrk_load(url: str, *, connections: int, seconds: float) -> dict | None:
    """Back-to-back clients by wrk (Debian's `wrk`: a generator in C, so that it leaves the server its core); None
    when it is not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True).stdout

    def ms(label: str) -> float | None:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return None
        return round(float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)], 2)

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(int(g) for g in socket.groups()) if socket else 0)
    return {"generator": "wrk", "connections": connections, "requests": requests - errors, "errors": errors,
            "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": ms("50"), "p90_ms": ms("90"), "p99_ms": ms("99")}


async def landing_load(url: str, *, connections: int, seconds: float, readers: int, period: float) -> dict:
    """The public page under load: back-to-back clients (throughput: wrk, else httpx), then paced readers
    (latency)."""
    throughput = wrk_load(url, connections=connections, seconds=seconds)
    if throughput is None:
        throughput = await _httpx_load(url, connections=connections, seconds=seconds)
    paced, paced_errors = [], 0
    target = urlsplit(url)

    async def reader(offset: float):
        """One phone: its own keep-alive connection, a reload every period. A plain HTTP/1.1 client on asyncio's
        streams: httpx's pool, shared by 2,000 connections, spent seconds choosing one, which is not the server's
        time."""
        nonlocal paced_errors
        await asyncio.sleep(offset)
        connection = None
        for _ in range(2):  # two reads each: the first period and the next
            began = time.perf_counter()
            try:
                if connection is None:
                    connection = await asyncio.open_connection(target.hostname, target.port)
                ok = await _plain_get(*connection, host=target.netloc, path=target.path)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok, connection = False, None
            paced.append((time.perf_counter() - began) * 1000)
            paced_errors += not ok
            await asyncio.sleep(max(0.0, period - (time.perf_counter() - began)))
        if connection is not None:
            connection[1].close()

    await asyncio.gather(*(reader(n * period / readers) for n in range(readers)))
    return {"throughput": throughput,
            "readers": {"readers": readers, "period_s": period, "errors": paced_errors, **percentiles(paced)}}


async def _plain_get(stream: asyncio.StreamReader, writer: asyncio.StreamWriter, *, host: str, path: str) -> bool:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench-reader\r\n\r\n".encode())
    await writer.drain()
    head = await stream.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if length is None:
        raise ValueError("no content length")
    await stream.readexactly(int(length.group(1)))
    return status == 200


async def _httpx_load(url: str, *, connections: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    done, errors, samples = 0, 0, []
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def hammer():
            nonlocal done, errors
            while time.perf_counter() < stop:
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                samples.append((time.perf_counter() - began) * 1000)
                done, errors = done + ok, errors + (not ok)

        began = time.perf_counter()
        await asyncio.gather(*(hammer() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    return {"generator": "httpx", "connections": connections, "requests": done, "errors": errors,
            "requests_per_s": round(done / elapsed, 1), **percentiles(samples)}


async def close_and_export(server, round_id: int, keep: str | None) -> dict:
    client = await login(server.url, ORGANISER)
    page_url = f"/contests/rounds/{round_id}/"
    try:
        page = await client.get(page_url)
        began = time.perf_counter()
        closed = await client.post(f"/contests/rounds/{round_id}/close/", data={
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1)}, headers={"Referer": f"{server.url}{page_url}"},
            timeout=600)
        figures = {"close_status": closed.status_code, "close_rank_s": round(time.perf_counter() - began, 2)}
        began = time.perf_counter()
        shown = await client.get(page_url)
        figures |= {"page_status": shown.status_code, "ranked_page_s": round(time.perf_counter() - began, 3),
                    "server_peak_rss_mib_before_export": server.peak_memory_mib()}
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as out:
            began = time.perf_counter()
            async with client.stream("GET", f"/contests/rounds/{round_id}/ranking.xlsx", timeout=600) as response:
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
            figures |= {"export_status": response.status_code, "export_s": round(time.perf_counter() - began, 2),
                        "bytes": out.tell(), "server_peak_rss_mib": server.peak_memory_mib()}
        figures["rows"] = _rows(out.name) if response.status_code == 200 else None
        if keep:
            shutil.move(out.name, keep)
        else:
            os.unlink(out.name)
        return figures
    finally:
        await client.aclose()


def _rows(path: str) -> int:
    """Data rows of the list (its first column a rank), read in openpyxl's streaming mode."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    count = sum(1 for row in book.active.iter_rows(min_col=1, max_col=1, values_only=True)
                if row[0] is not None and str(row[0]).isdigit())
    book.close()
    return count


def main(argv: list[str]) -> int:
    parser = base_parser("contest", __doc__)
    parser.add_argument("--entries", type=int, default=100_000, help="entries of the round, one per participant")
    parser.add_argument("--keep-export", default=None, help="keep the ranking list the export wrote (.xlsx)")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (scale-out mode) for the database")
    parser.add_argument("--connections", type=int, default=50, help="back-to-back clients of the public page")
    parser.add_argument("--landing-seconds", type=float, default=10, help="how long they request it")
    parser.add_argument("--readers", type=int, default=2000, help="clients reloading the public page every 10 s")
    parser.add_argument("--burst", type=int, default=2000, help="participants taking a round at once (0: none)")
    # The five minutes hold all of it: starts over the first 200 s, 20 answers 3 s apart, the submit and the result.
    parser.add_argument("--start-window", type=float, default=200, help="the burst's starts spread over so many s")
    parser.add_argument("--answer-every", type=float, default=3.0, help="a burst participant answers every so many s")
    args = parser.parse_args(argv)
    params = {k: v for k, v in vars(args).items()} | {"_started_at": started_at()}
    if not args.postgres:
        for key in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(key, None)
    elif not os.environ.get("DATABASE_URL"):
        parser.error("--postgres needs DATABASE_URL")
    with running_server(SETUP.format(entries=args.entries, password=PASSWORD)) as server:
        prepared = json.loads(server.setup_output.strip().splitlines()[-1])
        try:
            visit = asyncio.run(close_and_export(server, prepared["round"], args.keep_export))
        except (httpx.HTTPError, RuntimeError) as exc:
            visit = {"error": repr(exc)[:300]}
        landing = asyncio.run(landing_load(f"{server.url}/contests/{prepared['contest']}/public/",
                                           connections=args.connections, seconds=args.landing_seconds,
                                           readers=args.readers, period=10.0))
        landing["server_peak_rss_mib"] = server.peak_memory_mib()
    ok = visit.get("close_status") == 302 and visit.get("export_status") == 200
    figures = {"setup": {"setup_s": prepared["setup_s"]}, "close_and_export": visit, "landing": landing,
               "targets": {"close_rank_s_under_10": ok and visit["close_rank_s"] < 10,
                           "export_s_under_30": ok and visit["export_s"] < 30,
                           "landing_400_per_s": landing["throughput"]["requests_per_s"] >= 400,
                           "landing_readers_p99_under_200_ms": (landing["readers"]["p99_ms"] or 1e9) < 200}}
    if args.burst:
        burst = burst_part(participants=args.burst, start_window=args.start_window, answer_every=args.answer_every)
        figures["targets"] |= burst.pop("targets")
        figures |= burst
    write_report("contest", params, figures, args.json)
    burst_ok = not args.burst or (figures["burst"]["errors"] == 0 and figures["burst"]["lost_answers"] == 0)
    return 0 if ok and visit.get("rows") and not landing["throughput"]["errors"] and not landing["readers"]["errors"] \
        and burst_ok else 1
