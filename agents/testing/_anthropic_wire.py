"""The Anthropic Messages wire format (``POST /v1/messages``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agents.testing._replies import ErrorReply, Reply
from agents.testing._text import (
    SSEEvent,
    arguments_json,
    count_words,
    fragments,
    new_id,
    text_chunks,
)
from agents.testing._wire import Problem, Wire

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_DEFAULT_MESSAGES = {
    401: "invalid x-api-key",
    403: "Your API key does not have permission to use the specified resource.",
    404: "model: not found",
    429: "Number of request tokens has exceeded your per-minute rate limit.",
    500: "Internal server error",
    529: "Overloaded",
}


def _problem(status: int, message: str) -> Problem:
    kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return status, {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": new_id("req_"),
    }


def _invalid(message: str) -> Problem:
    return _problem(400, message)


class AnthropicWire(Wire):
    """Messages: ``x-api-key``, ``anthropic-version``, named SSE events."""

    api = "anthropic"

    def check_auth(self, headers: Mapping[str, str], api_key: str | None) -> Problem | None:
        """401 for a missing or wrong ``x-api-key`` (or bearer token)."""
        key = headers.get("x-api-key", "")
        auth = headers.get("authorization", "")
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if not key:
            return _problem(401, "x-api-key header is required")
        if api_key is not None and key != api_key:
            return _problem(401, "invalid x-api-key")
        return None

    def validate(self, headers: Mapping[str, str], body: object) -> Problem | None:
        """400 for what the real API rejects that a client could get wrong."""
        if not headers.get("anthropic-version"):
            return _invalid("anthropic-version: header is required")
        if not isinstance(body, dict):
            return _invalid("There was an issue with your request body: invalid JSON")
        for name in ("model", "max_tokens", "messages"):
            if name not in body:
                return _invalid(f"{name}: Field required")
        if not isinstance(body["messages"], list):
            return _invalid("messages: Input should be a valid list")
        return (
            self._check_messages(body["messages"])
            or self._check_thinking(body)
            or self._check_tool_choice(body)
        )

    def _check_messages(self, messages: list[Any]) -> Problem | None:
        pending: list[str] = []
        pending_at = 0
        for i, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            if role not in ("user", "assistant"):
                return _invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
            assert isinstance(message, dict)
            blocks = message.get("content")
            blocks = blocks if isinstance(blocks, list) else []
            answered = [
                b.get("tool_use_id")
                for b in blocks
                if isinstance(b, dict) and b.get("type") == "tool_result"
            ]
            for j, call_id in enumerate(answered):
                if call_id not in pending:
                    return _invalid(
                        f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                        f"`tool_result` blocks: {call_id}. Each `tool_result` block must have a "
                        "corresponding `tool_use` block in the previous message."
                    )
            missing = [call_id for call_id in pending if call_id not in answered]
            if missing:
                return _invalid(
                    f"messages.{pending_at}: `tool_use` ids were found without `tool_result` "
                    f"blocks immediately after: {', '.join(missing)}. Each `tool_use` block "
                    "must have a corresponding `tool_result` block in the next message."
                )
            pending = [
                str(b.get("id"))
                for b in blocks
                if role == "assistant" and isinstance(b, dict) and b.get("type") == "tool_use"
            ]
            pending_at = i
        return None

    def _check_thinking(self, body: dict[str, Any]) -> Problem | None:
        thinking = body.get("thinking")
        if not isinstance(thinking, dict) or thinking.get("type") != "enabled":
            return None
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return _invalid(
                "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
            )
        if not isinstance(body["max_tokens"], int) or body["max_tokens"] <= budget:
            return _invalid("`max_tokens` must be greater than `thinking.budget_tokens`.")
        if body.get("temperature", 1) != 1:
            return _invalid("`temperature` may only be set to 1 when thinking is enabled.")
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
            return _invalid("Thinking may not be enabled when tool_choice forces tool use.")
        return None

    def _check_tool_choice(self, body: dict[str, Any]) -> Problem | None:
        choice = body.get("tool_choice")
        if not isinstance(choice, dict) or choice.get("type") != "tool":
            return None
        names = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
        if choice.get("name") not in names:
            return _invalid(f"Tool '{choice.get('name')}' not found in provided tools")
        return None

    def error(self, injected: ErrorReply) -> Problem:
        """The real error body for ``injected.status``."""
        message = injected.message or _DEFAULT_MESSAGES.get(
            injected.status, f"HTTP {injected.status}"
        )
        return _problem(injected.status, message)

    def stream_error(self, kind: str) -> SSEEvent:
        """An ``event: error`` (e.g. ``overloaded_error``), as the API sends midway."""
        message = "Overloaded" if kind == "overloaded_error" else f"An error occurred ({kind})"
        return "error", json.dumps({"type": "error", "error": {"type": kind, "message": message}})

    def response_headers(self) -> dict[str, str]:
        """A request id on every answer, as the real API sends."""
        return {"request-id": new_id("req_")}

    def stream(self, reply: Reply, body: dict[str, Any]) -> list[SSEEvent]:
        """message_start, one start/delta.../stop run per block, message_delta, stop."""
        blocks = _blocks(reply, body)
        message = _message_shell(reply, body)
        message["content"] = []
        events: list[SSEEvent] = [_event("message_start", {"message": message})]
        pieces = 0
        for index, block in enumerate(blocks):
            start, deltas = block.stream()
            events.append(_event("content_block_start", {"index": index, "content_block": start}))
            if index == 0:
                events.append(_event("ping", {}))
            for delta in deltas:
                events.append(_event("content_block_delta", {"index": index, "delta": delta}))
            pieces += len(deltas)
            events.append(_event("content_block_stop", {"index": index}))
        output = reply.output_tokens if reply.output_tokens is not None else max(1, pieces)
        events.append(
            _event(
                "message_delta",
                {
                    "delta": {"stop_reason": _stop_reason(reply, blocks), "stop_sequence": None},
                    "usage": {"output_tokens": output},
                },
            )
        )
        events.append(_event("message_stop", {}))
        return events

    def complete(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        """A ``message`` object."""
        blocks = _blocks(reply, body)
        message = _message_shell(reply, body)
        message["content"] = [block.content() for block in blocks]
        message["stop_reason"] = _stop_reason(reply, blocks)
        pieces = sum(len(block.stream()[1]) for block in blocks)
        if reply.output_tokens is None:
            message["usage"]["output_tokens"] = max(1, pieces)
        return message


def _event(name: str, data: dict[str, Any]) -> SSEEvent:
    return name, json.dumps({"type": name, **data})


def _message_shell(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    tokens = reply.input_tokens
    if tokens is None:
        tokens = max(1, count_words(body.get("messages")) + count_words(body.get("system")))
    return {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": reply.output_tokens if reply.output_tokens is not None else 1,
        },
    }


def _output_tool(reply: Reply, body: dict[str, Any]) -> str | None:
    if reply.output_tool is not None:
        return reply.output_tool
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool":
        return str(choice.get("name"))
    tools = body.get("tools") or []
    if len(tools) == 1 and isinstance(tools[0], dict):
        return str(tools[0].get("name"))
    return None


@dataclass(frozen=True)
class _Block:
    """One content block of the answer, before it is framed."""

    kind: str
    text: str = ""
    id: str = ""
    name: str = ""
    raw_json: str = "{}"
    signature: str = ""

    def content(self) -> dict[str, Any]:
        """The block as a non-streamed message has it."""
        if self.kind == "text":
            return {"type": "text", "text": self.text}
        if self.kind == "thinking":
            return {"type": "thinking", "thinking": self.text, "signature": self.signature}
        try:
            value = json.loads(self.raw_json or "{}")
        except ValueError:
            value = {}
        return {"type": "tool_use", "id": self.id, "name": self.name, "input": value}

    def stream(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The block's ``content_block_start`` payload and its deltas."""
        if self.kind == "text":
            deltas = [{"type": "text_delta", "text": t} for t in text_chunks(self.text)]
            return {"type": "text", "text": ""}, deltas
        if self.kind == "thinking":
            deltas = [{"type": "thinking_delta", "thinking": t} for t in text_chunks(self.text)]
            deltas.append({"type": "signature_delta", "signature": self.signature})
            return {"type": "thinking", "thinking": "", "signature": ""}, deltas
        start = {"type": "tool_use", "id": self.id, "name": self.name, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [
            {"type": "input_json_delta", "partial_json": piece}
            for piece in fragments(self.raw_json)
        ]
        return start, deltas


def _blocks(reply: Reply, body: dict[str, Any]) -> list[_Block]:
    """The answer's content blocks: thinking, text, tool calls, the output tool."""
    blocks: list[_Block] = []
    thinking = body.get("thinking")
    if reply.thinking and isinstance(thinking, dict) and thinking.get("type") == "enabled":
        blocks.append(_Block("thinking", text=reply.thinking, signature=new_id("sig_")))
    text = reply.text
    output_tool = _output_tool(reply, body) if reply.output is not None else None
    if reply.output is not None and output_tool is None and not text:
        text = json.dumps(reply.output)
    if text:
        blocks.append(_Block("text", text=text))
    for call in reply.tool_calls:
        blocks.append(
            _Block(
                "tool_use",
                id=call.id or new_id("toolu_"),
                name=call.name,
                raw_json=arguments_json(call.arguments),
            )
        )
    if output_tool is not None:
        blocks.append(
            _Block(
                "tool_use",
                id=new_id("toolu_"),
                name=output_tool,
                raw_json=json.dumps(reply.output),
            )
        )
    return blocks


def _stop_reason(reply: Reply, blocks: list[_Block]) -> str:
    if reply.stop_reason is not None:
        return reply.stop_reason
    return "tool_use" if any(b.kind == "tool_use" for b in blocks) else "end_turn"
