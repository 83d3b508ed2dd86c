"""The LLM test server, driven by the real ``openai`` and ``anthropic`` SDKs and by raw HTTP.

These prove the server speaks both wire formats the way the SDKs parse them, so provider
tests against it exercise the clients' real behaviour.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anthropic
import openai
import pytest

import agents.testing
import agents.testing.llm_server
from agents.testing import ErrorReply, LLMServer, Reply, ToolCallReply

KEY = "test-key"


@pytest.fixture
async def server() -> AsyncIterator[LLMServer]:
    async with LLMServer(api_key=KEY) as running:
        yield running


class Clients:
    """Real SDK clients pointed at the server, closed after the test."""

    def __init__(self, server: LLMServer) -> None:
        self.server = server
        self.made: list[openai.AsyncOpenAI | anthropic.AsyncAnthropic] = []

    def openai(self, **options: Any) -> openai.AsyncOpenAI:
        client = openai.AsyncOpenAI(
            api_key=options.pop("api_key", KEY), base_url=self.server.openai_base_url, **options
        )
        self.made.append(client)
        return client

    def anthropic(self, **options: Any) -> anthropic.AsyncAnthropic:
        client = anthropic.AsyncAnthropic(
            api_key=options.pop("api_key", KEY), base_url=self.server.anthropic_base_url, **options
        )
        self.made.append(client)
        return client


@pytest.fixture
async def sdk(server: LLMServer) -> AsyncIterator[Clients]:
    clients = Clients(server)
    yield clients
    for client in clients.made:
        await client.close()


async def post(server: LLMServer, path: str, body: object, **headers: str) -> tuple[int, Any]:
    """A raw HTTP call, so status, headers and error shapes are checked as sent."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.url}{path}", json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


async def raw_stream(server: LLMServer, path: str, body: object, **headers: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.url}{path}", json=body, headers=headers) as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        return await response.text()


OPENAI_AUTH = {"Authorization": f"Bearer {KEY}"}
ANTHROPIC_AUTH = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
USER_HI = [{"role": "user", "content": "hi"}]


# -- streaming framing -------------------------------------------------------------------


async def test_openai_stream_is_data_chunks_ending_with_done(server: LLMServer) -> None:
    server.script([Reply(text="one two three")])
    body = {"model": "m", "messages": USER_HI, "stream": True}
    text = await raw_stream(server, "/v1/chat/completions", body, **OPENAI_AUTH)
    events = [block for block in text.split("\n\n") if block]
    assert all(block.startswith("data: ") for block in events)
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(block[6:]) for block in events[:-1]]
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_anthropic_stream_names_every_event(server: LLMServer) -> None:
    server.script([Reply(text="one two", tool_calls=[ToolCallReply(name="t", arguments={})])])
    body = {"model": "m", "max_tokens": 10, "messages": USER_HI, "stream": True}
    text = await raw_stream(server, "/v1/messages", body, **ANTHROPIC_AUTH)
    names = [block.split("\n")[0].removeprefix("event: ") for block in text.split("\n\n") if block]
    assert names[0] == "message_start"
    assert names[-2:] == ["message_delta", "message_stop"]
    assert names.count("content_block_start") == names.count("content_block_stop") == 2
    assert "ping" in names


async def test_openai_sdk_streams_text_in_several_chunks(server: LLMServer, sdk: Clients) -> None:
    server.script([Reply(text="The weather in NYC is sunny.")])
    stream = await sdk.openai().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    deltas = [c.choices[0].delta.content async for c in stream if c.choices]
    texts = [d for d in deltas if d]
    assert len(texts) > 1
    assert "".join(texts) == "The weather in NYC is sunny."


