"""PostgreSQL drops every connection in the middle of a run (as on a server restart): the
run still completes, its steps written once, with no pre-ping round trip on every query."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url

from agents import PolosClient, WorkflowContext, workflow


async def _drop_all_connections(database: str) -> int:
    admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        return len(rows)
    finally:
        await admin.close()


async def test_a_run_survives_the_server_dropping_its_connections(postgres_url: str) -> None:
    database = str(make_url(postgres_url).database)
    calls: list[str] = []

    async def note(name: str) -> str:
        calls.append(name)
        return name

    @workflow(id="survives_disconnects")
    async def survives(ctx: WorkflowContext) -> list[str]:
        first = await ctx.step.run("first", note, "first")
        dropped = await ctx.step.run("drop", _drop_all_connections, database)
        last = await ctx.step.run("last", note, "last")
        return [first, str(dropped > 0), last]

    async with PolosClient(postgres_url, poll_interval=0.05) as client:
        assert await survives.run(client) == ["first", "True", "last"]
        assert calls == ["first", "last"]
        assert [s.key for s in await client.list_steps((await client.list_runs())[0].id)] == [
            "first",
            "drop",
            "last",
        ]
