"""The parts of Slack payloads the bot uses, validated, and what a mention asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_AGENT = re.compile(r"^\s*@([A-Za-z0-9_.-]+)\b\s*")


class MessageEvent(BaseModel):
    """An ``app_mention`` or ``message`` event (the fields the bot reads)."""

    model_config = ConfigDict(extra="ignore")

    channel: str = Field(min_length=1)
    ts: str = Field(pattern=r"^\d+\.\d+$")
    user: str | None = None
    text: str = ""
    team: str | None = None
    thread_ts: str | None = None
    channel_type: str | None = None
    bot_id: str | None = None
    subtype: str | None = None

    @property
    def from_a_bot(self) -> bool:
        """Messages from bots (our own included) are never answered."""
        return self.bot_id is not None or self.subtype == "bot_message"

    @property
    def is_plain_message(self) -> bool:
        """A new message by a person (not an edit, a deletion or a join)."""
        return self.subtype is None and self.user is not None and not self.from_a_bot

    @property
    def thread_root(self) -> str:
        """The ts of the thread the answer goes in."""
        return self.thread_ts or self.ts


@dataclass(frozen=True, slots=True)
class Request:
    """What a message asks: which agent (None: the default) and the prompt."""

    agent_id: str | None
    prompt: str


def mentions(text: str, user_id: str) -> bool:
    """Whether ``text`` mentions ``user_id``."""
    return any(match == user_id for match in _MENTION.findall(text))


def parse_request(text: str, *, bot_user_id: str | None) -> Request:
    """``<@BOT> @coding_agent build X`` -> ``Request("coding_agent", "build X")``."""
    without_bot = _MENTION.sub(
        lambda m: "" if bot_user_id is None or m.group(1) == bot_user_id else m.group(0), text
    )
    match = _AGENT.match(without_bot)
    if match:
        return Request(match.group(1), without_bot[match.end() :].strip())
    return Request(None, without_bot.strip())


def conversation_id(team: str, channel: str, thread_root: str | None) -> str:
    """The conversation (memory, sandbox, concurrency) of a thread or a DM."""
    return f"slack:{team}:{channel}:{thread_root}" if thread_root else f"slack:{team}:{channel}"
