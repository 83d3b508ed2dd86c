"""Per-step overhead of a durable workflow: polos versus DBOS Transact, same machine, same run.

A workflow of 1,000 no-op steps runs on SQLite and on PostgreSQL, on polos and on DBOS (the
baseline). Each engine runs in its own process. Printed: microseconds per step (the time of
the 1,000-step workflow minus an empty workflow, divided by 1,000), the ratio ours/DBOS
(target <= 0.5), and the time to resume a run that has 1,000 completed steps (target < 50 ms
on SQLite).

Usage: python bench/step_overhead.py [--steps 1000] [--repeat 3] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


# -- polos --------------------------------------------------------------------------------


async def _polos(url: str, steps: int, repeat: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from agents import PolosClient, WorkflowContext, workflow

    async def noop() -> None:
        return None

    @workflow(id="bench_steps")
    async def many_steps(ctx: WorkflowContext, n: int) -> int:
        for index in range(n):
            await ctx.step.run(f"s{index}", noop)
        return n

    @workflow(id="bench_resume")
    async def steps_then_gate(ctx: WorkflowContext, n: int) -> int:
        for index in range(n):
            await ctx.step.run(f"s{index}", noop)
        await ctx.step.suspend("gate")
        return n

    async with PolosClient(url, poll_interval=0.01) as client:
        await many_steps.run(client, 10)  # warm up
        empty = min([await _timed(many_steps.run(client, 0)) for _ in range(repeat)])
        full = [await _timed(many_steps.run(client, steps)) for _ in range(repeat)]
        with client.events.subscribe(types={"suspended"}) as suspended:
            handle = await steps_then_gate.start(client, steps)
            await suspended.get()
        started = time.perf_counter()
        await client.resume(handle.run_id, "gate")
        await handle.result()
        resume = time.perf_counter() - started
    return {
        "per_step_us": (statistics.median(full) - empty) / steps * 1e6,
        "resume_ms": resume * 1e3,
    }


async def _timed(awaitable: Any) -> float:
    started = time.perf_counter()
    await awaitable
    return time.perf_counter() - started


# -- DBOS ---------------------------------------------------------------------------------


async def _dbos(url: str, steps: int, repeat: int) -> dict[str, float]:
    from dbos import DBOS

    DBOS(config={"name": "polos-bench", "system_database_url": url, "run_admin_server": False})

    @DBOS.step()
    async def noop() -> None:
        return None

    @DBOS.workflow()
    async def many_steps(n: int) -> int:
        for _ in range(n):
            await noop()
        return n

    DBOS.launch()
    try:
        await many_steps(10)
        empty = min([await _timed(many_steps(0)) for _ in range(repeat)])
        full = [await _timed(many_steps(steps)) for _ in range(repeat)]
    finally:
        DBOS.destroy()
    return {"per_step_us": (statistics.median(full) - empty) / steps * 1e6}


# -- orchestration ------------------------------------------------------------------------


def _fresh_database(kind: str, engine: str, folder: Path) -> str:
    if kind == "sqlite":
        path = folder / f"{engine}.sqlite"
        return f"sqlite+aiosqlite:///{path}" if engine == "polos" else f"sqlite:///{path}"
    name = f"polos_bench_{engine}_{uuid.uuid4().hex[:8]}"
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    driver = "postgresql+asyncpg" if engine == "polos" else "postgresql"
    return f"{driver}://postgres@127.0.0.1:5432/{name}"


def _measure(engine: str, url: str, steps: int, repeat: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", engine, "--url", url]
    command += ["--steps", str(steps), "--repeat", str(repeat)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine} on {url} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", choices=["polos", "dbos"])
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        run = _polos if args.child == "polos" else _dbos
        print(json.dumps(asyncio.run(run(args.url, args.steps, args.repeat))))
        return
    kinds = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    print(f"{args.steps} no-op steps per workflow, median of {args.repeat} runs\n")
    print(f"{'database':<11} {'polos us/step':>14} {'DBOS us/step':>13} {'ratio':>7}  resume")
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            ours = _measure(
                "polos", _fresh_database(kind, "polos", Path(folder)), args.steps, args.repeat
            )
            theirs = _measure(
                "dbos", _fresh_database(kind, "dbos", Path(folder)), args.steps, args.repeat
            )
            ratio = ours["per_step_us"] / theirs["per_step_us"]
            print(
                f"{kind:<11} {ours['per_step_us']:>14.0f} {theirs['per_step_us']:>13.0f} "
                f"{ratio:>7.2f}  {ours['resume_ms']:.1f} ms for a run with {args.steps} steps"
            )
    print("\ntargets: ratio <= 0.5 on both databases; resume < 50 ms on SQLite")


if __name__ == "__main__":
    main()
