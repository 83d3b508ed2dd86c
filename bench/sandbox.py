"""Sandbox benchmark: warm exec round trip against plain ``docker exec``, cold start, 1 MB I/O.

Prints figures (not a test). Builds the busybox test image if it is missing.

    .venv/bin/python bench/sandbox.py [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import docker

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sandbox_image import ensure_test_image, remove_labelled  # noqa: E402

from sandbox._config import DockerEnvironmentConfig  # noqa: E402
from sandbox._docker import DockerEnvironment  # noqa: E402

COMMAND = "echo hello"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9) - 1] if len(ordered) >= 10 else ordered[-1]
    return f"median {statistics.median(ordered) * 1e3:7.2f} ms   p90 {p90 * 1e3:7.2f} ms"


async def _time_async(call: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


def _time_sync(call: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


async def main(runs: int) -> None:
    client = docker.from_env()
    image = ensure_test_image(client)
    label = f"bench-{uuid.uuid4().hex[:8]}"
    config = DockerEnvironmentConfig(image=image, labels={"polos-test": label})
    try:
        env = await DockerEnvironment.for_session(f"bench-{label}", config, client=client)
        container = client.containers.get(env.container_id)
        for _ in range(5):  # warm up both paths
            await env.exec(COMMAND, timeout=30)
            container.exec_run(["sh", "-c", COMMAND])

        print(f"warm exec round trip of {COMMAND!r}, {runs} runs each (same container)")
        ours = await _time_async(lambda: env.exec(COMMAND, timeout=30), runs)
        sdk = _time_sync(lambda: container.exec_run(["sh", "-c", COMMAND]), runs)
        print(f"  ours  env.exec        {_ms(ours)}")
        print(f"  SDK   exec_run        {_ms(sdk)}")
        ratio = statistics.median(ours) / statistics.median(sdk)
        print(f"  ratio ours/SDK        {ratio:.2f}")
        if shutil.which("docker"):
            argv = ["docker", "exec", env.container_id, "sh", "-c", COMMAND]
            cli = _time_sync(lambda: subprocess.run(argv, check=True, capture_output=True), runs)
            print(f"  CLI   docker exec     {_ms(cli)}")
            print(f"  ratio ours/CLI        {statistics.median(ours) / statistics.median(cli):.2f}")

        print("cold session start (image present): find nothing, create, start, check owner")
        cold = []
        for _ in range(max(3, runs // 10)):
            start = time.perf_counter()
            fresh = await DockerEnvironment.for_session(
                f"cold-{uuid.uuid4()}", config, client=client
            )
            cold.append(time.perf_counter() - start)
            await fresh.destroy()
        print(f"  for_session           {_ms(cold)}")
        again = await _time_async(
            lambda: DockerEnvironment.for_session(f"bench-{label}", config, client=client),
            max(3, runs // 10),
        )
        print(f"  found again (labels)  {_ms(again)}")

        line = "x" * 63 + "\n"
        content = line * (1024 * 1024 // len(line))
        print(
            f"write then read of a {len(content) / 1e6:.2f} MB file "
            f"({content.count(chr(10))} lines)"
        )
        writes = await _time_async(lambda: env.write("bench/big.txt", content), 10)
        reads = await _time_async(lambda: env.read("bench/big.txt", limit=20000), 10)
        print(f"  write                 {_ms(writes)}")
        print(f"  read (all lines)      {_ms(reads)}")
    finally:
        remove_labelled(client, label)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
