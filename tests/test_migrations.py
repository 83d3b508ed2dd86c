"""The schema is created and upgraded through Alembic, and matches the schema module."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from agents import PolosClient
from agents._store import Store
from agents._store.database import resolve_database_url
from agents._store.schema import SCHEMA_REVISION, metadata

MIGRATIONS = Path(__file__).parent.parent / "agents" / "_store" / "migrations"


def test_the_schema_revision_constant_is_the_alembic_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_REVISION]


async def test_migrated_database_matches_the_schema_module(database_url: str) -> None:
    store = Store(resolve_database_url(database_url))
    try:
        assert await store.migrate() is True
        assert await store.migrate() is False  # already at head: nothing to do

        def differences(conn: sa.Connection) -> list[object]:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))

        async with store.engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await store.close()


async def test_concurrent_first_uses_migrate_once_without_errors(database_url: str) -> None:
    clients = [PolosClient(database_url, worker=False) for _ in range(4)]
    try:
        await asyncio.gather(*(client.migrate() for client in clients))
        assert await clients[0].list_runs() == []
    finally:
        for client in clients:
            await client.close()


def test_polos_migrate_creates_the_schema_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    command = [sys.executable, "-m", "bot.cli", "--database-url", url, "migrate"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert first.returncode == 0, first.stderr
    assert "schema is up to date" in first.stdout
    tables = sa.inspect(sa.create_engine(f"sqlite:///{tmp_path / 'cli.db'}")).get_table_names()
    assert {"polos_runs", "polos_steps", "polos_suspensions", "alembic_version"} <= set(tables)


def test_the_default_database_is_an_sqlite_file_in_dot_polos(
    tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLOS_DATABASE_URL", raising=False)
    url = resolve_database_url(None)
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(Path(".polos") / "polos.db")
    assert (tmp_path / ".polos").is_dir()
