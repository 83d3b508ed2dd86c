"""chat.startStream / appendStream / stopStream through slack_sdk's chat_stream helper."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"


@pytest.fixture
async def client(slack: SlackEmulator) -> AsyncIterator[AsyncWebClient]:
    web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    yield web
    if web.session is not None:
        await web.session.close()


async def test_streamed_text_is_visible_while_streaming(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    stream = await client.chat_stream(channel=GENERAL, thread_ts=parent, buffer_size=1)
    await stream.append(markdown_text="**hello ")
    await stream.append(markdown_text="wor")
    reply = slack.thread(GENERAL, parent)[1]
    assert (reply.text, reply.streaming) == ("**hello wor", True)


async def test_stopped_stream_holds_all_text_and_is_final(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    stream = await client.chat_stream(channel=GENERAL, thread_ts=parent, buffer_size=4)
    for piece in ["Hel", "lo, ", "wor", "ld!"]:
        await stream.append(markdown_text=piece)
    await stream.stop(markdown_text=" Done.")
    reply = slack.thread(GENERAL, parent)[1]
    assert (reply.text, reply.streaming) == ("Hello, world! Done.", False)
    assert stream.ts == reply.ts


async def test_start_stream_returns_ts_of_a_thread_reply(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    response = await client.chat_startStream(channel=GENERAL, thread_ts=parent, markdown_text="a")
    assert slack.thread(GENERAL, parent)[1].ts == response["ts"]


async def test_append_after_stop_is_not_in_streaming_state(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    ts = (await client.chat_startStream(channel=GENERAL, thread_ts=parent))["ts"]
    await client.chat_stopStream(channel=GENERAL, ts=ts, markdown_text="end")
    with pytest.raises(SlackApiError) as info:
        await client.chat_appendStream(channel=GENERAL, ts=ts, markdown_text="more")
    assert info.value.response["error"] == "message_not_in_streaming_state"


async def test_idle_stream_expires_with_message_not_in_streaming_state(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    ts = (await client.chat_startStream(channel=GENERAL, thread_ts=parent, markdown_text="a"))["ts"]
    slack.expire_streams()
    with pytest.raises(SlackApiError) as info:
        await client.chat_appendStream(channel=GENERAL, ts=ts, markdown_text="b")
    assert info.value.response["error"] == "message_not_in_streaming_state"
    assert slack.thread(GENERAL, parent)[1].streaming is False


async def test_expired_stream_can_still_be_finished_with_chat_update(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    ts = (await client.chat_startStream(channel=GENERAL, thread_ts=parent, markdown_text="a"))["ts"]
    slack.expire_streams()
    await client.chat_update(channel=GENERAL, ts=ts, text="rewritten in full")
    assert slack.thread(GENERAL, parent)[1].text == "rewritten in full"


async def test_stop_stream_blocks_are_rendered_below_the_text(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("tell me")
    ts = (await client.chat_startStream(channel=GENERAL, thread_ts=parent, markdown_text="x"))["ts"]
    buttons = [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "OK"}, "action_id": "ok"}
            ],
        }
    ]
    await client.chat_stopStream(channel=GENERAL, ts=ts, blocks=buttons)
    blocks = slack.thread(GENERAL, parent)[1].blocks or []
    assert [b["type"] for b in blocks] == ["markdown", "actions"]
