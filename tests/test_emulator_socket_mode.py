"""A real Bolt AsyncApp in Socket Mode (slack_sdk's aiohttp client) driven by the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
ALICE = "U0ALICE001"
BOB = "U0BOB00002"
Connect = Callable[[AsyncApp], Awaitable[AsyncSocketModeHandler]]

APPROVE_BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Run `rm -rf build`?"}},
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Approve"},
                "action_id": "approve",
                "value": "run-1",
                "style": "primary",
            }
        ],
    },
]


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(ack_timeout=1.0) as emulator:
        yield emulator


@pytest.fixture
def app(slack: SlackEmulator) -> AsyncApp:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    return AsyncApp(client=client, signing_secret=slack.signing_secret)


@pytest.fixture
async def connect(slack: SlackEmulator) -> AsyncIterator[Connect]:
    handlers: list[AsyncSocketModeHandler] = []

    async def start(app: AsyncApp) -> AsyncSocketModeHandler:
        handler = AsyncSocketModeHandler(app, slack.app_token, ping_interval=1)
        handlers.append(handler)
        await handler.connect_async()
        await slack.wait_connected()
        return handler

    yield start
    for handler in handlers:
        await handler.close_async()
        if handler.app.client.session is not None:
            await handler.app.client.session.close()


async def test_mention_gets_a_reply_in_its_thread(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    @app.event("app_mention")
    async def echo(event: dict[str, Any], say: Any) -> None:
        await say(text=f"echo: {event['text']}", thread_ts=event["ts"])

    await connect(app)
    ts = await slack.post_message(f"<@{slack.bot_user_id}> ping")
    reply = await slack.wait_for_reply(GENERAL, ts)
    assert reply.text == f"echo: <@{slack.bot_user_id}> ping"


async def test_direct_message_arrives_as_im_message_event(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    seen: list[dict[str, Any]] = []

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        seen.append(event)
        await say(text="got it")

    await connect(app)
    dm = slack.dm_channel(ALICE)
    await slack.post_message("hello bot", channel=dm)
    await slack.wait_for_message(dm, lambda m: m.text == "got it")
    assert (seen[0]["channel_type"], seen[0]["user"]) == ("im", ALICE)


async def test_button_click_reaches_the_action_listener_with_its_value(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    clicks: list[dict[str, Any]] = []

    @app.action("approve")
    async def approve(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        clicks.append(body)

    await connect(app)
    posted = await app.client.chat_postMessage(channel=GENERAL, text="ok?", blocks=APPROVE_BLOCKS)
    await slack.click_button(
        channel=GENERAL, message_ts=posted["ts"], action_id="approve", user=BOB
    )
    await slack.wait_until(lambda: clicks)
    body = clicks[0]
    assert (body["user"]["id"], body["actions"][0]["value"]) == (BOB, "run-1")
    assert body["container"]["message_ts"] == posted["ts"]
    assert body["message"]["ts"] == posted["ts"]


async def test_respond_replace_original_rewrites_the_clicked_message(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    @app.action("approve")
    async def approve(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="Approved by <@U0BOB00002>", replace_original=True)

    await connect(app)
    posted = await app.client.chat_postMessage(channel=GENERAL, text="ok?", blocks=APPROVE_BLOCKS)
    await slack.click_button(
        channel=GENERAL, message_ts=posted["ts"], action_id="approve", user=BOB
    )
    await slack.wait_for_message(GENERAL, lambda m: m.text.startswith("Approved"))
    assert [m.text for m in slack.history(GENERAL)] == ["Approved by <@U0BOB00002>"]


async def test_slash_command_ack_text_is_ephemeral_to_the_invoker(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    @app.command("/polos")
    async def command(ack: Any, command: dict[str, Any]) -> None:
        await ack(f"status of {command['text']}: fine")

    await connect(app)
    await slack.run_command("/polos", "run-7", user=BOB)
    seen = await slack.wait_until(lambda: slack.ephemerals(BOB, GENERAL))
    assert seen[0].text == "status of run-7: fine"
    assert slack.ephemerals(ALICE) == []


async def test_slash_command_respond_in_channel_posts_a_message(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    @app.command("/polos")
    async def command(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="for everyone", response_type="in_channel")

    await connect(app)
    await slack.run_command("/polos")
    message = await slack.wait_for_message(GENERAL, lambda m: m.text == "for everyone")
    assert message.bot_id == slack.config.bot_id


async def test_modal_opened_from_a_click_is_submitted_with_its_values(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    submitted: list[dict[str, Any]] = []
    modal = {
        "type": "modal",
        "callback_id": "reason",
        "title": {"type": "plain_text", "text": "Why?"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "why",
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }

    @app.action("approve")
    async def open_modal(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal)

    @app.view("reason")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        submitted.append(view["state"]["values"])

    await connect(app)
    posted = await app.client.chat_postMessage(channel=GENERAL, text="ok?", blocks=APPROVE_BLOCKS)
    await slack.click_button(channel=GENERAL, message_ts=posted["ts"], action_id="approve")
    [view] = await slack.wait_until(lambda: slack.open_views(ALICE))
    values = {"why": {"text": {"type": "plain_text_input", "value": "looks safe"}}}
    await slack.wait_delivered(await slack.submit_view(view.id, values))
    assert submitted == [values]
    assert slack.open_views(ALICE) == []


async def test_view_submission_errors_keep_the_modal_open(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    @app.action("approve")
    async def open_modal(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        title = {"type": "plain_text", "text": "Why?"}
        await client.views_open(
            trigger_id=body["trigger_id"],
            view={"type": "modal", "callback_id": "reason", "title": title, "blocks": []},
        )

    @app.view("reason")
    async def on_submit(ack: Any) -> None:
        await ack(response_action="errors", errors={"why": "Say why"})

    await connect(app)
    posted = await app.client.chat_postMessage(channel=GENERAL, text="ok?", blocks=APPROVE_BLOCKS)
    await slack.click_button(channel=GENERAL, message_ts=posted["ts"], action_id="approve")
    [view] = await slack.wait_until(lambda: slack.open_views(ALICE))
    await slack.wait_delivered(await slack.submit_view(view.id, {}))
    assert slack.open_views(ALICE)[0].errors == {"why": "Say why"}


async def test_unacked_event_is_redelivered_with_retry_attempt(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    retry_nums: list[str | None] = []

    @app.event("app_mention")
    async def on_mention(request: AsyncBoltRequest) -> None:
        retry_nums.append(request.headers.get("x-slack-retry-num", [None])[0])

    await connect(app)
    slack.drop_acks(1)
    await slack.post_message(f"<@{slack.bot_user_id}> again?")
    mention = next(d for d in slack.deliveries if d.event_type == "app_mention")
    await slack.wait_delivered(mention)
    assert retry_nums[:2] == ["0", "1"]
    assert [a.outcome for a in mention.attempts][:2] == ["timeout", "acked"]


async def test_client_survives_a_refresh_requested_disconnect(
    slack: SlackEmulator, app: AsyncApp, connect: Connect
) -> None:
    @app.event("app_mention")
    async def echo(event: dict[str, Any], say: Any) -> None:
        await say(text="still here", thread_ts=event["ts"])

    await connect(app)
    assert await slack.disconnect_socket_clients() == 1
    await slack.wait_until(lambda: slack.socket_hellos >= 2)
    ts = await slack.post_message(f"<@{slack.bot_user_id}> there?")
    assert (await slack.wait_for_reply(GENERAL, ts)).text == "still here"


async def test_bot_messages_produce_message_events_with_bot_id(slack: SlackEmulator) -> None:
    web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    client = SocketModeClient(app_token=slack.app_token, web_client=web)
    envelopes: list[SocketModeRequest] = []

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id))
        envelopes.append(request)

    client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    await client.connect()
    try:
        await web.chat_postMessage(channel=GENERAL, text="from the bot")
        await slack.wait_until(lambda: envelopes, timeout=5)
    finally:
        await client.close()
        if web.session is not None:
            await web.session.close()
    body = envelopes[0].payload
    event = body["event"]
    assert (envelopes[0].type, event["type"], event["bot_id"]) == (
        "events_api",
        "message",
        slack.config.bot_id,
    )
    assert body["event_id"].startswith("Ev")
    assert body["authorizations"][0]["user_id"] == slack.bot_user_id
