"""The offline demo model of ``polos dev``: the local LLM test server with a script that
labels every answer, so nobody mistakes it for a real model."""

from __future__ import annotations

import re
from typing import Any

from agents.testing import LLMServer, Reply, ToolCallReply

LABEL = "[offline demo model: set OPENAI_API_KEY or ANTHROPIC_API_KEY for real answers]"
DEMO_KEY = "polos-offline-demo"


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return str(message["content"])
    return ""


def demo_reply(body: dict[str, Any]) -> Reply:
    """Echo the prompt; ``run <command>`` to the coding agent asks to run it on the host
    (which shows the approval buttons)."""
    messages = body.get("messages", [])
    results = [m for m in messages if m.get("role") == "tool"]
    prompt = _last_user_text(messages)
    tools = {t.get("function", {}).get("name") for t in body.get("tools", [])}
    command = re.match(r"\s*run\s+(.+)", prompt, re.DOTALL)
    if command and "host_exec" in tools and not results:
        return Reply(
            tool_calls=[ToolCallReply(name="host_exec", arguments={"command": command[1].strip()})]
        )
    if results:
        return Reply(text=f"{LABEL}\n\nThe command said:\n```\n{results[-1]['content']}\n```")
    return Reply(text=f"{LABEL}\n\nYou said: *{prompt.strip()}*")


async def start_offline_model() -> LLMServer:
    """Start the demo model on a free port (stop it with ``await server.stop()``)."""
    server = LLMServer(api_key=DEMO_KEY)
    await server.start()
    server.script(demo_reply)
    return server
