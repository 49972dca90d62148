"""Contest, part 2 (issue 21): a burst of participants taking a round over the real pages, on one daphne process
(run by `python -m bench contest`, after the close and the public page; `--burst N`, 2,000 by default).

Set-up (not measured), in the server's database before it starts: N participant accounts (one password hash), a
contest with one group whose members have joined, a round open now whose group takes 20 questions (a blueprint of a
bank of 60 approved questions open to hosted tests) in 20 minutes.

Logins (measured, reported apart, before the timed window): every participant signs in through the login form
(allauth, its real rate limits), 20 at a time; PBKDF2 bounds it (about 7 a second on this machine).

The burst (timed): each participant starts at a random moment within --start-window seconds and does what the phone
does: the round's page, "Start" (the POST that draws their paper and sets the device cookie), the paper page, the
paper's socket `/ws/attempt/<id>/` with one answer every --answer-every seconds until the 20 are answered, then the
final submit with the prediction (a POST), and the result page. Reported: the latency of every HTTP request and of
every save (sending to acknowledgement), errors, the window's length, the server's CPU, and after the server stops
the answers acknowledged but not stored (must be 0) and the entries recorded as submitted (must be N). Targets: 0
errors, p99 < 1 s per request, the whole burst within 5 minutes.
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
QUESTIONS = 20
_TLS = ssl.create_default_context()

BURST_SETUP = """
import datetime as dt, json
from decimal import Decimal
from django.utils import timezone
from accounts.models import User
from contests.models import Contest, ContestGroup, Participant, Round, RoundGroup
from exams.banks.importing.base import ParsedChoice, ParsedQuestion
from exams.banks.services import bank_get_or_create, question_create, questions_approve, topic_get_or_create
from exams.models import Blueprint, BlueprintRow

author = User.objects.create(username="tac_gia", full_name="Người Soạn")
reviewer = User.objects.create(username="nguoi_duyet", full_name="Người Duyệt")
bank, _ = bank_get_or_create(name="Ngân hàng hội thi", actor=author)
bank.for_training = True
bank.save()
topic = topic_get_or_create(bank=bank, name="Cải cách hành chính")
qs = [question_create(topic=topic, parsed=ParsedQuestion(source=0, topic="Cải cách hành chính", kind="single",
      text=f"Câu hỏi {{i}}", choices=[ParsedChoice(f"Phương án {{i}}.{{c}}", c == 0) for c in range(4)]), author=author)
      for i in range(60)]
questions_approve(questions=qs, actor=reviewer)
blueprint = Blueprint.objects.create(bank=bank, name="Đề tuần 1", scale=Decimal(10))
BlueprintRow.objects.create(blueprint=blueprint, topic=topic, difficulty="medium", count={questions})
now = timezone.now()
contest = Contest.objects.create(name="Hội thi tìm hiểu CCHC (bench)", organiser="Sở Nội vụ")
group = ContestGroup.objects.create(contest=contest, name="Nhân dân")
contest_round = Round.objects.create(contest=contest, number=1, opens_at=now - dt.timedelta(minutes=5),
                                     closes_at=now + dt.timedelta(hours=3))
RoundGroup.objects.create(round=contest_round, group=group, blueprint_id=blueprint.pk, minutes=20)
people = list(User.objects.filter(username__startswith="bench").order_by("username"))
Participant.objects.bulk_create([Participant(contest=contest, person=p, group=group, full_name=p.full_name,
                                             unit_name=f"Xã {{n % 100}}", consent_at=now)
                                 for n, p in enumerate(people)], batch_size=1000)
print(json.dumps({{"round": contest_round.pk, "usernames": [p.username for p in people]}}))
"""

STORED = """
import json
from contests.models import Entry
print(json.dumps({"submitted": Entry.objects.filter(status="submitted").count(),
                  "valid": Entry.objects.filter(status="submitted", answered=20).count()}))
