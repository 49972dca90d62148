"""How the server process runs Python's cyclic garbage collector.

With CPython's defaults (collect the youngest objects every 700 new containers, the oldest every 100 young
collections) a server holding 2,000 exam pages ran a full collection every ~4.5 s during the start spike, each
one 250–400 ms long (measured with gc.callbacks, bench `exam` at N = 2,000): every answer in flight waited for
it, which was most of the latency phase's p99. Two changes, as long-running Python servers commonly make:

- ``gc.freeze()`` once the application is loaded: the modules, URL patterns, templates and translations built at
  start-up are permanent and are never scanned again;
- young collections every 10,000 new containers instead of 700, which makes full collections an order of
  magnitude rarer. Reference cycles are still collected (most die young, in the cheap collections); memory is
  watched by the benchmark (``peak_rss_mb``).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
