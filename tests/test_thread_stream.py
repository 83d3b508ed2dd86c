"""ThreadStream and consume() against the Slack emulator with the real AsyncWebClient."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from agents._agent_events import (
    AgentEvent,
    ApprovalRequested,
    RunFailed,
    RunFinished,
    TextDelta,
    TextReset,
    ToolCallFinished,
    ToolCallStarted,
)
from bot._budget import EditBudget, with_rate_limit_retries
from bot._consume import consume, tool_line
from bot._mrkdwn import to_mrkdwn
from bot._streaming import DONE, FAILED, ThreadStream
from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
ANSWER_PIECES = ["The tests ", "pass: ", "**42** of them, ", "in `tests/`.", "\n\nDone."]
ANSWER = "".join(ANSWER_PIECES)


@pytest.fixture
async def client(slack: SlackEmulator) -> AsyncIterator[AsyncWebClient]:
    web = with_rate_limit_retries(
        AsyncWebClient(token=slack.bot_token, base_url=slack.api_url), max_retries=1
    )
    yield web
    if web.session is not None:
        await web.session.close()


@pytest.fixture
async def parent(slack: SlackEmulator) -> str:
    return await slack.post_message("<@U0BOT00001> how are the tests?")


def make_stream(client: AsyncWebClient, parent: str, **options: Any) -> ThreadStream:
    options.setdefault("edit_interval", 0.05)
    options.setdefault("stream_interval", 0.02)
    options.setdefault("retry_delay", 0.05)
    options.setdefault("budget", EditBudget(per_minute=6000, burst=100))
    return ThreadStream(client, channel=GENERAL, thread_ts=parent, **options)


def count(slack: SlackEmulator, method: str) -> int:
    return sum(1 for name, _ in slack.api_calls if name == method)


def replies(slack: SlackEmulator, parent: str) -> list[str]:
    return [m.text for m in slack.thread(GENERAL, parent)[1:]]


async def stream_pieces(stream: ThreadStream, pieces: list[str]) -> None:
    for piece in pieces:
        await stream.append(piece)
        await asyncio.sleep(0.01)  # let the flush run between pieces, as a model would


# -- the streaming path -----------------------------------------------------------------


async def test_streamed_answer_is_one_stopped_message_with_the_whole_text(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream_pieces(stream, ANSWER_PIECES)
    await stream.finish()
    [reply] = slack.thread(GENERAL, parent)[1:]
    assert (reply.text, reply.streaming) == (ANSWER, False)
    assert count(slack, "chat.postMessage") + count(slack, "chat.update") == 0


async def test_start_returns_the_ts_of_the_answer_message(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    ts = await stream.start()
    assert [m.ts for m in slack.thread(GENERAL, parent)[1:]] == [ts]


async def test_text_is_visible_while_the_stream_is_open(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("partial answer")
    await stream.flush()
    [reply] = slack.thread(GENERAL, parent)[1:]
    assert (reply.text, reply.streaming) == ("partial answer", True)


async def test_stream_appends_are_coalesced(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, stream_interval=30.0)
    await stream.start()
    await stream_pieces(stream, [f"word{i} " for i in range(50)])
    await stream.finish()
    assert count(slack, "chat.appendStream") <= 1
    assert replies(slack, parent) == ["".join(f"word{i} " for i in range(50))]


async def test_finish_blocks_are_shown_below_the_streamed_text(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("answer")
    button = {"type": "button", "text": {"type": "plain_text", "text": "Good"}, "action_id": "g"}
    await stream.finish(blocks=[{"type": "actions", "elements": [button]}])
    blocks = slack.thread(GENERAL, parent)[1].blocks or []
    assert [b["type"] for b in blocks] == ["markdown", "actions"]


# -- the fallback path ---------------------------------------------------------------------


async def test_start_stream_failure_falls_back_to_post_and_update(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    slack.fail_method("chat.startStream", status=500)
    stream = make_stream(client, parent)
    await stream.start()
    await stream_pieces(stream, ANSWER_PIECES)
    await stream.finish()
    assert replies(slack, parent) == [to_mrkdwn(ANSWER)]
    assert (count(slack, "chat.postMessage"), count(slack, "chat.appendStream")) == (1, 0)


async def test_expired_stream_mid_answer_is_finished_with_chat_update(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream_pieces(stream, ANSWER_PIECES[:2])
    await stream.flush()
    slack.expire_streams()
    await stream_pieces(stream, ANSWER_PIECES[2:])
    await stream.finish()
    [reply] = slack.thread(GENERAL, parent)[1:]
    assert (reply.text, reply.streaming) == (to_mrkdwn(ANSWER), False)
    assert count(slack, "chat.update") >= 1


async def test_update_edits_are_coalesced(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, use_streaming=False, edit_interval=30.0)
    await stream.start()
    await stream_pieces(stream, [f"word{i} " for i in range(50)])
    await stream.finish()
    assert count(slack, "chat.update") <= 2
    assert replies(slack, parent) == ["".join(f"word{i} " for i in range(50))]


async def test_429_storm_on_chat_update_loses_no_text(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, use_streaming=False)
    await stream.start()
    await stream.append(ANSWER_PIECES[0])
    await stream.flush()
    slack.fail_method("chat.update", status=429, times=3, retry_after=1)
    await stream_pieces(stream, ANSWER_PIECES[1:])
    await stream.finish()
    assert replies(slack, parent) == [to_mrkdwn(ANSWER)]
    assert count(slack, "chat.update") >= 4  # the storm was met and outlasted


# -- long answers ----------------------------------------------------------------------------


LONG = "\n\n".join(f"Paragraph {i}: " + "lorem ipsum " * 8 for i in range(6))


@pytest.mark.parametrize("use_streaming", [True, False], ids=["streaming", "fallback"])
async def test_long_answer_continues_in_further_messages(
    client: AsyncWebClient, slack: SlackEmulator, parent: str, use_streaming: bool
) -> None:
    stream = make_stream(client, parent, use_streaming=use_streaming, message_limit=300)
    await stream.start()
    await stream_pieces(stream, [LONG[i : i + 37] for i in range(0, len(LONG), 37)])
    await stream.finish()
    texts = replies(slack, parent)
    assert len(texts) >= 2
    assert all(len(t) <= 300 for t in texts)
    assert " ".join(" ".join(texts).split()) == " ".join(LONG.split())


async def test_code_block_cut_between_messages_is_closed_and_reopened(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(60)) + "\n```\n"
    stream = make_stream(client, parent, message_limit=200)
    await stream.start()
    await stream_pieces(stream, [code[i : i + 50] for i in range(0, len(code), 50)])
    await stream.finish()
    texts = replies(slack, parent)
    assert len(texts) >= 2
    assert texts[0].rstrip().endswith("```") and texts[1].startswith("```python\n")
    assert all(t.count("```") % 2 == 0 for t in texts)


# -- rewriting, progress and failures ----------------------------------------------------


async def test_reset_text_rewrites_the_current_turn(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("a first attempt that the provider retried")
    await stream.flush()
    await stream.reset_text()
    await stream.append("the answer")
    await stream.finish()
    assert replies(slack, parent) == ["the answer"]


async def test_reset_text_keeps_the_text_of_earlier_turns(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, use_streaming=False)
    await stream.start()
    await stream.append("Let me check.")
    await stream.progress("running `exec`: `ls`", key="c1")
    await stream.append("garbled")
    await stream.reset_text()
    await stream.append("Found it.")
    await stream.finish()
    [text] = replies(slack, parent)
    assert text.startswith("Let me check.") and text.endswith("Found it.")
    assert "garbled" not in text


async def test_progress_line_is_shown_and_marked_done(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.progress("running `exec`: `pytest -q`", key="call-1")
    await stream.flush()
    await stream.progress_done("call-1")
    await stream.append("All green.")
    await stream.finish()
    [text] = replies(slack, parent)
    assert f"{DONE} running `exec`: `pytest -q`" in text
    assert text.endswith("All green.")


async def test_failed_tool_is_marked_failed(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, use_streaming=False)
    await stream.start()
    await stream.progress("running `exec`: `make`", key="c")
    await stream.progress_done("c", failed=True)
    await stream.finish("It failed.")
    assert f"{FAILED} running `exec`: `make`" in replies(slack, parent)[0]


async def test_fail_shows_one_clear_message_after_the_partial_answer(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("Working on it")
    await stream.fail("the OpenAI API key is invalid")
    [reply] = slack.thread(GENERAL, parent)[1:]
    assert reply.text.startswith("Working on it")
    assert reply.text.endswith("the OpenAI API key is invalid")
    assert not reply.streaming


async def test_finish_with_final_text_fills_in_what_was_not_streamed(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.finish("Replayed answer.")
    assert replies(slack, parent) == ["Replayed answer."]


async def test_restart_with_existing_ts_rewrites_the_same_message(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    crashed = make_stream(client, parent)
    ts = await crashed.start()
    await crashed.append("half an ans")
    await crashed.flush()  # the process dies here, leaving the stream open

    resumed = make_stream(client, parent)
    assert await resumed.start(existing_ts=ts) == ts
    await resumed.append("The whole answer.")
    await resumed.finish()
    [reply] = slack.thread(GENERAL, parent)[1:]
    assert (reply.ts, reply.text, reply.streaming) == (ts, "The whole answer.", False)


async def test_append_after_finish_is_refused(client: AsyncWebClient, parent: str) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.finish("done")
    with pytest.raises(RuntimeError):
        await stream.append("more")


# -- consume() ----------------------------------------------------------------------------


async def events_of(items: list[AgentEvent]) -> AsyncIterator[AgentEvent]:
    for item in items:
        yield item
        await asyncio.sleep(0)


async def test_consume_streams_text_and_tool_progress_to_the_finished_answer(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    run = "run-1"
    events: list[AgentEvent] = [
        TextDelta(run, "Running the tests.", 0),
        ToolCallStarted(run, "c1", "exec", {"command": "pytest -q"}),
        ToolCallFinished(run, "c1", "exec", "3 passed", False),
        TextDelta(run, "All ", 1),
        TextDelta(run, "3 passed.", 1),
        RunFinished(run, "All 3 passed."),
    ]
    stream = make_stream(client, parent)
    await stream.start()
    last = await consume(events_of(events), stream)
    assert isinstance(last, RunFinished)
    [text] = replies(slack, parent)
    assert text == f"Running the tests.\n\n{DONE} running `exec`: `pytest -q`\n\nAll 3 passed."


async def test_consume_text_reset_discards_the_retried_turn(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    run = "run-1"
    events: list[AgentEvent] = [
        TextDelta(run, "Hal", 0),
        TextReset(run, 0),
        TextDelta(run, "Hello.", 0),
        RunFinished(run, None),
    ]
    stream = make_stream(client, parent)
    await stream.start()
    await consume(events_of(events), stream)
    assert replies(slack, parent) == ["Hello."]


async def test_consume_run_failed_shows_its_message(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    events: list[AgentEvent] = [
        RunFailed("run-1", "ProviderAuthError", "the OpenAI API key is invalid"),
    ]
    stream = make_stream(client, parent)
    await stream.start()
    last = await consume(events_of(events), stream)
    assert isinstance(last, RunFailed)
    assert replies(slack, parent)[0].endswith("the OpenAI API key is invalid")


async def test_consume_hands_approval_requests_to_the_callback_after_flushing(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    seen: list[tuple[str, list[str]]] = []

    async def on_approval(event: ApprovalRequested) -> None:
        seen.append((event.step_key, replies(slack, parent)))

    events: list[AgentEvent] = [
        TextDelta("run-1", "I need to run a command.", 0),
        ApprovalRequested("run-1", "approve-1", {"tool": "exec"}, "n0nce"),
    ]
    stream = make_stream(client, parent, stream_interval=30.0)
    await stream.start()
    last = await consume(events_of(events), stream, on_approval=on_approval)
    assert last is None
    assert seen == [("approve-1", ["I need to run a command."])]


def test_tool_line_names_the_tool_and_its_command() -> None:
    assert tool_line("exec", {"command": "pytest -q"}) == "running `exec`: `pytest -q`"


def test_tool_line_keeps_backticks_from_breaking_the_code_span() -> None:
    assert tool_line("exec", {"command": "echo `date`"}) == "running `exec`: `echo 'date'`"


async def test_reset_reaching_into_earlier_messages_deletes_the_extra_ones(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, message_limit=100)
    await stream.start()
    await stream_pieces(stream, [f"sentence number {i} of a retried turn. " for i in range(12)])
    await stream.flush()
    assert len(replies(slack, parent)) >= 3
    await stream.reset_text()
    await stream.append("Short answer.")
    await stream.finish()
    assert replies(slack, parent) == ["Short answer."]
    assert count(slack, "chat.delete") >= 2


async def test_429_on_start_stream_is_waited_out_and_streaming_kept(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    slack.fail_method("chat.startStream", status=429, times=2, retry_after=1)
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("streamed anyway")
    await stream.finish()
    assert replies(slack, parent) == ["streamed anyway"]
    assert count(slack, "chat.postMessage") == 0


async def test_429_on_append_stream_loses_no_text(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    slack.fail_method("chat.appendStream", status=429, times=3, retry_after=1)
    await stream_pieces(stream, ANSWER_PIECES)
    await stream.finish()
    assert replies(slack, parent) == [ANSWER]


async def test_working_blocks_show_while_editing_and_go_away_at_the_end(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "Stop"}, "action_id": "s"}
    working = [{"type": "actions", "elements": [button]}]
    stream = make_stream(client, parent, use_streaming=False, working_blocks=working)
    await stream.start()
    await stream.append("still going")
    await stream.flush()
    during = slack.thread(GENERAL, parent)[1].blocks or []
    await stream.finish()
    after = slack.thread(GENERAL, parent)[1].blocks or []
    assert [b["type"] for b in during] == ["markdown", "actions"]
    assert [b["type"] for b in after] == ["markdown"]


async def test_unfinished_code_block_is_shown_closed_while_editing(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent, use_streaming=False)
    await stream.start()
    await stream.append("Here:\n```python\nprint(1)")
    await stream.flush()
    assert replies(slack, parent) == ["Here:\n```\nprint(1)\n```"]


# -- the shared chat.update budget ------------------------------------------------------------


async def test_budget_holds_callers_once_its_burst_is_spent() -> None:
    budget = EditBudget(per_minute=0.001, burst=2)
    await budget.acquire()
    await budget.acquire()
    third = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0.05)
    assert not third.done()
    third.cancel()


async def test_budget_pause_after_a_429_holds_every_caller() -> None:
    budget = EditBudget(per_minute=6000, burst=10)
    budget.pause(60)
    waiting = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    waiting.cancel()


# -- random sequences -------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words a reader sees, ignoring fences (a cut closes and reopens them)."""
    return [w for w in text.replace("```", " ").split() if w != "py"]


