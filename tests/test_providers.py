"""Providers over the real wire: the official SDKs against the local LLM test server.

Most tests run for both providers (``provider_name`` is parametrised); a test that is about
one provider's mapping names it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any, Protocol

import pytest

import agents.providers
from agents._errors import (
    ProviderAuthError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    UserError,
)
from agents._messages import (
    AssistantMessage,
    ModelRequest,
    ModelResponse,
    OutputSchema,
    SystemMessage,
    ThinkingBlock,
    ToolCall,
    ToolResultMessage,
    ToolSpec,
    Usage,
    UserMessage,
)
from agents.providers import Provider, get_provider
from agents.testing import ErrorReply, LLMServer, Reply, ToolCallReply

KEY = "test-key"
HELLO = ModelRequest(messages=[UserMessage(content="Hello")])
WEATHER = ToolSpec(
    name="get_weather",
    description="Get weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)
PERSON = OutputSchema(
    name="PersonInfo",
    json_schema={
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    },
)


@pytest.fixture
async def server() -> AsyncIterator[LLMServer]:
    async with LLMServer(api_key=KEY) as running:
        yield running


@pytest.fixture(params=["openai", "anthropic"])
def provider_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class MakeProvider(Protocol):
    def __call__(self, name: str, **options: Any) -> Provider: ...


@pytest.fixture
async def make_provider(server: LLMServer) -> AsyncIterator[MakeProvider]:
    """Providers pointed at the test server (fast retries), closed after the test."""
    made: list[Provider] = []

    def make(name: str, **options: Any) -> Provider:
        base_url = server.openai_base_url if name == "openai" else server.anthropic_base_url
        options.setdefault("api_key", KEY)
        options.setdefault("retry_backoff", 0.01)
        made.append(get_provider(name, model="test-model", base_url=base_url, **options))
        return made[-1]

    yield make
    for provider in made:
        await provider.aclose()


@pytest.fixture
def provider(make_provider: MakeProvider, provider_name: str) -> Provider:
    return make_provider(provider_name)


# -- answers -----------------------------------------------------------------------------


async def test_text_deltas_arrive_in_order_and_assemble(
    server: LLMServer, provider: Provider
) -> None:
    server.script([Reply(text="The weather in NYC is sunny today.")])
    deltas: list[str] = []
    response = await provider.request(HELLO, on_text=deltas.append)
    assert len(deltas) > 1
    assert "".join(deltas) == response.text == "The weather in NYC is sunny today."
    assert response.stop_reason == "end_turn"
    assert (response.provider, response.model) == (provider.name, "test-model")


async def test_single_tool_call_is_returned_with_raw_arguments(
    server: LLMServer, provider: Provider
) -> None:
    server.script(
        [Reply(tool_calls=[ToolCallReply(name="get_weather", arguments={"city": "NYC"}, id="c1")])]
    )
    response = await provider.request(HELLO.model_copy(update={"tools": [WEATHER]}))
    assert response.tool_calls == [
        ToolCall(id="c1", name="get_weather", arguments='{"city": "NYC"}')
    ]
    assert response.stop_reason == "tool_calls"


async def test_parallel_tool_calls_assemble_from_fragments(
    server: LLMServer, provider: Provider
) -> None:
    cities = ["New York City", "London", "Tokyo"]
    server.script(
        [
            Reply(
                tool_calls=[
                    ToolCallReply(name="get_weather", arguments={"city": c}) for c in cities
                ]
            )
        ]
    )
    response = await provider.request(HELLO.model_copy(update={"tools": [WEATHER]}))
    assert [json.loads(call.arguments) for call in response.tool_calls] == [
        {"city": c} for c in cities
    ]
    assert len({call.id for call in response.tool_calls}) == 3


async def test_invalid_tool_arguments_are_passed_through_unparsed(
    server: LLMServer, provider: Provider
) -> None:
    server.script([Reply(tool_calls=[ToolCallReply(name="get_weather", arguments='{"city": ')])])
    response = await provider.request(HELLO.model_copy(update={"tools": [WEATHER]}))
    assert response.tool_calls[0].arguments == '{"city": '


async def test_usage_numbers_are_reported(server: LLMServer, provider: Provider) -> None:
    server.script([Reply(text="ok", input_tokens=123, output_tokens=45)])
    response = await provider.request(HELLO)
    assert response.usage == Usage(input_tokens=123, output_tokens=45)


async def test_max_tokens_stop_reason_is_normalised(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    native = "length" if provider_name == "openai" else "max_tokens"
    server.script([Reply(text="cut sho", stop_reason=native)])
    response = await make_provider(provider_name).request(HELLO)
    assert response.stop_reason == "max_tokens"


async def test_full_conversation_is_accepted_by_the_api(
    server: LLMServer, provider: Provider
) -> None:
    """The server validates tool-call/result pairing like the real APIs do."""
    server.script([Reply(text="Sunny in both.")])
    request = ModelRequest(
        system_prompt="You are a weather assistant.",
        tools=[WEATHER],
        messages=[
            UserMessage(content="Weather in NYC and London?"),
            AssistantMessage(
                text="Checking.",
                tool_calls=[
                    ToolCall(id="c1", name="get_weather", arguments='{"city": "NYC"}'),
                    ToolCall(id="c2", name="get_weather", arguments='{"city": "London"}'),
                ],
            ),
            ToolResultMessage(tool_call_id="c1", tool_name="get_weather", content="sunny"),
            ToolResultMessage(
                tool_call_id="c2", tool_name="get_weather", content="boom", is_error=True
            ),
        ],
    )
    response = await provider.request(request)
    assert response.text == "Sunny in both."
    assert server.last.tool_names == ["get_weather"]


async def test_openai_conversation_wire_format(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="ok")])
    request = ModelRequest(
        system_prompt="sys",
        messages=[
            UserMessage(content="hi"),
            AssistantMessage(tool_calls=[ToolCall(id="c1", name="t", arguments="{}")]),
            ToolResultMessage(tool_call_id="c1", tool_name="t", content="42"),
            SystemMessage(content="be brief"),
        ],
    )
    await make_provider("openai").request(request)
    assert server.last.messages == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "t", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
        {"role": "system", "content": "be brief"},
    ]
    assert server.last.body["stream_options"] == {"include_usage": True}


async def test_anthropic_tool_results_share_one_user_turn(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="ok")])
    request = ModelRequest(
        system_prompt="sys",
        messages=[
            UserMessage(content="hi"),
            AssistantMessage(
                tool_calls=[
                    ToolCall(id="c1", name="t", arguments='{"a": 1}'),
                    ToolCall(id="c2", name="t", arguments="{}"),
                ]
            ),
            ToolResultMessage(tool_call_id="c1", tool_name="t", content="1"),
            ToolResultMessage(tool_call_id="c2", tool_name="t", content="bad", is_error=True),
            SystemMessage(content="be brief"),
        ],
    )
    await make_provider("anthropic").request(request)
    body = server.last.body
    assert body["system"] == "sys\n\nbe brief"
    assert [turn["role"] for turn in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"][0]["input"] == {"a": 1}
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "c1", "content": "1", "is_error": False},
        {"type": "tool_result", "tool_use_id": "c2", "content": "bad", "is_error": True},
    ]


# -- structured output and reasoning -----------------------------------------------------


async def test_structured_output_returns_the_json_document(
    server: LLMServer, provider: Provider
) -> None:
    server.script([Reply(output={"name": "Alice", "age": 28})])
    deltas: list[str] = []
    response = await provider.request(
        HELLO.model_copy(update={"output_schema": PERSON}), on_text=deltas.append
    )
    assert json.loads(response.text) == {"name": "Alice", "age": 28}
    assert "".join(deltas) == response.text
    assert (response.stop_reason, response.tool_calls) == ("end_turn", [])


async def test_openai_structured_output_uses_response_format(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(output={"name": "Alice", "age": 28})])
    await make_provider("openai").request(HELLO.model_copy(update={"output_schema": PERSON}))
    assert server.last.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "PersonInfo", "schema": PERSON.json_schema, "strict": False},
    }


async def test_anthropic_structured_output_forces_the_output_tool(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(output={"name": "Alice", "age": 28})])
    await make_provider("anthropic").request(HELLO.model_copy(update={"output_schema": PERSON}))
    body = server.last.body
    assert body["tool_choice"] == {"type": "tool", "name": "PersonInfo"}
    assert body["tools"][-1]["input_schema"] == PERSON.json_schema


async def test_anthropic_structured_output_with_tools_lets_the_model_call_them(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(tool_calls=[ToolCallReply(name="get_weather", arguments={})])])
    response = await make_provider("anthropic").request(
        HELLO.model_copy(update={"output_schema": PERSON, "tools": [WEATHER]})
    )
    assert server.last.body["tool_choice"] == {"type": "any"}
    assert server.last.tool_names == ["get_weather", "PersonInfo"]
    assert [call.name for call in response.tool_calls] == ["get_weather"]


async def test_anthropic_structured_output_with_reasoning_does_not_force_a_tool(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    """Extended thinking only allows tool_choice auto; the server rejects a forced tool."""
    server.script([Reply(output={"name": "Alice", "age": 28})])
    response = await make_provider("anthropic").request(
        HELLO.model_copy(update={"output_schema": PERSON, "reasoning": "low"})
    )
    assert "tool_choice" not in server.last.body
    assert json.loads(response.text) == {"name": "Alice", "age": 28}


async def test_openai_reasoning_maps_to_reasoning_effort(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="ok")])
    await make_provider("openai").request(HELLO.model_copy(update={"reasoning": "high"}))
    assert server.last.body["reasoning_effort"] == "high"


async def test_anthropic_reasoning_maps_to_thinking_budget_without_temperature(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="ok")])
    request = HELLO.model_copy(
        update={"reasoning": "medium", "temperature": 0.2, "max_output_tokens": 1000}
    )
    await make_provider("anthropic").request(request)
    body = server.last.body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert body["max_tokens"] == 1000 + 4096
    assert "temperature" not in body


async def test_anthropic_thinking_blocks_are_returned_and_sent_back(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    provider = make_provider("anthropic")
    server.script(
        [
            Reply(thinking="I should check.", tool_calls=[ToolCallReply(name="t", id="c1")]),
            Reply(text="done"),
        ]
    )
    first = await provider.request(HELLO.model_copy(update={"reasoning": "low"}))
    [thought] = first.message.thinking
    assert thought.text == "I should check." and thought.signature
    followup = HELLO.model_copy(
        update={
            "reasoning": "low",
            "messages": [
                *HELLO.messages,
                first.message,
                ToolResultMessage(tool_call_id="c1", tool_name="t", content="ok"),
            ],
        }
    )
    await provider.request(followup)
    sent = server.last.body["messages"][1]["content"][0]
    assert sent == {
        "type": "thinking",
        "thinking": "I should check.",
        "signature": thought.signature,
    }


# -- failures ----------------------------------------------------------------------------


async def test_invalid_key_raises_provider_auth_error(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    provider = make_provider(provider_name, api_key="wrong-key")
    with pytest.raises(
        ProviderAuthError, match=f"^invalid API key for {provider_name} \\(HTTP 401"
    ):
        await provider.request(HELLO)
    assert server.call_count == 1


async def test_rate_limit_waits_retry_after_then_succeeds(
    server: LLMServer, provider: Provider
) -> None:
    server.script([ErrorReply(status=429, retry_after=1), Reply(text="finally")])
    response = await provider.request(HELLO)
    assert response.text == "finally"
    assert [call.status for call in server.calls] == [429, 200]
    assert server.calls[1].received_at - server.calls[0].received_at >= 1.0


async def test_persistent_rate_limit_raises_provider_rate_limit_error(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    server.script([ErrorReply(status=429, retry_after_ms=10)] * 3)
    provider = make_provider(provider_name, max_retries=2)
    with pytest.raises(ProviderRateLimitError, match="HTTP 429"):
        await provider.request(HELLO)
    assert server.call_count == 3


async def test_retry_after_beyond_the_limit_fails_at_once(
    server: LLMServer, provider: Provider
) -> None:
    server.script([ErrorReply(status=429, retry_after=3600)])
    with pytest.raises(ProviderRateLimitError):
        await provider.request(HELLO)
    assert server.call_count == 1


async def test_persistent_server_error_raises_provider_unavailable_error(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    server.script([ErrorReply(status=500)] * 4)
    provider = make_provider(provider_name, max_retries=3)
    with pytest.raises(ProviderUnavailableError, match="HTTP 500") as caught:
        await provider.request(HELLO)
    assert caught.value.status_code == 500
    assert server.call_count == 4


async def test_openai_insufficient_quota_is_not_retried(
    server: LLMServer, make_provider: MakeProvider
) -> None:
    server.script([ErrorReply(status=429, code="insufficient_quota")] * 2)
    with pytest.raises(ProviderRateLimitError, match="quota"):
        await make_provider("openai").request(HELLO)
    assert server.call_count == 1


async def test_bad_request_raises_provider_response_error_without_retry(
    server: LLMServer, provider: Provider
) -> None:
    server.script([ErrorReply(status=400, message="messages: bad")])
    with pytest.raises(ProviderResponseError, match="messages: bad"):
        await provider.request(HELLO)
    assert server.call_count == 1


async def test_cut_stream_is_retried_as_a_whole_request(
    server: LLMServer, provider: Provider
) -> None:
    server.script([Reply(text="one two three four five", cut_after=4), Reply(text="all good")])
    deltas: list[str] = []
    retries: list[int] = []

    def on_retry() -> None:
        retries.append(len(deltas))
        deltas.clear()

    response = await provider.request(HELLO, on_text=deltas.append, on_retry=on_retry)
    assert response.text == "".join(deltas) == "all good"
    assert len(retries) == 1
    assert server.call_count == 2


async def test_stream_cut_every_time_raises_provider_unavailable_error(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="a b c d", cut_after=3)] * 2)
    provider = make_provider(provider_name, max_retries=1)
    with pytest.raises(ProviderUnavailableError, match="connection failed"):
        await provider.request(HELLO)
    assert server.call_count == 2


async def test_error_event_midway_is_retried_as_a_whole_request(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    kind = "server_error" if provider_name == "openai" else "overloaded_error"
    server.script([Reply(text="a b c", cut_after=3, stream_error=kind), Reply(text="fine")])
    retries: list[None] = []
    provider = make_provider(provider_name)
    response = await provider.request(HELLO, on_retry=lambda: retries.append(None))
    assert response.text == "fine"
    assert (len(retries), server.call_count) == (1, 2)


async def test_timeout_is_retried_then_succeeds(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="too late", delay=5), Reply(text="on time")])
    provider = make_provider(provider_name, timeout=0.3, max_retries=1)
    response = await provider.request(HELLO)
    assert response.text == "on time"
    assert server.call_count == 2


async def test_slow_first_token_raises_provider_timeout_error(
    server: LLMServer, provider_name: str, make_provider: MakeProvider
) -> None:
    server.script([Reply(text="too late", delay=5)])
    provider = make_provider(provider_name, timeout=0.3, max_retries=0)
    with pytest.raises(ProviderTimeoutError, match=r"timeout=0\.3"):
        await provider.request(HELLO)


async def test_missing_api_key_names_the_variable(
    server: LLMServer,
    provider_name: str,
    monkeypatch: pytest.MonkeyPatch,
    make_provider: MakeProvider,
) -> None:
    variable = f"{provider_name.upper()}_API_KEY"
    monkeypatch.delenv(variable, raising=False)
    provider = make_provider(provider_name, api_key=None)
    with pytest.raises(UserError, match=f"missing API key for {provider_name}: set {variable}"):
        await provider.request(HELLO)
    assert server.call_count == 0


async def test_api_key_and_base_url_come_from_the_environment(
    server: LLMServer, provider_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = provider_name.upper()
    base_url = server.openai_base_url if provider_name == "openai" else server.anthropic_base_url
    monkeypatch.setenv(f"{prefix}_API_KEY", KEY)
    monkeypatch.setenv(f"{prefix}_BASE_URL", base_url)
    server.script([Reply(text="from env")])
    provider = get_provider(provider_name, model="m")
    try:
        response = await provider.request(HELLO)
    finally:
        await provider.aclose()
    assert response.text == "from env"


def test_unknown_provider_name_raises_user_error() -> None:
    with pytest.raises(UserError, match="unknown provider 'gemini'; use one of: anthropic, openai"):
        get_provider("gemini", model="m")


# -- the message format ------------------------------------------------------------------


def test_request_and_response_round_trip_through_json() -> None:
    request = ModelRequest(
        model="gpt-4o",
        system_prompt="sys",
        messages=[
            SystemMessage(content="s"),
            UserMessage(content="u"),
            AssistantMessage(
                text="a",
                tool_calls=[ToolCall(id="1", name="t", arguments='{"x": 1}')],
                thinking=[
                    ThinkingBlock(text="hm", signature="sig"),
                    ThinkingBlock(redacted_data="x"),
                ],
            ),
            ToolResultMessage(tool_call_id="1", tool_name="t", content="r", is_error=True),
        ],
        tools=[WEATHER],
        output_schema=PERSON,
        temperature=0.5,
        max_output_tokens=100,
        reasoning="low",
    )
    response = ModelResponse(
        message=AssistantMessage(text="hi"),
        usage=Usage(input_tokens=1, output_tokens=2),
        stop_reason="tool_calls",
        provider="openai",
        model="gpt-4o",
    )
    stored_request = json.loads(json.dumps(request.model_dump(mode="json")))
    stored_response = json.loads(json.dumps(response.model_dump(mode="json")))
    assert ModelRequest.model_validate(stored_request) == request
    assert ModelResponse.model_validate(stored_response) == response


def test_provider_package_exports_are_sorted() -> None:
    assert agents.providers.__all__ == sorted(agents.providers.__all__)


def test_importing_the_providers_does_not_import_the_sdks() -> None:
    code = (
        "import sys, agents.providers, agents.testing; "
        "print(sorted({'openai', 'anthropic'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
