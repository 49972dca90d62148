"""The crash test (docs/exam-day.md): SIGKILL the server with several candidates' saves in flight, restart it, and check that
every acknowledged save is in the database and that what the pages resend is stored exactly once.

Over the websocket and over the HTTP fallback; on SQLite (embedded mode) and, in the scale-out pass of .ci/run, on
PostgreSQL (a database of its own per run). Each simulated page behaves as exam.js does: it keeps its latest
unacknowledged answer per question and sends it again, with the same counter, once the server is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import websockets

from bench.common import ROOT, running_server
from bench.scenarios.exam import ROOM_SIZE, SETUP, Candidate, open_rooms

CANDIDATES = 5
SAVES_EACH = 120
KILL_AFTER_ACKS = 150  # of CANDIDATES × SAVES_EACH sent: the kill lands with most of them in flight


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_daphne(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                "exam_platform.asgi:application"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/livez", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("daphne did not start")


@pytest.fixture
def database_env():
    """Embedded mode: running_server's own SQLite file. Scale-out mode: a PostgreSQL database made for this run
    (the server migrates it) and dropped afterwards."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {}
        return
    import psycopg

    name = f"crash_{uuid.uuid4().hex[:12]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{base}/{name}"}
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _query(env: dict, sql: str, params: tuple) -> list[tuple]:
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()
    with sqlite3.connect(Path(env["SQLITE_PATH"])) as conn:
        return conn.execute(sql, params).fetchall()


class Page:
    """One candidate's page: its saves, which were acknowledged, and what it would send again."""

    def __init__(self, candidate: Candidate):
        self.candidate = candidate
        self.sent: dict[int, tuple[int, int]] = {}  # seq -> (position, choice)
        self.acked: set[int] = set()

    def pending(self) -> dict[int, tuple[int, int]]:
        """The latest save of each question that no acknowledgement covers (exam.js's queue)."""
        latest: dict[int, int] = {}
        for seq, (position, _choice) in self.sent.items():
            latest[position] = max(latest.get(position, 0), seq)
        covered = {position: max((s for s in self.acked if self.sent[s][0] == position), default=0)
                   for position in latest}
        return {seq: self.sent[seq] for position, seq in latest.items() if seq > covered[position]}

    def save_message(self, seq: int) -> dict:
        position, choice = self.sent[seq]
        return {"type": "save", "item": position, "seq": seq, "value": [choice]}


async def _ws_connect(candidate: Candidate, url: str):
    cookie = "; ".join(f"{k}={v}" for k, v in candidate.client.cookies.items())  # the session and the device pass
    ws = await websockets.connect(url.replace("http", "ws") + f"/ws/attempt/{candidate.attempt}/",
                                  additional_headers={"Cookie": cookie}, origin=url)
    await ws.recv()  # the state
    return ws


async def _burst_ws(pages: list[Page], url: str, kill) -> None:
    async def one(page: Page):
        ws = await _ws_connect(page.candidate, url)
        for _ in range(SAVES_EACH):
            position, seq, choice = page.candidate.next_answer()
            page.sent[seq] = (position, choice)
            await ws.send(json.dumps(page.save_message(seq)))
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                msg = json.loads(raw)
                if msg.get("type") == "ack":
                    page.acked.add(msg["seq"])
                    kill()

    await asyncio.gather(*(one(page) for page in pages))


async def _http_save(page: Page, url: str, seq: int) -> dict | None:
    candidate = page.candidate
    try:
        response = await candidate.client.post(f"{url}/attempts/{candidate.attempt}/save/",
                                               json=page.save_message(seq),
                                               headers={"X-CSRFToken": candidate.client.cookies.get("csrftoken", ""),
                                                        "Referer": f"{url}/attempts/{candidate.attempt}/"})
        return response.json()
    except httpx.HTTPError:  # the server died under this request: not acknowledged
        return None


async def _burst_http(pages: list[Page], url: str, kill) -> None:
    async def one(page: Page):
        in_flight = asyncio.Semaphore(8)  # a page does not wait for one save before sending the next

        async def send(seq):
            async with in_flight:
                msg = await _http_save(page, url, seq)
            if msg and msg.get("type") == "ack":
                page.acked.add(msg["seq"])
                kill()

        seqs = []
        for _ in range(SAVES_EACH):
            position, seq, choice = page.candidate.next_answer()
            page.sent[seq] = (position, choice)
            seqs.append(seq)
        await asyncio.gather(*(send(seq) for seq in seqs))

    await asyncio.gather(*(one(page) for page in pages))


