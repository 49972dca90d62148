"""Exam-day websockets: the candidate's paper (saves with acknowledgements) and the invigilator's console.

Thin adapters: authenticate on connect, call the services through database_sync_to_async, relay events.
"""

from __future__ import annotations

import asyncio
import json
from functools import lru_cache

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.sockets import DirectDispatch, TolerantJson, UserSocket
from exams.examday import devicepass
from exams.examday.batching import batcher
from exams.examday.models import Attempt, RoomEvent, RoomSession
from exams.examday.selectors import console_snapshot
from exams.examday.services import attempts as svc
from exams.examday.services import entering, notify, saves

MAX_MESSAGE_BYTES = 64 * 1024
CONSOLE_REFRESH_S = 1.0
CONSOLE_IDLE_REFRESH_S = 5.0


@lru_cache(maxsize=64)
def _room_deadlines(text: str) -> dict[str, str]:
    """A room message's deadlines, parsed once for the hundred pages of the room that receive the same text (the
    in-memory layer hands each page the same string; a copy from Redis hashes once and hits). Read only."""
    return json.loads(text)


def _state(attempt: Attempt) -> dict:
    return {"type": "state", "status": attempt.status, "deadline": attempt.deadline.isoformat(),
            "clock_start": attempt.clock_start.isoformat(), "server_time": timezone.now().isoformat(),
            "paused": attempt.room_session is not None and attempt.room_session.paused_since is not None}


class AttemptConsumer(DirectDispatch, UserSocket, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=4401)
            return
        self.attempt_id = int(self.scope["url_route"]["kwargs"]["attempt_id"])
        self.device = devicepass.device_from(self.scope.get("cookies", {}))
        refusal, state, room_session_id = await self._open(user.pk)
        await self.accept()
        if refusal:
            await self.send_json({"type": "refused", "code": refusal.code, "message": refusal.message})
            await self.close(code=4403)
            return
        self.group = notify.attempt_group(self.attempt_id)
        # A hosted attempt (a course test, a contest entry) has no room: no pauses or room-wide deadlines to hear.
        self.room_group = notify.room_group(room_session_id) if room_session_id is not None else None
        await self.channel_layer.group_add(self.group, self.channel_name)
        if self.room_group:
            await self.channel_layer.group_add(self.room_group, self.channel_name)
        await self.join_user_group()  # closed when this session signs out (accounts/sockets.py)
        await self.send_json(state)

    @database_sync_to_async
    def _open(self, user_id: int):
        attempt = Attempt.objects.select_related("room_session").filter(
            pk=self.attempt_id, owner_id=user_id).first()
        if attempt is None:
            return svc.ExamDayError("not_yours", _("This paper is not yours.")), None, None
        try:
            entering.device_check(holder=attempt.device, device=self.device)
        except svc.ExamDayError as exc:
            return exc, None, None
        attempt = svc.finish_if_overdue(attempt)
        if attempt.status == Attempt.Status.OPEN:
            saves.record_event(attempt=attempt, kind=RoomEvent.Kind.CONNECTED)
        return None, _state(attempt), attempt.room_session_id

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            if self.room_group:
                await self.channel_layer.group_discard(self.room_group, self.channel_name)
            await self.leave_user_group()
            await self._record(RoomEvent.Kind.DISCONNECTED)

    @database_sync_to_async
    def _record(self, kind: str, details: dict | None = None):
        attempt = Attempt.objects.filter(pk=self.attempt_id, status=Attempt.Status.OPEN).first()
        if attempt is not None:
            saves.record_event(attempt=attempt, kind=kind, details=details)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > MAX_MESSAGE_BYTES:
            await self.send_json({"type": "error", "code": "bad_message", "message": _("The message is not valid.")})
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # 64 KB of brackets nest deeper than the parser goes
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "code": "bad_message", "message": _("The message is not valid.")})
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "save":
            await self._save(content)
        elif kind == "ping":
            await self.send_json({"type": "pong", "seq": content.get("seq"), "server_time": timezone.now().isoformat()})
        elif kind == "flag":
            flagged = bool(content.get("flagged"))
            stored = await database_sync_to_async(saves.flag_item)(
                attempt_id=self.attempt_id, user_id=self.scope["user"].pk, device=self.device,
                position=content.get("item"), flagged=flagged)
            await self.send_json({"type": "flagged", "item": content.get("item"), "flagged": flagged,
                                  "stored": stored})
        elif kind == "event" and content.get("kind") in (RoomEvent.Kind.FOCUS_LOST, RoomEvent.Kind.PAGE_HIDDEN):
            await self._record(content["kind"])

    async def _save(self, content: dict):
        seq = content.get("seq")
        try:
            result = await batcher().save(
                attempt_id=self.attempt_id, user_id=self.scope["user"].pk, position=content.get("item"), seq=seq,
                value=content.get("value"), device=self.device, client_time=content.get("client_time", ""),
            )
        except svc.ExamDayError as exc:
            await self.send_json({"type": "error", "seq": seq, "item": content.get("item"), "code": exc.code,
                                  "message": exc.message})
            await database_sync_to_async(svc.finish_after_refusal)(attempt_id=self.attempt_id, code=exc.code)
            return
        if result.conflict:  # nothing stored: the page numbers above what is stored and sends its value again
            await self.send_json({"type": "conflict", "seq": result.seq, "item": result.position,
                                  "stored_seq": result.stored_seq})
            return
        # The batch's transaction has committed: only now is the answer acknowledged.
        await self.send_json({"type": "ack", "seq": result.seq, "item": result.position,
                              "duplicate": result.duplicate})

    async def attempt_state(self, event):
        await self.send_json({**{k: v for k, v in event.items() if k != "type"}, "type": "state",
                              "server_time": timezone.now().isoformat()})

    async def room_state(self, event):
        """The whole room's new deadlines (an extension, a pause): this page's own, without a database read."""
        deadline = _room_deadlines(event["deadlines"]).get(str(self.attempt_id))
        if deadline is not None:
            await self.send_json({"type": "state", "status": event["status"], "deadline": deadline,
                                  "paused": event["paused"], "server_time": timezone.now().isoformat()})

    async def attempt_finished(self, event):
        await self.send_json({"type": "finished", "status": event["status"]})

    async def attempt_released(self, event):
        await self.send_json({"type": "released", "message": _("The invigilator moved your paper to another machine.")})
        await self.close(code=4409)


