"""Conversation memory: messages stored once each, read back up to a bound."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from agents._store._sql import insert_ignore, now
from agents._store.database import single_statement_engine
from agents._store.schema import messages


class MessageStore:
    """Reads and writes ``polos_messages``. Bodies are JSON text; roles are kept apart so
    the history can be filtered without decoding."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._single = single_statement_engine(engine)

    async def last_seq(self, conversation_id: str) -> int:
        """The newest message's ``seq`` in the conversation (0 when it has none)."""
        async with self._single.connect() as conn:
            value = await conn.scalar(
                sa.select(sa.func.max(messages.c.seq)).where(
                    messages.c.conversation_id == conversation_id
                )
            )
            return int(value or 0)

    async def load(self, conversation_id: str, *, up_to: int) -> list[str]:
        """The bodies of the conversation's messages with ``seq <= up_to``, oldest first."""
        async with self._single.connect() as conn:
            result = await conn.scalars(
                sa.select(messages.c.body)
                .where(messages.c.conversation_id == conversation_id, messages.c.seq <= up_to)
                .order_by(messages.c.seq)
            )
            return list(result)

    async def append(
        self, conversation_id: str, run_id: str, bodies: Sequence[tuple[str, str]]
    ) -> int:
        """Store a run's messages (``(role, body)`` pairs) in order; storing the same run's
        messages again adds nothing. Returns how many were added."""
        if not bodies:
            return 0
        at = now()
        rows = [
            {
                "conversation_id": conversation_id,
                "run_id": run_id,
                "position": position,
                "role": role,
                "body": body,
                "created_at": at,
            }
            for position, (role, body) in enumerate(bodies)
        ]
        async with self._engine.begin() as conn:
            result = await conn.execute(insert_ignore(conn.dialect.name, messages), rows)
            return max(0, result.rowcount)
