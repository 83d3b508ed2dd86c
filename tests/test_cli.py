"""The polos command line, run as a real process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from aiohttp import ClientSession
from helpers import wait_status

from agents import PolosClient, WorkflowContext, workflow
from bot._offline import LABEL, demo_reply

ROOT = Path(__file__).parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "POLOS_"))}
    env.pop("OPENAI_API_KEY", None)
    env.pop("ANTHROPIC_API_KEY", None)
    return {**env, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_polos_dev_serves_the_emulator_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "dev", "--port", str(port),
        cwd=tmp_path, env=_env(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    assert f"open http://127.0.0.1:{port}" in line and "offline demo model" in line
    async with ClientSession() as http:
        answer = await http.post(
            f"http://127.0.0.1:{port}/api/auth.test",
            headers={"Authorization": "Bearer xoxb-emulator-bot-token"},
        )
        assert (await answer.json())["ok"] is True
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0
    assert (tmp_path / ".polos" / "polos.db").exists()


def test_polos_run_without_slack_tokens_says_what_to_set(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "SLACK_BOT_TOKEN" in done.stderr and "Traceback" not in done.stderr


def test_the_offline_model_labels_every_answer() -> None:
    reply = demo_reply({"messages": [{"role": "user", "content": "hello"}]})
    assert reply.text is not None and reply.text.startswith(LABEL) and "hello" in reply.text


def test_the_offline_model_asks_to_run_a_command_on_the_host() -> None:
    body = {
        "messages": [{"role": "user", "content": "run ls -la"}],
        "tools": [{"type": "function", "function": {"name": "host_exec"}}],
    }
    [call] = demo_reply(body).tool_calls or []
    assert (call.name, call.arguments) == ("host_exec", {"command": "ls -la"})


@workflow(id="cli_gate")
async def cli_gate(ctx: WorkflowContext) -> str:
    answer = await ctx.step.suspend("approve", data={"what": "deploy"})
    return "approved" if answer["data"]["approved"] else "denied"


async def test_polos_runs_lists_and_polos_approve_resumes_a_run(sqlite_url: str) -> None:
    async with PolosClient(sqlite_url, poll_interval=0.05) as client:
        handle = await cli_gate.start(client)
        await wait_status(client, handle.run_id, "suspended")
        base = [sys.executable, "-m", "bot.cli", "--database-url", sqlite_url]
        listed = await asyncio.to_thread(
            subprocess.run, [*base, "runs"], env=_env(), capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert handle.run_id in listed.stdout and "suspended" in listed.stdout
        approved = await asyncio.to_thread(
            subprocess.run, [*base, "approve", handle.run_id, "approve", "--by", "U1"],
            env=_env(), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert approved.returncode == 0, approved.stderr
        assert await handle.result(timeout=15) == "approved"
        again = await asyncio.to_thread(
            subprocess.run, [*base, "approve", handle.run_id, "approve"],
            env=_env(), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert again.returncode == 1 and "not waiting" in again.stderr