async def _resend(pages: list[Page], url: str, transport: str) -> dict[int, dict[int, str]]:
    """Each page sends its queue again to the restarted server; the answer to each save, by page."""
    answers: dict[int, dict[int, str]] = {}
    for n, page in enumerate(pages):
        page.candidate.client.base_url = url
        queue = page.pending()
        answers[n] = {}
        if transport == "ws":
            ws = await _ws_connect(page.candidate, url)
            for seq in sorted(queue):
                await ws.send(json.dumps(page.save_message(seq)))
            while len(answers[n]) < len(queue):
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
                if msg.get("seq") in queue:
                    answers[n][msg["seq"]] = msg["type"]
            await ws.close()
        else:
            for seq in sorted(queue):
                answers[n][seq] = (await _http_save(page, url, seq))["type"]
        page.acked |= {seq for seq, kind in answers[n].items() if kind == "ack"}
    return answers


@pytest.mark.parametrize("transport", ["ws", "http"])
def test_a_killed_server_loses_no_acknowledged_answer_and_resends_are_stored_once(transport, database_env):
    with running_server(SETUP.format(n=CANDIDATES, items=5, room=ROOM_SIZE), extra_env=database_env) as server:
        world = json.loads(server.setup_output.strip().splitlines()[-1])
        pages = [Page(Candidate(n, server.url)) for n in range(CANDIDATES)]
        killed = []

        def kill():
            if not killed and sum(len(p.acked) for p in pages) >= KILL_AFTER_ACKS:
                os.kill(server.pid, signal.SIGKILL)
                killed.append(True)

        async def scenario():
            codes = await open_rooms(server.url, world)  # from the console, as the invigilator does
            for page in pages:
                await page.candidate.login()
                await page.candidate.start(world["sitting"], codes[str(world["rooms"][0])])
            await (_burst_ws if transport == "ws" else _burst_http)(pages, server.url, kill)

        asyncio.run(scenario())
        acked_before = sum(len(p.acked) for p in pages)
        sent = sum(len(p.sent) for p in pages)
        assert killed and KILL_AFTER_ACKS <= acked_before < sent, "the kill must land while saves are in flight"

        def applied(page: Page) -> dict[int, int]:
            return dict(_query(server.env, "SELECT client_seq, COUNT(*) FROM exams_answerevent WHERE attempt_id = ? "
                                           "AND applied GROUP BY client_seq", (page.candidate.attempt,)))

        def held(page: Page) -> dict[int, tuple[int, int]]:
            """Each question's stored (counter, choice)."""
            rows = _query(server.env, "SELECT position, client_seq, answer FROM exams_attemptitem WHERE attempt_id = ?",
                          (page.candidate.attempt,))
            return {p: (seq, (json.loads(v) if isinstance(v, str) else v)[0]) for p, seq, v in rows if v}

        for page in pages:  # every acknowledged save survived the SIGKILL
            stored = held(page)
            for position in {page.sent[seq][0] for seq in page.acked}:
                last_acked = max(seq for seq in page.acked if page.sent[seq][0] == position)
                seq, choice = stored[position]
                # stored under that counter (its value) or a newer one: an acknowledged save is never overtaken
                # by an older one, whether it was written or found already there (issue 15's coalescing)
                assert seq > last_acked or (seq, choice) == (last_acked, page.sent[last_acked][1]), (
                    position, last_acked, seq)

        process, url = _start_daphne(server.env)
        server.processes.append(process)
        answers = asyncio.run(_resend(pages, url, transport))

        for n, page in enumerate(pages):
            assert set(answers[n].values()) <= {"ack"}, answers[n]  # every resent save is stored or already was
            assert all(count == 1 for count in applied(page).values())  # each save applied once at most
            last: dict[int, int] = {}
            for seq in sorted(page.sent):
                position, choice = page.sent[seq]
                last[position] = choice
            finals = dict(_query(server.env, "SELECT position, answer FROM exams_attemptitem WHERE attempt_id = ?",
                                 (page.candidate.attempt,)))
            held = {p: (json.loads(v) if isinstance(v, str) else v)[0] for p, v in finals.items() if v}
            assert held == last  # each question holds the candidate's last answer
