"""Agent crash test: SIGKILL a worker process running an agent (two tool rounds) at random
moments, restart it, and count: the LLM server saw each completed model call once (at most
one extra: the call in flight at the kill), and each tool's side effect happened once (at
most one extra)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agents.testing import LLMServer, Reply, ToolCallReply

APP = Path(__file__).parent / "agent_crash_app.py"
ROOT = Path(__file__).parent.parent
TRIALS = 20


def _reply(body: dict[str, Any]) -> Reply:
    """Round 1 and 2 call the tool; round 3 answers. The round is how many tool results
    the request carries, so a repeated call gets the same reply."""
    messages = body["messages"]
    key = re.search(r"go (\S+)", str(messages[1]["content"]))
    assert key is not None
    done = sum(1 for message in messages if message["role"] == "tool")
    if done < 2:
        call = ToolCallReply(
            name="record", arguments={"key": key.group(1), "n": done + 1}, id=f"call_{done + 1}"
        )
        return Reply(tool_calls=[call], delay=0.03)
    return Reply(text=f"all recorded for {key.group(1)}", chunk_delay=0.01)


async def _spawn(server: LLMServer, db: str, key: str, effects: Path) -> Any:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": server.openai_base_url,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(APP),
        db,
        key,
        str(effects),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _rounds(server: LLMServer, key: str) -> Counter[int]:
    counts: Counter[int] = Counter()
    for call in server.calls:
        if f"go {key}" in str(call.body.get("messages", [])):
            counts[sum(1 for m in call.body["messages"] if m["role"] == "tool")] += 1
    return counts


@pytest.mark.slow
async def test_a_killed_agent_run_resumes_without_repeating_model_or_tool_calls(
    sqlite_url: str, tmp_path: Path
) -> None:
    rng = random.Random(os.environ.get("POLOS_CRASH_SEED", time.time_ns()))
    effects = tmp_path / "effects.log"
    effects.touch()
    progressed = 0
    async with LLMServer(api_key="test-key") as server:
        server.script(_reply)
        for trial in range(TRIALS):
            key = f"t{trial}"
            first = await _spawn(server, sqlite_url, key, effects)
            assert first.stdout is not None
            line = await asyncio.wait_for(first.stdout.readline(), 30)
            assert line.startswith(b"started"), await first.stderr.read()  # type: ignore[union-attr]
            # Kill after a random number of model calls has reached the server (0 to 3), a
            # moment later: progress, not wall-clock time, so a slow machine kills mid-run too.
            target = rng.randint(0, 3)
            while sum(_rounds(server, key).values()) < target and first.returncode is None:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            await asyncio.sleep(rng.uniform(0.0, 0.08))
            with contextlib.suppress(ProcessLookupError):  # it may have finished already
                first.send_signal(signal.SIGKILL)
            await first.wait()
            calls_before = sum(_rounds(server, key).values())
            progressed += 0 < calls_before < 3
            second = await _spawn(server, sqlite_url, key, effects)
            out, err = await asyncio.wait_for(second.communicate(), 60)
            assert second.returncode == 0, err.decode()
            assert out.decode().splitlines()[-1] == f"result all recorded for {key}"
            rounds = _rounds(server, key)
            assert sorted(rounds) == [0, 1, 2]
            assert sum(rounds.values()) <= 4, f"{key}: model calls repeated: {rounds}"
            tools = Counter(
                line for line in effects.read_text().splitlines() if line.startswith(f"{key}:")
            )
            assert sorted(tools) == [f"{key}:1", f"{key}:2"]
            assert sum(tools.values()) <= 3, f"{key}: tool calls repeated: {tools}"
    assert progressed >= TRIALS // 4, "too few kills landed part-way through a run"
