"""Helpers shared by the engine tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from agents import PolosClient, RunInfo


async def wait_status(
    client: PolosClient, run_id: str, status: str, *, timeout: float = 10.0
) -> RunInfo:
    """Wait until the run has ``status``; fail if it ends in another one first."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        run = await client.get_run(run_id)
        if run is not None and run.status == status:
            return run
        if run is not None and run.done:
            raise AssertionError(f"run ended as {run.status}, not {status}: {run.error}")
        await asyncio.sleep(0.02)
    raise AssertionError(f"run {run_id} did not become {status} within {timeout} s")


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 10.0, what: str = "condition"
) -> None:
    """Poll ``check`` until it returns True."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        await asyncio.sleep(0.02)
