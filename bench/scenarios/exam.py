"""Exam day at scale: the real path from the exam login to acknowledged saves (issue 5).

Phases: (0) the invigilator opens every room from its console and reads the code there (``rooms_open_s``);
(1) every candidate logs in through the exam login page; (2) start spike: all enter the room code
and start within 60 s; (3) latency: each saves one answer every 5 s for --seconds over websocket (or HTTP);
(4) broadcast: the invigilator extends the time of every room (one sitting-wide action, or --broadcast rooms:
one console action per room, in a row), measured until every page has it; (5) capacity:
closed loop, one message in flight per connection, first the ping consumer (echo), then saves; (6) after the
server stops: lost answers (acknowledged but missing in the database), server CPU per save, peak memory.
The generator's own garbage collector is off during each timed phase (bench.common.generator_without_collector).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import resource
import sqlite3
import ssl
import time

import httpx
import websockets

from bench.common import (
    base_parser,
    generator_without_collector,
    percentiles,
    running_server,
    started_at,
    write_report,
)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROOM_CODE = re.compile(r'<strong id="room-code">(\d{6})</strong>')
ROOM_SIZE = 100

SETUP = """
import datetime as dt, json
from decimal import Decimal
from django.contrib.auth.models import Group
from django.utils import timezone
from accounts.models import User
from exams.banks.importing.base import ParsedChoice, ParsedQuestion
from exams.models import Blueprint, BlueprintRow, InvigilatorAssignment, Registration, Room, Sitting
from exams.papers.services import paper_set_generate, paper_set_seal
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.sessions.services import exam_create

N, ITEMS = {n}, {items}
author = User.objects.create(username="bench_author", full_name="Người Soạn")
reviewer = User.objects.create(username="bench_reviewer", full_name="Người Duyệt")
invigilator = User.objects.create(username="bench_invigilator", full_name="Giám Thị", is_active=True)
invigilator.set_password("Bench-Passw0rd!")
invigilator.save()
invigilator.groups.add(Group.objects.get(name="invigilator"))
bank, _ = bank_get_or_create(name="Bench", actor=author)
topic = topic_get_or_create(bank=bank, name="Một cửa")
qs = [question_create(topic=topic, parsed=ParsedQuestion(source=0, topic="Một cửa", kind="single",
      text=f"Câu hỏi {{i}}", choices=[ParsedChoice(f"Phương án {{i}}.{{c}}", c == 0) for c in range(4)]), author=author)
      for i in range(ITEMS * 2)]
