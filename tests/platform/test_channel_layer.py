"""The embedded channel layer cleans up expired messages and memberships at most once a second, not on every
message (exam_platform/channel_layers.py), and still cleans them up."""

import time

import time_machine

from exam_platform.channel_layers import ThrottledCleanupInMemoryChannelLayer


def _pages(layer, n: int) -> list[str]:
    names = []
    for page in range(n):
        name = f"page.{page}"
        layer.channels.setdefault(name, __import__("asyncio").Queue())
        layer.groups.setdefault("room-1", {})[name] = time.time()
        layer.groups.setdefault(f"attempt-{page}", {})[name] = time.time()
        names.append(name)
    return names


async def test_a_message_to_a_room_walks_the_pages_once_not_once_per_page(monkeypatch):
    layer = ThrottledCleanupInMemoryChannelLayer()
    names = _pages(layer, 300)
    walks = []
    stock = type(layer).__mro__[1]._clean_expired
    monkeypatch.setattr(type(layer).__mro__[1], "_clean_expired", lambda self: (walks.append(1), stock(self)))
    await layer.group_send("room-1", {"type": "room.state", "deadlines": "{}"})
    for name in names:  # every page takes its message and asks for the next one, as a consumer does
        assert (await layer.receive(name))["type"] == "room.state"
    assert len(walks) == 1  # the stock layer walks 300 channels and 600 memberships 301 times here


async def test_expired_messages_and_memberships_are_still_dropped_after_the_interval():
    layer = ThrottledCleanupInMemoryChannelLayer(expiry=60, group_expiry=3600)
    with time_machine.travel(0, tick=False) as traveller:
        await layer.group_add("room-1", "page.1")
        await layer.send("page.2", {"type": "old"})
        traveller.shift(30)
        await layer.group_send("room-1", {"type": "fresh"})  # a walk: nothing has expired yet
        traveller.shift(3600 + 60)
        await layer.group_send("room-1", {"type": "late"})  # the next walk drops the stale message and member
    assert "page.2" not in layer.channels
    assert layer.groups.get("room-1", {}) == {}


async def test_each_walk_after_the_interval_drops_what_expired_since_the_last():
    layer = ThrottledCleanupInMemoryChannelLayer(cleanup_interval=1.0, expiry=1)
    with time_machine.travel(0, tick=False) as traveller:
        await layer.group_send("room-1", {"type": "x"})  # first walk
        await layer.send("page.9", {"type": "soon expired"})
        traveller.shift(1.5)  # the message has expired, and the interval has passed
        await layer.group_send("room-1", {"type": "y"})
        assert "page.9" not in layer.channels
        await layer.send("page.8", {"type": "expires"})
        traveller.shift(1.2)  # expired, and the last walk was 1.2 s ago
        await layer.group_send("room-1", {"type": "z"})
        assert "page.8" not in layer.channels
