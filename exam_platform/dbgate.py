"""One writer at a time on SQLite, queued in Python rather than in SQLite's busy loop.

Under daphne every request runs in a thread of its own with its own connection. At an exam's start spike,
hundreds of threads asking SQLite for the write lock at once leave some waiting past the busy timeout
("database is locked", measured at N = 1,000 starts). A process-wide lock around exam-day write
transactions queues them fairly and keeps each transaction short; PostgreSQL needs no such gate.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext

from django.db import connection

_lock = threading.RLock()


@contextmanager
def _locked():
    with _lock:
        yield


def write_gate():
    """Enter before ``transaction.atomic()`` of a write that comes in bursts: exam day's saves and starts, the lesson
    heartbeats (a no-op on PostgreSQL)."""
    return _locked() if connection.vendor == "sqlite" else nullcontext()
