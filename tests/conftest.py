"""Shared fixtures: real SQLite files, real PostgreSQL databases, a real Docker daemon.

Tests that need PostgreSQL or Docker skip when they are missing on a developer's machine and
fail when ``CI`` is set, so CI can never go green by skipping them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

# Fixture modules shared by several test files (the sandbox test image, the bot harness).
pytest_plugins = ["sandbox_image", "bot_harness"]

IN_CI = bool(os.environ.get("CI"))
POSTGRES_HOST = os.environ.get("POLOS_TEST_PG_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("POLOS_TEST_PG_PORT", "5432"))


def require(available: bool, what: str) -> None:
    """Skip the test when ``what`` is missing, or fail it when running in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    return _port_open(POSTGRES_HOST, POSTGRES_PORT)


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=5).ping()
        return True
    except Exception:
        return False


@pytest.fixture
def require_docker() -> None:
    """Use in tests that need a Docker daemon."""
    require(docker_available(), "a Docker daemon")


@pytest.fixture
def require_postgres() -> None:
    """Use in tests that need the PostgreSQL server."""
    require(postgres_available(), f"PostgreSQL on {POSTGRES_HOST}:{POSTGRES_PORT}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'polos.db'}"


@pytest.fixture
async def postgres_url(require_postgres: None) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import asyncpg

    name = f"polos_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user="postgres", database="postgres"
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield f"postgresql+asyncpg://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    admin = await asyncpg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user="postgres", database="postgres"
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Parametrises a test over both database backends."""
    yield request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """A fresh database URL for the backend under test."""
    if backend == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[Any]:
    """A PolosClient with an embedded worker on a fresh database (both backends)."""
    from agents import PolosClient

    polos = PolosClient(database_url, poll_interval=0.05, lease_seconds=5)
    await polos.migrate()
    yield polos
    await polos.close()


@pytest.fixture
async def llm(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """The local LLM test server, with both SDKs pointed at it through their environment
    variables (so agents built as on the seed page talk to it unchanged)."""
    from agents.testing import LLMServer

    async with LLMServer(api_key="test-key") as server:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base_url)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.anthropic_base_url)
        yield server


@pytest.fixture
async def slack() -> AsyncIterator[Any]:
    """A fresh local Slack workspace (the emulator), its Web API at ``slack.api_url``."""
    from bot.emulator import SlackEmulator

    async with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(params=["openai", "anthropic"])
def provider(request: pytest.FixtureRequest) -> str:
    """Parametrises a test over both providers' wire formats."""
    return str(request.param)


@pytest.fixture
async def sqlite_client(sqlite_url: str) -> AsyncIterator[Any]:
    """A PolosClient on a fresh SQLite file (agent tests need one backend only)."""
    from agents import PolosClient

    polos = PolosClient(sqlite_url, poll_interval=0.05, lease_seconds=5)
    await polos.migrate()
    yield polos
    await polos.close()
