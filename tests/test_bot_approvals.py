"""Approvals in Slack: a coding agent's host command waits for the requester's click; the
first decision wins; strangers are refused; Deny asks why; Stop cancels."""

from __future__ import annotations

import json

from bot_harness import Harness

from agents.testing import Reply, ToolCallReply
from bot._blocks import (
    ALWAYS_ALLOW_ACTION,
    APPROVE_ACTION,
    DENY_ACTION,
    DENY_REASON_BLOCK,
    DENY_REASON_INPUT,
    STOP_ACTION,
)
from bot.emulator import SeenMessage

ALICE, BOB = "U0ALICE001", "U0BOB00002"


def has_buttons(message: SeenMessage) -> bool:
    return any(block.get("type") == "actions" for block in message.blocks or []) and (
        "Approval needed" in message.text
    )


def button_value(message: SeenMessage, action_id: str) -> str:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button")


async def ask_for_a_command(harness: Harness, command: str) -> tuple[str, SeenMessage]:
    harness.llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="host_exec", arguments={"command": command})]),
            Reply(text="The command ran."),
        ]
    )
    ts = await harness.mention(f"@coding_agent run {command}", user=ALICE)
    approval = await harness.wait_reply(ts, has_buttons)
    return ts, approval


async def click(harness: Harness, message: SeenMessage, action_id: str, user: str) -> None:
    await harness.slack.click_button(
        channel=harness.channel,
        message_ts=message.ts,
        action_id=action_id,
        user=user,
        value=button_value(message, action_id),
    )


async def test_the_approval_message_shows_the_command_and_who_asked(harness: Harness) -> None:
    _, approval = await ask_for_a_command(harness, "echo hello > out.txt")
    blocks = json.dumps(approval.blocks)
    assert "```echo hello &gt; out.txt```" in blocks or "echo hello" in blocks
    assert ALICE in blocks and "Always allow in this thread" in blocks


async def test_the_requester_approves_and_the_command_runs(harness: Harness) -> None:
    ts, approval = await ask_for_a_command(harness, "echo approved > out.txt")
    await click(harness, approval, APPROVE_ACTION, ALICE)
    await harness.wait_reply(ts, lambda m: "The command ran." in m.text and not m.streaming)
    assert (harness.workdir / "out.txt").read_text() == "approved\n"
    decided = next(m for m in harness.replies(ts) if m.ts == approval.ts)
    assert f"Approved by <@{ALICE}>" in decided.text
    assert not has_buttons(decided)


async def test_a_stranger_is_refused_and_nothing_runs(harness: Harness) -> None:
    _, approval = await ask_for_a_command(harness, "echo nope > out.txt")
    await click(harness, approval, APPROVE_ACTION, BOB)
    await harness.slack.wait_until(lambda: harness.slack.ephemerals(BOB) or None)
    [refusal] = harness.slack.ephemerals(BOB)
    assert "Only the person who asked" in refusal.text
    assert not (harness.workdir / "out.txt").exists()
    [pending] = await harness.polos.list_suspensions()
    assert pending.status == "pending"


async def test_a_double_click_resumes_the_run_once(harness: Harness) -> None:
    ts, approval = await ask_for_a_command(harness, "echo once >> out.txt")
    await click(harness, approval, APPROVE_ACTION, ALICE)
    await click(harness, approval, APPROVE_ACTION, ALICE)
    await harness.wait_reply(ts, lambda m: "The command ran." in m.text and not m.streaming)
    assert (harness.workdir / "out.txt").read_text() == "once\n"
    await harness.slack.wait_until(lambda: harness.slack.ephemerals(ALICE) or None)
    assert "already answered" in harness.slack.ephemerals(ALICE)[0].text


async def test_deny_asks_why_and_the_reason_reaches_the_agent(harness: Harness) -> None:
    ts, approval = await ask_for_a_command(harness, "rm -rf /important")
    await click(harness, approval, DENY_ACTION, ALICE)
    [view] = await harness.slack.wait_until(lambda: harness.slack.open_views(ALICE) or None)
    await harness.slack.submit_view(
        view.id,
        {
            DENY_REASON_BLOCK: {
                DENY_REASON_INPUT: {"type": "plain_text_input", "value": "too risky"}
            }
        },
    )
    await harness.wait_reply(ts, lambda m: "The command ran." in m.text and not m.streaming)
    assert f"denied by {ALICE}: too risky" in json.dumps(harness.llm.calls[1].body)
    decided = next(m for m in harness.replies(ts) if m.ts == approval.ts)
    assert f"Denied by <@{ALICE}>: too risky" in decided.text


async def test_always_allow_skips_the_next_approval_in_the_thread(harness: Harness) -> None:
    ts, approval = await ask_for_a_command(harness, "echo again >> out.txt")
    await click(harness, approval, ALWAYS_ALLOW_ACTION, ALICE)
    await harness.wait_reply(ts, lambda m: "The command ran." in m.text and not m.streaming)
    harness.llm.script(
        [
            Reply(
                tool_calls=[
                    ToolCallReply(name="host_exec", arguments={"command": "echo again >> out.txt"})
                ]
            ),
            Reply(text="Ran it again."),
        ]
    )
    await harness.slack.post_message("once more", user=ALICE, channel=harness.channel, thread_ts=ts)
    await harness.wait_reply(ts, lambda m: "Ran it again." in m.text and not m.streaming)
    assert (harness.workdir / "out.txt").read_text() == "again\nagain\n"


async def test_the_stop_button_cancels_the_run(harness: Harness) -> None:
    harness.llm.script([Reply(text="word " * 400, chunk_delay=0.05)])
    ts = await harness.mention("talk slowly", user=ALICE)
    answer = await harness.wait_reply(ts, lambda m: "word" in m.text)
    run = (await harness.polos.list_runs())[0]
    assert "word" in answer.text
    stop = await harness.wait_reply(
        ts, lambda m: any("polos_stop" in json.dumps(b) for b in m.blocks or [])
    )
    await click(harness, stop, STOP_ACTION, ALICE)
    await harness.slack.wait_until(
        lambda: any("Stopped." in m.text for m in harness.replies(ts)) or None, timeout=15
    )
    assert (await harness.polos.get_run(run.id)).status == "cancelled"  # type: ignore[union-attr]
    # The Stop button's message goes away with the run.
    await harness.slack.wait_until(
        lambda: not any(m.ts == stop.ts for m in harness.replies(ts)) or None
    )
