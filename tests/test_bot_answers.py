"""The bot end to end: a mention becomes one durable run whose answer streams into the
thread. Real Bolt app, the Slack emulator, the LLM test server."""

from __future__ import annotations

import json

from bot_harness import Harness

from agents.testing import ErrorReply, Reply

ANSWER = "Durable workflows **checkpoint** every step, so a crash repeats nothing."


def methods(harness: Harness) -> list[str]:
    return [method for method, _ in harness.slack.api_calls]


def finished(text: str):  # type: ignore[no-untyped-def]
    return lambda message: text in message.text and not message.streaming


async def test_a_mention_streams_the_answer_into_the_thread(harness: Harness) -> None:
    harness.llm.script([Reply(text=ANSWER)])
    ts = await harness.mention("what is a durable workflow?")
    await harness.wait_reply(ts, finished("crash repeats nothing"))
    # The Stop button's message goes once the answer is complete: one reply remains.
    [reply] = await harness.slack.wait_until(
        lambda: [*harness.replies(ts)][:1] if len(harness.replies(ts)) == 1 else None
    )
    assert reply.bot_id is not None and "checkpoint" in reply.text
    assert "chat.startStream" in methods(harness) and "chat.stopStream" in methods(harness)
    assert "what is a durable workflow?" in json.dumps(harness.llm.calls[0].body)


async def test_without_streaming_the_answer_arrives_through_message_edits(
    harness: Harness,
) -> None:
    harness.slack.fail_method("chat.startStream", status=500, times=5)
    harness.llm.script([Reply(text=ANSWER, chunk_delay=0.02)])
    ts = await harness.mention("explain")
    await harness.wait_reply(ts, finished("crash repeats nothing"))
    assert "chat.update" in methods(harness)
    assert len(harness.replies(ts)) == 1


async def test_a_storm_of_429s_on_edits_loses_no_text(harness: Harness) -> None:
    harness.slack.fail_method("chat.startStream", status=500, times=5)
    harness.slack.fail_method("chat.update", status=429, times=6, retry_after=1)
    long_answer = " ".join(f"word{i}" for i in range(300))
    harness.llm.script([Reply(text=long_answer, chunk_delay=0.002)])
    ts = await harness.mention("talk a lot")
    await harness.wait_reply(ts, finished("word299"), timeout=30)
    [reply] = harness.replies(ts)
    assert " ".join(reply.text.split()).endswith(long_answer[-200:])
    assert all(f"word{i} " in reply.text for i in range(299))


async def test_a_redelivered_event_starts_one_run(harness: Harness) -> None:
    harness.slack.drop_acks(1)  # the first delivery is not acked: the emulator retries
    harness.llm.script([Reply(text="only once")])
    ts = await harness.mention("hello")
    await harness.wait_reply(ts, finished("only once"))
    await harness.slack.wait_until(lambda: len(harness.slack.deliveries) >= 2 or None)
    assert len(await harness.polos.list_runs()) == 1
    assert harness.llm.call_count == 1


async def test_a_reply_in_the_thread_continues_the_conversation(harness: Harness) -> None:
    harness.llm.script([Reply(text="NYC is sunny."), Reply(text="Tomorrow it rains.")])
    ts = await harness.mention("weather in NYC?")
    await harness.wait_reply(ts, finished("sunny"))
    await harness.slack.post_message("and tomorrow?", channel=harness.channel, thread_ts=ts)
    await harness.wait_reply(ts, finished("rains"))
    second = json.dumps(harness.llm.calls[1].body)
    assert "weather in NYC?" in second and "NYC is sunny." in second


async def test_messages_in_threads_the_bot_is_not_in_are_ignored(harness: Harness) -> None:
    root = await harness.slack.post_message("a human thread", channel=harness.channel)
    await harness.slack.post_message("a reply", channel=harness.channel, thread_ts=root)
    harness.llm.script([Reply(text="after")])
    ts = await harness.mention("now answer")
    await harness.wait_reply(ts, finished("after"))
    assert len(await harness.polos.list_runs()) == 1


async def test_a_direct_message_goes_to_the_default_agent(harness: Harness) -> None:
    harness.llm.script([Reply(text="hi from the assistant")])
    user = harness.slack.default_user
    dm = harness.slack.dm_channel(user)
    ts = await harness.slack.post_message("hello there", user=user, channel=dm)
    await harness.slack.wait_for_reply(dm, ts, finished("hi from the assistant"))
    [run] = await harness.polos.list_runs()
    assert run.workflow_id == "assistant"


async def test_an_unknown_agent_gets_a_reply_listing_the_agents(harness: Harness) -> None:
    ts = await harness.mention("@nobody do things")
    reply = await harness.wait_reply(ts, lambda m: "don't know an agent" in m.text)
    assert "@coding_agent" in reply.text and "@assistant" in reply.text
    assert await harness.polos.list_runs() == []


async def test_a_named_agent_answers_the_mention(harness: Harness) -> None:
    harness.llm.script([Reply(text="coding here")])
    ts = await harness.mention("@coding_agent build a thing")
    await harness.wait_reply(ts, finished("coding here"))
    [run] = await harness.polos.list_runs()
    assert run.workflow_id == "coding_agent" and run.input.prompt == "build a thing"


async def test_a_provider_failure_shows_one_clear_message(harness: Harness) -> None:
    harness.llm.script([ErrorReply(status=401)])
    ts = await harness.mention("hello")
    reply = await harness.wait_reply(ts, lambda m: "API key is invalid" in m.text)
    assert "OpenAI" in reply.text


async def test_socket_mode_survives_a_disconnect(harness: Harness) -> None:
    assert await harness.slack.disconnect_socket_clients() >= 1
    await harness.slack.wait_until(lambda: harness.slack.socket_hellos >= 2 or None, timeout=15)
    harness.llm.script([Reply(text="still here")])
    ts = await harness.mention("are you there?")
    await harness.wait_reply(ts, finished("still here"))


async def test_the_bot_ignores_its_own_and_other_bots_messages(harness: Harness) -> None:
    harness.llm.script([Reply(text="first answer")])
    ts = await harness.mention("hi")
    await harness.wait_reply(ts, finished("first answer"))
    # The bot's own reply in the thread produced a message event; nothing else started.
    assert len(await harness.polos.list_runs()) == 1
    assert harness.llm.call_count == 1


async def test_runs_not_started_from_slack_are_not_shown_in_slack(harness: Harness) -> None:
    harness.llm.script([Reply(text="a private answer " * 20, chunk_delay=0.001)])
    agent = harness.bot.directory.get("assistant")
    assert agent is not None
    result = await agent.run(harness.polos, "not from Slack")
    assert result.result.startswith("a private answer")
    assert [m for m in harness.slack.history(harness.channel) if m.bot_id] == []
    await harness.slack.wait_until(lambda: not harness.bot.responder._follows or None)
