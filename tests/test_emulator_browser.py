"""The playground page in a real headless Chromium, talking to a tiny Bolt echo app."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
BOB = "U0BOB00002"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APPROVE = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Run *make deploy*?"}},
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Approve"},
                "action_id": "approve",
                "value": "run-9",
                "style": "primary",
            }
        ],
    },
]


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    _require(path is not None, "Debian's chromium")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        _require(False, "the playwright package")
    assert path is not None
    return path


@pytest.fixture
async def bolt(slack: SlackEmulator) -> AsyncIterator[tuple[AsyncApp, list[dict[str, Any]]]]:
    """An echo app: replies to mentions, offers an Approve button, answers /echo."""
    clicks: list[dict[str, Any]] = []
    app = AsyncApp(
        client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url),
        signing_secret=slack.signing_secret,
    )

    @app.event("app_mention")
    async def echo(event: dict[str, Any], say: Any) -> None:
        await say(text=f"echo: {event['text']}", thread_ts=event["ts"])
        await say(text="Approve?", blocks=APPROVE, thread_ts=event["ts"])

    @app.action("approve")
    async def approve(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        clicks.append(body)
        await respond(text=f"Approved by <@{body['user']['id']}>", replace_original=True)

    @app.command("/echo")
    async def command(ack: Any, command: dict[str, Any]) -> None:
        await ack(f"you said {command['text']}")

    @app.event("message")
    async def ignore(event: dict[str, Any]) -> None:
        return None

    handler = AsyncSocketModeHandler(app, slack.app_token)
    await handler.connect_async()
    await slack.wait_connected()
    yield app, clicks
    await handler.close_async()
    if app.client.session is not None:
        await app.client.session.close()


@pytest.fixture
async def page(chromium: str, slack: SlackEmulator) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        page.set_default_timeout(10_000)
        await page.goto(slack.url + "/")
        await page.wait_for_selector("#connection:has-text('live')")
        yield page
        await browser.close()


async def mention(page: Any, text: str) -> None:
    await page.click("#mention-bot")
    await page.type("#composer-input", text)
    await page.press("#composer-input", "Enter")


async def test_typed_mention_shows_the_bots_reply(
    slack: SlackEmulator, bolt: Any, page: Any
) -> None:
    await mention(page, "hello there")
    await page.click("#messages .replies-link")
    reply = page.locator("#thread-messages .message", has_text="echo:")
    await reply.wait_for()
    assert "@polos hello there" in await reply.inner_text()
    parent = slack.history(GENERAL)[0]
    assert parent.text == f"<@{slack.bot_user_id}> hello there"


async def test_button_click_is_sent_as_the_selected_user(
    slack: SlackEmulator, bolt: Any, page: Any
) -> None:
    _, clicks = bolt
    await mention(page, "deploy please")
    await page.click("#messages .replies-link")
    await page.select_option("#user-switcher", BOB)
    await page.click("#thread-messages button[data-action-id='approve']")
    await page.locator("#thread-messages", has_text="Approved by @bob").wait_for()
    assert [(c["user"]["id"], c["actions"][0]["value"]) for c in clicks] == [(BOB, "run-9")]


async def test_streamed_text_appears_while_it_streams(slack: SlackEmulator, page: Any) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    parent = await slack.post_message("stream something")
    await page.click("#messages .replies-link")
    stream = await client.chat_stream(channel=GENERAL, thread_ts=parent, buffer_size=1)
    await stream.append(markdown_text="**first** part")
    live = page.locator("#thread-messages .body.streaming strong", has_text="first")
    await live.wait_for()
    await stream.stop(markdown_text=", then the rest")
    done = page.locator("#thread-messages .body:not(.streaming)", has_text="then the rest")
    await done.wait_for()
    assert "first part, then the rest" in await done.inner_text()
    if client.session is not None:
        await client.session.close()


async def test_slash_command_from_the_composer_shows_an_ephemeral_reply(
    slack: SlackEmulator, bolt: Any, page: Any
) -> None:
    await page.fill("#composer-input", "/echo ping")
    await page.press("#composer-input", "Enter")
    ephemeral = page.locator("#messages .message.ephemeral", has_text="you said ping")
    await ephemeral.wait_for()
    assert "Only visible to you" in await ephemeral.inner_text()
