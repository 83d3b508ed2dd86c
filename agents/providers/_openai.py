"""The OpenAI provider: Chat Completions, streamed, through the official ``openai`` SDK.

Any OpenAI-compatible server (vLLM, Ollama, llama.cpp) works through ``base_url``. The SDK
is imported on first use so ``import agents`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agents._errors import UserError
from agents._messages import (
    AssistantMessage,
    Message,
    ModelRequest,
    ModelResponse,
    StopReason,
    SystemMessage,
    ToolCall,
    ToolResultMessage,
    Usage,
    UserMessage,
)
from agents.providers._base import TextCallback
from agents.providers._errors import (
    connection_error,
    incomplete_stream_error,
    status_error,
    timeout_error,
)
from agents.providers._retry import retry_after_seconds
from agents.providers._sdk import SDKProvider

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.types.chat import ChatCompletionChunk

_FINISH_REASONS: dict[str, StopReason] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "refusal",
}


class OpenAIProvider(SDKProvider["AsyncOpenAI"]):
    """Chat Completions with streaming, tools, structured output and reasoning effort.

    Args:
        model: The default model, e.g. ``"gpt-4o"``.
        api_key: The API key; defaults to ``OPENAI_API_KEY``.
        base_url: The API root, e.g. ``http://127.0.0.1:8000/v1``; defaults to
            ``OPENAI_BASE_URL``, then ``https://api.openai.com/v1``.
        timeout: Seconds to wait for the connection, the first byte and each next chunk.
        retry: Retry policy for transient failures.
    """

    name = "openai"
    api_key_env = "OPENAI_API_KEY"

    def _make_client(self, api_key: str) -> AsyncOpenAI:
        from openai import AsyncOpenAI, DefaultAsyncHttpxClient

        # SDK retries are off: ours also cover streams cut midway (see _retry.py).
        # Our own HTTP client: the SDK's default one closes itself on garbage collection
        # by scheduling a task on whatever loop runs then, not on the loop it belongs to.
        return AsyncOpenAI(
            api_key=api_key,
            base_url=self._base_url,
            timeout=self._timeout,
            max_retries=0,
            http_client=DefaultAsyncHttpxClient(),
        )

    async def _attempt(
        self, client: AsyncOpenAI, request: ModelRequest, on_text: TextCallback | None
    ) -> ModelResponse:
        """One streamed Chat Completions call."""
        return await self._stream(client, build_params(request, default_model=self.model), on_text)

    async def _stream(
        self, client: AsyncOpenAI, params: dict[str, Any], on_text: TextCallback | None
    ) -> ModelResponse:
        assembly = _Assembly(model=str(params["model"]))
        with self._translate_errors():
            stream = await client.chat.completions.create(**params, stream=True)
            async with stream:
                async for chunk in stream:
                    assembly.add(chunk, on_text)
        if assembly.finish_reason is None:
            raise incomplete_stream_error(self.name)
        return assembly.response()

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        """The one place where ``openai`` exceptions become polos errors."""
        import httpx2
        import openai

        try:
            yield
        except openai.APIStatusError as exc:
            code = exc.code or ""
            raise status_error(
                self.name,
                exc.status_code,
                _error_message(exc.body) or exc.message,
                retry_after=retry_after_seconds(exc.response.headers),
                retry=code != "insufficient_quota",
            ) from exc
        except (openai.APITimeoutError, httpx2.TimeoutException) as exc:
            raise timeout_error(self.name, self._timeout) from exc
        except (openai.APIConnectionError, httpx2.TransportError) as exc:
            raise connection_error(self.name, _describe(exc)) from exc
        except openai.APIError as exc:
            # An error event inside a 200 stream; the SDK gives no status for it.
            raise status_error(self.name, 500, exc.message) from exc
        except openai.OpenAIError as exc:
            raise UserError(f"openai client error: {exc}") from exc


def _error_message(body: object) -> str:
    """The ``message`` of an error body (the SDK passes the inner ``error`` object)."""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


@dataclass
class _PendingToolCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _Assembly:
    """Builds the response from stream chunks."""

    model: str
    text: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    tool_calls: dict[int, _PendingToolCall] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)

    def add(self, chunk: ChatCompletionChunk, on_text: TextCallback | None) -> None:
        if chunk.model:
            self.model = chunk.model
        if chunk.usage is not None:
            self.usage = Usage(
                input_tokens=chunk.usage.prompt_tokens,
                output_tokens=chunk.usage.completion_tokens,
            )
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            if delta.content:
                self.text.append(delta.content)
                if on_text is not None:
                    on_text(delta.content)
            if delta.refusal:
                self.refusal.append(delta.refusal)
            for part in delta.tool_calls or []:
                pending = self.tool_calls.setdefault(part.index, _PendingToolCall())
                if part.id:
                    pending.id = part.id
                if part.function is not None:
                    if part.function.name:
                        pending.name += part.function.name
                    if part.function.arguments:
                        pending.arguments.append(part.function.arguments)
            if choice.finish_reason is not None:
                self.finish_reason = choice.finish_reason

    def response(self) -> ModelResponse:
        calls = [
            ToolCall(
                id=pending.id or f"call_{index}",
                name=pending.name,
                arguments="".join(pending.arguments) or "{}",
            )
            for index, pending in sorted(self.tool_calls.items())
        ]
        stop = _FINISH_REASONS.get(self.finish_reason or "stop", "end_turn")
        text = "".join(self.text)
        if self.refusal:
            stop, text = "refusal", text or "".join(self.refusal)
        elif calls and stop == "end_turn":
            # Some compatible servers (Ollama) finish a tool-calling turn with "stop".
            stop = "tool_calls"
        return ModelResponse(
            message=AssistantMessage(text=text, tool_calls=calls),
            usage=self.usage,
            stop_reason=stop,
            provider=OpenAIProvider.name,
            model=self.model,
        )


def build_params(request: ModelRequest, *, default_model: str) -> dict[str, Any]:
    """The Chat Completions parameters for ``request`` (without ``stream``)."""
    params: dict[str, Any] = {
        "model": request.model or default_model,
        "messages": _messages(request),
        "stream_options": {"include_usage": True},
    }
    if request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters,
                },
            }
            for tool in request.tools
        ]
        params["parallel_tool_calls"] = True
    if request.output_schema is not None:
        params["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": request.output_schema.name,
                "schema": request.output_schema.json_schema,
                "strict": request.output_schema.strict,
            },
        }
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.max_output_tokens is not None:
        params["max_completion_tokens"] = request.max_output_tokens
    if request.reasoning is not None:
        params["reasoning_effort"] = request.reasoning
    return params


def _messages(request: ModelRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if request.system_prompt:
        out.append({"role": "system", "content": request.system_prompt})
    out.extend(_message(message) for message in request.messages)
    return out


def _message(message: Message) -> dict[str, Any]:
    if isinstance(message, SystemMessage | UserMessage):
        return {"role": message.role, "content": message.content}
    if isinstance(message, ToolResultMessage):
        # Chat Completions has no error flag: the content itself must say it failed.
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    # null content is only accepted next to tool calls
    content = message.text or (None if message.tool_calls else "")
    out: dict[str, Any] = {"role": "assistant", "content": content}
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in message.tool_calls
        ]
    return out