async def test_openai_sdk_stream_helper_assembles_parallel_tool_calls(
    server: LLMServer, sdk: Clients
) -> None:
    server.script(
        [
            Reply(
                tool_calls=[
                    ToolCallReply(name="get_weather", arguments={"city": "NYC"}, id="call_1"),
                    ToolCallReply(name="get_weather", arguments={"city": "London"}, id="call_2"),
                ]
            )
        ]
    )
    async with sdk.openai().chat.completions.stream(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        completion = await stream.get_final_completion()
    calls = completion.choices[0].message.tool_calls or []
    assert [(c.id, c.function.arguments) for c in calls] == [
        ("call_1", '{"city": "NYC"}'),
        ("call_2", '{"city": "London"}'),
    ]
    assert completion.choices[0].finish_reason == "tool_calls"


async def test_anthropic_sdk_stream_helper_assembles_text_and_tool_use(
    server: LLMServer, sdk: Clients
) -> None:
    server.script(
        [Reply(text="Let me check.", tool_calls=[ToolCallReply(name="t", arguments={"a": [1, 2]})])]
    )
    async with sdk.anthropic().messages.stream(
        model="claude-sonnet-4", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        message = await stream.get_final_message()
    assert [block.type for block in message.content] == ["text", "tool_use"]
    assert message.content[0].text == "Let me check."  # type: ignore[union-attr]
    assert message.content[1].input == {"a": [1, 2]}  # type: ignore[union-attr]
    assert message.stop_reason == "tool_use"


async def test_openai_sdk_reads_a_non_streamed_completion(server: LLMServer, sdk: Clients) -> None:
    server.script([Reply(text="plain answer", input_tokens=7, output_tokens=2)])
    completion = await sdk.openai().chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
    )
    assert completion.choices[0].message.content == "plain answer"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (7, 2)


async def test_anthropic_sdk_reads_a_non_streamed_message(server: LLMServer, sdk: Clients) -> None:
    server.script([Reply(tool_calls=[ToolCallReply(name="t", arguments={"x": 1}, id="toolu_1")])])
    message = await sdk.anthropic().messages.create(
        model="claude-sonnet-4", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
    )
    block = message.content[0]
    assert (block.type, block.id, block.input) == ("tool_use", "toolu_1", {"x": 1})  # type: ignore[union-attr]


async def test_anthropic_forced_tool_gets_the_structured_output(
    server: LLMServer, sdk: Clients
) -> None:
    server.script([Reply(output={"name": "Alice"})])
    message = await sdk.anthropic().messages.create(
        model="claude-sonnet-4",
        max_tokens=100,
        messages=[{"role": "user", "content": "hi"}],
        tools=[{"name": "Person", "input_schema": {"type": "object"}}],
        tool_choice={"type": "tool", "name": "Person"},
    )
    block = message.content[0]
    assert (block.type, block.name, block.input) == ("tool_use", "Person", {"name": "Alice"})  # type: ignore[union-attr]


# -- validation and auth -----------------------------------------------------------------


async def test_openai_missing_model_is_400_in_openai_shape(server: LLMServer) -> None:
    status, body = await post(server, "/v1/chat/completions", {"messages": USER_HI}, **OPENAI_AUTH)
    assert status == 400
    assert body == {
        "error": {
            "message": "you must provide a model parameter",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


async def test_openai_missing_messages_is_400_naming_the_parameter(server: LLMServer) -> None:
    status, body = await post(server, "/v1/chat/completions", {"model": "m"}, **OPENAI_AUTH)
    assert status == 400
    assert body["error"]["param"] == "messages"
    assert body["error"]["code"] == "missing_required_parameter"


async def test_anthropic_missing_max_tokens_is_400_in_anthropic_shape(server: LLMServer) -> None:
    status, body = await post(
        server, "/v1/messages", {"model": "m", "messages": USER_HI}, **ANTHROPIC_AUTH
    )
    assert status == 400
    assert body["type"] == "error"
    assert body["error"] == {
        "type": "invalid_request_error",
        "message": "max_tokens: Field required",
    }


async def test_anthropic_missing_version_header_is_400(server: LLMServer) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": USER_HI}
    status, answer = await post(server, "/v1/messages", body, **{"x-api-key": KEY})
    assert status == 400
    assert answer["error"]["message"] == "anthropic-version: header is required"


async def test_openai_tool_message_without_tool_call_is_400(
    server: LLMServer, sdk: Clients
) -> None:
    messages = [*USER_HI, {"role": "tool", "tool_call_id": "call_x", "content": "42"}]
    with pytest.raises(openai.BadRequestError, match="must be a response to a preceeding"):
        await sdk.openai().chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]


async def test_anthropic_tool_use_without_tool_result_is_400(
    server: LLMServer, sdk: Clients
) -> None:
    messages: list[Any] = [
        *USER_HI,
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}}],
        },
        {"role": "user", "content": "and?"},
    ]
    with pytest.raises(anthropic.BadRequestError, match="without `tool_result`"):
        await sdk.anthropic().messages.create(model="m", max_tokens=5, messages=messages)


