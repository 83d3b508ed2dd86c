"""What the LLM test server answers (replies and injected errors) and what it records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Api = Literal["openai", "anthropic"]
"""Which wire format a call used."""


@dataclass(frozen=True, kw_only=True)
class ToolCallReply:
    """A tool call the scripted model makes.

    Attributes:
        name: The tool's name.
        arguments: The arguments: an object (sent as its JSON) or a raw string (sent as
            is, e.g. to test invalid JSON).
        id: The call id; generated (``call_...`` / ``toolu_...``) when ``None``.
    """

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Reply:
    """One scripted model answer, with optional injected behaviour.

    Attributes:
        text: The answer text, streamed in several chunks (one per word).
        tool_calls: Tool calls made in this turn (several = parallel calls).
        output: A structured answer. OpenAI: sent as the message content (JSON).
            Anthropic: sent as a ``tool_use`` of the output tool: ``output_tool``, else
            the tool that ``tool_choice`` names, else the only tool offered.
        output_tool: The Anthropic output tool's name (see ``output``).
        thinking: Anthropic only: a thinking block sent first when thinking is enabled.
        stop_reason: Overrides the stop reason in the provider's own vocabulary (e.g.
            ``"length"`` for OpenAI, ``"max_tokens"`` for Anthropic).
        input_tokens: Reported input tokens; default: words in the request's messages.
        output_tokens: Reported output tokens; default: number of chunks sent.
        delay: Seconds before the first chunk (streaming: after the headers are sent;
            otherwise before the response).
        chunk_delay: Seconds between chunks.
        cut_after: Drop the connection after this many stream events (no clean end).
        stream_error: With ``cut_after``: instead of dropping the connection, send an
            error event of this type (e.g. ``"overloaded_error"``, ``"server_error"``)
            and end the stream, as the real APIs do when they fail midway.
    """

    text: str = ""
    tool_calls: Sequence[ToolCallReply] = ()
    output: dict[str, Any] | None = None
    output_tool: str | None = None
    thinking: str = ""
    stop_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    cut_after: int | None = None
    stream_error: str | None = None


@dataclass(frozen=True, kw_only=True)
class ErrorReply:
    """An injected HTTP error answer, in the provider's real error shape.

    Attributes:
        status: The HTTP status, e.g. 401, 429, 500, 529.
        message: The error message; a realistic default per status.
        retry_after: Sent as the ``Retry-After`` header (seconds) when given.
        retry_after_ms: Sent as the ``retry-after-ms`` header when given.
        code: OpenAI only: the error ``code`` (e.g. ``"insufficient_quota"``); a realistic
            default per status.
        delay: Seconds before answering.
    """

    status: int
    message: str | None = None
    code: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    delay: float = 0.0


ScriptItem = Reply | ErrorReply
"""One scripted answer."""

ReplyFunction = Callable[[dict[str, Any]], ScriptItem | Awaitable[ScriptItem]]
"""Answers from the request body (sync or async), for calls whose order is not fixed."""


@dataclass(frozen=True, kw_only=True)
class RecordedCall:
    """One call the server received.

    Attributes:
        api: ``"openai"`` or ``"anthropic"``.
        path: The request path.
        headers: The request headers (lower-case names).
        body: The JSON body (``{}`` when it was not JSON).
        status: The HTTP status the server answered.
        reply: The scripted answer used, if the call got that far.
        received_at: ``time.monotonic()`` when the call arrived.
    """

    api: Api
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int
    reply: ScriptItem | None
    received_at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The ``messages`` the client sent."""
        messages = self.body.get("messages")
        return messages if isinstance(messages, list) else []

    @property
    def tool_names(self) -> list[str]:
        """The names of the tools the client offered, in order."""
        names: list[str] = []
        for tool in self.body.get("tools") or []:
            function = tool.get("function") if isinstance(tool, dict) else None
            source = function if isinstance(function, dict) else tool
            if isinstance(source, dict) and isinstance(source.get("name"), str):
                names.append(source["name"])
        return names
