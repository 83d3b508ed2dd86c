"""Agent overhead: 200 concurrent agent runs (3 model turns, 2 tool calls each) against the
local LLM test server with no added latency, on SQLite, versus the same conversations made
by calling the OpenAI SDK directly in the same process. Also: peak RSS of a process holding
500 suspended runs (target < 300 MB), measured in a process of its own.

Usage: python bench/agent_overhead.py [--runs 200] [--suspended 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from agents.testing import LLMServer, Reply, ToolCallReply  # noqa: E402
from polos import Agent, PolosClient, WorkflowContext, tool  # noqa: E402


class Lookup(BaseModel):
    item: str


@tool(description="Look something up")
async def lookup(ctx: WorkflowContext, input: Lookup) -> str:
    return f"{input.item}: found"


@tool(description="Do something risky", approval="always")
async def risky(ctx: WorkflowContext, input: Lookup) -> str:
    return "done"


def _reply(body: dict[str, Any]) -> Reply:
    done = sum(1 for message in body["messages"] if message["role"] == "tool")
    if done < 2:
        name = "risky" if body.get("tools") and _has_tool(body, "risky") else "lookup"
        return Reply(tool_calls=[ToolCallReply(name=name, arguments={"item": f"i{done}"})])
    return Reply(text="All done: both lookups found what was asked.")


def _has_tool(body: dict[str, Any], name: str) -> bool:
    return any(t.get("function", {}).get("name") == name for t in body.get("tools", []))


async def _direct(server: LLMServer, runs: int) -> float:
    """The baseline: the same three-turn conversations through the SDK, no durability."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="k", base_url=server.openai_base_url, max_retries=0)
    tools = [{"type": "function", "function": lookup.spec().model_dump()}]
    tools[0]["function"]["parameters"] = lookup.spec().parameters

    async def conversation(index: int) -> None:
        messages: list[dict[str, Any]] = [{"role": "user", "content": f"task {index}"}]
        for _ in range(3):
            stream = await client.chat.completions.create(
                model="m",
                messages=messages,
                tools=tools,
                stream=True,  # type: ignore[arg-type]
            )
            calls: dict[int, dict[str, str]] = {}
            text = ""
            async for chunk in stream:
                delta = chunk.choices[0].delta if chunk.choices else None
                if delta is None:
                    continue
                text += delta.content or ""
                for call in delta.tool_calls or []:
                    entry = calls.setdefault(call.index, {"id": "", "name": "", "args": ""})
                    entry["id"] += call.id or ""
                    entry["name"] += (call.function.name or "") if call.function else ""
                    entry["args"] += (call.function.arguments or "") if call.function else ""
            if not calls:
                return
            messages.append(
                {
                    "role": "assistant",
                    "content": text or None,
                    "tool_calls": [
                        {
                            "id": c["id"],
                            "type": "function",
                            "function": {"name": c["name"], "arguments": c["args"]},
                        }
                        for c in calls.values()
                    ],
                }
            )
            for c in calls.values():
                item = json.loads(c["args"])["item"]
                messages.append(
                    {"role": "tool", "tool_call_id": c["id"], "content": f"{item}: found"}
                )

    started = time.perf_counter()
    await asyncio.gather(*(conversation(i) for i in range(runs)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


async def _durable(server: LLMServer, runs: int, folder: str) -> float:
    agent = Agent(
        id="bench-agent",
        provider="openai",
        model="m",
        tools=[lookup],
        api_key="k",
        base_url=server.openai_base_url,
    )
    async with PolosClient(f"sqlite+aiosqlite:///{folder}/bench.db", concurrency=runs) as client:
        await agent.run(client, "warm up")
        started = time.perf_counter()
        handles = [await agent.start(client, f"task {i}") for i in range(runs)]
        await asyncio.gather(*(handle.result() for handle in handles))
        return time.perf_counter() - started


async def _suspended(count: int, folder: str) -> dict[str, float]:
    async with LLMServer(api_key="k") as server:
        server.script(_reply)
        agent = Agent(
            id="bench-approval-agent",
            provider="openai",
            model="m",
            tools=[risky],
            api_key="k",
            base_url=server.openai_base_url,
        )
        async with PolosClient(f"sqlite+aiosqlite:///{folder}/suspended.db") as client:
            with client.events.subscribe(types={"suspended"}) as suspended:
                for i in range(count):
                    await agent.start(client, f"task {i}")
                for _ in range(count):
                    await suspended.get()
            pending = len(await client.list_suspensions(limit=count + 10))
    return {
        "suspended": pending,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def compare(runs: int) -> None:
    """Print the durable runs against the SDK used directly."""
    with tempfile.TemporaryDirectory() as folder:
        async with LLMServer(api_key="k") as server:
            server.script(_reply)
            direct = await _direct(server, runs)
            calls_before = server.call_count
            durable = await _durable(server, runs, folder)
            model_calls = server.call_count - calls_before - 3  # minus the warm-up run
    turns = runs * 3
    print(f"{runs} concurrent agent runs, 3 model turns and 2 tool calls each, SQLite\n")
    print(
        f"SDK directly:  {direct:6.2f} s  {runs / direct:7.1f} runs/s  "
        f"{direct / turns * 1e3:6.2f} ms per turn"
    )
    print(
        f"polos agents:  {durable:6.2f} s  {runs / durable:7.1f} runs/s  "
        f"{durable / turns * 1e3:6.2f} ms per turn   ({model_calls} model calls)"
    )
    print(
        f"overhead per model turn: {(durable - direct) / turns * 1e3:.2f} ms; "
        f"ratio polos/SDK {durable / direct:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--suspended", type=int, default=500)
    parser.add_argument("--suspended-child", type=int)
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.suspended_child:
        print(json.dumps(asyncio.run(_suspended(args.suspended_child, args.folder))))
        return
    asyncio.run(compare(args.runs))
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "--suspended-child", str(args.suspended)]
        child = subprocess.run(
            [*command, "--folder", folder],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    if child.returncode != 0:
        raise SystemExit(child.stderr[-3000:])
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"\n{figures['suspended']} suspended runs: peak RSS {figures['peak_rss_mb']:.0f} MB "
        "(target < 300 MB)"
    )


if __name__ == "__main__":
    main()
