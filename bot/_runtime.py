"""Running the bot: ``polos run`` (a real workspace) and ``polos dev`` (the emulator)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from agents import Agent, PolosClient, UserError
from bot._agents import AgentDirectory, ModelChoice, agents_of_module, builtin_agents
from bot._app import PolosBot
from bot._budget import with_rate_limit_retries
from bot._settings import Settings

DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-5", "openai": "gpt-4o"}


def model_choice(settings: Settings) -> ModelChoice | None:
    """The provider of the built-in agents: Anthropic if its key is set, else OpenAI."""
    model = settings.model
    if settings.anthropic_api_key is not None:
        key = settings.anthropic_api_key.get_secret_value()
        return ModelChoice("anthropic", model or DEFAULT_MODELS["anthropic"], api_key=key)
    if settings.openai_api_key is not None:
        key = settings.openai_api_key.get_secret_value()
        return ModelChoice("openai", model or DEFAULT_MODELS["openai"], api_key=key)
    return None


def build_directory(settings: Settings, choice: ModelChoice | None) -> AgentDirectory:
    """The built-in agents (when a model is available) and those of ``POLOS_AGENTS``."""
    agents: list[Agent] = []
    if choice is not None:
        host_cwd = settings.host_cwd or Path.cwd()
        agents += builtin_agents(choice, sandbox_image=settings.sandbox_image, host_cwd=host_cwd)
    if settings.agents_module:
        agents += agents_of_module(settings.agents_module)
    if not agents:
        raise UserError(
            "no agents: set OPENAI_API_KEY or ANTHROPIC_API_KEY for the built-in agents, or "
            "POLOS_AGENTS=your.module for your own"
        )
    default = settings.default_agent
    if all(agent.id != default for agent in agents):
        default = agents[0].id
    return AgentDirectory(agents, default=default)


def _bot(
    settings: Settings,
    polos: PolosClient,
    directory: AgentDirectory,
    *,
    token: str,
    api_url: str,
    app_token: str | None,
    signing_secret: str | None,
) -> PolosBot:
    slack = with_rate_limit_retries(AsyncWebClient(token=token, base_url=api_url))
    return PolosBot(
        polos=polos,
        directory=directory,
        slack=slack,
        signing_secret=signing_secret,
        app_token=app_token,
        approvers=settings.approvers,
        followups_need_mention=settings.followups_need_mention,
        approval_timeout=settings.approval_timeout,
    )


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else None


async def run_bot(settings: Settings) -> None:
    """Serve a real workspace until SIGINT/SIGTERM (the embedded worker executes runs)."""
    directory = build_directory(settings, model_choice(settings))
    polos = PolosClient(settings.database_url)
    token = _secret(settings.slack_bot_token)
    assert token is not None  # load_settings(require_slack=True) checked it
    bot = _bot(
        settings,
        polos,
        directory,
        token=token,
        api_url=settings.slack_api_url,
        app_token=_secret(settings.slack_app_token),
        signing_secret=_secret(settings.slack_signing_secret),
    )
    await bot.start()
    if settings.mode == "http":
        port = await bot.serve_http(port=settings.http_port)
        where = f"HTTP on port {port} (/slack/events)"
    else:
        await bot.connect_socket_mode()
        where = "Socket Mode"
    print(
        f"polos: connected as <@{bot.bot_user_id}> over {where}; agents: "
        f"{', '.join(directory.ids)} (default {directory.default}); store {polos.database}",
        flush=True,
    )
    try:
        await _until_signalled()
    finally:
        await bot.stop()
        await polos.close()


async def run_dev(settings: Settings, *, port: int) -> None:
    """The emulator, its page, the bot and a worker in one process, on SQLite."""
    from bot._offline import DEMO_KEY, start_offline_model
    from bot.emulator import SlackEmulator

    choice = model_choice(settings)
    offline = None
    if choice is None:
        offline = await start_offline_model()
        choice = ModelChoice(
            "openai", "offline-demo", api_key=DEMO_KEY, base_url=offline.openai_base_url
        )
    directory = build_directory(settings, choice)
    async with SlackEmulator(port=port) as slack:
        polos = PolosClient(settings.database_url)
        bot = _bot(
            settings,
            polos,
            directory,
            token=slack.bot_token,
            api_url=slack.api_url,
            app_token=slack.app_token,
            signing_secret=None,
        )
        await bot.start()
        await bot.connect_socket_mode()
        model = "the offline demo model" if offline else f"{choice.provider}:{choice.model}"
        print(
            f"polos dev: open {slack.url} and mention @polos in #general "
            f"(agents: {', '.join(directory.ids)}; model: {model}; store: {polos.database}). "
            "Ctrl-C to stop.",
            flush=True,
        )
        try:
            await _until_signalled()
        finally:
            await bot.stop()
            await polos.close()
            if offline is not None:
                await offline.stop()
