"""Starting agent runs for Slack messages, exactly once per message."""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agents import Agent, PolosClient, RunHandle

WORKING_REACTION = "hourglass_flowing_sand"


@dataclass(frozen=True, slots=True)
class SlackOrigin:
    """Where a run came from and where its answer goes (stored in the run's metadata)."""

    team: str
    channel: str
    thread_ts: str
    user: str
    message_ts: str

    @classmethod
    def of(cls, run_metadata: dict[str, Any]) -> SlackOrigin | None:
        """The origin stored in a run's metadata, if the run came from Slack."""
        value = run_metadata.get("slack")
        if not isinstance(value, dict):
            return None
        try:
            return cls(**{key: str(value[key]) for key in cls.__slots__})
        except KeyError:
            return None


class Launcher:
    """Starts runs: one per Slack message (its channel and ts are the idempotency key, so
    a redelivered event, or the message and app_mention events of one message, start one)."""

    def __init__(
        self, polos: PolosClient, slack: AsyncWebClient, *, approval_timeout: float | None
    ) -> None:
        self.polos = polos
        self.slack = slack
        self.approval_timeout = approval_timeout

    async def start(
        self, agent: Agent, prompt: str, origin: SlackOrigin, *, conversation: str
    ) -> RunHandle[Any]:
        """Start ``agent`` on ``prompt``; its answer will stream into the origin's thread."""
        metadata: dict[str, Any] = {"slack": asdict(origin), "session_id": conversation}
        if self.approval_timeout:
            metadata["approval_timeout"] = self.approval_timeout
        handle = await agent.start(
            self.polos,
            prompt,
            conversation_id=conversation,
            idempotency_key=f"slack:{origin.channel}:{origin.message_ts}",
            metadata=metadata,
        )
        with contextlib.suppress(SlackApiError):
            await self.slack.reactions_add(
                channel=origin.channel, timestamp=origin.message_ts, name=WORKING_REACTION
            )
        return handle

    async def done(self, origin: SlackOrigin) -> None:
        """Take the working reaction off the asking message."""
        with contextlib.suppress(SlackApiError):
            await self.slack.reactions_remove(
                channel=origin.channel, timestamp=origin.message_ts, name=WORKING_REACTION
            )
