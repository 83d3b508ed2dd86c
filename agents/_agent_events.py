"""What an agent run streams while it executes: typed events built from the engine's bus.

The agent loop publishes custom run events (``text_delta``, ``tool_started``, ...) with
``ctx.emit``; :func:`to_agent_event` turns a bus event into one of the dataclasses below.
Consumers (``agent.stream()``, the Slack bot) match on them::

    match event:
        case TextDelta(text=text): ...
        case ToolCallStarted(name=name, arguments=arguments): ...
        case ApprovalRequested(step_key=key, data=data, nonce=nonce): ...
        case RunFinished(result=result): ...
        case RunFailed(message=message): ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents._events import RUN_CANCELLED, RUN_FAILED, RUN_SUCCEEDED, SUSPENDED, RunEvent

TEXT_DELTA = "text_delta"
TEXT_RESET = "text_reset"
TOOL_STARTED = "tool_started"
TOOL_FINISHED = "tool_finished"


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer, as the model produced it."""

    run_id: str
    text: str
    turn: int


@dataclass(frozen=True, slots=True)
class TextReset:
    """The provider retried model call ``turn`` from the start: discard its text so far."""

    run_id: str
    turn: int


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    """A tool call is about to run."""

    run_id: str
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """A tool call ended; ``result`` is what the model sees."""

    run_id: str
    call_id: str
    name: str
    result: str
    is_error: bool


@dataclass(frozen=True, slots=True)
class ApprovalRequested:
    """The run suspended and waits for a person: answer with
    ``client.resume(run_id, step_key, {"approved": ..., "reason": ...}, by=user, nonce=nonce)``.

    ``data`` says what is asked, e.g. ``{"kind": "tool", "tool": "exec", "arguments":
    {...}, "prompt": "..."}``.
    """

    run_id: str
    step_key: str
    data: dict[str, Any]
    nonce: str


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The run ended with a result (``agents.AgentResult`` for agent runs)."""

    run_id: str
    result: Any


@dataclass(frozen=True, slots=True)
class RunFailed:
    """The run failed or was cancelled; ``message`` is written for people."""

    run_id: str
    error_type: str
    message: str
    cancelled: bool = False
    details: dict[str, Any] = field(default_factory=dict)


AgentEvent = (
    TextDelta
    | TextReset
    | ToolCallStarted
    | ToolCallFinished
    | ApprovalRequested
    | RunFinished
    | RunFailed
)


def to_agent_event(event: RunEvent) -> AgentEvent | None:
    """The typed event for a bus event, or None for events agents do not stream."""
    data = event.data
    match event.type:
        case "text_delta":
            return TextDelta(event.run_id, str(data.get("text", "")), int(data.get("turn", 0)))
        case "text_reset":
            return TextReset(event.run_id, int(data.get("turn", 0)))
        case "tool_started":
            arguments = data.get("arguments")
            return ToolCallStarted(
                event.run_id,
                str(data.get("call_id", "")),
                str(data.get("name", "")),
                arguments if isinstance(arguments, dict) else {},
            )
        case "tool_finished":
            return ToolCallFinished(
                event.run_id,
                str(data.get("call_id", "")),
                str(data.get("name", "")),
                str(data.get("result", "")),
                bool(data.get("is_error", False)),
            )
        case _ if event.type == SUSPENDED:
            asked = data.get("data")
            return ApprovalRequested(
                event.run_id,
                event.step_key or "",
                asked if isinstance(asked, dict) else {"data": asked},
                str(data.get("nonce", "")),
            )
        case _ if event.type == RUN_SUCCEEDED:
            return RunFinished(event.run_id, data.get("result"))
        case _ if event.type in (RUN_FAILED, RUN_CANCELLED):
            error = data.get("error") or {}
            return RunFailed(
                event.run_id,
                str(error.get("type", "cancelled" if event.type == RUN_CANCELLED else "error")),
                str(error.get("message", "the run was cancelled")),
                cancelled=event.type == RUN_CANCELLED,
                details=error if isinstance(error, dict) else {},
            )
    return None