class ConsoleConsumer(TolerantJson, UserSocket, AsyncJsonWebsocketConsumer):
    """The invigilator's live room: a snapshot within a second of any change, and every few seconds anyway."""

    async def connect(self):
        user = self.scope["user"]
        self.room_session_id = int(self.scope["url_route"]["kwargs"]["room_session_id"])
        if not user.is_authenticated or not await self._allowed(user):
            await self.close(code=4403)
            return
        self.dirty = True
        self.group = notify.console_group(self.room_session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.join_user_group()  # closed when this session signs out (accounts/sockets.py)
        await self.accept()
        self.loop = asyncio.ensure_future(self._refresh_loop())

    @database_sync_to_async
    def _allowed(self, user) -> bool:
        room_session = RoomSession.objects.filter(pk=self.room_session_id).select_related("room").first()
        return room_session is not None and user.has_perm("exams.watch_room", room_session)

    async def disconnect(self, code):
        if hasattr(self, "loop"):
            self.loop.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.leave_user_group()

    async def _refresh_loop(self):
        idle = 0.0
        while True:
            if self.dirty or idle >= CONSOLE_IDLE_REFRESH_S:
                self.dirty = False
                idle = 0.0
                await self.send_json({"type": "snapshot", **await self._snapshot()})
            await asyncio.sleep(CONSOLE_REFRESH_S)
            idle += CONSOLE_REFRESH_S

    @database_sync_to_async
    def _snapshot(self) -> dict:
        return console_snapshot(room_session=RoomSession.objects.select_related("sitting__subject", "room").get(
            pk=self.room_session_id))

    async def console_changed(self, event):
        self.dirty = True
