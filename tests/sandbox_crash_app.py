"""A child process for the sandbox crash test: a coding agent whose first tool call appends
a line to a file in its session container.

Usage: python tests/sandbox_crash_app.py DATABASE_URL IMAGE TEST_LABEL CONVERSATION
"""

from __future__ import annotations

import asyncio
import sys

from polos import Agent, DockerEnvironmentConfig, PolosClient, SandboxToolsConfig, sandbox_tools


async def main(database_url: str, image: str, label: str, conversation: str) -> None:
    import openai  # noqa: F401 - imported before the run starts, to keep timings tight

    docker = DockerEnvironmentConfig(image=image, memory="64m", labels={"polos-test": label})
    agent = Agent(
        id="crash-coder",
        provider="openai",
        model="test-model",
        tools=sandbox_tools(SandboxToolsConfig(env="docker", scope="session", docker=docker)),
    )
    client = PolosClient(database_url, worker_id="sandbox-crash-worker", poll_interval=0.05)
    handle = await agent.start(
        client, "append a line", conversation_id=conversation, idempotency_key=conversation
    )
    print("started", flush=True)
    result = await handle.result()
    print("result", result.result, flush=True)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
