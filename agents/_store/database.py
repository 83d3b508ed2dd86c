"""Opening the database: URL defaults, SQLite settings, schema migrations, clear errors."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from agents._errors import StoreError, UserError
from agents._store.schema import SCHEMA_REVISION

DEFAULT_SQLITE_PATH = Path(".polos") / "polos.db"
SINGLE_STATEMENT = "polos_single_statement"
"""Execution option of :func:`single_statement_engine` connections on SQLite."""
DATABASE_URL_ENV = "POLOS_DATABASE_URL"
_MIGRATION_LOCK_ID = 7_320_411_993  # any constant: serialises migrations across processes


def resolve_database_url(database_url: str | None) -> URL:
    """The URL to use: the argument, else ``POLOS_DATABASE_URL``, else ``.polos/polos.db``."""
    raw = database_url or os.environ.get(DATABASE_URL_ENV)
    if not raw:
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return make_url(f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}")
    try:
        url = make_url(raw)
    except Exception as exc:
        raise UserError(
            f"cannot parse the database URL ({exc}); set {DATABASE_URL_ENV} to e.g. "
            "sqlite+aiosqlite:///path/polos.db or postgresql+asyncpg://user@host/db"
        ) from None
    # Plain "sqlite:///" and "postgresql://" URLs get the async drivers we ship with.
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
    if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise UserError(
            f"unsupported database {url.drivername!r}: use sqlite+aiosqlite:///... or "
            "postgresql+asyncpg://..."
        )
    if url.drivername == "sqlite+aiosqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def describe(url: URL) -> str:
    """The URL for messages and logs, with any password hidden."""
    return url.render_as_string(hide_password=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the driver, emits BEGIN (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL + synchronous=NORMAL survives any process crash; see ARCHITECTURE.md.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(SINGLE_STATEMENT):
            return  # one statement is atomic on its own; BEGIN would only cost round trips
        # Take the write lock up front: a deferred transaction that reads and then writes can
        # fail with SQLITE_BUSY when another process wrote in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: URL) -> AsyncEngine:
    """An async engine tuned for the backend."""
    if url.drivername.startswith("sqlite"):
        # One connection per process: SQLite serialises writers anyway, and queueing in the
        # pool is far cheaper than SQLite's sleeping busy handler. Every use of a connection
        # ends its own transaction, so the pool's extra rollback on check-in is skipped.
        engine = create_async_engine(
            url, pool_size=1, max_overflow=0, pool_timeout=300, pool_reset_on_return=None
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip on every checkout (about half a step's cost). A
    # connection broken by a server restart fails on use, is invalidated by SQLAlchemy,
    # and the step write retries it (see RunExecution._record).
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_timeout=60)


def single_statement_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, in autocommit mode: for operations that are one statement (each
    statement is atomic), it saves the BEGIN and COMMIT round trips of a transaction."""
    if is_postgres(engine):
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine.execution_options(**{SINGLE_STATEMENT: True})


def is_postgres(engine: AsyncEngine) -> bool:
    """Whether the engine talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


@asynccontextmanager
async def translate_errors(url: URL) -> AsyncIterator[None]:
    """Turn "cannot connect" failures into a :class:`StoreError` that says what to check."""
    try:
        yield
    except (OSError, sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(
            f"cannot use the database at {describe(url)}: {reason}. Check that it is running "
            f"and that {DATABASE_URL_ENV} is right."
        ) from exc


async def _current_revision(conn: AsyncConnection) -> str | None:
    def read(sync_conn: sa.Connection) -> str | None:
        if not sa.inspect(sync_conn).has_table("alembic_version"):
            return None
        row = sync_conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])

    return await conn.run_sync(read)


def _upgrade(sync_conn: sa.Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = sync_conn
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> bool:
    """Bring the schema to the head revision; returns whether a migration ran."""
    async with engine.connect() as conn:
        if await _current_revision(conn) == SCHEMA_REVISION:
            return False
    async with engine.begin() as conn:
        if is_postgres(engine):
            await conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})"))
        # Another process may have migrated while we waited for the lock.
        if await _current_revision(conn) == SCHEMA_REVISION:
            return False
        await conn.run_sync(_upgrade)
    return True
