"""The hosts of the exam engine: who runs attempts of a purpose, where its pages are, what it does when one finishes.

Exam sessions host the purpose "exam" with the engine's own pages. A course test or a contest entry registers its
purpose once, when its app is ready (``exams.engine.host_register``): the engine's shared endpoints (the HTTP
fallback's save, state and submit, and the websocket) then send its candidates to its pages, and its ``on_finish``
runs after the finish commits, once, whoever finished the attempt (the candidate, the deadline, the sweeper).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Host:
    purpose: str
    page_url: Callable[[int], str]  # attempt id -> the page that shows the paper
    result_url: Callable[[int], str]  # attempt id -> where a finished attempt is shown
    on_finish: Callable[..., None] | None = None  # called as on_finish(attempt_id=...) after commit


_hosts: dict[str, Host] = {}


def host_register(host: Host) -> None:
    _hosts[host.purpose] = host


def host_unregister(purpose: str) -> None:
    _hosts.pop(purpose, None)


def host_for(purpose: str) -> Host | None:
    return _hosts.get(purpose)