@pytest.mark.parametrize("seed", range(6))
async def test_random_sequences_show_the_whole_answer_in_order(
    client: AsyncWebClient, slack: SlackEmulator, parent: str, seed: int
) -> None:
    rnd = random.Random(seed)
    stream = make_stream(
        client, parent, use_streaming=seed % 3 != 0, message_limit=rnd.choice([60, 120, 200])
    )
    await stream.start()
    pending: list[str] = []
    pieces = ["alpha ", "beta\n", "\n\n", "```py\n", "x = 1\n", "```\n"]
    for step in range(40):
        roll = rnd.random()
        if roll < 0.6:
            await stream.append("".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6))))
        elif roll < 0.7:
            pending.append(f"c{step}")
            await stream.progress(f"running `exec`: `cmd{step}`", key=f"c{step}")
        elif roll < 0.8 and pending:
            await stream.progress_done(pending.pop(0), failed=rnd.random() < 0.3)
        elif roll < 0.87:
            await stream.reset_text()
        elif roll < 0.92:
            slack.expire_streams()
        elif roll < 0.95:
            method = rnd.choice(["chat.update", "chat.appendStream", "chat.postMessage"])
            slack.fail_method(method, status=rnd.choice([429, 500]), retry_after=0)
        await asyncio.sleep(rnd.choice([0, 0, 0.005, 0.02]))
    await stream.finish("final words" if seed % 2 else None)
    seen = slack.thread(GENERAL, parent)[1:]
    assert not any(m.streaming for m in seen)
    assert words(" ".join(m.text for m in seen)) == words(stream.text)


async def test_progress_line_after_unclosed_code_is_not_inside_the_code(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("```sh\nmake test")
    await stream.progress("running `exec`: `make test`", key="c")
    await stream.finish("Done.")
    [text] = replies(slack, parent)
    assert text.index("```", text.index("make test")) < text.index("running `exec`")


async def test_final_text_equal_to_the_streamed_text_causes_no_rewrite(
    client: AsyncWebClient, slack: SlackEmulator, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.append("All done.\n")
    await stream.finish("All done.")
    assert replies(slack, parent) == ["All done.\n"]
    assert count(slack, "chat.update") == 0


async def test_a_progress_line_started_again_under_the_same_key_is_shown_once(
    client: AsyncWebClient, parent: str
) -> None:
    stream = make_stream(client, parent)
    await stream.start()
    await stream.progress("running `exec`: `ls`", key="call-1")
    await stream.progress("running `exec`: `ls`", key="call-1")  # resumed after approval
    await stream.progress_done("call-1")
    await stream.finish("done")
    assert stream.text.count("running `exec`") == 1
    assert f"{DONE} running `exec`" in stream.text
