"""What ``polos dev`` runs until the Slack bot lands: a durable workflow on the embedded
SQLite database, printed event by event. Run it twice: the second run is instant because
the idempotency key returns the stored run instead of starting another."""

from __future__ import annotations

import asyncio
import hashlib

from pydantic import BaseModel

from agents import PolosClient, RunEvent, WorkflowContext, workflow


class Release(BaseModel):
    """Input of the demo workflow."""

    version: str
    changes: list[str]


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@workflow(id="demo_summarise")
async def summarise(ctx: WorkflowContext, changes: list[str]) -> str:
    """A child workflow: one step per change."""
    lines = []
    for index, change in enumerate(changes):
        lines.append(await ctx.step.run(f"line-{index}", str.capitalize, change))
    return "; ".join(lines)


@workflow(id="demo_release")
async def release(ctx: WorkflowContext, input: Release) -> str:
    """Summarise the changes in a child run, wait for approval, then "publish"."""
    summary = await ctx.step.invoke_and_wait("summary", summarise.with_input(input.changes))
    answer = await ctx.step.suspend("approve", data={"version": input.version})
    if not answer["data"].get("approved"):
        return f"{input.version} not published"
    digest = await ctx.step.run("checksum", _checksum, summary)
    return f"published {input.version} ({digest}): {summary}"


def _describe(event: RunEvent) -> str:
    step = f" {event.step_key}" if event.step_key else ""
    return f"  [{event.workflow_id}] {event.type}{step}"


async def run_demo(database_url: str | None = None) -> None:
    """Run the demo workflow and print what happens."""
    async with PolosClient(database_url) as client:
        print(f"polos dev: durable demo workflow on {client.database}")
        with client.events.subscribe() as events:
            handle = await release.start(
                client,
                Release(version="1.0.0", changes=["durable steps", "approvals", "replay"]),
                idempotency_key="demo-release-1.0.0",
            )
            printer = asyncio.create_task(_print_events(events))
            run = await handle.info()
            while not run.done:
                if run.status == "suspended":
                    print("  approving (in Slack, this is the Approve button)")
                    await client.resume(handle.run_id, "approve", {"approved": True}, by="demo")
                await asyncio.sleep(0.1)
                run = await handle.info()
            print(f"result: {await handle.result()}")
            printer.cancel()
        print(f"inspect it: polos runs {handle.run_id}")


async def _print_events(events: object) -> None:
    from agents import Subscription

    assert isinstance(events, Subscription)
    async for event in events:
        print(_describe(event), flush=True)
