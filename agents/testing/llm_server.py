"""A local LLM server speaking the OpenAI and Anthropic wire formats, for tests and by hand.

Tests and benchmarks point the real SDKs (or polos providers) at it through ``base_url``::

    async with LLMServer() as server:
        server.script([Reply(tool_calls=[ToolCallReply(name="get_weather",
                                                       arguments={"city": "NYC"})]),
                       Reply(text="Sunny in NYC.")])
        provider = get_provider("openai", model="gpt-4o", api_key=server.api_key,
                                base_url=server.openai_base_url)
        ...
        assert server.call_count == 2

By hand: ``python -m agents.testing.llm_server --port 8000`` serves a default script that
echoes the last user message (and answers structured-output requests with a minimal
document of the requested schema); any API key is accepted unless ``--api-key`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from typing import Any

from agents.testing._replies import (
    ErrorReply,
    RecordedCall,
    Reply,
    ReplyFunction,
    ScriptItem,
    ToolCallReply,
)
from agents.testing._server import LLMServer

__all__ = [
    "ErrorReply",
    "LLMServer",
    "RecordedCall",
    "Reply",
    "ReplyFunction",
    "ScriptItem",
    "ToolCallReply",
    "echo_reply",
    "main",
]


def echo_reply(body: dict[str, Any]) -> Reply:
    """The default script: echo the last user text, or fill the requested output schema."""
    schema = _requested_schema(body)
    if schema is not None:
        value = _example(schema)
        return Reply(output=value if isinstance(value, dict) else {"value": value})
    return Reply(text=f"You said: {_last_user_text(body.get('messages') or [])}")


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        texts = [
            block.get("text", "")
            for block in content or []
            if isinstance(block, dict) and block.get("type") == "text"
        ]
        if texts:
            return " ".join(texts)
    return "(nothing)"


def _requested_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else {}
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool":
        for tool in body.get("tools") or []:
            if isinstance(tool, dict) and tool.get("name") == choice.get("name"):
                schema = tool.get("input_schema")
                return schema if isinstance(schema, dict) else {}
    return None


def _example(schema: dict[str, Any]) -> Any:
    """A minimal value of ``schema`` (objects, arrays, scalars; ``$ref`` and unions skipped)."""
    kind = schema.get("type")
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: _example(sub) for name, sub in properties.items() if isinstance(sub, dict)}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return "example"


async def _serve(port: int, host: str, api_key: str | None) -> None:
    async with LLMServer(api_key=api_key, host=host, port=port) as server:
        server.script(echo_reply)
        print(f"LLM test server on {server.url}")
        print(f"  OpenAI:    base_url={server.openai_base_url}")
        print(f"  Anthropic: base_url={server.anthropic_base_url}")
        print(f"  API key:   {api_key or 'any'}", flush=True)
        seen = 0
        while True:
            await asyncio.sleep(0.2)
            for call in server.calls[seen:]:
                print(f"{call.api} {call.status} {json.dumps(call.body)[:200]}", flush=True)
            seen = server.call_count


def main(argv: list[str] | None = None) -> None:
    """Run the server from the command line until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m agents.testing.llm_server")
    parser.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default=None, help="the only key accepted (default: any)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.host, args.api_key))


if __name__ == "__main__":
    main()
