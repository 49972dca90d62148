"""Exam day's messages to sockets: the groups (one per attempt, per room, per console) and sending, always after
the write commits (a message never announces what a rollback then undid)."""
from __future__ import annotations

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from exams.examday.models import Attempt, RoomSession


def attempt_group(attempt_id: int) -> str:
    return f"attempt-{attempt_id}"


def console_group(room_session_id: int) -> str:
    return f"console-{room_session_id}"


def room_group(room_session_id: int) -> str:
    """Every open exam page of a room: for what happens to the whole room (an extension, a pause)."""
    return f"room-{room_session_id}"


async def _group_send_each(layer, messages: list[tuple[str, dict]]) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


def send_all(messages: list[tuple[str, dict]]) -> None:
    """Every message in one hand-over to the event loop: a sitting-wide action's twenty rooms get theirs at once
    instead of one by one behind the pages the earlier rooms' messages woke."""
    layer = get_channel_layer()
    if layer is not None and messages:
        async_to_sync(_group_send_each)(layer, messages)


def send(group: str, message: dict) -> None:
    send_all([(group, message)])


def notify_all_after_commit(messages: list[tuple[str, dict]]) -> None:
    transaction.on_commit(lambda: send_all(messages))


def notify_after_commit(group: str, message: dict) -> None:
    notify_all_after_commit([(group, message)])


def attempt_state_message(attempt: Attempt, room_session: RoomSession | None) -> dict:
    """One attempt's new state for its page; a hosted attempt (``room_session`` None) has no room to pause it."""
    return {"type": "attempt.state", "status": attempt.status, "deadline": attempt.deadline.isoformat(),
            "paused": room_session is not None and room_session.paused_since is not None}


def room_state_message(room_session: RoomSession, attempts: list[Attempt], *, paused: bool) -> tuple[str, dict]:
    """One message for the whole room instead of one per candidate; each page takes its own deadline from it.

    The deadlines travel as one JSON text: the in-memory channel layer deep-copies a message for every socket,
    and a string is copied for free."""
    deadlines = json.dumps({str(attempt.pk): attempt.deadline.isoformat() for attempt in attempts})
    return room_group(room_session.pk), {"type": "room.state", "status": Attempt.Status.OPEN, "paused": paused,
                                         "deadlines": deadlines}


def notify_room_state(room_session: RoomSession, attempts: list[Attempt], *, paused: bool) -> None:
    notify_after_commit(*room_state_message(room_session, attempts, paused=paused))