async def test_wrong_openai_key_is_401_invalid_api_key(server: LLMServer, sdk: Clients) -> None:
    client = sdk.openai(api_key="sk-wrong-key-123", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.code == "invalid_api_key"
    assert server.calls[0].status == 401


async def test_wrong_anthropic_key_is_401_authentication_error(
    server: LLMServer, sdk: Clients
) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        await sdk.anthropic(api_key="wrong", max_retries=0).messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]


async def test_rejected_calls_do_not_use_the_script(server: LLMServer) -> None:
    server.script([Reply(text="kept")])
    await post(server, "/v1/chat/completions", {"model": "m"}, **OPENAI_AUTH)
    assert server.remaining == 1


# -- script, injections, records ---------------------------------------------------------


async def test_error_reply_sends_status_and_retry_after(server: LLMServer) -> None:
    server.script([ErrorReply(status=429, retry_after=2)])
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.openai_base_url}/chat/completions",
            json={"model": "m", "messages": USER_HI},
            headers=OPENAI_AUTH,
        ) as response,
    ):
        assert response.status == 429
        assert response.headers["Retry-After"] == "2"
        assert (await response.json())["error"]["code"] == "rate_limit_exceeded"


async def test_exhausted_script_answers_400_naming_the_call(server: LLMServer) -> None:
    server.script([])
    status, body = await post(
        server, "/v1/chat/completions", {"model": "m", "messages": USER_HI}, **OPENAI_AUTH
    )
    assert status == 400
    assert "no reply left for call 1" in body["error"]["message"]


async def test_reply_function_answers_concurrent_calls_by_content(
    server: LLMServer, sdk: Clients
) -> None:
    server.script(lambda body: Reply(text=f"echo {body['messages'][-1]['content']}"))
    client = sdk.openai()

    async def ask(word: str) -> str | None:
        completion = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": word}]
        )
        return completion.choices[0].message.content

    answers = await asyncio.gather(*(ask(f"w{i}") for i in range(8)))
    assert answers == [f"echo w{i}" for i in range(8)]
    assert server.call_count == 8


async def test_calls_record_body_and_headers(server: LLMServer, sdk: Clients) -> None:
    server.script([Reply(text="ok")])
    await sdk.anthropic().messages.create(
        model="claude-sonnet-4",
        max_tokens=5,
        messages=[{"role": "user", "content": "hi"}],
        tools=[{"name": "search", "input_schema": {"type": "object"}}],
    )
    call = server.last
    assert (call.api, call.path, call.status) == ("anthropic", "/v1/messages", 200)
    assert KEY in (call.headers.get("x-api-key"), call.headers.get("authorization", "")[7:])
    assert call.messages == [{"role": "user", "content": "hi"}]
    assert call.tool_names == ["search"]
    assert server.requests == [call.body]


async def test_cut_stream_breaks_the_sdk_stream(server: LLMServer, sdk: Clients) -> None:
    server.script([Reply(text="a b c d e f", cut_after=3)])
    stream = await sdk.openai(max_retries=0).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    received: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "a b "


async def test_chunk_delay_spaces_the_chunks(server: LLMServer, sdk: Clients) -> None:
    server.script([Reply(text="a b c d", chunk_delay=0.05)])
    stream = await sdk.openai().chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    arrivals = [
        time.monotonic()
        async for chunk in stream
        if chunk.choices and chunk.choices[0].delta.content
    ]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.04


async def test_reply_function_that_raises_answers_400_with_the_error(server: LLMServer) -> None:
    def broken(body: dict[str, Any]) -> Reply:
        raise KeyError("oops")

    server.script(broken)
    status, body = await post(
        server,
        "/v1/messages",
        {"model": "m", "max_tokens": 5, "messages": USER_HI},
        **ANTHROPIC_AUTH,
    )
    assert status == 400
    assert "KeyError('oops')" in body["error"]["message"]


async def test_two_servers_get_different_free_ports() -> None:
    async with LLMServer() as first, LLMServer() as second:
        assert first.port != second.port


def test_public_names_are_exported_sorted() -> None:
    assert agents.testing.__all__ == sorted(agents.testing.__all__)
    for name in agents.testing.__all__:
        assert getattr(agents.testing.llm_server, name) is getattr(agents.testing, name)


async def test_command_line_server_echoes_with_the_default_script() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "agents.testing.llm_server",
        "--port",
        "0",
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first_line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        base_url = first_line.split(" on ")[1].strip()
        async with openai.AsyncOpenAI(api_key="anything", base_url=f"{base_url}/v1") as client:
            completion = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "ping"}]
            )
        assert completion.choices[0].message.content == "You said: ping"
    finally:
        process.terminate()
        await process.wait()
