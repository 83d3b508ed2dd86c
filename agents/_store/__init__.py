"""The store: all SQL of the engine lives under this package."""

from __future__ import annotations

from sqlalchemy.engine import URL

from agents._store.database import create_engine, describe, migrate, translate_errors
from agents._store.grants import GrantStore
from agents._store.messages import MessageStore
from agents._store.records import RunRecord, StepRecord, SuspensionRecord
from agents._store.runs import RunStore
from agents._store.steps import StepStore
from agents._store.suspensions import SuspensionStore

__all__ = ["RunRecord", "StepRecord", "Store", "SuspensionRecord"]


class Store:
    """The database of one client: an engine and one store per entity."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.runs = RunStore(self.engine)
        self.steps = StepStore(self.engine)
        self.suspensions = SuspensionStore(self.engine)
        self.messages = MessageStore(self.engine)
        self.grants = GrantStore(self.engine)

    @property
    def description(self) -> str:
        """The database URL with any password hidden."""
        return describe(self.url)

    async def migrate(self) -> bool:
        """Create or upgrade the schema; a clear :class:`StoreError` if unreachable."""
        async with translate_errors(self.url):
            return await migrate(self.engine)

    async def close(self) -> None:
        """Close every connection."""
        await self.engine.dispose()
