"""Approval, decision and Stop blocks and the deny modal, validated by the Slack emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot._blocks import (
    ALWAYS_ALLOW_ACTION,
    APPROVE_ACTION,
    DENY_ACTION,
    DENY_REASON_BLOCK,
    DENY_REASON_INPUT,
    STOP_ACTION,
    ApprovalRef,
    MalformedPayloadError,
    approval_blocks,
    approval_text,
    decided_blocks,
    decided_text,
    deny_reason_modal,
    describe_request,
    parse_approval_value,
    parse_deny_submission,
    parse_stop_value,
    stop_blocks,
)
from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
ALICE = "U0ALICE001"
REF = ApprovalRef(run_id="run_01HZX", step_key="tool:call_7", nonce="q3J-x_9aZ")


@pytest.fixture
async def client(slack: SlackEmulator) -> AsyncIterator[AsyncWebClient]:
    web_client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    yield web_client
    if web_client.session is not None:
        await web_client.session.close()


@pytest.fixture
async def app_payloads(slack: SlackEmulator) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """A request URL that acks every interactive delivery and queues its payload."""
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def events(request: web.Request) -> web.Response:
        form = parse_qs(await request.text())
        await received.put(json.loads(form["payload"][0]))
        return web.Response()

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    slack.use_http(f"http://127.0.0.1:{port}/slack/events")
    yield received
    await runner.cleanup()


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def post(client: AsyncWebClient, blocks: list[dict[str, Any]], text: str = "x") -> str:
    parent = (await client.chat_postMessage(channel=GENERAL, text="parent"))["ts"]
    response = await client.chat_postMessage(
        channel=GENERAL, thread_ts=parent, text=text, blocks=blocks
    )
    assert response["ok"]
    return str(response["ts"])


# -- values ---------------------------------------------------------------------------------


def test_approval_value_round_trips() -> None:
    assert parse_approval_value(REF.to_value()) == REF


def test_approval_value_is_compact_json() -> None:
    assert json.loads(REF.to_value()) == {"r": "run_01HZX", "s": "tool:call_7", "n": "q3J-x_9aZ"}


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not json",
        "[]",
        '{"r": "run"}',
        '{"r": "run", "s": "k", "n": "n", "extra": 1}',
        '{"r": "run id with spaces", "s": "k", "n": "n"}',
        '{"r": "run", "s": "k", "n": ""}',
        '{"r": 1, "s": "k", "n": "n"}',
        '{"r": "run", "s": "k", "n": "' + "a" * 3000 + '"}',
    ],
)
def test_malformed_approval_values_are_rejected(value: object) -> None:
    with pytest.raises(MalformedPayloadError):
        parse_approval_value(value)


def test_stop_value_round_trips() -> None:
    value = stop_blocks("run_01HZX")[0]["elements"][0]["value"]
    assert parse_stop_value(value) == "run_01HZX"


def test_malformed_stop_value_is_rejected() -> None:
    with pytest.raises(MalformedPayloadError):
        parse_stop_value(REF.to_value())


# -- the approval message ---------------------------------------------------------------------


async def test_approval_blocks_are_accepted_by_slack(client: AsyncWebClient) -> None:
    blocks = approval_blocks(REF, tool="exec", command="pytest -q", requested_by=ALICE)
    await post(client, blocks, approval_text(tool="exec", requested_by=ALICE))


def test_approval_shows_the_command_in_a_code_block() -> None:
    blocks = approval_blocks(REF, tool="exec", command="rm -rf build && make")
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "```\nrm -rf build &amp;&amp; make\n```" in texts


def test_approval_names_the_tool_and_who_asked() -> None:
    blocks = approval_blocks(REF, tool="exec", command="ls", requested_by=ALICE)
    rendered = json.dumps(blocks)
    assert "`exec`" in rendered and f"<@{ALICE}>" in rendered


def test_exec_approval_offers_always_allow() -> None:
    blocks = approval_blocks(REF, tool="exec", command="ls")
    assert action_ids(blocks) == [APPROVE_ACTION, DENY_ACTION, ALWAYS_ALLOW_ACTION]


def test_other_tools_offer_only_approve_and_deny() -> None:
    blocks = approval_blocks(REF, tool="write_file", command="{}")
    assert action_ids(blocks) == [APPROVE_ACTION, DENY_ACTION]


def test_triple_backticks_in_a_command_cannot_close_the_code_block() -> None:
    blocks = approval_blocks(REF, tool="exec", command="echo ```; whoami")
    code = [b["text"]["text"] for b in blocks if b["type"] == "section"][-1]
    assert code.count("```") == 2


def test_describe_request_reads_tool_command_and_prompt() -> None:
    data = {"kind": "tool", "tool": "exec", "arguments": {"command": "ls"}, "prompt": "ok?"}
    assert describe_request(data) == ("exec", "ls", "ok?")


async def test_clicked_approve_delivers_the_reference_back(
    client: AsyncWebClient, slack: SlackEmulator, app_payloads: asyncio.Queue[dict[str, Any]]
) -> None:
    ts = await post(client, approval_blocks(REF, tool="exec", command="ls"))
    await slack.click_button(channel=GENERAL, message_ts=ts, action_id=APPROVE_ACTION, user=ALICE)
    payload = await asyncio.wait_for(app_payloads.get(), 10)
    assert parse_approval_value(payload["actions"][0]["value"]) == REF


# -- decided and Stop -----------------------------------------------------------------------------


def test_decided_text_says_who_approved() -> None:
    assert decided_text(approved=True, by=ALICE) == f"Approved by <@{ALICE}>"


def test_decided_text_carries_the_deny_reason() -> None:
    text = decided_text(approved=False, by=ALICE, reason="not on main")
    assert text == f"Denied by <@{ALICE}>: not on main"


async def test_decided_message_replaces_the_buttons(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    ts = await post(client, approval_blocks(REF, tool="exec", command="ls"))
    blocks = decided_blocks(approved=False, by=ALICE, reason="risky", tool="exec", command="ls")
    text = decided_text(approved=False, by=ALICE, reason="risky")
    await client.chat_update(channel=GENERAL, ts=ts, text=text, blocks=blocks)
    [seen] = [m for m in slack.thread(GENERAL, ts) if m.ts == ts]
    assert seen.text == text
    assert action_ids(list(seen.blocks or [])) == []
    assert f"Denied by <@{ALICE}>: risky" in json.dumps(seen.blocks)


async def test_stop_button_is_accepted_by_slack(client: AsyncWebClient) -> None:
    blocks = stop_blocks("run_01HZX")
    await post(client, blocks)
    assert action_ids(blocks) == [STOP_ACTION]


# -- the deny-reason modal --------------------------------------------------------------------


async def test_deny_modal_opens_and_its_submission_carries_reason_and_reference(
    client: AsyncWebClient, slack: SlackEmulator, app_payloads: asyncio.Queue[dict[str, Any]]
) -> None:
    ts = await post(client, approval_blocks(REF, tool="exec", command="ls"))
    await slack.click_button(channel=GENERAL, message_ts=ts, action_id=DENY_ACTION, user=ALICE)
    click = await asyncio.wait_for(app_payloads.get(), 10)
    view = deny_reason_modal(
        parse_approval_value(click["actions"][0]["value"]), channel=GENERAL, message_ts=ts
    )
    opened = await client.views_open(trigger_id=click["trigger_id"], view=view)
    values = {DENY_REASON_BLOCK: {DENY_REASON_INPUT: {"type": "plain_text_input", "value": "no"}}}
    await slack.submit_view(opened["view"]["id"], values, user=ALICE)
    submitted = await asyncio.wait_for(app_payloads.get(), 10)
    decision = parse_deny_submission(submitted["view"])
    assert (decision.ref, decision.channel, decision.message_ts, decision.reason) == (
        REF,
        GENERAL,
        ts,
        "no",
    )


def test_deny_submission_with_forged_metadata_is_rejected() -> None:
    view = deny_reason_modal(REF, channel=GENERAL, message_ts="1.2")
    view["private_metadata"] = '{"ref": {"r": "x"}, "channel": "C1", "message_ts": "1.2"}'
    with pytest.raises(MalformedPayloadError):
        parse_deny_submission(view)


def test_other_modals_are_not_read_as_deny_submissions() -> None:
    with pytest.raises(MalformedPayloadError):
        parse_deny_submission({"callback_id": "something_else", "private_metadata": "{}"})


def test_describe_request_reads_a_sandbox_exec_command_at_the_top() -> None:
    data = {"kind": "exec", "tool": "host_exec", "command": "ls -la", "always_allow_key": "ls"}
    assert describe_request(data) == ("host_exec", "ls -la", None)
