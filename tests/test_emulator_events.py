"""The events a person's message produces, as Slack would send them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import ChannelSpec, SlackEmulator, WorkspaceConfig

GENERAL = "C0GENERAL1"
ALICE = "U0ALICE001"


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    # No app is connected: deliveries are recorded with their payloads at once.
    async with SlackEmulator(ack_timeout=5.0) as emulator:
        yield emulator


def events(slack: SlackEmulator) -> list[dict[str, Any]]:
    return [d.payload["event"] for d in slack.deliveries]


async def test_mention_in_a_channel_sends_app_mention_and_message(slack: SlackEmulator) -> None:
    ts = await slack.post_message(f"<@{slack.bot_user_id}> hi")
    assert [(e["type"], e["ts"], e.get("channel_type")) for e in events(slack)] == [
        ("app_mention", ts, None),
        ("message", ts, "channel"),
    ]


async def test_plain_channel_message_sends_only_a_message_event(slack: SlackEmulator) -> None:
    await slack.post_message("no mention here")
    assert [e["type"] for e in events(slack)] == ["message"]


async def test_direct_message_is_an_im_message_without_app_mention(slack: SlackEmulator) -> None:
    await slack.post_message(f"<@{slack.bot_user_id}> hi", channel=slack.dm_channel(ALICE))
    assert [(e["type"], e["channel_type"]) for e in events(slack)] == [("message", "im")]


async def test_thread_reply_event_carries_thread_ts_and_parent_user(slack: SlackEmulator) -> None:
    parent = await slack.post_message("question")
    await slack.post_message("more detail", thread_ts=parent, user="U0BOB00002")
    reply = events(slack)[-1]
    assert (reply["thread_ts"], reply["parent_user_id"], reply["user"]) == (
        parent,
        ALICE,
        "U0BOB00002",
    )


async def test_event_callback_envelope_looks_like_slacks(slack: SlackEmulator) -> None:
    await slack.post_message("hello")
    body = slack.deliveries[0].payload
    assert body["type"] == "event_callback"
    assert re.fullmatch(r"Ev[A-Z0-9]{8,}", body["event_id"])
    assert (body["team_id"], body["api_app_id"]) == (slack.team_id, slack.config.app_id)
    assert isinstance(body["event_time"], int)
    assert body["authorizations"][0]["user_id"] == slack.bot_user_id
    assert re.fullmatch(r"\d{10}\.\d{6}", body["event"]["ts"])


async def test_each_event_has_its_own_event_id(slack: SlackEmulator) -> None:
    await slack.post_message(f"<@{slack.bot_user_id}> one")
    await slack.post_message("two")
    ids = [d.payload["event_id"] for d in slack.deliveries]
    assert len(ids) == len(set(ids)) == 3


async def test_bot_post_produces_message_event_with_bot_id(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    await client.chat_postMessage(channel=GENERAL, text="from the bot")
    if client.session is not None:
        await client.session.close()
    event = events(slack)[0]
    assert (event["type"], event["bot_id"], event["user"]) == (
        "message",
        slack.config.bot_id,
        slack.bot_user_id,
    )


async def test_channel_without_the_bot_sends_no_events() -> None:
    config = WorkspaceConfig(
        channels=[ChannelSpec(id="C0PRIVATE1", name="secret", is_private=True, bot_member=False)]
    )
    async with SlackEmulator(config) as slack:
        await slack.post_message("hi", channel="C0PRIVATE1")
        assert slack.deliveries == []


async def test_private_channel_message_has_channel_type_group() -> None:
    config = WorkspaceConfig(
        channels=[ChannelSpec(id="C0PRIVATE1", name="secret", members=(ALICE,), is_private=True)]
    )
    async with SlackEmulator(config) as slack:
        await slack.post_message("hi", channel="C0PRIVATE1")
        assert [e["channel_type"] for e in events(slack)] == ["group"]
