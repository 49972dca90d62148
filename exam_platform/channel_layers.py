"""The embedded mode's channel layer: channels' in-memory layer without its quadratic clean-up.

The stock ``InMemoryChannelLayer`` walks every channel's queue and every group membership of the process on each
``receive()`` and ``group_send()``. Every open page has a channel and two group memberships, and every page
calls ``receive()`` again after each message it gets, so one message to a room of pages costs pages × (3 ×
pages) steps: with 2,000 exam pages open, a room-wide extension made the server walk twelve million entries,
and the last page heard of it eleven seconds later (bench/README.md, `exam`).

Here the walk runs at most once per ``cleanup_interval`` seconds (1 s), whoever asks. Nothing else changes:
expired messages and memberships are still dropped, at most a second later than before (they expire after 60 s
and a day by default).
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer


class ThrottledCleanupInMemoryChannelLayer(InMemoryChannelLayer):
    cleanup_interval = 1.0

    def __init__(self, *args, cleanup_interval: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if cleanup_interval is not None:
            self.cleanup_interval = cleanup_interval
        self._cleaned_at = float("-inf")

    def _clean_expired(self):
        now = time.time()  # the clock the layer's expiries are written in
        if now - self._cleaned_at < self.cleanup_interval:
            return
        self._cleaned_at = now
        super()._clean_expired()
