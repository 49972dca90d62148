"""Broadcast: one staff notice reaches every connected page.

N signed-in people hold /ws/notices/ open (the same socket every page opens); HR posts a notice over
HTTP; the report gives the delivery latency from the POST to each socket, how many got it, and
/livez on the same server. This is the path a room-wide time extension will take.
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import websockets

from bench.common import accounts_setup, base_parser, percentiles, running_server, started_at, trivial_endpoint, write_report

PASSWORD = "Bench-Passw0rd!"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def _login(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    page = await client.get("/accounts/login/")
    response = await client.post("/accounts/login/", data={
        "login": username, "password": PASSWORD, "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
        headers={"Referer": f"{base}/accounts/login/"})
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return client


async def _run(base: str, sockets: int, concurrency: int) -> dict:
    semaphore = asyncio.Semaphore(concurrency)

    async def connect(n: int):
        async with semaphore:
            client = await _login(base, f"bench{n:05d}")
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            await client.aclose()
            return await websockets.connect(base.replace("http", "ws") + "/ws/notices/",
                                            additional_headers={"Cookie": cookie}, origin=base, open_timeout=60)

    connections = await asyncio.gather(*(connect(n) for n in range(sockets)))
    hr = await _login(base, "bench_hr")
    dashboard = await hr.get("/dashboard/")
    token = CSRF.search(dashboard.text).group(1)

    async def receive(ws) -> float | None:
        try:
            await asyncio.wait_for(ws.recv(), timeout=30)
            return time.perf_counter()
        except (TimeoutError, websockets.ConnectionClosed):
            return None

    waiters = [asyncio.create_task(receive(ws)) for ws in connections]
    sent = time.perf_counter()
    response = await hr.post("/notices/send/", data={"text": "Gia hạn thời gian làm bài 5 phút",
                                                     "csrfmiddlewaretoken": token},
                             headers={"Referer": f"{base}/dashboard/"})
    post_ms = (time.perf_counter() - sent) * 1000
    arrivals = await asyncio.gather(*waiters)
    await hr.aclose()
    for ws in connections:
        await ws.close()
    delivered = [(t - sent) * 1000 for t in arrivals if t is not None]
    return {"post_status": response.status_code, "post_ms": round(post_ms, 2), "sockets": sockets,
            "delivered": len(delivered), "lost": sockets - len(delivered), "delivery": percentiles(delivered)}


SETUP_HR = """
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from accounts.models import User
hr = User.objects.create(username="bench_hr", full_name="Cán Bộ Thử", password=make_password({password!r}))
hr.groups.add(Group.objects.get(name="hr_staff"))
"""


def main(argv: list[str]) -> int:
    parser = base_parser("notice_broadcast", __doc__)
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=30)
    args = parser.parse_args(argv)
    params = {"sockets": args.sockets, "concurrency": args.concurrency, "json": args.json,
              "_started_at": started_at()}
    setup = accounts_setup(count=args.sockets, password=PASSWORD) + SETUP_HR.format(password=PASSWORD)
    with running_server(setup) as server:
        figures = asyncio.run(_run(server.url, args.sockets, args.concurrency))
        figures["trivial_endpoint"] = asyncio.run(trivial_endpoint(server.url, requests=100,
                                                                   concurrency=args.concurrency))
        figures["server_peak_memory_mib"] = server.peak_memory_mib()
        figures["mode"] = "scale-out" if server.env.get("DATABASE_URL") else "embedded"
    write_report("notice_broadcast", params, figures, args.json)
    return 0 if figures["lost"] == 0 and figures["post_status"] == 302 else 1
