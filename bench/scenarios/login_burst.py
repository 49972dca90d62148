"""Login burst: N people of one exam room (one address) sign in within a short window.

Each person loads the login page, posts the form (real allauth, real middleware, real rate limits)
and opens the dashboard. Reports latency of the sign-in POST and of the whole flow, errors (any
refusal, including a rate limit hitting the room), and /livez measured on the same server.
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx

from bench.common import accounts_setup, base_parser, percentiles, running_server, started_at, trivial_endpoint, write_report

PASSWORD = "Bench-Passw0rd!"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def _one(base: str, username: str) -> tuple[float, float, bool]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        began = time.perf_counter()
        page = await client.get("/accounts/login/")
        token = CSRF.search(page.text).group(1)
        posted = time.perf_counter()
        response = await client.post("/accounts/login/", data={"login": username, "password": PASSWORD,
                                                                "csrfmiddlewaretoken": token},
                                     headers={"Referer": f"{base}/accounts/login/"})
        post_ms = (time.perf_counter() - posted) * 1000
        ok = response.status_code == 302 and response.headers.get("location") == "/dashboard/"
        if ok:
            ok = (await client.get("/dashboard/")).status_code == 200
        return post_ms, (time.perf_counter() - began) * 1000, ok


async def _burst(base: str, users: int, concurrency: int) -> dict:
    semaphore = asyncio.Semaphore(concurrency)

    async def limited(n: int):
        async with semaphore:
            try:
                return await _one(base, f"bench{n:05d}")
            except (httpx.HTTPError, AttributeError):
                return None, None, False

    began = time.perf_counter()
    results = await asyncio.gather(*(limited(n) for n in range(users)))
    elapsed = time.perf_counter() - began
    ok = [r for r in results if r[2]]
    return {
        "login_post": percentiles([r[0] for r in ok]),
        "login_flow": percentiles([r[1] for r in ok]),
        "logins_ok": len(ok),
        "errors": users - len(ok),
        "elapsed_s": round(elapsed, 2),
        "throughput_logins_per_s": round(len(ok) / elapsed, 1),
    }


def main(argv: list[str]) -> int:
    parser = base_parser("login_burst", __doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args(argv)
    params = {"users": args.users, "concurrency": args.concurrency, "json": args.json, "_started_at": started_at()}
    with running_server(accounts_setup(count=args.users, password=PASSWORD)) as server:
        baseline = asyncio.run(trivial_endpoint(server.url, requests=max(50, args.users), concurrency=args.concurrency))
        figures = asyncio.run(_burst(server.url, args.users, args.concurrency))
        figures["trivial_endpoint"] = baseline
        if baseline["p50_ms"] and figures["login_post"]["p50_ms"]:
            figures["login_post_p50_over_trivial_p50"] = round(figures["login_post"]["p50_ms"] / baseline["p50_ms"], 1)
        figures["server_peak_memory_mib"] = server.peak_memory_mib()
        figures["mode"] = "scale-out" if server.env.get("DATABASE_URL") else "embedded"
    write_report("login_burst", params, figures, args.json)
    return 0 if figures["errors"] == 0 else 1
