"""response_url: what an app's posts to it do to the conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
ALICE = "U0ALICE001"
BOB = "U0BOB00002"
BUTTON = [
    {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go"}
        ],
    }
]


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    # No app is connected: the click's payload (and its response_url) exists at once.
    async with SlackEmulator(ack_timeout=5.0) as emulator:
        yield emulator


async def clicked(slack: SlackEmulator, user: str = ALICE) -> tuple[str, str]:
    """Post a message with a button as the bot, click it; (message ts, response_url)."""
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    ts = (await client.chat_postMessage(channel=GENERAL, text="go?", blocks=BUTTON))["ts"]
    if client.session is not None:
        await client.session.close()
    delivery = await slack.click_button(channel=GENERAL, message_ts=ts, action_id="go", user=user)
    return ts, str(delivery.payload["response_url"])


async def post(url: str, **body: Any) -> int:
    response = await AsyncWebhookClient(url).send_dict(body)
    return response.status_code


async def test_response_without_type_is_ephemeral_to_the_clicker(slack: SlackEmulator) -> None:
    _, url = await clicked(slack, user=BOB)
    assert await post(url, text="noted") == 200
    assert [m.text for m in slack.ephemerals(BOB, GENERAL)] == ["noted"]
    assert slack.ephemerals(ALICE) == []


async def test_replace_original_rewrites_the_source_message(slack: SlackEmulator) -> None:
    ts, url = await clicked(slack)
    await post(url, text="done", replace_original=True)
    [message] = slack.thread(GENERAL, ts)
    assert (message.text, message.blocks) == ("done", None)


async def test_delete_original_removes_the_source_message(slack: SlackEmulator) -> None:
    _, url = await clicked(slack)
    await post(url, delete_original=True)
    assert slack.history(GENERAL) == []


async def test_in_channel_response_adds_a_visible_message(slack: SlackEmulator) -> None:
    _, url = await clicked(slack)
    await post(url, text="everyone sees this", response_type="in_channel")
    assert [m.text for m in slack.history(GENERAL)] == ["go?", "everyone sees this"]


async def test_unknown_response_url_is_404(slack: SlackEmulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack.url + "/response/nope", json={"text": "x"}) as response,
    ):
        assert response.status == 404


async def test_response_url_stops_after_five_uses(slack: SlackEmulator) -> None:
    _, url = await clicked(slack)
    statuses = [await post(url, text=str(i)) for i in range(6)]
    assert statuses == [200] * 5 + [404]
