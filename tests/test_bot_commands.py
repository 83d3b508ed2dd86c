"""The /polos slash command through the emulator (answers are ephemeral)."""

from __future__ import annotations

from bot_harness import Harness

from agents.testing import Reply, ToolCallReply

ALICE, BOB = "U0ALICE001", "U0BOB00002"


async def command(harness: Harness, text: str, *, user: str = ALICE) -> str:
    before = len(harness.slack.ephemerals(user))
    await harness.slack.run_command("/polos", text, user=user, channel=harness.channel)
    messages = await harness.slack.wait_until(
        lambda: harness.slack.ephemerals(user)[before:] or None
    )
    return messages[-1].text


async def test_help_explains_how_to_use_the_bot(harness: Harness) -> None:
    assert "Mention me" in await command(harness, "help")


async def test_agents_lists_the_agents(harness: Harness) -> None:
    text = await command(harness, "agents")
    assert "@assistant" in text and "@coding_agent" in text and "(default)" in text


async def test_run_starts_an_agent_in_a_new_thread(harness: Harness) -> None:
    harness.llm.script([Reply(text="slash answer")])
    text = await command(harness, "run assistant summarise the week")
    assert "Started" in text
    [root] = [m for m in harness.slack.history(harness.channel) if "asked `@assistant`" in m.text]
    await harness.wait_reply(root.ts, lambda m: "slash answer" in m.text and not m.streaming)


async def test_status_lists_recent_runs_in_the_channel(harness: Harness) -> None:
    harness.llm.script([Reply(text="done")])
    ts = await harness.mention("hello", user=ALICE)
    await harness.wait_reply(ts, lambda m: "done" in m.text and not m.streaming)
    text = await command(harness, "status")
    [run] = await harness.polos.list_runs()
    assert run.id[:8] in text and "succeeded" in text


async def test_cancel_and_approvals_work_on_a_waiting_run(harness: Harness) -> None:
    harness.llm.script(
        [Reply(tool_calls=[ToolCallReply(name="host_exec", arguments={"command": "ls"})])]
    )
    ts = await harness.mention("@coding_agent run ls", user=ALICE)
    await harness.wait_reply(ts, lambda m: "Approval needed" in m.text)
    [run] = await harness.polos.list_runs()
    assert run.id[:8] in await command(harness, "approvals")
    assert "Only the person who asked" in await command(harness, f"cancel {run.id[:8]}", user=BOB)
    assert "Cancelled" in await command(harness, f"cancel {run.id[:8]}")
    assert (await harness.polos.get_run(run.id)).status == "cancelled"  # type: ignore[union-attr]


async def test_an_unknown_subcommand_shows_help(harness: Harness) -> None:
    assert "Unknown command `frobnicate`" in await command(harness, "frobnicate")
