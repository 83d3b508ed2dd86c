"""The Anthropic provider: the Messages API, streamed, through the official ``anthropic`` SDK.

The SDK is imported on first use so ``import agents`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agents._errors import UserError
from agents._messages import (
    AssistantMessage,
    ModelRequest,
    ModelResponse,
    StopReason,
    ThinkingBlock,
    ToolCall,
    Usage,
)
from agents.providers._anthropic_params import build_params
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
    from anthropic import AsyncAnthropic
    from anthropic.types import RawMessageStreamEvent

_STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "stop_sequence": "end_turn",
    "pause_turn": "end_turn",
    "tool_use": "tool_calls",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "refusal": "refusal",
}

# Error types an Anthropic stream may send in an ``error`` event, as HTTP statuses.
_STREAM_ERROR_STATUS = {"overloaded_error": 529, "api_error": 500, "rate_limit_error": 429}


class AnthropicProvider(SDKProvider["AsyncAnthropic"]):
    """The Messages API with streaming, tool use, structured output and extended thinking.

    Args:
        model: The default model, e.g. ``"claude-sonnet-4"``.
        api_key: The API key; defaults to ``ANTHROPIC_API_KEY``.
        base_url: The API root, e.g. ``http://127.0.0.1:8000``; defaults to
            ``ANTHROPIC_BASE_URL``, then ``https://api.anthropic.com``.
        timeout: Seconds to wait for the connection, the first byte and each next chunk.
        retry: Retry policy for transient failures.
    """

    name = "anthropic"
    api_key_env = "ANTHROPIC_API_KEY"

    def _make_client(self, api_key: str) -> AsyncAnthropic:
        from anthropic import AsyncAnthropic, DefaultAsyncHttpxClient

        # SDK retries are off: ours also cover streams cut midway (see _retry.py).
        # Our own HTTP client: the SDK's default one closes itself on garbage collection
        # by scheduling a task on whatever loop runs then, not on the loop it belongs to.
        return AsyncAnthropic(
            api_key=api_key,
            base_url=self._base_url,
            timeout=self._timeout,
            max_retries=0,
            http_client=DefaultAsyncHttpxClient(),
        )

    async def _attempt(
        self, client: AsyncAnthropic, request: ModelRequest, on_text: TextCallback | None
    ) -> ModelResponse:
        """One streamed Messages call."""
        output_tool = request.output_schema.name if request.output_schema else None
        params = build_params(request, default_model=self.model)
        return await self._stream(client, params, output_tool, on_text)

    async def _stream(
        self,
        client: AsyncAnthropic,
        params: dict[str, Any],
        output_tool: str | None,
        on_text: TextCallback | None,
    ) -> ModelResponse:
        assembly = _Assembly(model=str(params["model"]), output_tool=output_tool)
        with self._translate_errors():
            stream = await client.messages.create(**params, stream=True)
            async with stream:
                async for event in stream:
                    assembly.add(event, on_text)
        if not assembly.stopped:
            raise incomplete_stream_error(self.name)
        return assembly.response()

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        """The one place where ``anthropic`` exceptions become polos errors."""
        import anthropic
        import httpx2

        try:
            yield
        except anthropic.APIStatusError as exc:
            status = exc.status_code
            kind = _error_type(exc.body)
            if status < 400:
                # An ``error`` event inside a 200 stream.
                status = _STREAM_ERROR_STATUS.get(kind, 500)
            raise status_error(
                self.name,
                status,
                _error_message(exc.body) or exc.message,
                retry_after=retry_after_seconds(exc.response.headers),
            ) from exc
        except (anthropic.APITimeoutError, httpx2.TimeoutException) as exc:
            raise timeout_error(self.name, self._timeout) from exc
        except (anthropic.APIConnectionError, httpx2.TransportError) as exc:
            cause = exc.__cause__ or exc
            raise connection_error(self.name, f"{type(cause).__name__}: {cause}") from exc
        except anthropic.APIError as exc:
            raise status_error(self.name, 500, exc.message) from exc
        except anthropic.AnthropicError as exc:
            raise UserError(f"anthropic client error: {exc}") from exc


def _error_type(body: object) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) else ""


def _error_message(body: object) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else ""


@dataclass
class _Block:
    kind: str
    text: list[str] = field(default_factory=list)
    id: str = ""
    name: str = ""
    signature: str | None = None
    redacted_data: str | None = None


@dataclass
class _Assembly:
    """Builds the response from stream events."""

    model: str
    output_tool: str | None
    blocks: dict[int, _Block] = field(default_factory=dict)
    stop_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    stopped: bool = False

    def add(self, event: RawMessageStreamEvent, on_text: TextCallback | None) -> None:
        if event.type == "message_start":
            self.model = event.message.model or self.model
            usage = event.message.usage
            self.input_tokens = (
                usage.input_tokens
                + (usage.cache_creation_input_tokens or 0)
                + (usage.cache_read_input_tokens or 0)
            )
            self.output_tokens = usage.output_tokens
        elif event.type == "content_block_start":
            self.blocks[event.index] = self._start(event.content_block, on_text)
        elif event.type == "content_block_delta":
            self._delta(self.blocks.get(event.index), event.delta, on_text)
        elif event.type == "message_delta":
            if event.delta.stop_reason is not None:
                self.stop_reason = event.delta.stop_reason
            self.output_tokens = event.usage.output_tokens
            if event.usage.input_tokens is not None:
                self.input_tokens = (
                    event.usage.input_tokens
                    + (event.usage.cache_creation_input_tokens or 0)
                    + (event.usage.cache_read_input_tokens or 0)
                )
        elif event.type == "message_stop":
            self.stopped = True

    def _start(self, content: Any, on_text: TextCallback | None) -> _Block:
        kind = str(content.type)
        block = _Block(kind=kind)
        if kind == "text" and content.text:
            block.text.append(content.text)
            if on_text is not None:
                on_text(content.text)
        elif kind == "tool_use":
            block.id, block.name = content.id, content.name
        elif kind == "thinking":
            block.text.append(content.thinking)
            block.signature = content.signature or None
        elif kind == "redacted_thinking":
            block.redacted_data = content.data
        return block

    def _delta(self, block: _Block | None, delta: Any, on_text: TextCallback | None) -> None:
        if block is None:
            return
        if delta.type == "text_delta":
            block.text.append(delta.text)
            if on_text is not None:
                on_text(delta.text)
        elif delta.type == "input_json_delta":
            block.text.append(delta.partial_json)
            # The output tool's input is the answer: stream it like text.
            if on_text is not None and block.name == self.output_tool and delta.partial_json:
                on_text(delta.partial_json)
        elif delta.type == "thinking_delta":
            block.text.append(delta.thinking)
        elif delta.type == "signature_delta":
            block.signature = (block.signature or "") + delta.signature

    def response(self) -> ModelResponse:
        text: list[str] = []
        calls: list[ToolCall] = []
        thinking: list[ThinkingBlock] = []
        answered = False
        for _, block in sorted(self.blocks.items()):
            content = "".join(block.text)
            if block.kind == "text":
                text.append(content)
            elif block.kind == "tool_use" and block.name == self.output_tool:
                text, answered = [content or "{}"], True
            elif block.kind == "tool_use":
                calls.append(ToolCall(id=block.id, name=block.name, arguments=content or "{}"))
            elif block.kind == "thinking":
                thinking.append(ThinkingBlock(text=content, signature=block.signature))
            elif block.kind == "redacted_thinking":
                thinking.append(ThinkingBlock(redacted_data=block.redacted_data))
        stop = _STOP_REASONS.get(self.stop_reason or "end_turn", "end_turn")
        if answered and not calls and stop == "tool_calls":
            stop = "end_turn"
        return ModelResponse(
            message=AssistantMessage(text="".join(text), tool_calls=calls, thinking=thinking),
            usage=Usage(input_tokens=self.input_tokens, output_tokens=self.output_tokens),
            stop_reason=stop,
            provider=AnthropicProvider.name,
            model=self.model,
        )
