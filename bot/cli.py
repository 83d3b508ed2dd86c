"""The ``polos`` command line: workers, migrations, runs and approvals from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from agents import PolosClient, PolosError

log = logging.getLogger("polos.cli")


def _client(args: argparse.Namespace, *, worker: bool = False) -> PolosClient:
    options: dict[str, Any] = {"worker": worker}
    if worker:
        options.update(
            worker_id=args.worker_id,
            concurrency=args.concurrency,
            lease_seconds=args.lease_seconds,
            poll_interval=args.poll_interval,
        )
    return PolosClient(args.database_url, **options)


async def _migrate(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        await client.migrate()
    finally:
        await client.close()
    print(f"schema is up to date in {client.database}")
    return 0


async def _worker(args: argparse.Namespace) -> int:
    for module in args.modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            print(f"polos worker: cannot import {module!r}: {exc}", file=sys.stderr)
            return 2
    client = _client(args, worker=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await client.migrate()
    assert client.worker is not None
    slack_bot = await _slack_for_worker(args, client)
    print(
        f"polos worker {client.worker.worker_id} on {client.database}: "
        f"executing {', '.join(args.modules)} (Ctrl-C to stop)",
        flush=True,
    )
    await stop.wait()
    if slack_bot is not None:
        await slack_bot.stop()
    await client.close()
    return 0


async def _slack_for_worker(args: argparse.Namespace, client: PolosClient) -> Any:
    """With SLACK_BOT_TOKEN set, a worker shows the Slack runs it executes in their threads
    (it receives no events: `polos run` does)."""
    settings = _settings(args, require_slack=False)
    if settings.slack_bot_token is None:
        return None
    from slack_sdk.web.async_client import AsyncWebClient

    from agents import Agent
    from bot._agents import AgentDirectory
    from bot._app import PolosBot
    from bot._budget import with_rate_limit_retries

    agents = [
        value
        for module in args.modules
        for value in vars(importlib.import_module(module)).values()
        if isinstance(value, Agent)
    ]
    if not agents:
        return None
    token = settings.slack_bot_token.get_secret_value()
    bot = PolosBot(
        polos=client,
        directory=AgentDirectory(agents, default=agents[0].id),
        slack=with_rate_limit_retries(AsyncWebClient(token=token, base_url=settings.slack_api_url)),
        approvers=settings.approvers,
    )
    await bot.start()
    return bot


def _format_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


async def _runs(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        if args.run_id:
            run = await client.get_run(args.run_id)
            if run is None:
                print(f"no run {args.run_id}", file=sys.stderr)
                return 1
            print(f"run {run.id}  workflow {run.workflow_id}  status {run.status}")
            print(
                f"created {_format_time(run.created_at)}  finished {_format_time(run.finished_at)}"
            )
            if run.error:
                print(f"error: {run.error.get('type')}: {run.error.get('message')}")
            for step in await client.list_steps(run.id):
                outcome = "error" if step.error else "ok"
                print(
                    f"  {step.key:<30} {step.function_name:<30} {outcome:<5} "
                    f"{step.duration_ms:8.1f} ms  attempts {step.attempts}"
                )
            for suspension in await client.list_suspensions(run_id=run.id, status=None):
                print(
                    f"  suspension {suspension.step_key}: {suspension.status}"
                    f" by {suspension.resolved_by or '-'}"
                )
            return 0
        for run in await client.list_runs(status=args.status, limit=args.limit):
            print(
                f"{run.id}  {run.workflow_id:<24} {run.status:<10} {_format_time(run.created_at)}"
            )
        return 0
    finally:
        await client.close()


async def _resume(args: argparse.Namespace, *, data: Any) -> int:
    client = _client(args)
    try:
        if not await client.resume(args.run_id, args.step, data, by=args.by):
            print(
                f"run {args.run_id} is not waiting at step {args.step!r} "
                "(already answered, expired, or unknown)",
                file=sys.stderr,
            )
            return 1
    finally:
        await client.close()
    print(f"resumed run {args.run_id} at {args.step!r}")
    return 0


def _settings(args: argparse.Namespace, *, require_slack: bool) -> Any:
    from bot._settings import load_settings

    overrides = {"database_url": args.database_url} if args.database_url else {}
    return load_settings(require_slack=require_slack, **overrides)


async def _run(args: argparse.Namespace) -> int:
    from bot._runtime import run_bot

    settings = _settings(args, require_slack=True)
    if args.agents:
        settings = settings.model_copy(update={"agents_module": args.agents})
    await run_bot(settings)
    return 0


async def _dev(args: argparse.Namespace) -> int:
    from bot._runtime import run_dev

    await run_dev(_settings(args, require_slack=False), port=args.port)
    return 0


async def _demo(args: argparse.Namespace) -> int:
    from bot._demo import run_demo

    await run_demo(args.database_url)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="polos", description="Durable AI agents for Slack.")
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL (default: POLOS_DATABASE_URL, else .polos/polos.db)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="create or upgrade the database schema")

    worker = commands.add_parser("worker", help="execute runs of the workflows in MODULE")
    worker.add_argument("modules", nargs="+", metavar="MODULE")
    worker.add_argument("--worker-id", help="stable id (default: POLOS_WORKER_ID)")
    worker.add_argument("--concurrency", type=int, default=100)
    worker.add_argument("--lease-seconds", type=float, default=15.0)
    worker.add_argument("--poll-interval", type=float, default=0.5)

    runs = commands.add_parser("runs", help="list runs, or show one with its steps")
    runs.add_argument("run_id", nargs="?")
    runs.add_argument("--status")
    runs.add_argument("--limit", type=int, default=20)

    for name, help_text in (
        ("resume", "answer a suspended run with JSON data"),
        ("approve", "approve a suspended run"),
        ("deny", "deny a suspended run"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("run_id")
        command.add_argument("step")
        command.add_argument("--by", default="cli")
        if name == "resume":
            command.add_argument("--data", default="null", help="JSON answer")
        if name == "deny":
            command.add_argument("--reason", default="")

    run = commands.add_parser("run", help="run the Slack bot (and a worker)")
    run.add_argument("--agents", help="module with your agents (default: POLOS_AGENTS)")

    dev = commands.add_parser(
        "dev", help="the Slack emulator, its page, the bot and a worker, with no Slack tokens"
    )
    dev.add_argument("--port", type=int, default=3001, help="the emulator's port")

    commands.add_parser("demo", help="run an example durable workflow, printing its events")
    return parser


async def _dispatch(args: argparse.Namespace) -> int:
    match args.command:
        case "migrate":
            return await _migrate(args)
        case "worker":
            return await _worker(args)
        case "runs":
            return await _runs(args)
        case "resume":
            try:
                data = json.loads(args.data)
            except json.JSONDecodeError as exc:
                print(f"polos resume: --data is not JSON: {exc}", file=sys.stderr)
                return 2
            return await _resume(args, data=data)
        case "approve":
            return await _resume(args, data={"approved": True})
        case "deny":
            return await _resume(args, data={"approved": False, "reason": args.reason})
        case "run":
            return await _run(args)
        case "dev":
            return await _dev(args)
        case "demo":
            return await _demo(args)
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``polos`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return asyncio.run(_dispatch(args))
    except PolosError as exc:
        print(f"polos: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
