"""HTTP mode: deliveries signed as Slack signs them are answered; forged or stale
signatures are rejected by Bolt before any listener runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bot_harness import FAST_STREAM, make_agents
from slack_sdk.web.async_client import AsyncWebClient

from agents import PolosClient
from agents.testing import LLMServer, Reply
from bot._agents import AgentDirectory
from bot._app import PolosBot
from bot.emulator import SlackEmulator


@pytest.fixture
async def http_bot(tmp_path: Path) -> AsyncIterator[tuple[SlackEmulator, LLMServer, PolosClient]]:
    async with SlackEmulator() as slack, LLMServer(api_key="test-key") as llm:
        polos = PolosClient(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", poll_interval=0.05)
        bot = PolosBot(
            polos=polos,
            directory=AgentDirectory(make_agents(llm, tmp_path), default="assistant"),
            slack=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url),
            signing_secret=slack.signing_secret,
            stream_options=FAST_STREAM,
        )
        await bot.start()
        port = await bot.serve_http(host="127.0.0.1", port=0)
        slack.use_http(f"http://127.0.0.1:{port}/slack/events")
        try:
            yield slack, llm, polos
        finally:
            await bot.stop()
            await polos.close()


async def test_a_signed_delivery_is_answered(
    http_bot: tuple[SlackEmulator, LLMServer, PolosClient],
) -> None:
    slack, llm, _ = http_bot
    llm.script([Reply(text="answered over HTTP")])
    ts = await slack.post_message(f"<@{slack.bot_user_id}> hi")
    await slack.wait_for_reply(
        slack.default_channel, ts, lambda m: "over HTTP" in m.text and not m.streaming
    )


async def test_a_forged_signature_is_rejected(
    http_bot: tuple[SlackEmulator, LLMServer, PolosClient],
) -> None:
    slack, llm, polos = http_bot
    slack.configure(signing_secret="not-the-apps-secret")
    await slack.post_message(f"<@{slack.bot_user_id}> hi")
    delivery = await slack.wait_until(lambda: slack.deliveries[-1:] or None)
    await slack.wait_delivered(delivery[0])
    assert {attempt.status for d in slack.deliveries for attempt in d.attempts} == {401}
    assert await polos.list_runs() == [] and llm.call_count == 0


async def test_a_stale_signature_is_rejected(
    http_bot: tuple[SlackEmulator, LLMServer, PolosClient],
) -> None:
    slack, llm, polos = http_bot
    slack.configure(signature_clock_skew=-3600)  # signed an hour ago
    await slack.post_message(f"<@{slack.bot_user_id}> hi")
    delivery = await slack.wait_until(lambda: slack.deliveries[-1:] or None)
    await slack.wait_delivered(delivery[0])
    assert {attempt.status for d in slack.deliveries for attempt in d.attempts} == {401}
    assert await polos.list_runs() == [] and llm.call_count == 0
