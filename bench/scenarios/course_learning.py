"""Learning online (issue 19): lesson heartbeats from thousands of learners, and a graded test beside them, on one
daphne process (bench/scenarios/courses.py runs it as its part 3; its docstring says what is measured).

Set-up (not measured): L learners enrolled in a class whose first module has five lessons, each learner signed in
already (a session made in the set-up the way the login form makes one: the login itself is measured by
`login_burst`, PBKDF2-bound at ~7 a second, which would make signing in 5,000 people the whole run). Then every
learner opens the lesson page's socket `/ws/learn/<class>/` (the path lesson.js takes) and sends one beat every 30 s
at its own offset, exactly what a visible lesson page sends; a beat's latency runs from sending it to its
acknowledgement, which the server gives once the beat's batch has committed.

Phases: (a) the sockets stay open --idle seconds without a beat (the floor: daphne's keep-alive work); (b)
heartbeats alone for --seconds: the beat's latency and the server CPU per beat (gross, and above the idle floor);
(c) heartbeats go on while T of the learners (--testers) take the class's graded test the way its pages do: the
test's page, "Start" (the POST that sets the device pass), the paper page, the paper's socket `/ws/attempt/<id>/`,
one answer every --answer-every seconds until every question is answered, then "Submit"; the testers start at
random moments within --start-window seconds (a class told "start now"). Reported: the beats'
latency during (c), the saves' latency, and, read from the database after the server stops, the answers
acknowledged but not stored (must be 0) and the graded scores written to the class's assessment.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import ssl
import time

import httpx
import websockets

from bench.common import accounts_setup, generator_without_collector, percentiles, running_server
from bench.scenarios.exam import lost_answers, raise_open_files

PASSWORD = "Bench-Passw0rd!"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIG = re.compile(r'<script id="exam-config" type="application/json">(.*?)</script>', re.S)
ITEM = re.compile(r'data-position="(\d+)" data-kind="single".*?</fieldset>', re.S)
_TLS = ssl.create_default_context()

LEARNING_SETUP = """
import datetime as dt, json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from accounts.models import User
from courses.lessons import lesson_create
from courses.models import Enrolment, Module
from courses.services import class_create, programme_create

today = timezone.localdate()
programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
course_class = class_create(programme=programme, name="K60", starts_on=today - dt.timedelta(days=7),
                            ends_on=today + dt.timedelta(days=20), actor=None)
module = Module.objects.filter(part__programme=programme).order_by("part__order", "order").first()
lessons = [lesson_create(module=module, fields={{"title": f"Bài {{n}}", "body": "<p>Nội dung</p>", "minutes": 20,
                                                 "periods": 1}}, actor=None).pk for n in range(1, 6)]
learners = list(User.objects.filter(username__startswith="bench").order_by("username"))
Enrolment.objects.bulk_create([Enrolment(course_class=course_class, person=u, list_order=n)
                               for n, u in enumerate(learners, start=1)], batch_size=1000)
from decimal import Decimal
from exams.banks.importing.base import ParsedChoice, ParsedQuestion
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.models import Blueprint, BlueprintRow
from courses.models import CourseTest
author = User.objects.create(username="tac_gia", full_name="Người Soạn")
reviewer = User.objects.create(username="nguoi_duyet", full_name="Người Duyệt")
bank, _ = bank_get_or_create(name="Ngân hàng bồi dưỡng", actor=author)
bank.for_training = True
bank.save()
topic = topic_get_or_create(bank=bank, name="Quản lý nhà nước")
qs = [question_create(topic=topic, parsed=ParsedQuestion(source=0, topic="Quản lý nhà nước", kind="single",
      text=f"Câu hỏi {{i}}", choices=[ParsedChoice(f"Phương án {{i}}.{{c}}", c == 0) for c in range(4)]), author=author)
      for i in range(60)]
