"""The workspace model: users, conversations, messages, views and files, all in memory.

Nothing here speaks HTTP; the Web API and the driver both change the workspace through
these methods, and every change wakes whoever waits on :meth:`Workspace.changed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ._config import WorkspaceConfig
from ._errors import SlackApiFailure
from ._ids import IdFactory

Json = dict[str, Any]
ChannelType = Literal["channel", "group", "im"]


@dataclass
class User:
    """A member of the workspace (a person or the bot)."""

    id: str
    name: str
    real_name: str
    is_bot: bool = False
    bot_id: str | None = None

    def to_api(self, team_id: str) -> Json:
        """The ``user`` object of users.info."""
        profile: Json = {"real_name": self.real_name, "display_name": self.name, "team": team_id}
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "tz": "UTC",
            "profile": profile,
        }


@dataclass
class Conversation:
    """A channel, a private channel or a DM between the bot and one user."""

    id: str
    name: str
    type: ChannelType
    members: set[str]
    dm_user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))

    def to_api(self) -> Json:
        """The ``channel`` object of conversations.info."""
        base: Json = {"id": self.id, "created": self.created, "is_archived": False}
        if self.type == "im":
            return {**base, "is_im": True, "user": self.dm_user, "is_open": True}
        return {
            **base,
            "name": self.name,
            "is_channel": self.type == "channel",
            "is_group": False,
            "is_im": False,
            "is_private": self.type == "group",
            "is_member": True,
            "num_members": len(self.members),
        }


@dataclass
class Message:
    """A message as Slack stores it, including the emulator's own bookkeeping."""

    ts: str
    channel: str
    text: str
    user: str
    bot_id: str | None = None
    blocks: list[Json] | None = None
    thread_ts: str | None = None
    edited: Json | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    files: list[Json] = field(default_factory=list)
    metadata: Json | None = None
    streaming: bool = False
    stream_touched: float = 0.0
    ephemeral_for: str | None = None
    reply_ts: list[str] = field(default_factory=list)
    markdown: bool = False

    def to_api(self, team_id: str, app_id: str) -> Json:
        """The message object returned by conversations.history/replies and chat.*."""
        out: Json = {"type": "message", "ts": self.ts, "text": self.text, "user": self.user}
        out["team"] = team_id
        if self.bot_id:
            out["bot_id"] = self.bot_id
            out["app_id"] = app_id
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.reply_ts:
            out["reply_count"] = len(self.reply_ts)
            out["latest_reply"] = self.reply_ts[-1]
        if self.edited:
            out["edited"] = self.edited
        if self.reactions:
            out["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in self.reactions.items()
            ]
        if self.files:
            out["files"] = self.files
        if self.metadata:
            out["metadata"] = self.metadata
        return out


@dataclass
class View:
    """A modal opened with views.open, or a Home tab published with views.publish."""

    id: str
    user: str
    body: Json
    hash: str
    errors: dict[str, str] = field(default_factory=dict)
    closed: bool = False


@dataclass
class UploadedFile:
    """A file announced with files.getUploadURLExternal and, later, its bytes."""

    id: str
    name: str
    length: int
    data: bytes | None = None
    title: str = ""


