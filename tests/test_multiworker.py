"""Several worker processes share one PostgreSQL queue; a SIGKILLed worker's runs are taken
over by the others once its lease expires, and every run finishes exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from agents import PolosClient

ROOT = Path(__file__).parent.parent
RUNS = 200


def _start_worker(database_url: str, worker_id: str, effects: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
        "POLOS_WORKER_ID": worker_id,
        "POLOS_TEST_EFFECTS": str(effects),
    }
    command = [sys.executable, "-m", "bot.cli", "--database-url", database_url, "worker"]
    command += ["multiworker_app", "--concurrency", "5", "--lease-seconds", "2"]
    command += ["--poll-interval", "0.1"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
async def test_survivors_finish_the_runs_of_a_killed_worker_exactly_once(
    postgres_url: str, tmp_path: Path
) -> None:
    import multiworker_app

    effects = tmp_path / "effects.log"
    effects.touch()
    client = PolosClient(postgres_url, worker=False)
    await client.migrate()
    handles = [await multiworker_app.three_steps.start(client, i) for i in range(RUNS)]
    workers = {name: _start_worker(postgres_url, name, effects) for name in ("w1", "w2", "w3")}
    try:
        # Kill w2 once a fair share of runs is done and it holds runs in flight.
        in_flight: set[str] = set()
        for _ in range(600):
            done = len(await client.list_runs(status="succeeded", limit=RUNS))
            running = await client.list_runs(status="running", limit=RUNS)
            in_flight = {run.id for run in running if run.worker_id == "w2"}
            if done >= RUNS // 4 and in_flight:
                break
            await asyncio.sleep(0.05)
        assert in_flight, "w2 never held runs while others were done"
        workers["w2"].send_signal(signal.SIGKILL)
        workers["w2"].wait(timeout=10)

        for _ in range(1200):
            if len(await client.list_runs(status="succeeded", limit=RUNS)) == RUNS:
                break
            await asyncio.sleep(0.1)
        runs = {run.id: run for run in await client.list_runs(limit=RUNS + 10)}
        assert Counter(run.status for run in runs.values()) == {"succeeded": RUNS}
        for index, handle in enumerate(handles):
            assert await handle.result(timeout=1) == index + 3
        lines = [line.split(":") for line in effects.read_text().splitlines()]
        per_step = Counter((run_id, step) for run_id, step, _ in lines)
        assert {key for key, n in per_step.items() if n > 1} <= {
            (run_id, step) for run_id, step in per_step if run_id in in_flight
        }
        assert all(n <= 2 for n in per_step.values())
        assert len(per_step) == RUNS * 3
        # The dead worker's runs were recovered and finished by the survivors.
        for run_id in in_flight:
            assert runs[run_id].recovery_attempts >= 1
            last_step_by = [w for r, s, w in lines if r == run_id and s == "2"][-1]
            assert last_step_by in ("w1", "w3")
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        await client.close()
    assert workers["w1"].returncode == 0 and workers["w3"].returncode == 0
