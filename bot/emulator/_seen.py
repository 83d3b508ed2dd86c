"""What the driver hands back: messages and modals as a person in Slack sees them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ._state import Message

Json = dict[str, Any]


@dataclass(frozen=True)
class SeenMessage:
    """A message as a person in Slack sees it (after edits, with reactions and streams)."""

    ts: str
    channel: str
    user: str
    text: str
    blocks: Sequence[Json] | None = None
    thread_ts: str | None = None
    bot_id: str | None = None
    edited: bool = False
    streaming: bool = False
    reactions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: Sequence[Json] = ()
    ephemeral_for: str | None = None

    @classmethod
    def of(cls, msg: Message) -> SeenMessage:
        """Freeze a stored message."""
        return cls(
            ts=msg.ts,
            channel=msg.channel,
            user=msg.user,
            text=msg.text,
            blocks=[dict(b) for b in msg.blocks] if msg.blocks is not None else None,
            thread_ts=msg.thread_ts,
            bot_id=msg.bot_id,
            edited=msg.edited is not None,
            streaming=msg.streaming,
            reactions={k: tuple(v) for k, v in msg.reactions.items()},
            files=list(msg.files),
            ephemeral_for=msg.ephemeral_for,
        )


@dataclass(frozen=True)
class OpenView:
    """A modal that is open for a user."""

    id: str
    user: str
    callback_id: str
    body: Json
    errors: dict[str, str]
