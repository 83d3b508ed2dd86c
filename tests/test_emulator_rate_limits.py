"""Rate limits and injected faults, seen through slack_sdk (and its retry handlers)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
RANDOM = "C0RANDOM02"


@pytest.fixture
async def client(slack: SlackEmulator) -> AsyncIterator[AsyncWebClient]:
    web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    yield web
    if web.session is not None:
        await web.session.close()


async def test_spent_update_budget_answers_429_with_retry_after(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    slack.set_rate_limit("chat.update", per_minute=50, burst=3, scope="workspace")
    ts = (await client.chat_postMessage(channel=GENERAL, text="0"))["ts"]
    for i in range(3):
        await client.chat_update(channel=GENERAL, ts=ts, text=str(i))
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel=GENERAL, ts=ts, text="too many")
    assert info.value.response.status_code == 429
    assert info.value.response["error"] == "ratelimited"
    assert int(info.value.response.headers["Retry-After"]) >= 1


async def test_post_message_budget_is_per_channel(client: AsyncWebClient) -> None:
    for _ in range(5):
        await client.chat_postMessage(channel=GENERAL, text="burst")
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=GENERAL, text="one too many")
    assert (await client.chat_postMessage(channel=RANDOM, text="elsewhere"))["ok"] is True


async def test_rate_limit_retry_handler_gets_through_an_injected_429(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail_method("chat.postMessage", status=429, times=1, retry_after=1)
    response = await client.chat_postMessage(channel=GENERAL, text="eventually")
    assert response["ok"] is True
    assert [m for m, _ in slack.api_calls].count("chat.postMessage") == 2


async def test_injected_server_error_is_an_http_500(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    slack.fail_method("chat.update", status=503, times=1)
    ts = (await client.chat_postMessage(channel=GENERAL, text="x"))["ts"]
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel=GENERAL, ts=ts, text="y")
    assert info.value.response.status_code == 503
    assert (await client.chat_update(channel=GENERAL, ts=ts, text="y"))["ok"] is True
