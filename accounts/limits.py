"""Counters of tries in windows of the server's clock: the one way this project limits how often something is tried.

A window is named by the server's clock (``timezone.now()``), never left to the cache's expiry: Redis expires keys by
its own clock, which the server does not own and frozen time in tests cannot move (docs/operations.md,
"The server owns time"). The cache's timeout only sweeps a finished window away.

What the key names decides who a lock can be turned against. A key that one stranger's wrong tries fill (a login
name, a printed candidate number) is a lock anyone can put on someone else: key failures by the person *and* where
the tries come from, and cap each address separately with a limit sized for a whole exam room behind one NAT address
(docs/operations.md, "Known traps"), so that only a runaway script reaches it.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone


def windowed(key: str, window: int) -> str:
    """The key of the current window of ``window`` seconds, by the server's clock."""
    return f"{key}:{int(timezone.now().timestamp()) // window}"


def count(key: str, window: int) -> int:
    """Count one more try in the current window of ``key``; the number so far, this one included."""
    key = windowed(key, window)
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # swept away between the two calls
        cache.set(key, 1, window)
        return 1


def counted(key: str, window: int) -> int:
    """The tries counted so far in the current window of ``key``."""
    return cache.get(windowed(key, window), 0)


def forget(key: str, window: int) -> None:
    """Start the current window of ``key`` afresh."""
    cache.delete(windowed(key, window))
