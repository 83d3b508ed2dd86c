"""A child process for the crash tests: starts (or finds again) one run of a 20-step
workflow and waits for it. Every step appends a line to a side-effect file, so the test can
count how often each step really ran.

Usage: python tests/crash_app.py DATABASE_URL RUN_KEY SIDE_EFFECT_FILE
"""

from __future__ import annotations

import asyncio
import json
import sys

from agents import PolosClient, WorkflowContext, workflow

STEPS = 20


def expected_result() -> int:
    """What an uninterrupted run returns."""
    return sum(i * i for i in range(STEPS))


def _effect(path: str, key: str, index: int) -> int:
    with open(path, "a") as file:
        file.write(f"{key}:{index}\n")
    return index * index


@workflow(id="crash_twenty_steps")
async def twenty_steps(ctx: WorkflowContext, input: list[str]) -> int:
    key, path = input
    total = 0
    for index in range(STEPS):
        await asyncio.sleep(0.01)  # spreads the kill moments over the whole run
        total += await ctx.step.run(f"step-{index}", _effect, path, key, index)
    return total


async def main(database_url: str, key: str, path: str) -> None:
    # A stable worker id: the restarted process takes its runs back at once.
    client = PolosClient(database_url, worker_id="crash-worker", poll_interval=0.05)
    handle = await twenty_steps.start(client, [key, path], idempotency_key=key)
    print("started", flush=True)
    result = await handle.result()
    print("result", json.dumps(result), flush=True)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
