"""Alembic environment: migrations run on a connection handed over by ``database.migrate``
(or, for ``alembic revision --autogenerate`` during development, on ``sqlalchemy.url``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from agents._store.schema import metadata

connection = context.config.attributes.get("connection")


def _run(conn: sa.Connection) -> None:
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=conn.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("set sqlalchemy.url (a synchronous URL) to run Alembic directly")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _run(conn)