"""


class Phone:
    """One participant's phone, signed in."""

    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.client: httpx.AsyncClient | None = None
        self.requests: list[float] = []
        self.saves: list[float] = []
        self.acked: list[tuple[int, int, int, int]] = []  # (attempt, position, seq, choice)
        self.error: str | None = None
        self.login_ms: float | None = None

    async def sign_in(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base, timeout=120, verify=_TLS)
        began = time.perf_counter()
        page = await self.client.get("/accounts/login/")
        response = await self.client.post("/accounts/login/", data={
            "login": self.username, "password": PASSWORD, "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
            headers={"Referer": f"{self.base}/accounts/login/"})
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.username}: {response.status_code}")
        self.login_ms = (time.perf_counter() - began) * 1000

    async def _timed(self, method: str, url: str, **kwargs) -> httpx.Response:
        began = time.perf_counter()
        response = await self.client.request(method, url, **kwargs)
        self.requests.append((time.perf_counter() - began) * 1000)
        return response

    async def take(self, round_id: int, *, start_at: float, answer_every: float, rng: random.Random) -> None:
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        url = f"/contests/rounds/{round_id}/take/"
        socket = None
        try:
            page = await self._timed("GET", url)
            started = await self._timed("POST", url, data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
                                        headers={"Referer": f"{self.base}{url}"})
            if started.status_code != 302:
                raise RuntimeError(f"start: {started.status_code}")
            entry_url = started.headers["location"]
            paper = await self._timed("GET", entry_url)
            config = json.loads(CONFIG.search(paper.text).group(1))
            attempt = int(config["attempt"])
            choices = {int(b.group(1)): [int(v) for v in re.findall(r'value="(\d+)"', b.group(0))]
                       for b in ITEM.finditer(paper.text)}
            if len(choices) != QUESTIONS:
                raise RuntimeError(f"paper of {len(choices)} questions")
            cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
            socket = await websockets.connect(self.base.replace("http", "ws") + config["ws"],
                                              additional_headers={"Cookie": cookie}, origin=self.base,
                                              open_timeout=120, max_queue=None)
            await socket.recv()  # the paper's state
            for seq, position in enumerate(sorted(choices), start=1):
                await asyncio.sleep(answer_every)
                choice = rng.choice(choices[position])
                began = time.perf_counter()
                await socket.send(json.dumps({"type": "save", "item": position, "seq": seq, "value": [choice]}))
                while True:  # the socket may also carry the paper's own notices
                    message = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
                    if message.get("seq") == seq:
                        break
                if message.get("type") != "ack":
                    raise RuntimeError(f"save refused: {message}")
                self.saves.append((time.perf_counter() - began) * 1000)
                self.acked.append((attempt, position, seq, choice))
            await socket.close()
            socket = None
            submitted = await self._timed("POST", f"{entry_url}submit/", data={
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                "p-prediction": str(rng.randint(1500, 2500))}, headers={"Referer": f"{self.base}{entry_url}"})
            if submitted.status_code != 302 or not submitted.headers["location"].endswith("/result/"):
                raise RuntimeError(f"submit: {submitted.status_code} {submitted.headers.get('location')}")
            result = await self._timed("GET", submitted.headers["location"])
            if result.status_code != 200:
                raise RuntimeError(f"result: {result.status_code}")
        except Exception as exc:  # noqa: BLE001 - reported, not raised: one failure must not stop the others
            self.error = repr(exc)[:200]
        finally:
            if socket is not None:
                await socket.close()


async def _limited(coros, limit: int) -> list:
    semaphore = asyncio.Semaphore(limit)

    async def one(coro):
        async with semaphore:
            try:
                return await coro
            except Exception as exc:  # noqa: BLE001 - counted
                return exc

    return await asyncio.gather(*(one(c) for c in coros))


async def drive(server, world: dict, *, start_window: float, answer_every: float, seed: int) -> dict:
    rng = random.Random(seed)
    phones = [Phone(server.url, name) for name in world["usernames"]]
    began = time.perf_counter()
    signed = await _limited([p.sign_in() for p in phones], 20)
    login_s = time.perf_counter() - began
    failed_logins = [r for r in signed if isinstance(r, Exception)]
    figures: dict = {"logins": {"count": len(phones), "errors": len(failed_logins), "seconds": round(login_s, 1),
                                "per_s": round(len(phones) / login_s, 1),
                                **percentiles([p.login_ms for p in phones if p.login_ms is not None])}}
    live = [p for p, r in zip(phones, signed, strict=True) if not isinstance(r, Exception)]
    cpu_before = server.cpu_seconds()
    with generator_without_collector():
        began = time.perf_counter()
        starts = [began + rng.uniform(0, start_window) for _ in live]
        await asyncio.gather(*(p.take(world["round"], start_at=at, answer_every=answer_every,
                                      rng=random.Random(seed + n)) for n, (p, at) in enumerate(zip(live, starts,
                                                                                                  strict=True))))
        window_s = time.perf_counter() - began
    requests = [ms for p in live for ms in p.requests]
    saves = [ms for p in live for ms in p.saves]
    failed = [p.error for p in live if p.error]
    figures["burst"] = {
        "participants": len(live), "start_window_s": start_window, "answer_every_s": answer_every,
        "window_s": round(window_s, 1), "errors": len(failed) + len(failed_logins), "error_samples": failed[:3],
        "requests": percentiles(requests), "saves": percentiles(saves), "all": percentiles(requests + saves),
        "server_cpu_s": round(server.cpu_seconds() - cpu_before, 1)}
    for phone in phones:
        if phone.client is not None:
            await phone.client.aclose()
    figures["_acked"] = [a for p in live for a in p.acked]
    return figures


def burst_part(*, participants: int, start_window: float, answer_every: float, seed: int = 2027) -> dict:
    raise_open_files()
    setup = accounts_setup(count=participants, password=PASSWORD, role="participant") + BURST_SETUP.format(
        questions=QUESTIONS)
    with running_server(setup) as server:
        world = json.loads(server.setup_output.strip().splitlines()[-1])
        figures = asyncio.run(drive(server, world, start_window=start_window, answer_every=answer_every, seed=seed))
        figures["server_peak_rss_mib"] = server.peak_memory_mib()
        server.stop()
        stored = json.loads(server.manage("shell", "--verbosity", "0", "-c", STORED).strip().splitlines()[-1])
        figures["burst"]["lost_answers"] = lost_answers(server.env, figures.pop("_acked"))
    figures["burst"].update({"entries_submitted": stored["submitted"], "entries_valid": stored["valid"]})
    burst = figures["burst"]
    figures["targets"] = {"burst_no_errors": burst["errors"] == 0 and burst["lost_answers"] == 0
                          and stored["submitted"] == participants,
                          "burst_p99_under_1_s": (burst["all"]["p99_ms"] or 1e9) < 1000,
                          "burst_within_5_min": burst["window_s"] <= 300}
    return figures
