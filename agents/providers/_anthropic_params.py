"""Translate a :class:`ModelRequest` into Anthropic Messages API parameters."""

from __future__ import annotations

import json
from typing import Any

from agents._errors import UserError
from agents._messages import (
    AssistantMessage,
    ModelRequest,
    ReasoningEffort,
    SystemMessage,
    ToolResultMessage,
    UserMessage,
)

DEFAULT_MAX_TOKENS = 4096
"""``max_tokens`` when the request sets none (the Messages API requires one)."""

THINKING_BUDGETS: dict[ReasoningEffort, int] = {"low": 1024, "medium": 4096, "high": 16384}
"""Extended-thinking ``budget_tokens`` per reasoning effort (1024 is the API's minimum)."""


def build_params(request: ModelRequest, *, default_model: str) -> dict[str, Any]:
    """The Messages API parameters for ``request`` (without ``stream``).

    Structured output becomes a tool whose ``input_schema`` is the output schema, with
    ``tool_choice`` forcing it (``"any"`` when other tools are offered too, so the model
    may still call those). Extended thinking only allows ``tool_choice: auto``, so with
    ``reasoning`` the output tool is merely offered.
    """
    max_tokens = request.max_output_tokens or DEFAULT_MAX_TOKENS
    params: dict[str, Any] = {
        "model": request.model or default_model,
        "messages": _messages(request),
    }
    system = _system(request)
    if system:
        params["system"] = system
    tools = [
        {"name": tool.name, "description": tool.description, "input_schema": tool.parameters}
        for tool in request.tools
    ]
    schema = request.output_schema
    if schema is not None:
        if any(tool.name == schema.name for tool in request.tools):
            raise UserError(
                f"output schema name {schema.name!r} is also a tool's name; rename one of them"
            )
        tools.append(
            {
                "name": schema.name,
                "description": "Give the final answer by calling this tool with it.",
                "input_schema": schema.json_schema,
            }
        )
    if tools:
        params["tools"] = tools
    if request.reasoning is not None:
        budget = THINKING_BUDGETS[request.reasoning]
        params["thinking"] = {"type": "enabled", "budget_tokens": budget}
        # max_tokens counts the thinking too and must exceed the budget.
        max_tokens += budget
    else:
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if schema is not None:
            params["tool_choice"] = (
                {"type": "any"} if request.tools else {"type": "tool", "name": schema.name}
            )
    params["max_tokens"] = max_tokens
    return params


def _system(request: ModelRequest) -> str:
    parts = [request.system_prompt] if request.system_prompt else []
    parts += [m.content for m in request.messages if isinstance(m, SystemMessage)]
    return "\n\n".join(parts)


def _messages(request: ModelRequest) -> list[dict[str, Any]]:
    """Messages as alternating user / assistant turns.

    Consecutive tool results and user messages are merged into one user turn: every
    ``tool_result`` must sit in the user turn right after the ``tool_use`` it answers.
    """
    turns: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})

    for message in request.messages:
        if isinstance(message, SystemMessage):
            continue
        if isinstance(message, UserMessage):
            add("user", [{"type": "text", "text": message.content}])
        elif isinstance(message, ToolResultMessage):
            add(
                "user",
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": message.tool_call_id,
                        "content": message.content,
                        "is_error": message.is_error,
                    }
                ],
            )
        else:
            blocks = _assistant_blocks(message)
            if blocks:  # the API rejects an empty assistant turn
                add("assistant", blocks)
    return turns


def _assistant_blocks(message: AssistantMessage) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for thought in message.thinking:
        if thought.redacted_data is not None:
            blocks.append({"type": "redacted_thinking", "data": thought.redacted_data})
        else:
            blocks.append(
                {"type": "thinking", "thinking": thought.text, "signature": thought.signature or ""}
            )
    if message.text:
        blocks.append({"type": "text", "text": message.text})
    for call in message.tool_calls:
        blocks.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": _input(call.arguments)}
        )
    return blocks


def _input(arguments: str) -> dict[str, Any]:
    """A tool call's input object; invalid JSON (already answered with an error) as {}."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
