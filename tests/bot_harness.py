"""Fixtures for end-to-end bot tests: the Slack emulator, the LLM test server, a SQLite
store and the real Bolt app in Socket Mode (or HTTP), wired as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from agents import Agent, PolosClient
from agents.testing import LLMServer
from bot._agents import AgentDirectory
from bot._app import PolosBot
from bot.emulator import SeenMessage, SlackEmulator
from sandbox import LocalEnvironmentConfig, SandboxToolsConfig, sandbox_tools

FAST_STREAM = {"edit_interval": 0.05, "stream_interval": 0.05, "retry_delay": 0.05}


@dataclass
class Harness:
    slack: SlackEmulator
    llm: LLMServer
    polos: PolosClient
    bot: PolosBot
    workdir: Path

    @property
    def channel(self) -> str:
        return self.slack.default_channel

    async def mention(
        self, text: str, *, user: str | None = None, thread_ts: str | None = None
    ) -> str:
        bot = self.slack.bot_user_id
        return await self.slack.post_message(
            f"<@{bot}> {text}", user=user, channel=self.channel, thread_ts=thread_ts
        )

    def replies(self, ts: str, *, as_user: str | None = None) -> list[SeenMessage]:
        return [m for m in self.slack.thread(self.channel, ts, as_user=as_user) if m.ts != ts]

    async def wait_reply(
        self, ts: str, check: Callable[[SeenMessage], bool], *, timeout: float = 15
    ) -> SeenMessage:
        return await self.slack.wait_for_reply(self.channel, ts, check, timeout=timeout)


def make_agents(llm: LLMServer, workdir: Path) -> list[Agent]:
    options: dict[str, Any] = {
        "provider": "openai",
        "model": "test-model",
        "api_key": "test-key",
        "base_url": llm.openai_base_url,
    }
    host = sandbox_tools(
        SandboxToolsConfig(env="local", local=LocalEnvironmentConfig(cwd=workdir)),
        prefix="host_",
    )
    return [
        Agent(id="assistant", system_prompt="You help.", **options),
        Agent(
            id="coding_agent",
            system_prompt="You code.",
            tools=[t for t in host if t.name == "host_exec"],
            **options,
        ),
    ]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with SlackEmulator() as slack, LLMServer(api_key="test-key") as llm:
        workdir = tmp_path / "work"
        workdir.mkdir()
        polos = PolosClient(
            f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", poll_interval=0.05, lease_seconds=5
        )
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        bot = PolosBot(
            polos=polos,
            directory=AgentDirectory(make_agents(llm, workdir), default="assistant"),
            slack=client,
            app_token=slack.app_token,
            approvers=(),
            stream_options=FAST_STREAM,
        )
        await bot.start()
        await bot.connect_socket_mode()
        await slack.wait_connected()
        try:
            yield Harness(slack=slack, llm=llm, polos=polos, bot=bot, workdir=workdir)
        finally:
            await bot.stop()
            await polos.close()
