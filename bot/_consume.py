"""Showing a run's agent events in a :class:`ThreadStream`: text, tool progress lines,
approval requests and the end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, assert_never

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
from bot._streaming import ThreadStream

_SUMMARY_KEYS = ("command", "cmd", "path", "pattern", "query", "url")


def tool_line(name: str, arguments: dict[str, Any], *, width: int = 120) -> str:
    """The progress line of a tool call, e.g. ``running `exec`: `pytest -q```."""
    summary = next(
        (str(arguments[k]) for k in _SUMMARY_KEYS if isinstance(arguments.get(k), str)), ""
    )
    if not summary and arguments:
        summary = json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)
    summary = " ".join(summary.replace("`", "'").split())
    if len(summary) > width:
        summary = summary[: width - 1] + "\u2026"
    safe_name = name.replace("`", "'")
    return f"running `{safe_name}`: `{summary}`" if summary else f"running `{safe_name}`"


def result_text(result: Any) -> str | None:
    """The final answer text of a run's result: the result itself when it is a string, else
    its ``output`` or ``text`` attribute when that is one."""
    if isinstance(result, str):
        return result
    for attr in ("output", "text"):
        value = getattr(result, attr, None)
        if isinstance(value, str):
            return value
    return None


async def consume(
    events: AsyncIterator[AgentEvent],
    stream: ThreadStream,
    *,
    on_approval: Callable[[ApprovalRequested], Awaitable[None]] | None = None,
) -> RunFinished | RunFailed | None:
    """Show a run's events in ``stream`` until it finishes or fails; returns that event,
    or ``None`` when ``events`` ends first (e.g. the run suspended). An approval request
    flushes the text so far, then goes to ``on_approval``."""
    async for event in events:
        match event:
            case TextDelta(text=text):
                await stream.append(text)
            case TextReset():
                await stream.reset_text()
            case ToolCallStarted(call_id=call_id, name=name, arguments=arguments):
                await stream.progress(tool_line(name, arguments), key=call_id)
            case ToolCallFinished(call_id=call_id, is_error=is_error):
                await stream.progress_done(call_id, failed=is_error)
            case ApprovalRequested():
                await stream.flush()
                if on_approval is not None:
                    await on_approval(event)
            case RunFinished(result=result):
                await stream.finish(result_text(result))
                return event
            case RunFailed(message=message):
                await stream.fail(message)
                return event
            case _:
                assert_never(event)
    return None