questions_approve(questions=qs, actor=reviewer)
blueprint = Blueprint.objects.create(bank=bank, name="Kiểm tra phần I", scale=Decimal(10))
BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count={items})
assessment = programme.assessments.filter(kind="test").order_by("order").first()
now = timezone.now()
graded = CourseTest.objects.create(course_class=course_class, mode="graded", title="Kiểm tra phần I",
    assessment=assessment, blueprint_id=blueprint.pk, minutes=60, opens_at=now - dt.timedelta(minutes=5),
    closes_at=now + dt.timedelta(hours=3))
keys = []
for user in learners:
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print(json.dumps({{"class": course_class.pk, "lessons": lessons, "cookie": settings.SESSION_COOKIE_NAME,
                  "test": graded.pk, "sessions": keys}}))
"""

STORED = """
import json
from django.db.models import Count, Sum
from courses.models import LessonProgress, Score, TestTry
rows = LessonProgress.objects.aggregate(rows=Count("pk"), seconds=Sum("seconds"))
rows["tries_finished"] = TestTry.objects.exclude(status="open").count()
rows["scores_online"] = Score.objects.filter(how="online_test").count()
print(json.dumps(rows))
"""


class Learner:
    def __init__(self, n: int, base: str, cookie: str, lesson: int):
        self.n, self.base, self.cookie, self.lesson = n, base, cookie, lesson
        self.ws = None
        self.seq = 0
        self.waiters: dict[int, asyncio.Future] = {}
        self.samples: list[float] = []
        self.errors = 0
        self.client: httpx.AsyncClient | None = None
        self.paper_ws = None
        self.attempt = 0
        self.choices: dict[int, list[int]] = {}
        self.save_seq = 0
        self.save_waiters: dict[int, asyncio.Future] = {}
        self.acked: list[tuple[int, int, int]] = []  # (position, seq, choice)
        self.save_samples: list[float] = []
        self.test_error: str | None = None
        self.start_ms: float | None = None
        self.socket_retries = 0

    async def open(self, class_id: int) -> None:
        url = self.base.replace("http", "ws") + f"/ws/learn/{class_id}/"
        self.ws = await websockets.connect(url, additional_headers={"Cookie": self.cookie}, origin=self.base,
                                          open_timeout=120, max_queue=None)
        asyncio.ensure_future(self._reader())

    async def _reader(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                future = self.waiters.pop(message.get("seq"), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except websockets.ConnectionClosed:
            pass

    async def take_test(self, class_id: int, test_id: int, answer_every: float, rng: random.Random,
                        start_at: float) -> None:
        """The graded test through its pages, from ``start_at`` (perf_counter): start, paper, answers over the
        paper's socket, submit."""
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        name, _sep, value = self.cookie.partition("=")
        self.client = httpx.AsyncClient(base_url=self.base, timeout=120, verify=_TLS, cookies={name: value})
        url = f"/courses/learn/{class_id}/tests/{test_id}/"
        try:
            page = await self.client.get(url)
            began = time.perf_counter()
            response = await self.client.post(url, data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
                                              headers={"Referer": f"{self.base}{url}"})
            if response.status_code != 302:
                raise RuntimeError(f"start: {response.status_code}")
            paper = await self.client.get(response.headers["location"])
            self.start_ms = (time.perf_counter() - began) * 1000
            config = json.loads(CONFIG.search(paper.text).group(1))
            self.attempt = int(config["attempt"])
            for block in ITEM.finditer(paper.text):
                self.choices[int(block.group(1))] = [int(v) for v in re.findall(r'value="(\d+)"', block.group(0))]
            cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
            for wait in (1, 2, 4, 8, 0):  # as exam.js does: connect again after a refused handshake, backing off
                try:
                    self.paper_ws = await websockets.connect(self.base.replace("http", "ws") + config["ws"],
                                                             additional_headers={"Cookie": cookie},
                                                             origin=self.base, open_timeout=120, max_queue=None)
                    break
                except (websockets.InvalidHandshake, OSError):
                    if not wait:
                        raise
                    self.socket_retries += 1
                    await asyncio.sleep(wait)
            await self.paper_ws.recv()  # the paper's state
            asyncio.ensure_future(self._paper_reader())
            await asyncio.sleep(rng.uniform(0, answer_every))
            for position in sorted(self.choices):
                await self._save(position, rng.choice(self.choices[position]))
                await asyncio.sleep(answer_every)
            response = await self.client.post(f"/attempts/{self.attempt}/submit/",
                                              headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                                                       "Referer": f"{self.base}{url}"})
            if response.status_code not in (200, 302):
                raise RuntimeError(f"submit: {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - reported, not raised: one failure must not stop the others
            self.test_error = repr(exc)[:200]
        finally:
            if self.paper_ws is not None:
                await self.paper_ws.close()
            await self.client.aclose()

    async def _paper_reader(self) -> None:
        try:
            async for raw in self.paper_ws:
                message = json.loads(raw)
                future = self.save_waiters.pop(message.get("seq"), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except websockets.ConnectionClosed:
            pass

    async def _save(self, position: int, choice: int) -> None:
        self.save_seq += 1
        seq = self.save_seq
        future = asyncio.get_running_loop().create_future()
        self.save_waiters[seq] = future
        began = time.perf_counter()
        await self.paper_ws.send(json.dumps({"type": "save", "item": position, "seq": seq, "value": [choice]}))
        message = await asyncio.wait_for(future, timeout=60)
        if message.get("type") != "ack":
            raise RuntimeError(f"save refused: {message}")
        self.save_samples.append((time.perf_counter() - began) * 1000)
        self.acked.append((position, seq, choice))

    async def beat(self) -> None:
        self.seq += 1
        future = asyncio.get_running_loop().create_future()
        self.waiters[self.seq] = future
        began = time.perf_counter()
        try:
            await self.ws.send(json.dumps({"type": "beat", "lesson": self.lesson, "position": self.seq * 10,
                                           "seq": self.seq, "end": ""}))
            message = await asyncio.wait_for(future, timeout=30)
        except (TimeoutError, websockets.ConnectionClosed):
            self.errors += 1
            return
        if message.get("type") == "ok":
            self.samples.append((time.perf_counter() - began) * 1000)
        else:
            self.errors += 1


async def gather_limited(coros, limit: int):
    semaphore = asyncio.Semaphore(limit)

    async def one(coro):
        async with semaphore:
            try:
                return await coro
            except Exception as exc:  # noqa: BLE001 - counted as an error of the phase
                return exc

    return await asyncio.gather(*(one(c) for c in coros))


async def heartbeats(learners: list[Learner], *, seconds: float, period: float, rng: random.Random) -> float:
    """Every learner beats every ``period`` seconds from its own offset, for ``seconds``; returns the phase's
    length."""
    end = time.perf_counter() + seconds

    async def pace(learner: Learner) -> None:
        await asyncio.sleep(rng.uniform(0, period))
        while time.perf_counter() < end:
            await learner.beat()
            await asyncio.sleep(period)

    began = time.perf_counter()
    await asyncio.gather(*(pace(learner) for learner in learners))
    return time.perf_counter() - began


async def drive(server, world: dict, args) -> dict:
    base = server.url
    rng = random.Random(args.seed)
    learners = [Learner(n, base, f"{world['cookie']}={key}", world["lessons"][n % len(world["lessons"])])
                for n, key in enumerate(world["sessions"])]
    began = time.perf_counter()
    opened = await gather_limited([learner.open(world["class"]) for learner in learners], 100)
    figures: dict = {"sockets_open_s": round(time.perf_counter() - began, 2),
                     "socket_errors": sum(isinstance(r, Exception) for r in opened),
                     "socket_error_samples": [repr(r)[:200] for r in opened if isinstance(r, Exception)][:3]}
    live = [learner for learner, result in zip(learners, opened, strict=True) if not isinstance(result, Exception)]
    await asyncio.sleep(min(5.0, args.idle))  # the connections' own aftermath settles first
    cpu_before = server.cpu_seconds()
    await asyncio.sleep(args.idle)  # the open sockets alone (daphne's keep-alive pings): the floor of the phase
    idle_cpu_s = server.cpu_seconds() - cpu_before
    figures["idle_cpu_ms_per_s"] = round(idle_cpu_s * 1000 / args.idle, 1)
    cpu_before = server.cpu_seconds()
    with generator_without_collector():
        phase_s = await heartbeats(live, seconds=args.seconds, period=args.period, rng=rng)
    cpu_s = server.cpu_seconds() - cpu_before
    samples = [ms for learner in live for ms in learner.samples]
    figures.update({"learners": len(live), "beats_acked": len(samples),
                    "beats_per_s": round(len(samples) / phase_s, 1), "phase_s": round(phase_s, 1),
                    "beat": percentiles(samples), "beat_errors": sum(learner.errors for learner in live),
                    "server_cpu_ms_per_beat": round(cpu_s * 1000 / max(1, len(samples)), 3),
                    "server_cpu_ms_per_beat_above_idle": round(
                        (cpu_s - figures["idle_cpu_ms_per_s"] / 1000 * phase_s) * 1000 / max(1, len(samples)), 3)})
    # (c) the graded test beside the heartbeats
    for learner in live:
        learner.samples = []
    testers = live[:args.testers]
    with generator_without_collector():
        began = time.perf_counter()
        beating = asyncio.ensure_future(heartbeats(live, seconds=args.test_seconds, period=args.period, rng=rng))
        starts = [began + rng.uniform(0, args.start_window) for _ in testers]  # the class starts within a minute
        await gather_limited([t.take_test(world["class"], world["test"], args.answer_every, rng, at)
                              for t, at in zip(testers, starts, strict=True)], len(testers) or 1)
        tests_s = time.perf_counter() - began
        await beating
    samples = [ms for learner in live for ms in learner.samples]
    saves = [ms for t in testers for ms in t.save_samples]
    failed = [t for t in testers if t.test_error]
    figures["with_tests"] = {
        "testers": len(testers), "tests_s": round(tests_s, 1), "test_errors": len(failed),
        "test_error_samples": [t.test_error for t in failed][:3],
        "start_window_s": args.start_window, "paper_socket_retries": sum(t.socket_retries for t in testers),
        "start": percentiles([t.start_ms for t in testers if t.start_ms is not None]),
        "saves_acked": len(saves), "save": percentiles(saves), "beats_acked": len(samples),
        "beat": percentiles(samples), "beat_errors": sum(learner.errors for learner in live)}
    for learner in live:
        await learner.ws.close()
    figures["_acked"] = [(t.attempt, position, seq, choice) for t in testers for position, seq, choice in t.acked]
    return figures


def learning_part(args) -> dict:
    raise_open_files()
    setup = accounts_setup(count=args.online_learners, password=PASSWORD) + LEARNING_SETUP.format(items=args.items)
    with running_server(setup) as server:
        world = json.loads(server.setup_output.strip().splitlines()[-1])
        figures = asyncio.run(drive(server, world, args))
        figures["server_peak_memory_mib"] = server.peak_memory_mib()
        server.stop()
        stored = json.loads(server.manage("shell", "--verbosity", "0", "-c", STORED).strip().splitlines()[-1])
        acked = figures.pop("_acked")
        figures["with_tests"]["lost_answers"] = lost_answers(server.env, acked)
    figures.update({"progress_rows": stored["rows"], "seconds_stored": stored["seconds"]})
    figures["with_tests"].update({"tries_finished": stored["tries_finished"],
                                  "scores_written": stored["scores_online"]})
    return figures
