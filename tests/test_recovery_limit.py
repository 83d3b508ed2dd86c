"""A run whose worker keeps dying is recovered at most max_recovery_attempts times, then
fails with a clear error instead of looping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).parent / "recovery_app.py"
ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_a_run_that_keeps_killing_its_worker_fails_after_the_recovery_limit(
    sqlite_url: str,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = []
    for _ in range(4):  # the first execution and two recoveries die; the next gives up
        done = subprocess.run(
            [sys.executable, str(APP), sqlite_url],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
        outputs.append(done.stdout)
        if done.returncode == 0:
            break
    assert outputs[:3] == ["", "", ""]  # killed mid-step three times
    assert "was recovered 2 times after its worker died" in outputs[3]
    assert "max_recovery_attempts=2" in outputs[3]
