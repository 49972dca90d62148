"""Scale-out: two daphne processes sharing PostgreSQL and Redis, started as an operator would.

An HR notice posted over HTTP to process A must reach a websocket held by process B, which only
works when the channel layer really is shared (InMemoryChannelLayer would silently lose it).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets

pytestmark = pytest.mark.scaleout

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        pytest.fail("the scale-out test needs DATABASE_URL and REDIS_URL (see .ci/run)")
    work = tmp_path_factory.mktemp("cluster")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "APP_ENV": "demo",
        "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),  # shared by both processes, as an operator sets it
        "LOCAL_SECRETS_FILE": str(work / "secrets.env"),
        "STATIC_ROOT": str(work / "static"),
    })
    for args in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                       timeout=300)
    password = dict(line.split("=", 1) for line in (work / "secrets.env").read_text().splitlines())["DEMO_PASSWORD"]
    processes, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        log = open(work / f"daphne-{name}.log", "w")  # noqa: SIM115 - closed below
        processes.append((subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "exam_platform.asgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            _wait_until_live(url)
        yield {"a": urls[0], "b": urls[1], "password": password}
    finally:
        for process, log in processes:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def _wait_until_live(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/livez", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def _login(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post("/accounts/login/", data={"login": username, "password": password,
                                                     "csrfmiddlewaretoken": token},
                           headers={"Referer": f"{base}/accounts/login/"})
    assert response.status_code == 302 and response.headers["location"] == "/dashboard/", response.text[:500]
    return client


def test_both_processes_report_the_shared_backends(cluster):
    for url in (cluster["a"], cluster["b"]):
        body = httpx.get(f"{url}/healthz", timeout=10).json()
        assert body["status"] == "ok"
        assert body["database"]["kind"] == "postgresql"
        assert body["cache"]["kind"] == "redis"
        assert body["channel_layer"]["kind"] == "channels_redis"


async def test_a_notice_posted_on_a_reaches_a_websocket_on_b(cluster):
    hr = await asyncio.to_thread(_login, cluster["a"], "demo_hr", cluster["password"])
    candidate = await asyncio.to_thread(_login, cluster["a"], "demo_candidate", cluster["password"])
    cookie = "; ".join(f"{k}={v}" for k, v in candidate.cookies.items())
    ws_url = cluster["b"].replace("http://", "ws://") + "/ws/notices/"
    async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}, origin=cluster["b"]) as socket_b:
        text = f"Thông báo thử {secrets.token_hex(4)}"
        dashboard = await asyncio.to_thread(hr.get, "/dashboard/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', dashboard.text).group(1)
        response = await asyncio.to_thread(
            hr.post, "/notices/send/", data={"text": text, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{cluster['a']}/dashboard/"},
        )
        assert response.status_code == 302
        message = json.loads(await asyncio.wait_for(socket_b.recv(), timeout=10))
    assert message["type"] == "notice" and message["text"] == text
    assert message["author"] == "Lê Thị Ngọc Hân"
