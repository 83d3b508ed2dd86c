"""Crash tests: SIGKILL a real worker process at random moments, start a new one on the same
database, and count side effects. Every run must finish with the uninterrupted result, and
each step's side effect must appear once (at most one extra: the step in flight at the kill).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

APP = Path(__file__).parent / "crash_app.py"
TRIALS = 20
ROOT = Path(__file__).parent.parent


def _spawn(database_url: str, key: str, effects: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(APP), database_url, key, str(effects)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_line(process: subprocess.Popen[str], prefix: str, timeout: float) -> str | None:
    """The first stdout line starting with ``prefix`` (None if the process ends first)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            return None
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"no {prefix!r} line within {timeout} s")


def _steps_done(effects: Path, key: str) -> int:
    return sum(1 for line in effects.read_text().splitlines() if line.startswith(f"{key}:"))


def _run_trial(database_url: str, key: str, effects: Path, rng: random.Random) -> int:
    """Kill a child at a random moment, then let a new one finish. Returns how many steps
    the killed process had completed."""
    first = _spawn(database_url, key, effects)
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.8))  # sometimes during start-up and migration
    else:
        assert _wait_line(first, "started", 30) is not None, first.stderr
        # Kill once a random number of steps is done, a moment later: progress, not
        # wall-clock time, so a slow machine is killed mid-run as often as a fast one.
        target = rng.randint(0, 20)
        deadline = time.monotonic() + 30
        while _steps_done(effects, key) < target and first.poll() is None:
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.02))
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)
    done_before_kill = _steps_done(effects, key)
    second = _spawn(database_url, key, effects)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    results = [line for line in out.splitlines() if line.startswith("result")]
    from crash_app import expected_result

    assert results == [f"result {expected_result()}"], out + err
    return done_before_kill


def _check_side_effects(effects: Path, key: str) -> None:
    lines = [line for line in effects.read_text().splitlines() if line.startswith(f"{key}:")]
    counts = Counter(int(line.split(":")[1]) for line in lines)
    assert sorted(counts) == list(range(20)), f"{key}: missing steps {counts}"
    extra = sum(count - 1 for count in counts.values())
    assert extra <= 1, f"{key}: steps ran again after the kill: {counts}"


@pytest.mark.slow
def test_sigkilled_workers_resume_runs_without_repeating_completed_steps(
    database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(os.environ.get("POLOS_CRASH_SEED", time.time_ns()))
    effects = tmp_path / "effects.log"
    effects.touch()
    progress = []
    for trial in range(TRIALS):
        key = f"trial-{trial}"
        progress.append(_run_trial(database_url, key, effects, rng))
        _check_side_effects(effects, key)
    # The test proves something only if many kills hit runs part-way through.
    mid_run = [done for done in progress if 1 <= done < 20]
    assert len(mid_run) >= TRIALS // 3, f"too few kills landed mid-run: {progress}"
