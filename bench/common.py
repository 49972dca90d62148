"""Shared harness: start the server as a user would, measure, and write the report (docs/operations.md, "Benchmarks")."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict:
    import django

    mem_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {"cores": os.cpu_count(), "mem_gib": round(mem_kib / 1048576, 1), "python": platform.python_version(),
            "django": django.get_version()}


def git_sha() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def percentiles(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"count": len(ordered), "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
            "max_ms": round(ordered[-1], 2), "mean_ms": round(statistics.fmean(ordered), 2)}


def write_report(scenario: str, params: dict, figures: dict, json_path: str | None) -> dict:
    report = {"scenario": scenario, "git_sha": git_sha(), "started_at": params.pop("_started_at"),
              "machine": machine(), "params": params, **figures}
    path = Path(json_path) if json_path else ROOT / "bench" / "results" / f"{scenario}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"report written to {path}", file=sys.stderr)
    return report


def base_parser(scenario: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m bench {scenario}", description=description)
    parser.add_argument("--json", help="where to write the JSON report (default bench/results/<scenario>.json)")
    return parser


def started_at() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def generator_without_collector() -> Iterator[None]:
    """The load generator's own garbage collector off for a timed phase (and one collection before it).

    One Python process plays 2,000 browsers; its full collections (300–900 ms with that many clients, measured
    with gc.callbacks) stalled every simulated page at once and were counted as the server's latency. Real
    browsers do not share a collector. The server's collector is untouched."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class Server:
    url: str
    pid: int
    env: dict
    urls: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    setup_output: str = ""
    processes: list = field(default_factory=list)

    def stop(self) -> None:
        """Stop every server process (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def peak_memory_mib(self) -> float | None:
        total = 0.0
        for pid in self.pids or [self.pid]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) / 1024
            except OSError:
                return None
        return round(total, 1)

    def cpu_seconds(self) -> float:
        """User + system CPU of every server process so far (from /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids or [self.pid]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                              capture_output=True, text=True, timeout=900).stdout


@contextmanager
def running_server(setup_code: str = "", *, processes: int = 1, extra_env: dict | None = None) -> Iterator[Server]:
    """Migrate a fresh database (SQLite in a temp dir, or DATABASE_URL's), run ``setup_code`` in a Django
    shell, then start daphne exactly like `make run` does (``processes`` of them for the scale-out mode), and
    stop them afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update({"APP_ENV": "demo", "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
                    "LOCAL_SECRETS_FILE": f"{work}/secrets.env", "STATIC_ROOT": f"{work}/static", **(extra_env or {})})
        if not env.get("DATABASE_URL"):
            env["SQLITE_PATH"] = f"{work}/db.sqlite3"
        server = Server(url="", pid=0, env=env)
        server.manage("migrate", "--noinput", "-v0")
        server.manage("collectstatic", "--noinput", "-v0")
        if setup_code:
            server.setup_output = server.manage("shell", "--verbosity", "0", "-c", setup_code)
        started = []
        try:
            for n in range(processes):
                port = _free_port()
                log = open(f"{work}/daphne-{n}.log", "w")  # noqa: SIM115 - closed in finally
                process = subprocess.Popen(
                    [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                     "exam_platform.asgi:application"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                started.append((process, log))
                server.processes.append(process)
                server.urls.append(f"http://127.0.0.1:{port}")
                server.pids.append(process.pid)
            server.url, server.pid = server.urls[0], server.pids[0]
            for url, (process, _log) in zip(server.urls, started, strict=True):
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if httpx.get(f"{url}/livez", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        if time.monotonic() > deadline or process.poll() is not None:
                            raise RuntimeError(Path(_log.name).read_text()) from None
                        time.sleep(0.2)
            yield server
        finally:
            server.stop()
            for _process, log in started:
                log.close()
                if os.environ.get("BENCH_LOG_DIR"):  # keep the server logs for a post-mortem
                    Path(os.environ["BENCH_LOG_DIR"]).mkdir(parents=True, exist_ok=True)
                    Path(os.environ["BENCH_LOG_DIR"], Path(log.name).name).write_text(Path(log.name).read_text())


async def trivial_endpoint(url: str, *, requests: int, concurrency: int) -> dict:
    """The same server's /livez under the same concurrency: the yardstick the scenario is read against."""
    samples: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        queue.put_nowait(n)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            queue.get_nowait()
            start = time.perf_counter()
            try:
                response = await client.get(f"{url}/livez")
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                samples.append((time.perf_counter() - start) * 1000)
            else:
                errors += 1

    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {**percentiles(samples), "errors": errors, "throughput_per_s": round(len(samples) / elapsed, 1)}


BENCH_ACCOUNTS_SETUP = """
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from accounts.models import User
hashed = make_password({password!r})  # one precomputed hash for every benchmark account (setup only)
users = [User(username=f"bench{{n:05d}}", full_name=f"Người Thử {{n}}", password=hashed) for n in range({count})]
User.objects.bulk_create(users, batch_size=1000)
group = Group.objects.get(name={role!r})
group.user_set.add(*User.objects.filter(username__startswith="bench"))
"""


def accounts_setup(*, count: int, password: str, role: str = "candidate") -> str:
    return BENCH_ACCOUNTS_SETUP.format(count=count, password=password, role=role)
