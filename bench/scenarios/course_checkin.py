"""Training classes (issue 18), part 2: self check-in from phones, one daphne process driven over HTTP
(bench/scenarios/courses.py runs it; its docstring says what is measured)."""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import ssl
import time

import httpx

from bench.common import (
    accounts_setup,
    generator_without_collector,
    percentiles,
    running_server,
    trivial_endpoint,
)

PASSWORD = "Bench-Passw0rd!"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE = re.compile(r'<li class="msg-([a-z ]+)">([^<]*)</li>')
# One TLS context for every simulated phone (the server is plain http): httpx would otherwise load the CA bundle once
# per client.
_TLS = ssl.create_default_context()


def _latency(samples_ms: list[float]) -> dict:
    """bench.common.percentiles plus p90 (picked the same way)."""
    figures = percentiles(samples_ms)
    if samples_ms:
        ordered = sorted(samples_ms)
        figures["p90_ms"] = round(ordered[min(len(ordered) - 1, int(0.90 * len(ordered)))], 2)
    else:
        figures["p90_ms"] = None
    return figures


# --- Part 2: self check-in -----------------------------------------------------------------------------------------

CHECKIN_SETUP = """
import datetime as dt, json, re
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from accounts.models import User
from courses.models import ClassStaff, Enrolment, Module, Session
from courses.services import class_create, programme_create

today = timezone.localdate()
programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
course_class = class_create(programme=programme, name="K60", starts_on=today - dt.timedelta(days=7),
                            ends_on=today + dt.timedelta(days=20), actor=None)
lecturer = User.objects.create(username="bench_lecturer", full_name="Giảng Viên Thử",
                               password=make_password({password!r}))
lecturer.groups.add(Group.objects.get(name="lecturer"))
ClassStaff.objects.create(course_class=course_class, user=lecturer, role="head")
modules = list(Module.objects.filter(part__programme=programme, kind="teaching").order_by("part__order", "order"))
sessions = Session.objects.bulk_create([Session(course_class=course_class, date=today - dt.timedelta(days=d),
    half=half, module=modules[(2 * d + h) % len(modules)], periods=4, lecturer=lecturer)
    for d in range(3) for h, half in enumerate(("am", "pm"))])
session = next(s for s in sessions if s.date == today and s.half == "am")
learners = [u for u in User.objects.filter(username__startswith="bench").order_by("username")
            if re.fullmatch(r"bench\\d{{5}}", u.username)]
Enrolment.objects.bulk_create([Enrolment(course_class=course_class, person=u, list_order=n)
                               for n, u in enumerate(learners, start=1)])
print(json.dumps({{"class": course_class.pk, "session": session.pk, "learners": len(learners)}}))
"""

MARKED_PRESENT = """
import json
from courses.models import Attendance
marks = Attendance.objects.filter(session_id={session})
print(json.dumps({{"present": marks.filter(mark="x").count(), "by_check_in": marks.filter(mark="x", how="check_in").count(),
                  "distinct_learners": marks.filter(mark="x").values("enrolment").distinct().count()}}))
"""


