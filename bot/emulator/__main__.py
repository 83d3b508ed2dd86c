"""Run the emulator on its own: ``python -m bot.emulator [--port 3001] [--request-url URL]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from ._config import WorkspaceConfig
from .driver import SlackEmulator


async def _serve(port: int, request_url: str | None) -> None:
    config = WorkspaceConfig(
        delivery="http" if request_url else "socket", request_url=request_url or None
    )
    async with SlackEmulator(config, port=port) as slack:
        print(f"Slack emulator: open {slack.url}/ in a browser")
        print(f"  SLACK_API_URL={slack.api_url}")
        print(f"  SLACK_BOT_TOKEN={slack.bot_token}")
        print(f"  SLACK_APP_TOKEN={slack.app_token}")
        print(f"  SLACK_SIGNING_SECRET={slack.signing_secret}")
        await asyncio.Event().wait()


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--request-url", help="deliver over signed HTTP instead of Socket Mode")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.request_url))


if __name__ == "__main__":
    main()
