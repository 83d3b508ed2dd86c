"""SIGKILL of the bot (`polos run`) mid-answer: after a restart the run resumes and the answer
is completed in the same thread message, with no duplicate messages and no repeated tool
call."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from agents.testing import LLMServer, Reply, ToolCallReply
from bot.emulator import SlackEmulator

ROOT = Path(__file__).parent.parent
ANSWER = " ".join(f"token{i}" for i in range(80))


def _reply(body: dict[str, Any]) -> Reply:
    if not any(m["role"] == "tool" for m in body["messages"]):
        return Reply(tool_calls=[ToolCallReply(name="record_note", arguments={"text": "once"})])
    return Reply(text=ANSWER, chunk_delay=0.06)


async def _start_bot(slack: SlackEmulator, llm: LLMServer, tmp_path: Path) -> Any:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_API_URL": slack.api_url,
        "POLOS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "POLOS_AGENTS": "bot_crash_agents",
        "POLOS_TEST_EFFECTS": str(tmp_path / "effects.log"),
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": llm.openai_base_url,
    }
    env.pop("ANTHROPIC_API_KEY", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    assert b"connected as" in line, (line, await process.stderr.read())  # type: ignore[union-attr]
    return process


@pytest.mark.slow
async def test_a_killed_bot_finishes_the_answer_in_the_same_message(tmp_path: Path) -> None:
    async with SlackEmulator() as slack, LLMServer(api_key="test-key") as llm:
        llm.script(_reply)
        bot = await _start_bot(slack, llm, tmp_path)
        channel = slack.default_channel
        ts = await slack.post_message(f"<@{slack.bot_user_id}> write a long answer")
        partial = await slack.wait_for_reply(
            channel, ts, lambda m: "token10 " in m.text, timeout=30
        )
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        assert "token79" not in partial.text

        bot = await _start_bot(slack, llm, tmp_path)
        try:
            await slack.wait_for_reply(
                channel,
                ts,
                lambda m: m.ts == partial.ts and "token79" in m.text and not m.streaming,
                timeout=60,
            )
            await slack.wait_until(
                lambda: len([m for m in slack.thread(channel, ts) if m.ts != ts]) == 1 or None,
                timeout=15,
            )
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
        [answer] = [m for m in slack.thread(channel, ts) if m.ts != ts]
        assert answer.ts == partial.ts
        assert " ".join(answer.text.split()).endswith(ANSWER)
        assert ANSWER in " ".join(answer.text.split())
        assert (tmp_path / "effects.log").read_text() == "once\n"
        tool_turns = [
            c for c in llm.calls if not any(m["role"] == "tool" for m in c.body["messages"])
        ]
        assert len(tool_turns) == 1
