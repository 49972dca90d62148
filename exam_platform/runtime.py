"""How the server process runs Python's cyclic garbage collector.

With CPython's defaults (collect the youngest objects every 700 new containers, the oldest every 100 young
collections) a server holding 2,000 exam pages ran a full collection every ~4.5 s during the start spike, each
one 250–400 ms long (measured with gc.callbacks, bench `exam` at N = 2,000): every answer in flight waited for
it, which was most of the latency phase's p99. Two changes, as long-running Python servers commonly make:

- ``gc.freeze()`` once the application is loaded: the modules, URL patterns, templates and translations built at
  start-up are permanent and are never scanned again;
- young collections every 10,000 new containers instead of 700, which makes full collections an order of
  magnitude rarer. Reference cycles are still collected (most die young, in the cheap collections); memory is
  watched by the benchmark (``peak_rss_mb``);
- the middle generation collected every 30 young collections instead of 10. CPython starts a full collection
  once the objects promoted to the oldest generation reach a quarter of it; an object that merely outlived two
  young collections (a request in flight, a page's state being sent) was promoted and counted, so with 2,000
  pages open a full collection of ~270 ms came every 5–15 s, and almost every one found nothing to free
  (``collected=0``, gc.callbacks, session 4). Longer in the middle generation, those objects die there. Not
  longer still: the start spike's requests leave ~600 objects of cyclic garbage each (forms, template contexts,
  responses), and at 100 young collections one middle collection held ~600,000 of them and paused the server for
  0.8–1.0 s (start p99 1.7 s, against 1.4 s at 10 and at 30).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 30


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    _young, _middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, old)
