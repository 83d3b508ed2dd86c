"""The in-process event bus on which the executing worker publishes run events.

Events are not stored: a subscriber sees what happens while it listens, in the process that
executes the run. What is durable is each completed step.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import Any, Final

RUN_STARTED: Final = "run_started"
STEP_STARTED: Final = "step_started"
STEP_FINISHED: Final = "step_finished"
STEP_FAILED: Final = "step_failed"
SUSPENDED: Final = "suspended"
RESUMED: Final = "resumed"
RUN_SUCCEEDED: Final = "run_succeeded"
RUN_FAILED: Final = "run_failed"
RUN_CANCELLED: Final = "run_cancelled"
RUN_ENDED: Final = frozenset({RUN_SUCCEEDED, RUN_FAILED, RUN_CANCELLED})


@dataclass(frozen=True, slots=True)
class RunEvent:
    """Something that happened in a run. ``type`` is one of the constants above or a custom
    type published with ``ctx.emit`` (the agent layer streams text this way)."""

    run_id: str
    workflow_id: str
    type: str
    step_key: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    parent_run_id: str | None = None
    at: float = field(default_factory=time.time)


class Subscription:
    """An async iterator over the events one subscriber asked for. Close it when done (or use
    it as an async context manager)."""

    def __init__(self, bus: EventBus, run_id: str | None, types: Collection[str] | None) -> None:
        self._bus = bus
        self.run_id = run_id
        self.types = frozenset(types) if types is not None else None
        self._queue: asyncio.Queue[RunEvent] = asyncio.Queue()

    def _offer(self, event: RunEvent) -> None:
        if self.types is None or event.type in self.types:
            self._queue.put_nowait(event)

    async def get(self, timeout: float | None = None) -> RunEvent | None:
        """The next event, or None if none arrives within ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    def __aiter__(self) -> AsyncIterator[RunEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[RunEvent]:
        while True:
            yield await self._queue.get()

    def close(self) -> None:
        """Stop receiving events."""
        self._bus._remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.close()


class EventBus:
    """Fan-out of run events to subscribers in this process. Publishing never blocks."""

    def __init__(self) -> None:
        self._by_run: dict[str, set[Subscription]] = {}
        self._everything: set[Subscription] = set()

    def subscribe(
        self, run_id: str | None = None, *, types: Collection[str] | None = None
    ) -> Subscription:
        """Events of one run (or of every run), optionally only of some types."""
        subscription = Subscription(self, run_id, types)
        if run_id is None:
            self._everything.add(subscription)
        else:
            self._by_run.setdefault(run_id, set()).add(subscription)
        return subscription

    def publish(self, event: RunEvent) -> None:
        """Hand ``event`` to every interested subscriber."""
        for subscription in self._everything:
            subscription._offer(event)
        for subscription in self._by_run.get(event.run_id, ()):
            subscription._offer(event)

    def _remove(self, subscription: Subscription) -> None:
        if subscription.run_id is None:
            self._everything.discard(subscription)
            return
        subscribers = self._by_run.get(subscription.run_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._by_run[subscription.run_id]
