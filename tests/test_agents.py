"""Agents: tools, errors that steer the model, approvals, streaming events, stop conditions,
structured output repair, memory. Real SDKs against the local LLM test server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from helpers import wait_status
from pydantic import BaseModel

from agents.testing import ErrorReply, LLMServer, Reply, ToolCallReply
from polos import (
    Agent,
    AgentState,
    ApprovalRequested,
    ExecutedToolConfig,
    OutputValidationError,
    PolosClient,
    ProviderAuthError,
    ProviderUnavailableError,
    RunFinished,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    UserError,
    WorkflowContext,
    executed_tool,
    stop_condition,
    tool,
)


class CityInput(BaseModel):
    city: str


def make_agent(provider: str, tools: list[Any] | None = None, **options: Any) -> Agent:
    return Agent(
        id=options.pop("id", f"agent-{provider}"),
        provider=provider,
        model="test-model",
        system_prompt="You help.",
        tools=tools or [],
        **options,
    )


@tool(description="Look up the population of a city")
async def population(ctx: WorkflowContext, input: CityInput) -> int:
    if input.city == "Atlantis":
        raise LookupError("no such city: Atlantis")
    return {"Paris": 2_100_000}.get(input.city, 1000)


# -- errors that go back to the model ------------------------------------------------------


async def test_an_unknown_tool_name_from_the_model_is_reported_back_to_it(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="teleport", arguments={"to": "Mars"})]),
            Reply(text="I cannot teleport."),
        ]
    )
    result = await make_agent(provider, [population]).run(sqlite_client, "Go to Mars")
    assert result.result == "I cannot teleport."
    [call] = result.tool_calls
    assert (
        call.is_error and "unknown tool 'teleport'" in call.result and "population" in call.result
    )


async def test_malformed_tool_arguments_are_reported_back_to_the_model(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="population", arguments='{"city": ')]),
            Reply(tool_calls=[ToolCallReply(name="population", arguments={"town": "Paris"})]),
            Reply(tool_calls=[ToolCallReply(name="population", arguments={"city": "Paris"})]),
            Reply(text="2.1 million."),
        ]
    )
    result = await make_agent(provider, [population]).run(sqlite_client, "Paris?")
    first, second, third = result.tool_calls
    assert first.is_error and "not valid JSON" in first.result
    assert second.is_error and "city: Field required" in second.result
    assert (third.is_error, third.result) == (False, "2100000")
    # The model saw the errors and could correct itself.
    assert "not valid JSON" in json.dumps(llm.calls[1].body)


async def test_an_exception_raised_by_a_tool_goes_back_to_the_model(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="population", arguments={"city": "Atlantis"})]),
            Reply(text="Atlantis does not exist."),
        ]
    )
    result = await make_agent(provider, [population]).run(sqlite_client, "Atlantis?")
    assert result.result == "Atlantis does not exist."
    assert result.tool_calls[0].result == "LookupError: no such city: Atlantis"


# -- developer mistakes and provider failures ----------------------------------------------


def test_an_unknown_provider_is_a_clear_error() -> None:
    with pytest.raises(UserError, match=r"unknown provider 'gemini'.*openai, anthropic"):
        Agent(id="x", provider="gemini", model="m")


def test_a_plain_function_in_tools_is_a_clear_error() -> None:
    async def not_a_tool(ctx: WorkflowContext, input: CityInput) -> None:
        return None

    with pytest.raises(UserError, match="decorate it with @tool"):
        Agent(id="x", provider="openai", model="m", tools=[not_a_tool])  # type: ignore[list-item]


async def test_empty_input_is_refused_before_a_run_starts(sqlite_client: PolosClient) -> None:
    with pytest.raises(UserError, match="needs a non-empty input"):
        await make_agent("openai").run(sqlite_client, "")
    assert await sqlite_client.list_runs() == []


async def test_an_invalid_api_key_fails_the_run_with_a_clear_message(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    agent = make_agent(provider, api_key="wrong-key")
    with pytest.raises(ProviderAuthError, match=f"invalid API key for {provider}"):
        await agent.run(sqlite_client, "hello")
    [run] = await sqlite_client.list_runs()
    assert run.status == "failed" and "invalid API key" in run.error["message"]  # type: ignore[index]


async def test_a_rate_limit_is_retried_after_retry_after(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script([ErrorReply(status=429, retry_after=1), Reply(text="ok after waiting")])
    result = await make_agent(provider).run(sqlite_client, "hello")
    assert result.result == "ok after waiting"
    assert llm.call_count == 2


async def test_a_provider_that_keeps_failing_fails_the_run_clearly(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script(lambda body: ErrorReply(status=500))
    agent = make_agent(provider, max_retries=1)
    with pytest.raises(ProviderUnavailableError):
        await agent.run(sqlite_client, "hello")
    assert llm.call_count == 2


async def test_a_stream_cut_midway_is_retried_as_a_whole_model_call(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    answer = "a long answer that is cut the first time it streams"
    llm.script([Reply(text=answer, cut_after=2), Reply(text=answer)])
    stream = await make_agent(provider).stream(sqlite_client, "hello")
    events = [event async for event in stream.events]
    assert (await stream.result()).result == answer
    assert any(type(event).__name__ == "TextReset" for event in events)


# -- approvals ------------------------------------------------------------------------------


@tool(description="Delete a city from the map", approval="always")
async def delete_city(ctx: WorkflowContext, input: CityInput) -> str:
    return f"deleted {input.city}"


async def _suspended_agent(
    llm: LLMServer, client: PolosClient, provider: str
) -> tuple[Any, ApprovalRequested]:
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="delete_city", arguments={"city": "Paris"})]),
            Reply(text="Finished."),
        ]
    )
    stream = await make_agent(provider, [delete_city]).stream(client, "Delete Paris")
    async for event in stream.events:
        if isinstance(event, ApprovalRequested):
            return stream, event
    raise AssertionError("no approval was requested")


async def test_an_approval_tool_suspends_and_runs_once_approved(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    stream, request = await _suspended_agent(llm, sqlite_client, provider)
    assert request.data["tool"] == "delete_city" and request.data["arguments"] == {"city": "Paris"}
    await wait_status(sqlite_client, stream.run_id, "suspended")
    assert await sqlite_client.resume(
        stream.run_id, request.step_key, {"approved": True}, by="U1", nonce=request.nonce
    )
    result = await stream.result()
    assert result.tool_calls[0].result == "deleted Paris"


async def test_a_denial_reaches_the_model_with_who_and_why(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    stream, request = await _suspended_agent(llm, sqlite_client, provider)
    await sqlite_client.resume(
        stream.run_id, request.step_key, {"approved": False, "reason": "too risky"}, by="U2"
    )
    result = await stream.result()
    assert result.tool_calls[0].result == "denied by U2: too risky"
    assert "denied by U2: too risky" in json.dumps(llm.calls[1].body)


# -- streaming events ----------------------------------------------------------------------


async def test_stream_events_show_tool_calls_text_and_the_end(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="population", arguments={"city": "Paris"})]),
            Reply(text="Paris has about 2.1 million people."),
        ]
    )
    stream = await make_agent(provider, [population]).stream(sqlite_client, "Paris?")
    events = [event async for event in stream.events]
    kinds = [type(event) for event in events]
    assert kinds[0] is ToolCallStarted and kinds[1] is ToolCallFinished
    assert isinstance(events[0], ToolCallStarted) and events[0].arguments == {"city": "Paris"}
    text = "".join(event.text for event in events if isinstance(event, TextDelta))
    assert text == "Paris has about 2.1 million people."
    assert isinstance(events[-1], RunFinished)
    assert events[-1].result.result == text


# -- stop conditions -----------------------------------------------------------------------


async def test_executed_tool_stops_the_run_after_that_tool(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script(
        lambda body: Reply(
            tool_calls=[ToolCallReply(name="population", arguments={"city": "Paris"})]
        )
    )
    agent = make_agent(
        provider,
        [population],
        stop_conditions=[executed_tool(ExecutedToolConfig(tool_names=["population"]))],
    )
    result = await agent.run(sqlite_client, "Paris?")
    assert llm.call_count == 1
    assert result.stop_reason == "executed tool population"


async def test_a_custom_stop_condition_sees_the_run_state(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    @stop_condition
    def said_enough(state: AgentState) -> bool:
        return "ENOUGH" in state.last_text

    llm.script(
        [
            Reply(
                text="partial",
                tool_calls=[ToolCallReply(name="population", arguments={"city": "A"})],
            ),
            Reply(
                text="ENOUGH",
                tool_calls=[ToolCallReply(name="population", arguments={"city": "B"})],
            ),
            Reply(text="never reached"),
        ]
    )
    agent = make_agent(provider, [population], stop_conditions=[said_enough])
    result = await agent.run(sqlite_client, "go")
    assert (llm.call_count, result.stop_reason, result.result) == (
        2,
        "stopped by said_enough",
        "ENOUGH",
    )


def test_every_agent_has_a_default_cap_on_model_calls() -> None:
    [cap] = make_agent("openai").effective_stop_conditions
    assert cap.name == "max_steps"


# -- structured output ---------------------------------------------------------------------


class Verdict(BaseModel):
    label: str
    score: int


async def test_an_invalid_structured_answer_gets_one_repair_turn(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script([Reply(output={"label": "ok"}), Reply(output={"label": "ok", "score": 3})])
    agent = make_agent(provider, output_schema=Verdict)
    result = await agent.run(sqlite_client, "judge")
    assert result.result == Verdict(label="ok", score=3)
    assert "does not match the required JSON schema" in json.dumps(llm.calls[1].body)


async def test_a_structured_answer_still_invalid_after_repair_fails_the_run(
    llm: LLMServer, sqlite_client: PolosClient, provider: str
) -> None:
    llm.script([Reply(output={"label": "ok"}), Reply(output={"score": "high"})])
    with pytest.raises(OutputValidationError, match="does not match Verdict"):
        await make_agent(provider, output_schema=Verdict).run(sqlite_client, "judge")


# -- memory and checkpoints ----------------------------------------------------------------


async def test_a_long_conversation_is_bounded_by_the_token_budget(
    llm: LLMServer, sqlite_client: PolosClient
) -> None:
    llm.script(lambda body: Reply(text="x" * 400))
    agent = make_agent("openai", memory_token_budget=400)
    for index in range(6):
        await agent.run(sqlite_client, f"message number {index}", conversation_id="c1")
    last = json.dumps(llm.calls[-1].body)
    assert "message number 5" in last and "message number 4" in last
    assert "message number 0" not in last
    # Everything is still stored, each message once.
    store = sqlite_client._store
    assert store is not None
    assert len(await store.messages.load("c1", up_to=10**9)) == 12


async def test_runs_of_one_conversation_execute_one_at_a_time(
    llm: LLMServer, sqlite_client: PolosClient
) -> None:
    async def slow_reply(body: dict[str, Any]) -> Reply:
        await asyncio.sleep(0.2)
        return Reply(text=f"answer {len(body['messages'])}")

    llm.script(slow_reply)
    agent = make_agent("openai")
    handles = [
        await agent.start(sqlite_client, f"q{i}", conversation_id="serial") for i in range(3)
    ]
    results = [await h.result(timeout=20) for h in handles]
    # Each run saw the answers of the runs before it.
    assert [len(llm.calls[i].body["messages"]) for i in range(3)] == [2, 4, 6]
    assert [r.result for r in results] == ["answer 2", "answer 4", "answer 6"]


async def test_model_call_checkpoints_hold_the_response_not_the_conversation(
    llm: LLMServer, sqlite_client: PolosClient
) -> None:
    big_prompt = "context " * 2000
    llm.script([Reply(text="short")])
    result = await make_agent("openai").run(sqlite_client, big_prompt)
    steps = await sqlite_client.list_steps(result.run_id)
    [llm_step] = [s for s in steps if s.key == "llm-1"]
    assert "context context" not in json.dumps(llm_step.output, default=str)


async def test_an_unanswered_approval_expires_after_the_runs_approval_timeout(
    llm: LLMServer, sqlite_client: PolosClient
) -> None:
    llm.script(
        [
            Reply(tool_calls=[ToolCallReply(name="delete_city", arguments={"city": "Rome"})]),
            Reply(text="Nobody answered."),
        ]
    )
    agent = make_agent("openai", [delete_city])
    handle = await agent.start(sqlite_client, "Delete Rome", metadata={"approval_timeout": 0.2})
    result = await handle.result(timeout=20)
    assert result.tool_calls[0].result == "nobody approved this call in time"
    [expired] = await sqlite_client.list_suspensions(run_id=handle.run_id, status="expired")
    assert expired.step_key.startswith("approve-1-")
