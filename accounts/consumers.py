"""Thin websocket adapters: authenticate on connect, relay, no rules inside."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from accounts.notices import audiences_of_reader, group_name
from accounts.permissions import roles_of
from accounts.sockets import TolerantJson, UserSocket


class PingConsumer(TolerantJson, UserSocket, AsyncJsonWebsocketConsumer):
    """Round-trip check and server clock: the exam page uses the same reply to sync its countdown."""

    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close(code=4401)
            return
        await self.join_user_group()
        await self.accept()

    async def disconnect(self, code):
        await self.leave_user_group()

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "seq": content.get("seq"), "server_time": timezone.now().isoformat()})


class NoticeConsumer(TolerantJson, UserSocket, AsyncJsonWebsocketConsumer):
    """Delivers staff notices to the signed-in pages of their audience (everyone, or a role), on any server process
    (via the channel layer)."""

    groups_joined: list[str] = []

    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close(code=4401)
            return
        roles = await database_sync_to_async(roles_of)(self.scope["user"])
        self.groups_joined = [group_name(audience) for audience in audiences_of_reader(sorted(roles))]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.join_user_group()
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.leave_user_group()

    async def notice_message(self, event):
        await self.send_json({key: event[key] for key in ("id", "text", "author", "sent_at")} | {"type": "notice"})