async def login(base: str, username: str) -> httpx.AsyncClient:
    """A browser signed in through the login form (allauth, real middleware, real rate limits)."""
    client = httpx.AsyncClient(base_url=base, timeout=60, verify=_TLS)
    page = await client.get("/accounts/login/")
    response = await client.post("/accounts/login/", data={
        "login": username, "password": PASSWORD, "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
        headers={"Referer": f"{base}/accounts/login/"})
    if response.status_code != 302:
        await client.aclose()
        raise RuntimeError(f"login of {username}: {response.status_code}")
    return client


class Screen:
    """The lecturer's check-in screen: opened with its own form, then polling its state every 2 s (check-in.js)."""

    def __init__(self, client: httpx.AsyncClient, session: int, poll_s: float):
        self.client, self.session, self.poll_s = client, session, poll_s
        self.code: str | None = None
        self.code_until = 0.0  # wall-clock time the screen said the code would change
        self.samples: list[float] = []
        self.errors = 0
        self.stopped = asyncio.Event()
        self.seen_count = 0

    async def open(self) -> None:
        url = f"/courses/sessions/{self.session}/check-in/"
        page = await self.client.get(url)
        response = await self.client.post(url, data={"action": "open",
                                                     "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
                                          headers={"Referer": f"{self.client.base_url}{url}"})
        if response.status_code != 302:
            raise RuntimeError(f"opening the check-in: {response.status_code}")
        page = await self.client.get(url)
        match = re.search(r'id="check-in-code"[^>]*>(\d{6})<.*?id="check-in-left">(\d+)<', page.text, re.S)
        if match is None:
            raise RuntimeError("the check-in screen shows no code after opening")
        self.code, self.code_until = match.group(1), math.floor(time.time()) + int(match.group(2))

    async def poll(self) -> None:
        while not self.stopped.is_set():
            began = time.perf_counter()
            try:
                response = await self.client.get(f"/courses/sessions/{self.session}/check-in/state/")
                state = response.json()
                if response.status_code == 200 and state.get("code"):
                    self.samples.append((time.perf_counter() - began) * 1000)
                    if state["code"] != self.code:  # seconds_left counts from the server's whole second
                        self.code_until = math.floor(time.time()) + state["seconds_left"]
                    self.code, self.seen_count = state["code"], state["count"]
                else:
                    self.errors += 1
            except (httpx.HTTPError, ValueError):
                self.errors += 1
            try:
                await asyncio.wait_for(self.stopped.wait(), timeout=self.poll_s)
            except TimeoutError:
                pass


class Phone:
    def __init__(self, client: httpx.AsyncClient, username: str):
        self.client, self.username = client, username
        self.get_ms: float | None = None
        self.post_ms: float | None = None
        self.result_ms: float | None = None
        self.error: str | None = None
        self.code_changed = False  # the code had already changed on the screen when the POST was sent (the grace)

    async def check_in(self, code: str, code_until: float) -> None:
        base = self.client.base_url
        try:
            began = time.perf_counter()
            page = await self.client.get(f"/courses/check-in/?code={code}")  # the QR code's link
            self.get_ms = (time.perf_counter() - began) * 1000
            if page.status_code != 200:
                self.error = f"GET {page.status_code}"
                return
            began = time.perf_counter()
            self.code_changed = time.time() >= code_until
            response = await self.client.post("/courses/check-in/", data={
                "code": code, "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
                headers={"Referer": f"{base}/courses/check-in/?code={code}"})
            self.post_ms = (time.perf_counter() - began) * 1000
            if response.status_code != 302 or response.headers.get("location") != "/courses/check-in/":
                said = "; ".join(text for _tag, text in MESSAGE.findall(response.text))
                self.error = f"POST {response.status_code} {said}"[:200]
                return
            began = time.perf_counter()
            result = await self.client.get("/courses/check-in/")  # the page the phone lands on, with the message
            self.result_ms = (time.perf_counter() - began) * 1000
            if result.status_code != 200 or 'class="msg-success"' not in result.text:
                self.error = f"result page {result.status_code}"
        except (httpx.HTTPError, AttributeError) as exc:
            self.error = repr(exc)[:200]


async def drive_check_in(server, world: dict, args) -> dict:
    base = server.url
    figures: dict = {}
    began = time.perf_counter()
    semaphore = asyncio.Semaphore(args.login_concurrency)

    async def signed_in(username: str):
        async with semaphore:
            try:
                return await login(base, username)
            except (httpx.HTTPError, RuntimeError, AttributeError) as exc:
                return exc

    lecturer = await login(base, "bench_lecturer")
    logged = await asyncio.gather(*(signed_in(f"bench{n:05d}") for n in range(args.checkins)))
    phones = [Phone(c, f"bench{n:05d}") for n, c in enumerate(logged) if isinstance(c, httpx.AsyncClient)]
    figures["login_total_s"] = round(time.perf_counter() - began, 2)
    figures["login_errors"] = len(logged) - len(phones)

    screen = Screen(lecturer, world["session"], args.poll)
    await screen.open()
    poller = asyncio.ensure_future(screen.poll())
    rng = random.Random(args.seed)
    starts = [rng.uniform(0, args.window) for _ in phones]
    cpu_before = server.cpu_seconds()

    async def come(phone: Phone, at: float, t0: float) -> None:
        await asyncio.sleep(max(0.0, t0 + at - time.perf_counter()))
        await phone.check_in(screen.code, screen.code_until)

    with generator_without_collector():
        t0 = time.perf_counter()
        await asyncio.gather(*(come(p, at, t0) for p, at in zip(phones, starts, strict=True)))
        phase_s = time.perf_counter() - t0
    cpu_s = server.cpu_seconds() - cpu_before
    await asyncio.sleep(args.poll + 0.5)  # one more look at the screen: its count after the last check-in
    screen.stopped.set()
    await poller
    ok = [p for p in phones if p.error is None]
    figures.update({
        "checked_in_ok": len(ok), "errors": len(phones) - len(ok) + figures["login_errors"],
        "error_samples": [f"{p.username}: {p.error}" for p in phones if p.error][:5],
        "phase_s": round(phase_s, 2), "window_s": args.window,
        "get": _latency([p.get_ms for p in phones if p.get_ms is not None]),
        "post": _latency([p.post_ms for p in phones if p.post_ms is not None]),
        "result_page": _latency([p.result_ms for p in phones if p.result_ms is not None]),
        "screen_state": {**_latency(screen.samples), "errors": screen.errors},
        "screen_count_at_end": screen.seen_count,
        "posted_after_the_code_changed": sum(p.code_changed for p in phones),
        "server_cpu_ms_per_check_in": round(cpu_s * 1000 / max(1, len(ok)), 1),
    })
    await lecturer.aclose()
    for phone in phones:
        await phone.client.aclose()
    figures["trivial_endpoint"] = await trivial_endpoint(base, requests=100, concurrency=10)
    return figures


def check_in_part(args) -> dict:
    setup = accounts_setup(count=args.checkins, password=PASSWORD) + CHECKIN_SETUP.format(password=PASSWORD)
    with running_server(setup) as server:
        world = json.loads(server.setup_output.strip().splitlines()[-1])
        figures = asyncio.run(drive_check_in(server, world, args))
        figures["server_peak_memory_mib"] = server.peak_memory_mib()
        server.stop()  # read what the database holds, with the server gone
        marks = json.loads(server.manage("shell", "--verbosity", "0", "-c",
                                         MARKED_PRESENT.format(session=world["session"])).strip().splitlines()[-1])
    figures.update({"enrolled": world["learners"], "marked_present": marks["present"],
                    "marked_by_check_in": marks["by_check_in"]})
    return figures
