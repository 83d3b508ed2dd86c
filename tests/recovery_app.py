"""A child process whose workflow kills its own worker in the middle of a step, every time.

Usage: python tests/recovery_app.py DATABASE_URL
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from agents import PolosClient, WorkflowContext, workflow


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@workflow(id="always_dies", max_recovery_attempts=2)
async def always_dies(ctx: WorkflowContext) -> None:
    await ctx.step.run("die", _die)


async def main(database_url: str) -> None:
    client = PolosClient(database_url, worker_id="recovery-worker", poll_interval=0.05)
    handle = await always_dies.start(client, idempotency_key="the-run")
    try:
        await handle.result()
    except Exception as exc:
        print("failed:", exc, flush=True)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
