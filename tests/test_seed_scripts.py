"""The seed page's complete scripts, run as written in a real process: ``PolosClient()`` on
the default SQLite file, ``asyncio.run(main())``, and a clean exit."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from agents.testing import LLMServer, Reply, ToolCallReply

SCRIPTS = Path(__file__).parent / "seed_scripts"
ROOT = Path(__file__).parent.parent


async def _run_script(name: str, server: LLMServer, cwd: Path) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": server.openai_base_url,
    }
    env.pop("POLOS_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPTS / name),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_weather_script_prints_the_answer(tmp_path: Path) -> None:
    async with LLMServer(api_key="test-key") as server:
        server.script(
            [
                Reply(tool_calls=[ToolCallReply(name="get_weather", arguments={"city": "NYC"})]),
                Reply(text="Sunny, 21°C in NYC."),
            ]
        )
        out = await _run_script("weather.py", server, tmp_path)
    assert out == "Sunny, 21°C in NYC.\n"
    assert (tmp_path / ".polos" / "polos.db").exists()


async def test_the_person_extractor_script_prints_the_fields(tmp_path: Path) -> None:
    async with LLMServer(api_key="test-key") as server:
        server.script(
            [
                Reply(
                    output={
                        "name": "Alice",
                        "age": 28,
                        "email": "alice@example.com",
                        "location": "SF",
                    }
                )
            ]
        )
        out = await _run_script("person.py", server, tmp_path)
    assert out.splitlines() == ["Alice", "28", "SF"]
