"""Delivery of events, interactions and slash commands to the app, with Slack's retries.

Two transports implement :class:`Transport`: Socket Mode (``_socket_mode.py``) and signed
HTTP requests (``_http_delivery.py``). The dispatcher records every attempt so tests can see
what the app received and how it answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ._ids import IdFactory

Json = dict[str, Any]
Kind = Literal["events_api", "interactive", "slash_commands"]
logger = logging.getLogger(__name__)


@dataclass
class Attempt:
    """One try to hand a delivery to the app."""

    retry_num: int
    outcome: Literal["acked", "timeout", "http_error", "rejected", "no_connection"]
    status: int | None = None


@dataclass
class Delivery:
    """One payload sent to the app, with every attempt and the app's answer."""

    kind: Kind
    payload: Json
    envelope_id: str
    attempts: list[Attempt] = field(default_factory=list)
    acked: bool = False
    response: Json | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def event_type(self) -> str | None:
        """The inner event type of an Events API delivery (e.g. ``app_mention``)."""
        event = self.payload.get("event")
        return str(event.get("type")) if isinstance(event, dict) else None


@dataclass
class AttemptResult:
    """What a transport saw on one attempt."""

    outcome: Literal["acked", "timeout", "http_error", "rejected", "no_connection"]
    status: int | None = None
    response: Json | None = None


class Transport(Protocol):
    """One way of reaching the app."""

    async def attempt(self, delivery: Delivery, retry_num: int, timeout: float) -> AttemptResult:
        """Try once; wait at most ``timeout`` seconds for the app's acknowledgement."""
        ...


class Dispatcher:
    """Sends deliveries in the background and retries Events API deliveries as Slack does."""

    def __init__(self, *, ack_timeout: float, max_retries: int) -> None:
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self.transport: Transport | None = None
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, kind: Kind, payload: Json) -> Delivery:
        """Queue ``payload`` for the app; returns at once."""
        delivery = Delivery(kind, payload, IdFactory.envelope_id())
        self.deliveries.append(delivery)
        self.spawn(self._run(delivery))
        return delivery

    def spawn(self, work: Coroutine[object, object, None]) -> None:
        """Run ``work`` in the background; :meth:`close` cancels it."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, delivery: Delivery) -> None:
        # Slack retries only Events API deliveries; interactions and commands fail visibly.
        retries = self.max_retries if delivery.kind == "events_api" else 0
        try:
            for retry_num in range(retries + 1):
                if self.transport is None:
                    delivery.attempts.append(Attempt(retry_num, "no_connection"))
                    await asyncio.sleep(self.ack_timeout)
                    continue
                result = await self.transport.attempt(delivery, retry_num, self.ack_timeout)
                delivery.attempts.append(Attempt(retry_num, result.outcome, result.status))
                if result.outcome == "acked":
                    delivery.acked = True
                    delivery.response = result.response
                    return
                if result.outcome == "rejected":
                    return
        except Exception:
            logger.exception("delivery %s failed", delivery.envelope_id)
        finally:
            delivery.done.set()

    async def close(self) -> None:
        """Cancel deliveries still under way."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