questions_approve(questions=qs, actor=reviewer)
blueprint = Blueprint.objects.create(bank=bank, name="B", scale=Decimal(100))
BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count=ITEMS)
exam = exam_create(preset_slug="sat-hach-noi-bo", name="Bench", actor=None)
exam.status = "scheduled"
exam.save()
users = User.objects.bulk_create([User(username=f"c{{i:05d}}", full_name=f"Thí Sinh {{i}}") for i in range(N)])
rooms = [Room.objects.create(exam=exam, name=f"P{{r:03d}}", capacity={room}) for r in range((N + {room} - 1) // {room})]
Registration.objects.bulk_create([Registration(exam=exam, person=u, candidate_number=f"SH{{i:05d}}",
    exam_password=f"pw{{i:05d}}", room=rooms[i // {room}]) for i, u in enumerate(users)])
Group.objects.get(name="candidate").user_set.add(*users)
paper_set = paper_set_generate(blueprint=blueprint, name="Bench", seed="bench",
                               candidate_refs=[f"SH{{i:05d}}" for i in range(N)], variants=None, actor=author)
paper_set_seal(paper_set=paper_set, actor=author)
now = timezone.now()
subject = exam.subjects.get()
subject.timing = "individual"
subject.late_entry_minutes = 60
subject.save()
sitting = Sitting.objects.create(subject=subject, starts_at=now + dt.timedelta(seconds=30),
    ends_at=now + dt.timedelta(hours=3), opens_at=now - dt.timedelta(minutes=5), paper_set=paper_set)
for room in rooms:
    InvigilatorAssignment.objects.create(sitting=sitting, room=room, user=invigilator)
print(json.dumps({{"sitting": sitting.pk, "rooms": [r.pk for r in rooms]}}))
"""


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, 65536)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


# One TLS context for every simulated browser (the server is plain http): httpx would otherwise load the CA bundle
# once per client, a minute of generator time for 2,000 clients before the first request.
_TLS = ssl.create_default_context()


class Candidate:
    def __init__(self, n: int, base: str):
        self.n = n
        self.base = base
        self.number = f"SH{n:05d}"
        self.client = httpx.AsyncClient(base_url=base, timeout=120, verify=_TLS)
        self.device = f"bench-{n}"
        self.attempt = None
        self.choices: dict[int, list[int]] = {}
        self.ws = None
        self.seq = 0
        self.acked: list[tuple[int, int, int]] = []  # (position, seq, choice)
        self.waiters: dict[int, asyncio.Future] = {}
        self.state_event = asyncio.Event()

    async def login(self) -> None:
        page = await self.client.get("/exam-login/")
        response = await self.client.post("/exam-login/", data={
            "candidate_number": self.number, "password": f"pw{self.n:05d}",
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1)}, headers={"Referer": f"{self.base}/exam-login/"})
        if response.status_code != 302:
            raise RuntimeError(f"login {self.number}: {response.status_code}")

    async def start(self, sitting: int, code: str) -> float:
        page = await self.client.get(f"/sittings/{sitting}/enter/")
        began = time.perf_counter()
        response = await self.client.post(f"/sittings/{sitting}/enter/", data={
            "code": code, "device": self.device, "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
            headers={"Referer": f"{self.base}/sittings/{sitting}/enter/"})
        elapsed = (time.perf_counter() - began) * 1000
        location = response.headers.get("location", "")
        match = re.search(r"/attempts/(\d+)/", location)
        if response.status_code != 302 or not match:
            raise RuntimeError(f"start {self.number}: {response.status_code}")
        self.attempt = int(match.group(1))
        paper = await self.client.get(location)
        for block in re.finditer(r'data-position="(\d+)" data-kind="single".*?</fieldset>', paper.text, re.S):
            self.choices[int(block.group(1))] = [int(v) for v in re.findall(r'value="(\d+)"', block.group(0))]
        return elapsed

    async def open_ws(self) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        url = self.base.replace("http", "ws") + f"/ws/attempt/{self.attempt}/?device={self.device}"
        self.ws = await websockets.connect(url, additional_headers={"Cookie": cookie}, origin=self.base,
                                          open_timeout=120, max_queue=None)
        await self.ws.recv()  # the initial state
        asyncio.ensure_future(self._reader())

    async def _reader(self) -> None:
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                if msg.get("type") in ("ack", "error", "pong"):
                    future = self.waiters.pop(msg.get("seq"), None)
                    if future and not future.done():
                        future.set_result(msg)
                elif msg.get("type") == "state":
                    self.state_event.set()
        except websockets.ConnectionClosed:
            pass

    def next_answer(self) -> tuple[int, int, int]:
        position = random.choice(list(self.choices))  # noqa: S311 - load pattern
        self.seq += 1
        return position, self.seq, random.choice(self.choices[position])  # noqa: S311

    async def save(self, transport: str) -> tuple[float, bool]:
        position, seq, choice = self.next_answer()
        began = time.perf_counter()
        if transport == "http":
            response = await self.client.post(f"/attempts/{self.attempt}/save/", json={
                "item": position, "seq": seq, "value": [choice], "device": self.device},
                headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                         "Referer": f"{self.base}/attempts/{self.attempt}/"})
            msg = response.json()
        else:
            future = asyncio.get_running_loop().create_future()
            self.waiters[seq] = future
            await self.ws.send(json.dumps({"type": "save", "item": position, "seq": seq, "value": [choice]}))
            msg = await asyncio.wait_for(future, timeout=60)
        ok = msg.get("type") == "ack"
        if ok:
            self.acked.append((position, seq, choice))
        return (time.perf_counter() - began) * 1000, ok

    async def echo(self) -> bool:
        self.seq += 1
        future = asyncio.get_running_loop().create_future()
        self.waiters[self.seq] = future
        await self.echo_ws.send(json.dumps({"type": "ping", "seq": self.seq}))
        return (await asyncio.wait_for(future, timeout=60)).get("type") == "pong"


async def gather_limited(coros, limit: int):
    semaphore = asyncio.Semaphore(limit)

    async def run(coro):
        async with semaphore:
            try:
                return await coro
            except Exception as exc:  # noqa: BLE001 - counted as an error of the phase
                return exc

    return await asyncio.gather(*(run(c) for c in coros))


async def invigilator_client(base: str) -> httpx.AsyncClient:
    inv = httpx.AsyncClient(base_url=base, timeout=120)
    page = await inv.get("/accounts/login/")
    await inv.post("/accounts/login/", data={"login": "bench_invigilator", "password": "Bench-Passw0rd!",
                                             "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
                   headers={"Referer": f"{base}/accounts/login/"})
    return inv


async def open_rooms(base: str, world: dict) -> dict[str, str]:
    """The invigilators open their rooms from the console before the candidates come, and read the codes there."""
    inv = await invigilator_client(base)
    codes = {}
    for room in world["rooms"]:
        console = f"/sittings/{world['sitting']}/rooms/{room}/console/"
        page = await inv.get(console)
        await inv.post(f"/sittings/{world['sitting']}/rooms/{room}/open/", data={
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1)}, headers={"Referer": base})
        codes[str(room)] = ROOM_CODE.search((await inv.get(console)).text).group(1)
    await inv.aclose()
    return codes


async def drive(server, args, world) -> dict:
    figures: dict = {}
    urls = server.urls
    began = time.perf_counter()
    world["codes"] = await open_rooms(urls[0], world)
    figures["rooms_open_s"] = round(time.perf_counter() - began, 2)
    candidates = [Candidate(n, urls[n % len(urls)]) for n in range(args.candidates)]
    began = time.perf_counter()
    results = await gather_limited([c.login() for c in candidates], 64)
    figures["login_total_s"] = round(time.perf_counter() - began, 2)
    figures["login_errors"] = sum(isinstance(r, Exception) for r in results)

    room_of = {c.n: world["rooms"][c.n // ROOM_SIZE] for c in candidates}
    with generator_without_collector():
        began = time.perf_counter()
        starts = await gather_limited(
            [c.start(world["sitting"], world["codes"][str(room_of[c.n])]) for c in candidates], 100)
        start_window = time.perf_counter() - began
    ok_starts = [s for s in starts if not isinstance(s, Exception)]
    figures.update({"starts": len(ok_starts), "start_window_s": round(start_window, 2),
                    "start_p50_ms": percentiles(ok_starts)["p50_ms"], "start_p99_ms": percentiles(ok_starts)["p99_ms"]})
    errors = len(starts) - len(ok_starts)
    samples = [repr(s)[:200] for s in starts if isinstance(s, Exception)][:5]
    live = [c for c in candidates if c.attempt]
    if args.transport == "ws":
        opened = await gather_limited([c.open_ws() for c in live], 100)
        errors += sum(isinstance(r, Exception) for r in opened)
        samples += [repr(r)[:200] for r in opened if isinstance(r, Exception)][:5]
        live = [c for c in live if c.ws is not None]

    # Latency phase: one save every 5 s per candidate, spread evenly.
    latencies, save_errors = [], 0
    phase_end = time.perf_counter() + args.seconds

    async def pace(c):
        nonlocal save_errors
        await asyncio.sleep(random.random() * 5)  # noqa: S311
        while time.perf_counter() < phase_end:
            try:
                ms, ok = await c.save(args.transport)
                (latencies.append(ms) if ok else None)
                save_errors += 0 if ok else 1
            except Exception:  # noqa: BLE001
                save_errors += 1
            await asyncio.sleep(5)

    with generator_without_collector():
        began = time.perf_counter()
        await asyncio.gather(*(pace(c) for c in live))
        phase_s = time.perf_counter() - began
    lat = percentiles(latencies)
    figures.update({"saves_acked": len(latencies), "saves_per_s": round(len(latencies) / args.seconds, 1),
                    "save_p50_ms": lat["p50_ms"], "save_p99_ms": lat["p99_ms"], "latency_phase_s": round(phase_s, 1),
                    "errors": errors + save_errors, "error_samples": samples})

    # Broadcast: the invigilator extends every room's time; measured until every page has the new deadline.
    if args.transport == "ws":
        for c in live:
            c.state_event.clear()
        inv = await invigilator_client(urls[0])
        console = await inv.get(f"/sittings/{world['sitting']}/rooms/{world['rooms'][0]}/console/")
        token = CSRF.search(console.text).group(1)
        arrival: list[float] = []
        with generator_without_collector():
            sent = time.perf_counter()

            async def wait_state(c):
                await asyncio.wait_for(c.state_event.wait(), timeout=60)
                arrival.append((time.perf_counter() - sent) * 1000)

            waiters = [asyncio.ensure_future(wait_state(c)) for c in live]
            if args.broadcast == "sitting":  # one action for every room (the console's "Extend every room")
                await inv.post(f"/sittings/{world['sitting']}/extend/", data={
                    "minutes": "5", "reason": "bench", "room": world["rooms"][0], "csrfmiddlewaretoken": token},
                    headers={"Referer": f"{urls[0]}/"})
            else:  # room by room, one console action each, in a row
                for room in world["rooms"]:
                    await inv.post(f"/sittings/{world['sitting']}/rooms/{room}/extend/", data={
                        "minutes": "5", "reason": "bench", "csrfmiddlewaretoken": token},
                        headers={"Referer": f"{urls[0]}/"})
            action_ms = (time.perf_counter() - sent) * 1000
            await asyncio.gather(*waiters, return_exceptions=True)
        figures["broadcast_p99_ms"] = percentiles(arrival)["p99_ms"]
        figures["broadcast_p50_ms"] = percentiles(arrival)["p50_ms"]
        figures["broadcast_action_ms"] = round(action_ms, 1)  # the invigilator's request, until its response
        figures["broadcast_delivered"] = len(arrival)

        # Capacity: closed loop, one message in flight per connection; echo first, then saves.
        async def closed_loop(action, seconds):
            done, stop = 0, time.perf_counter() + seconds

            async def loop(c):
                nonlocal done
                while time.perf_counter() < stop:
                    try:
                        ok = await action(c)
                    except Exception:  # noqa: BLE001 - a dead connection leaves the loop (counted by the action):
                        return  # retrying it at once would spin and starve every other connection
                    if ok:
                        done += 1
            with generator_without_collector():
                await asyncio.gather(*(loop(c) for c in live), return_exceptions=True)
            return done / seconds

        for c in live:
            cookie = "; ".join(f"{k}={v}" for k, v in c.client.cookies.items())
            c.echo_ws = await websockets.connect(c.base.replace("http", "ws") + "/ws/ping/",
                                                 additional_headers={"Cookie": cookie}, origin=c.base)
            asyncio.ensure_future(_echo_reader(c))
        figures["baseline_echo_per_s"] = round(await closed_loop(lambda c: c.echo(), args.capacity_seconds), 1)
        cpu_before = server.cpu_seconds()
        acked_before = sum(len(c.acked) for c in live)
        capacity_errors = 0

        async def save_ok(c):
            nonlocal capacity_errors
            try:
                _ms, ok = await c.save("ws")
            except Exception:
                capacity_errors += 1
                raise
            capacity_errors += 0 if ok else 1
            return ok

        figures["max_saves_per_s"] = round(await closed_loop(save_ok, args.capacity_seconds), 1)
        saves = sum(len(c.acked) for c in live) - acked_before
        figures["capacity_errors"] = capacity_errors
        figures["server_cpu_ms_per_save"] = round((server.cpu_seconds() - cpu_before) * 1000 / max(1, saves), 3)
        for c in live:
            await c.ws.close()
            await c.echo_ws.close()
    figures["peak_rss_mb"] = server.peak_memory_mib()
    figures["_acked"] = [(c.attempt, p, s, ch) for c in candidates for (p, s, ch) in c.acked]
    return figures


async def _echo_reader(c: Candidate) -> None:
    try:
        async for raw in c.echo_ws:
            msg = json.loads(raw)
            future = c.waiters.pop(msg.get("seq"), None)
            if future and not future.done():
                future.set_result(msg)
    except websockets.ConnectionClosed:
        pass


def lost_answers(env: dict, acked: list) -> int:
    """Questions whose last acknowledged save the database does not hold: must be 0. An acknowledgement promises the
    item holds that value under that counter or a newer one (a save of the value already held is acknowledged
    without an answer-event row, docs/exam-day.md), so the items are read, not the events."""
    sql = "SELECT attempt_id, position, client_seq, answer FROM exams_attemptitem"
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            rows = conn.execute(sql.replace("answer FROM", "answer::text FROM")).fetchall()
    else:
        with sqlite3.connect(env["SQLITE_PATH"]) as conn:
            rows = conn.execute(sql).fetchall()
    stored = {(a, p): (s, json.loads(v)[0] if v else None) for a, p, s, v in rows}
    last: dict[tuple[int, int], tuple[int, object]] = {}
    for attempt, position, seq, choice in acked:
        if seq > last.get((attempt, position), (0, None))[0]:
            last[attempt, position] = (seq, choice)
    return sum(1 for key, (seq, choice) in last.items()
               if key not in stored or not (stored[key][0] > seq or stored[key] == (seq, choice)))


def main(argv: list[str]) -> int:
    parser = base_parser("exam", __doc__)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--capacity-seconds", type=int, default=20)
    parser.add_argument("--transport", choices=["ws", "http"], default="ws")
    parser.add_argument("--mode", choices=["embedded", "scaleout"], default="embedded")
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--broadcast", choices=["sitting", "rooms"], default="sitting",
                        help="extend every room with the sitting's one action (default) or room by room")
    args = parser.parse_args(argv)
    params = {k: v for k, v in vars(args).items()} | {"_started_at": started_at()}
    params["open_files"] = raise_open_files()
    if args.mode == "scaleout" and not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        parser.error("--mode scaleout needs DATABASE_URL and REDIS_URL")
    if args.mode == "embedded":
        for key in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(key, None)
    setup = SETUP.format(n=args.candidates, items=args.items, room=ROOM_SIZE)
    # Every simulated candidate logs in from 127.0.0.1: the per-address cap is sized for one exam room (200 behind one
    # NAT address), and this address is the whole exam's.
    with running_server(setup, processes=2 if args.mode == "scaleout" else 1,
                        extra_env={"EXAM_LOGIN_ADDRESS_TRIES": str(10 * args.candidates)}) as server:
        world = json.loads(server.setup_output.strip().splitlines()[-1])
        figures = asyncio.run(drive(server, args, world))
        server.stop()  # count what survived, with the server gone
        figures["lost_answers"] = lost_answers(server.env, figures.pop("_acked"))
    figures["mode"], figures["transport"] = args.mode, args.transport
    write_report("exam", params, figures, args.json)
    return 0 if figures["lost_answers"] in (0, None) and figures["errors"] == 0 else 1
