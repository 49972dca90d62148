"""A socket lives no longer than the sign-in it was opened with.

A websocket is authenticated once, at connect; signing out (or a password change, which ends the person's other
sessions) does not reach a socket already open, which would go on receiving notices, a live room or a paper. So every
consumer of a signed-in user joins the user's group (:class:`UserSocket`), and the end of a session sends that group
a close message after commit: each socket closes when the message names its session (sign-out), or every session of
the user but one (a new password). Sessions are named by a tag each gets at sign-in and keeps while its key changes
(a password change cycles the key of the session that made it), never by their key.
"""

from __future__ import annotations

import json
import secrets

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils.crypto import salted_hmac

CLOSE_CODE = 4401  # what an anonymous socket gets: the page's reconnection is refused the same way
TAG_SESSION_KEY = "socket_tag"
_SALT = "accounts.sockets.session"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def tag_session(session) -> None:
    """At sign-in: the session's tag, unless it has one (signing in again in the same session keeps it)."""
    if not session.get(TAG_SESSION_KEY):
        session[TAG_SESSION_KEY] = secrets.token_hex(16)


def session_tag(session) -> str:
    """The session's tag; a session signed in before tags existed is named by a keyed hash of its key."""
    if session is None:
        return ""
    tag = session.get(TAG_SESSION_KEY)
    if not tag and session.session_key:
        tag = salted_hmac(_SALT, session.session_key).hexdigest()[:32]
    return tag or ""


def sockets_close(*, user_id: int, session=None, keep_session=None) -> None:
    """Close, once the transaction commits, the user's sockets of ``session``; without it, of every session but
    ``keep_session`` (none kept when that is None too)."""
    message = {"type": "auth.ended", "session": session_tag(session), "keep": session_tag(keep_session)}

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), message)

    transaction.on_commit(send, robust=True)  # a channel layer that is down is logged; it never stops a sign-out


class UserSocket:
    """Mixed into a consumer before its channels base class: ``join_user_group`` once the socket is accepted for a
    signed-in user, ``leave_user_group`` in ``disconnect``; ``auth_ended`` is the handler of the close message."""

    async def join_user_group(self) -> None:
        self.user_socket_group = user_group(self.scope["user"].pk)
        # The session is loaded already: authenticating the socket read it (channels' AuthMiddleware).
        self.user_socket_session = session_tag(self.scope.get("session"))
        await self.channel_layer.group_add(self.user_socket_group, self.channel_name)

    async def leave_user_group(self) -> None:
        if hasattr(self, "user_socket_group"):
            await self.channel_layer.group_discard(self.user_socket_group, self.channel_name)

    async def auth_ended(self, event) -> None:
        if event["session"] and event["session"] != self.user_socket_session:
            return
        if event["keep"] and event["keep"] == self.user_socket_session:
            return
        await self.close(code=CLOSE_CODE)


class TolerantJson:
    """Mixed into a JSON consumer before its channels base class: a message that is not JSON, or nests deeper than
    the parser goes (64 KB of brackets raises RecursionError, which would end the consumer), is decoded as None
    and ignored by the handler instead of closing the socket with a traceback."""

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None


class DirectDispatch:
    """Mixed into a consumer whose database calls all run ``database_sync_to_async`` (which closes stale connections
    on its own thread): every message goes straight to its handler. channels (4.2+) first hands
    ``close_old_connections`` to the database thread for each message; that hand-over bought nothing and cost one
    thread round trip per message (py-spy, bench `exam` at N = 2,000: one per answer saved)."""

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
