"""Slack latency of the bot (`polos run` in its own process) against the local emulator and
the LLM test server, both in this process.

1. Ack latency: mentions at 100 events/s for a few seconds, in Socket Mode and in HTTP mode;
   p50 / p99 from posting the message to the delivery's ack (target p99 < 50 ms).
2. Mention to first streamed character, minus the test server's first-token delay
   (target < 150 ms); sequential mentions, p50 / p95.

Usage: python bench/slack_latency.py [--rate 100] [--seconds 3] [--first-char 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.testing import LLMServer, Reply  # noqa: E402
from bot.emulator import SlackEmulator  # noqa: E402

FIRST_TOKEN_DELAY = 0.2
AGENTS_MODULE = """
from polos import Agent
assistant = Agent(id="assistant", provider="openai", model="bench-model")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start_bot(slack: SlackEmulator, llm: LLMServer, folder: Path, mode: str) -> Any:
    (folder / "bench_agents.py").write_text(AGENTS_MODULE)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{folder}",
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "POLOS_MODE": mode,
        "POLOS_HTTP_PORT": str(port),
        "POLOS_DATABASE_URL": f"sqlite+aiosqlite:///{folder / f'{mode}.db'}",
        "POLOS_AGENTS": "bench_agents",
        "OPENAI_API_KEY": "bench-key",
        "OPENAI_BASE_URL": llm.openai_base_url,
    }
    env.pop("ANTHROPIC_API_KEY", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=folder,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    if b"connected as" not in line:
        raise SystemExit(f"the bot did not start: {line!r}")
    if mode == "http":
        slack.use_http(f"http://127.0.0.1:{port}/slack/events")
    else:
        slack.use_socket_mode()
        await slack.wait_connected()
    return process


async def _ack_latencies(slack: SlackEmulator, rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []

    async def one() -> None:
        started = time.perf_counter()
        before = len(slack.deliveries)
        await slack.post_message(f"<@{slack.bot_user_id}> ping")
        mention = next(d for d in slack.deliveries[before:] if d.event_type == "app_mention")
        await asyncio.wait_for(mention.done.wait(), 30)
        if mention.acked:
            latencies.append(time.perf_counter() - started)

    tasks = []
    for index in range(int(rate * seconds)):
        tasks.append(asyncio.create_task(one()))
        next_at = (index + 1) / rate
        await asyncio.sleep(max(0.0, next_at - (time.perf_counter() - _start)))
    await asyncio.gather(*tasks)
    return latencies


async def _first_char(slack: SlackEmulator, count: int) -> list[float]:
    delays = []
    channel = slack.default_channel
    for _ in range(count):
        started = time.perf_counter()
        ts = await slack.post_message(f"<@{slack.bot_user_id}> hello")
        await slack.wait_for_reply(channel, ts, lambda m: "answer" in m.text, timeout=30)
        delays.append(time.perf_counter() - started - FIRST_TOKEN_DELAY)
        await asyncio.sleep(0.2)
    return delays


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


_start = 0.0


async def main(rate: float, seconds: float, first: int) -> None:
    global _start
    print(f"bot in its own process; {rate:.0f} mentions/s for {seconds:.0f} s per mode\n")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("socket", "http"):
            async with SlackEmulator() as slack, LLMServer(api_key="bench-key") as llm:
                for method in (
                    "chat.postMessage",
                    "chat.update",
                    "reactions.add",
                    "reactions.remove",
                ):
                    slack.set_rate_limit(
                        method, per_minute=1_000_000, burst=100_000, scope="workspace"
                    )
                llm.script(lambda body: Reply(text="answer ok", delay=FIRST_TOKEN_DELAY))
                bot = await _start_bot(slack, llm, Path(tmp), mode)
                try:
                    await slack.post_message(f"<@{slack.bot_user_id}> warm up")
                    await asyncio.sleep(1.0)
                    _start = time.perf_counter()
                    acks = await _ack_latencies(slack, rate, seconds)
                    # Let the runs of the ack phase finish before measuring first characters.
                    expected = len(acks) + 1  # the warm-up run too
                    await slack.wait_until(
                        lambda: llm.call_count >= expected or None,  # noqa: B023 - awaited here
                        timeout=120,
                    )
                    await asyncio.sleep(3.0)
                    firsts = await _first_char(slack, first)
                finally:
                    bot.terminate()
                    await bot.wait()
            print(
                f"{mode:>6}: ack p50 {_pct(acks, 0.5):6.1f} ms  p99 {_pct(acks, 0.99):6.1f} ms "
                f"({len(acks)} acked)   mention->first char minus first-token delay: "
                f"p50 {_pct(firsts, 0.5):6.1f} ms  p95 {_pct(firsts, 0.95):6.1f} ms"
            )
    print("\ntargets: ack p99 < 50 ms; first char < 150 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--first-char", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.first_char))
