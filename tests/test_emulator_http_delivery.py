"""Signed HTTP deliveries to a real Bolt AsyncApp (aiohttp adapter) and to a bare aiohttp app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
BOB = "U0BOB00002"
Serve = Callable[[web.Application], Awaitable[str]]

BUTTON = [
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Deny"},
                "action_id": "deny",
                "value": "run-2",
            }
        ],
    }
]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/slack/events"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def bolt(slack: SlackEmulator) -> AsyncIterator[AsyncApp]:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    yield AsyncApp(client=client, signing_secret=slack.signing_secret)
    if client.session is not None:
        await client.session.close()


async def test_mention_over_http_gets_a_reply(
    slack: SlackEmulator, bolt: AsyncApp, serve: Serve
) -> None:
    @bolt.event("app_mention")
    async def echo(event: dict[str, Any], say: Any) -> None:
        await say(text="pong", thread_ts=event["ts"])

    slack.use_http(await serve(bolt.web_app()))
    ts = await slack.post_message(f"<@{slack.bot_user_id}> ping")
    assert (await slack.wait_for_reply(GENERAL, ts)).text == "pong"


async def test_button_click_over_http_reaches_the_action_listener(
    slack: SlackEmulator, bolt: AsyncApp, serve: Serve
) -> None:
    values: list[str] = []

    @bolt.action("deny")
    async def deny(ack: Any, action: dict[str, Any]) -> None:
        await ack()
        values.append(action["value"])

    slack.use_http(await serve(bolt.web_app()))
    posted = await bolt.client.chat_postMessage(channel=GENERAL, text="ok?", blocks=BUTTON)
    await slack.click_button(channel=GENERAL, message_ts=posted["ts"], action_id="deny")
    assert await slack.wait_until(lambda: values) == ["run-2"]


async def test_slash_command_over_http_answers_ephemerally(
    slack: SlackEmulator, bolt: AsyncApp, serve: Serve
) -> None:
    @bolt.command("/polos")
    async def command(ack: Any) -> None:
        await ack("only you can see this")

    slack.use_http(await serve(bolt.web_app()))
    await slack.run_command("/polos", "help", user=BOB)
    seen = await slack.wait_until(lambda: slack.ephemerals(BOB))
    assert seen[0].text == "only you can see this"


async def test_forged_signature_is_rejected_by_bolt(
    slack: SlackEmulator, bolt: AsyncApp, serve: Serve
) -> None:
    calls: list[dict[str, Any]] = []

    @bolt.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        calls.append(event)

    slack.use_http(await serve(bolt.web_app()))
    slack.configure(signing_secret="not-the-apps-secret")
    await slack.post_message(f"<@{slack.bot_user_id}> hi")
    delivery = await slack.wait_delivered(slack.deliveries[0])
    assert [(a.outcome, a.status) for a in delivery.attempts] == [("rejected", 401)]
    assert calls == []


async def test_stale_timestamp_is_rejected_by_bolt(
    slack: SlackEmulator, bolt: AsyncApp, serve: Serve
) -> None:
    slack.use_http(await serve(bolt.web_app()))
    slack.configure(signature_clock_skew=-600.0)
    await slack.post_message(f"<@{slack.bot_user_id}> hi")
    delivery = await slack.wait_delivered(slack.deliveries[0])
    assert [(a.outcome, a.status) for a in delivery.attempts] == [("rejected", 401)]


async def test_server_error_is_retried_with_retry_headers(
    slack: SlackEmulator, serve: Serve
) -> None:
    seen: list[tuple[str | None, str | None]] = []

    async def flaky(request: web.Request) -> web.Response:
        seen.append(
            (request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Retry-Reason"))
        )
        return web.Response(status=500 if len(seen) == 1 else 200)

    app = web.Application()
    app.router.add_post("/slack/events", flaky)
    slack.use_http(await serve(app))
    await slack.post_message("no mention, one message event")
    await slack.wait_delivered(slack.deliveries[0])
    assert seen == [(None, None), ("1", "http_error")]


async def test_slow_app_is_retried_with_http_timeout(slack: SlackEmulator, serve: Serve) -> None:
    seen: list[str | None] = []

    async def slow_first(request: web.Request) -> web.Response:
        seen.append(request.headers.get("X-Slack-Retry-Reason"))
        if len(seen) == 1:
            await asyncio.sleep(1)
        return web.Response()

    app = web.Application()
    app.router.add_post("/slack/events", slow_first)
    slack.configure(ack_timeout=0.3)
    slack.use_http(await serve(app))
    await slack.post_message("hello")
    delivery = await slack.wait_delivered(slack.deliveries[0])
    assert seen[:2] == [None, "http_timeout"]
    assert delivery.acked


async def test_events_are_signed_with_the_signing_secret(
    slack: SlackEmulator, serve: Serve
) -> None:
    from slack_sdk.signature import SignatureVerifier

    verdicts: list[bool] = []

    async def check(request: web.Request) -> web.Response:
        body = await request.text()
        verifier = SignatureVerifier(slack.signing_secret)
        verdicts.append(verifier.is_valid_request(body, dict(request.headers)))
        return web.Response()

    app = web.Application()
    app.router.add_post("/slack/events", check)
    slack.use_http(await serve(app))
    await slack.post_message("hello")
    await slack.wait_delivered(slack.deliveries[0])
    assert verdicts == [True]


async def test_bolt_answers_the_url_verification_challenge(
    slack: SlackEmulator, bolt: AsyncApp, serve: Serve
) -> None:
    slack.use_http(await serve(bolt.web_app()))
    assert await slack.verify_request_url() is True
