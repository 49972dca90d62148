"""TESTING.md's crash test: SIGKILL the server with saves in flight, restart it, and check that every
acknowledged save is in the database and that resending the unacknowledged ones stores each exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets

from bench.common import ROOT, running_server
from bench.scenarios.exam import ROOM_SIZE, SETUP, Candidate, open_rooms

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="embedded-mode crash test (SQLite file)")


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


async def _burst(candidate: Candidate, count: int, kill_after: int, pid: int) -> tuple[set, dict]:
    """Send ``count`` saves without waiting; SIGKILL the server once ``kill_after`` acks have arrived."""
    sent: dict[int, tuple[int, int]] = {}
    acked: set[int] = set()
    for _ in range(count):
        position, seq, choice = candidate.next_answer()
        sent[seq] = (position, choice)
        await candidate.ws.send(json.dumps({"type": "save", "item": position, "seq": seq, "value": [choice]}))
    killed = False
    try:
        async for raw in candidate.ws:
            msg = json.loads(raw)
            if msg.get("type") == "ack":
                acked.add(msg["seq"])
            if len(acked) >= kill_after and not killed:
                os.kill(pid, signal.SIGKILL)
                killed = True
    except websockets.ConnectionClosed:
        pass
    return acked, sent


def test_a_killed_server_loses_no_acknowledged_answer_and_resends_are_stored_once():
    with running_server(SETUP.format(n=1, items=5, room=ROOM_SIZE)) as server:
        world = json.loads(server.setup_output.strip().splitlines()[-1])
        candidate = Candidate(0, server.url)

        async def scenario():
            codes = await open_rooms(server.url, world)  # from the console, as the invigilator does
            await candidate.login()
            await candidate.start(world["sitting"], codes[str(world["rooms"][0])])
            cookie = "; ".join(f"{k}={v}" for k, v in candidate.client.cookies.items())
            url = server.url.replace("http", "ws") + f"/ws/attempt/{candidate.attempt}/?device={candidate.device}"
            candidate.ws = await websockets.connect(url, additional_headers={"Cookie": cookie}, origin=server.url)
            await candidate.ws.recv()
            return await _burst(candidate, count=300, kill_after=40, pid=server.pid)

        acked, sent = asyncio.run(scenario())
        assert 40 <= len(acked) < len(sent), "the kill must land while saves are in flight"
        database = Path(server.env["SQLITE_PATH"])
        with sqlite3.connect(database) as conn:
            stored = {seq for (seq,) in conn.execute(
                "SELECT client_seq FROM exams_answerevent WHERE attempt_id = ? AND applied = 1", (candidate.attempt,))}
        assert acked <= stored  # every acknowledged save survived the SIGKILL

        process, url = _start_daphne(server.env)
        server.processes.append(process)

        async def resend():
            client = candidate.client
            client.base_url = url
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            ws = await websockets.connect(url.replace("http", "ws") + f"/ws/attempt/{candidate.attempt}/"
                                          f"?device={candidate.device}", additional_headers={"Cookie": cookie},
                                          origin=url)
            await ws.recv()
            missing = sorted(set(sent) - acked)
            for seq in missing:  # the page resends exactly what it never saw acknowledged
                position, choice = sent[seq]
                await ws.send(json.dumps({"type": "save", "item": position, "seq": seq, "value": [choice]}))
            got = set()
            while len(got) < len(missing):
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
                if msg.get("type") == "ack":
                    got.add(msg["seq"])
            await ws.close()
            return got

        assert asyncio.run(resend()) == set(sent) - acked
        with sqlite3.connect(database) as conn:
            applied = conn.execute(
                "SELECT client_seq, COUNT(*) FROM exams_answerevent WHERE attempt_id = ? AND applied = 1 "
                "GROUP BY client_seq", (candidate.attempt,)).fetchall()
            finals = dict(conn.execute("SELECT position, answer FROM exams_attemptitem WHERE attempt_id = ?",
                                       (candidate.attempt,)).fetchall())
        assert {seq for seq, _n in applied} == set(sent) and all(n == 1 for _seq, n in applied)
        last = {}
        for seq in sorted(sent):
            position, choice = sent[seq]
            last[position] = choice
        assert {p: json.loads(v)[0] for p, v in finals.items() if v} == last
