"""A completed exec is not run again after the worker is SIGKILLed, and the restarted worker
finds the session's container again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from agents.testing import LLMServer, Reply, ToolCallReply
from sandbox import DockerEnvironmentConfig

APP = Path(__file__).parent / "sandbox_crash_app.py"
ROOT = Path(__file__).parent.parent


def _reply(body: dict[str, Any]) -> Reply:
    if not any(message["role"] == "tool" for message in body["messages"]):
        command = "echo ran >> log.txt"
        return Reply(tool_calls=[ToolCallReply(name="exec", arguments={"command": command})])
    # Slow enough that the test kills the worker while this call is in flight.
    return Reply(text="appended", delay=1.5)


async def _spawn(server: LLMServer, args: list[str]) -> Any:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": server.openai_base_url,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(APP),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.docker
@pytest.mark.slow
async def test_a_completed_exec_is_not_repeated_and_the_container_is_found_again(
    sqlite_url: str, docker_api: Any, docker_config: DockerEnvironmentConfig, test_label: str
) -> None:
    conversation = f"crash-thread-{test_label[:8]}"
    args = [sqlite_url, docker_config.image, test_label, conversation]
    selector = {"label": f"polos.session={conversation}"}
    async with LLMServer(api_key="test-key") as server:
        server.script(_reply)
        first = await _spawn(server, args)
        for _ in range(600):  # until the exec is done and the second model call is in flight
            if server.call_count >= 2:
                break
            await asyncio.sleep(0.05)
        assert server.call_count >= 2, await first.stderr.read()  # type: ignore[union-attr]
        [container] = docker_api.containers.list(all=True, filters=selector)
        first.send_signal(signal.SIGKILL)
        await first.wait()

        second = await _spawn(server, args)
        out, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 0, err.decode()
        assert out.decode().splitlines()[-1] == "result appended"
        tool_rounds = [c for c in server.calls if not any(
            m["role"] == "tool" for m in c.body["messages"]
        )]  # fmt: skip
        assert len(tool_rounds) == 1  # the model call that asked for exec was not repeated
    [again] = docker_api.containers.list(all=True, filters=selector)
    assert again.id == container.id
    log = again.exec_run(["cat", "/workspace/log.txt"]).output.decode()
    assert log == "ran\n"
