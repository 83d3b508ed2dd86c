"""A child process for the agent crash test: an agent with two tool rounds. Each tool call
appends ``key:n`` to the side-effect file. The LLM test server runs in the test process.

Usage: python tests/agent_crash_app.py DATABASE_URL RUN_KEY SIDE_EFFECT_FILE
"""

from __future__ import annotations

import asyncio
import sys

from pydantic import BaseModel

from polos import Agent, PolosClient, WorkflowContext, tool

EFFECTS = sys.argv[3] if len(sys.argv) > 3 else ""


class Record(BaseModel):
    key: str
    n: int


@tool(description="Record a step")
async def record(ctx: WorkflowContext, input: Record) -> str:
    await asyncio.sleep(0.05)
    with open(EFFECTS, "a") as file:  # noqa: ASYNC230 - a tiny append in a test program
        file.write(f"{input.key}:{input.n}\n")
    return f"recorded {input.n}"


crash_agent = Agent(
    id="crash-agent",
    provider="openai",
    model="test-model",
    system_prompt="Record two steps, then answer.",
    tools=[record],
)


async def main(database_url: str, key: str) -> None:
    import openai  # noqa: F401 - imported up front so kill moments fall inside the run

    client = PolosClient(database_url, worker_id="agent-crash-worker", poll_interval=0.05)
    handle = await crash_agent.start(client, f"go {key}", idempotency_key=key)
    print("started", flush=True)
    result = await handle.result()
    print("result", result.result, flush=True)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
