"""The child process that renders certificates to PDF, one batch per process (courses/certificate_render.py)::

    python -m courses.pdf_child MEMORY_BYTES CPU_SECONDS < jobs.json > answer.json

``jobs.json`` is a JSON list of ``{"html": ..., "out": absolute path}``; the answer is a JSON list in the same order,
``{"ok": true}`` or ``{"ok": false, "error": "..."}`` for each job. One job that fails does not stop the others.

Its first act is to cap its own address space and CPU time (``resource.setrlimit``), before WeasyPrint is
imported: a batch that needs gigabytes or minutes then kills this process, never the server's request lanes or the
server's thread that started it. Each PDF is written to ``out`` + ".part" and moved into place only once complete,
so a path that exists holds a whole PDF (the parent reads a dead child's batch by that rule).

The pages are built from the platform's own templates, but the names in them come from people: WeasyPrint is given a
URL fetcher that fetches nothing (no file of the server, no address of the network is read while rendering).

This module imports no Django, so the child starts in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import resource
import sys

EXIT_MEMORY = 3  # the child ran out of its address space outside any one job
ERROR_CHARS = 500


def render(html: str, out: str) -> None:
    from weasyprint import HTML, URLFetcher

    part = out + ".part"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    try:
        # No protocol allowed: every fetch is refused (file:, http:, data: alike).
        HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf(part)
        os.replace(part, out)
    finally:
        if os.path.exists(part):
            os.remove(part)


def run(jobs: list[dict]) -> list[dict]:
    answers = []
    for job in jobs:
        try:
            render(job["html"], job["out"])
            answers.append({"ok": True})
        except Exception as exc:  # noqa: BLE001 - MemoryError included: the job's problem, named, and on to the next
            answers.append({"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:ERROR_CHARS]})
    return answers


def _limit_self(*, memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The soft limit sends SIGXCPU (fatal), the hard one a second later SIGKILL in case it was caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would otherwise dump core


def main(argv: list[str]) -> int:
    memory_bytes, cpu_seconds = (int(arg) for arg in argv[1:3])
    _limit_self(memory_bytes=memory_bytes, cpu_seconds=cpu_seconds)
    try:
        jobs = json.loads(sys.stdin.buffer.read())
        payload = json.dumps(run(jobs)).encode("ascii")
    except MemoryError:
        os._exit(EXIT_MEMORY)  # without clean-up: there is no memory left to run it
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
