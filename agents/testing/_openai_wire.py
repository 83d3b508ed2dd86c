"""The OpenAI Chat Completions wire format (``POST /v1/chat/completions``)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
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

_ROLES = ("system", "developer", "user", "assistant", "tool")
_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
_ERROR_TYPES = {
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}
_DEFAULT_MESSAGES: dict[object, str] = {
    (429, "insufficient_quota"): "You exceeded your current quota, please check your plan "
    "and billing details.",
    400: "Invalid request.",
    401: "Incorrect API key provided.",
    403: "Country, region, or territory not supported.",
    404: "The model does not exist or you do not have access to it.",
    429: "Rate limit reached for requests. Please try again later.",
    500: "The server had an error while processing your request. Sorry about that!",
    503: "The engine is currently overloaded, please try again later.",
}


def _problem(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    kind: str = "invalid_request_error",
) -> Problem:
    return status, {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _invalid(message: str, param: str | None = None, code: str | None = None) -> Problem:
    return _problem(400, message, param=param, code=code)


class OpenAIWire(Wire):
    """Chat Completions: ``Authorization: Bearer``, ``data:`` chunks, ``data: [DONE]``."""

    api = "openai"

    def check_auth(self, headers: Mapping[str, str], api_key: str | None) -> Problem | None:
        """401 for a missing or wrong bearer token."""
        auth = headers.get("authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not key:
            return _problem(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            )
        if api_key is not None and key != api_key:
            shown = key[:3] + "*" * max(0, len(key) - 7) + key[-4:] if len(key) > 7 else "***"
            return _problem(
                401,
                f"Incorrect API key provided: {shown}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        return None

    def validate(self, headers: Mapping[str, str], body: object) -> Problem | None:
        """400 for what the real API rejects that a client could get wrong."""
        if not isinstance(body, dict):
            return _invalid(
                "We could not parse the JSON body of your request. (HINT: This likely means "
                "you aren't using your HTTP library correctly.)"
            )
        if not body.get("model"):
            return _invalid("you must provide a model parameter")
        if "messages" not in body:
            return _invalid(
                "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
            )
        messages = body["messages"]
        if not isinstance(messages, list) or not messages:
            return _invalid(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                "but got an empty array instead.",
                "messages",
                "empty_array",
            )
        return (
            self._check_messages(messages)
            or self._check_options(body)
            or self._check_response_format(body.get("response_format"))
        )

    def _check_messages(self, messages: list[Any]) -> Problem | None:
        open_calls: list[str] = []
        open_at = 0
        for i, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            if role not in _ROLES:
                return _invalid(
                    f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', "
                    "'user', 'function', 'tool', and 'developer'.",
                    f"messages[{i}].role",
                    "invalid_value",
                )
            assert isinstance(message, dict)
            if role == "tool":
                call_id = message.get("tool_call_id")
                if call_id not in open_calls:
                    return _invalid(
                        "Invalid parameter: messages with role 'tool' must be a response to a "
                        "preceeding message with 'tool_calls'.",
                        f"messages.[{i}].role",
                    )
                open_calls.remove(call_id)
                continue
            if open_calls:
                return _invalid(
                    "An assistant message with 'tool_calls' must be followed by tool messages "
                    "responding to each 'tool_call_id'. The following tool_call_ids did not "
                    f"have response messages: {', '.join(open_calls)}",
                    f"messages.[{open_at}].role",
                )
            if role == "assistant":
                open_calls = [str(call.get("id")) for call in message.get("tool_calls") or []]
                open_at = i
        return None

    def _check_options(self, body: dict[str, Any]) -> Problem | None:
        if "parallel_tool_calls" in body and not body.get("tools"):
            return _invalid(
                "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed "
                "when 'tools' are specified.",
                "parallel_tool_calls",
            )
        if "stream_options" in body and not body.get("stream"):
            return _invalid(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                "stream_options",
            )
        effort = body.get("reasoning_effort")
        if effort is not None and effort not in _EFFORTS:
            return _invalid(
                f"Invalid value: '{effort}'. Supported values are: "
                + ", ".join(f"'{e}'" for e in _EFFORTS),
                "reasoning_effort",
                "invalid_value",
            )
        return None

    def _check_response_format(self, response_format: object) -> Problem | None:
        if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
            return None
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not spec.get("name"):
            return _invalid(
                "Missing required parameter: 'response_format.json_schema.name'.",
                "response_format.json_schema.name",
                "missing_required_parameter",
            )
        return None

    def error(self, injected: ErrorReply) -> Problem:
        """The real error body for ``injected.status``."""
        status = injected.status
        kind, code = _ERROR_TYPES.get(
            status, ("server_error" if status >= 500 else "invalid_request_error", None)
        )
        if injected.code is not None:
            code = injected.code
            kind = "insufficient_quota" if code == "insufficient_quota" else kind
        message = injected.message or _DEFAULT_MESSAGES.get(
            (status, code), _DEFAULT_MESSAGES.get(status, f"HTTP {status}")
        )
        return _problem(status, message, code=code, kind=kind)

    def stream_error(self, kind: str) -> SSEEvent:
        """A ``data: {"error": ...}`` chunk, as the API sends when a stream fails midway."""
        error = {"message": f"The server had an error ({kind}).", "type": kind}
        return None, json.dumps({"error": {**error, "param": None, "code": None}})

    def response_headers(self) -> dict[str, str]:
        """A request id on every answer, as the real API sends."""
        return {"x-request-id": new_id("req_")}

    def stream(self, reply: Reply, body: dict[str, Any]) -> list[SSEEvent]:
        """Chunks: role, text words, tool calls (name then argument pieces), finish, usage."""
        base = {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_polos_test",
        }
        with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if with_usage:
            base["usage"] = None

        def chunk(delta: dict[str, Any], finish: str | None = None) -> SSEEvent:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return None, json.dumps({**base, "choices": [choice]})

        events = [chunk({"role": "assistant", "content": "", "refusal": None})]
        events += [chunk({"content": piece}) for piece in text_chunks(_content(reply))]
        for index, call in enumerate(_calls(reply)):
            first = {"index": index, "id": call["id"], "type": "function"}
            first["function"] = {"name": call["function"]["name"], "arguments": ""}
            events.append(chunk({"tool_calls": [first]}))
            for piece in fragments(call["function"]["arguments"]):
                part = {"index": index, "function": {"arguments": piece}}
                events.append(chunk({"tool_calls": [part]}))
        events.append(chunk({}, _finish_reason(reply)))
        if with_usage:
            usage = _usage(reply, body, output=len(events) - 2)
            events.append((None, json.dumps({**base, "choices": [], "usage": usage})))
        events.append((None, "[DONE]"))
        return events

    def complete(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        """A ``chat.completion`` object."""
        content = _content(reply)
        calls = _calls(reply)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content or None,
            "refusal": None,
            "annotations": [],
        }
        if calls:
            message["tool_calls"] = calls
        pieces = len(text_chunks(content)) + sum(
            len(fragments(c["function"]["arguments"])) for c in calls
        )
        return {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_polos_test",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": _finish_reason(reply),
                }
            ],
            "usage": _usage(reply, body, output=pieces),
        }


def _content(reply: Reply) -> str:
    if reply.output is not None and not reply.text:
        return json.dumps(reply.output)
    return reply.text


def _calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": call.id or new_id("call_"),
            "type": "function",
            "function": {"name": call.name, "arguments": arguments_json(call.arguments)},
        }
        for call in reply.tool_calls
    ]


def _finish_reason(reply: Reply) -> str:
    if reply.stop_reason is not None:
        return reply.stop_reason
    return "tool_calls" if reply.tool_calls else "stop"


def _usage(reply: Reply, body: dict[str, Any], *, output: int) -> dict[str, Any]:
    prompt = reply.input_tokens
    if prompt is None:
        prompt = max(1, count_words(body.get("messages")))
    completion = reply.output_tokens if reply.output_tokens is not None else max(1, output)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