class Workspace:
    """All state of one emulated workspace."""

    def __init__(self, config: WorkspaceConfig) -> None:
        self.config = config
        self.ids = IdFactory()
        self.users: dict[str, User] = {}
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[str, dict[str, Message]] = {}
        self.ephemerals: list[Message] = []
        self.views: dict[str, View] = {}
        self.files: dict[str, UploadedFile] = {}
        self.triggers: dict[str, tuple[str, float]] = {}
        self.statuses: dict[tuple[str, str], str] = {}
        self.version = 0
        self._changed = asyncio.Event()
        bot = User(config.bot_user_id, config.bot_name, config.bot_name, True, config.bot_id)
        self.users[bot.id] = bot
        for spec in config.users:
            self.users[spec.id] = User(spec.id, spec.name, spec.real_name or spec.name)
        people = {spec.id for spec in config.users}
        for ch in config.channels:
            members = set(ch.members) if ch.members is not None else set(people)
            if ch.bot_member:
                members.add(bot.id)
            kind: ChannelType = "group" if ch.is_private else "channel"
            self._add_conversation(Conversation(ch.id, ch.name, kind, members))
        for spec in config.users:
            self._add_conversation(
                Conversation("D" + spec.id[1:], spec.name, "im", {spec.id, bot.id}, spec.id)
            )

    def _add_conversation(self, conv: Conversation) -> None:
        self.conversations[conv.id] = conv
        self.messages[conv.id] = {}

    # -- change notification ---------------------------------------------------------

    def touch(self) -> None:
        """Record a change and wake every waiter."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, timeout: float) -> None:
        """Wait until the next change, or at most ``timeout`` seconds."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    # -- look-ups that fail as Slack fails ---------------------------------------------

    def conversation(self, ref: str | None) -> Conversation:
        """A conversation by id, ``#name`` or name; a user id means the DM with that user."""
        if not ref:
            raise SlackApiFailure("channel_not_found")
        if ref in self.conversations:
            return self.conversations[ref]
        if ref in self.users and not self.users[ref].is_bot:
            return self.conversations["D" + ref[1:]]
        name = ref.removeprefix("#")
        for conv in self.conversations.values():
            if conv.type != "im" and conv.name == name:
                return conv
        raise SlackApiFailure("channel_not_found")

    def user(self, user_id: str | None) -> User:
        """A user by id."""
        if not user_id or user_id not in self.users:
            raise SlackApiFailure("user_not_found")
        return self.users[user_id]

    def message(self, channel: str, ts: str | None) -> Message:
        """A stored (non-ephemeral) message."""
        found = self.messages[channel].get(ts or "")
        if found is None:
            raise SlackApiFailure("message_not_found")
        return found

    # -- messages ---------------------------------------------------------------------

    def add_message(
        self,
        conv: Conversation,
        *,
        user: str,
        text: str,
        blocks: list[Json] | None = None,
        thread_ts: str | None = None,
        bot: bool = False,
        files: list[Json] | None = None,
        metadata: Json | None = None,
        streaming: bool = False,
    ) -> Message:
        """Store a new message (a reply when ``thread_ts`` names a top-level message)."""
        parent: Message | None = None
        if thread_ts:
            parent = self.messages[conv.id].get(thread_ts)
            if parent is None:
                raise SlackApiFailure("thread_not_found")
            if parent.thread_ts and parent.thread_ts != parent.ts:
                parent = self.message(conv.id, parent.thread_ts)
        msg = Message(
            ts=self.ids.ts(),
            channel=conv.id,
            text=text,
            user=user,
            bot_id=self.config.bot_id if bot else None,
            blocks=blocks,
            files=files or [],
            metadata=metadata,
            streaming=streaming,
            stream_touched=time.monotonic(),
            markdown=streaming,
        )
        if parent is not None:
            parent.thread_ts = parent.ts
            msg.thread_ts = parent.ts
            parent.reply_ts.append(msg.ts)
        self.messages[conv.id][msg.ts] = msg
        self.touch()
        return msg

    def add_ephemeral(
        self,
        conv: Conversation,
        *,
        for_user: str,
        text: str,
        blocks: list[Json] | None,
        thread_ts: str | None,
    ) -> Message:
        """Store a message only ``for_user`` sees."""
        msg = Message(
            ts=self.ids.ts(),
            channel=conv.id,
            text=text,
            user=self.config.bot_user_id,
            bot_id=self.config.bot_id,
            blocks=blocks,
            thread_ts=thread_ts,
            ephemeral_for=for_user,
        )
        self.ephemerals.append(msg)
        self.touch()
        return msg

    def find_ephemeral(self, channel: str, ts: str) -> Message | None:
        """An ephemeral message by channel and ts."""
        for msg in self.ephemerals:
            if msg.channel == channel and msg.ts == ts:
                return msg
        return None

    def delete_message(self, msg: Message) -> None:
        """Remove a message (and, for a parent, keep its replies as Slack does)."""
        if msg.ephemeral_for is not None:
            self.ephemerals.remove(msg)
        else:
            del self.messages[msg.channel][msg.ts]
            if msg.thread_ts and msg.thread_ts != msg.ts:
                parent = self.messages[msg.channel].get(msg.thread_ts)
                if parent is not None and msg.ts in parent.reply_ts:
                    parent.reply_ts.remove(msg.ts)
        self.touch()

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The parent followed by its replies, oldest first."""
        parent = self.message(channel, ts)
        root = parent.thread_ts or parent.ts
        top = self.message(channel, root)
        return [top] + [self.messages[channel][r] for r in top.reply_ts]

    def history(self, channel: str) -> list[Message]:
        """Top-level messages, newest first."""
        msgs = self.messages[channel].values()
        return sorted(
            (m for m in msgs if not m.thread_ts or m.thread_ts == m.ts),
            key=lambda m: m.ts,
            reverse=True,
        )

    # -- triggers (valid a few seconds, as in Slack) -----------------------------------

    def new_trigger(self, user: str) -> str:
        """A trigger id ``user`` may open a modal with."""
        trigger = self.ids.trigger_id()
        self.triggers[trigger] = (user, time.monotonic() + self.config.trigger_ttl)
        return trigger

    def use_trigger(self, trigger_id: str | None) -> str:
        """The user a trigger belongs to; fails when it is unknown or expired."""
        if not trigger_id or trigger_id not in self.triggers:
            raise SlackApiFailure("invalid_trigger_id")
        user, deadline = self.triggers.pop(trigger_id)
        if time.monotonic() > deadline:
            raise SlackApiFailure("expired_trigger_id")
        return user
