"""The probes /healthz runs: each answers with the backend's kind, or raises."""

from __future__ import annotations

import asyncio
import time

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"kind": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{time.monotonic_ns()}"
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache read back failed")
    cache.delete(key)
    backend = settings.CACHES["default"]["BACKEND"]
    return {"kind": "redis" if "redis" in backend.lower() else "locmem"}


async def check_channel_layer() -> dict:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.probe"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    if message.get("type") != "healthz.probe":
        raise RuntimeError("unexpected message")
    kind = "channels_redis" if type(layer).__module__.startswith("channels_redis") else "in_memory"
    return {"kind": kind}
