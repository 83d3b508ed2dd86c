"""One execution of a run: its replay state and the single path every step goes through.

The path is: look up the stored step, check its function name, run it, record it. A step is
recorded before the next one starts, so after a crash only the step in flight runs again.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from agents._errors import (
    LeaseLost,
    NonDeterminismError,
    StepFailedError,
    UserError,
    error_payload,
    rebuild_error,
)
from agents._events import STEP_FAILED, STEP_FINISHED, STEP_STARTED, EventBus, RunEvent
from agents._serialization import dumps, loads
from agents._store import RunRecord, StepRecord, Store


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failing step is tried again before its error is recorded.

    Args:
        attempts: Total tries, the first included.
        backoff: Seconds before the second try.
        multiplier: Each later wait is this many times the previous one.
        max_backoff: The longest wait.
        retry_on: Exception types worth another try (default: any ``Exception``).
    """

    attempts: int = 3
    backoff: float = 0.5
    multiplier: float = 2.0
    max_backoff: float = 30.0
    retry_on: tuple[type[BaseException], ...] = (Exception,)

    def delay(self, failed_attempts: int) -> float:
        """Seconds to wait after ``failed_attempts`` failures."""
        return float(min(self.backoff * self.multiplier ** (failed_attempts - 1), self.max_backoff))


def function_name(fn: Callable[..., Any]) -> str:
    """The name a step is recorded under, checked again on replay."""
    return str(getattr(fn, "__qualname__", None) or type(fn).__qualname__)


async def call(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Await an async function; run a sync one in a thread so it cannot block the loop."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args, **kwargs)
    result = await asyncio.to_thread(fn, *args, **kwargs)
    if inspect.isawaitable(result):
        return await result
    return result


_RECORD_ATTEMPTS = 3


class RunExecution:
    """The state of one execution of a run by one worker."""

    def __init__(
        self,
        *,
        run: RunRecord,
        lease_token: str,
        stored: dict[str, StepRecord],
        store: Store,
        bus: EventBus,
        wake_worker: Callable[[], None],
    ) -> None:
        self.run = run
        self.lease_token = lease_token
        self.store = store
        self.bus = bus
        self.wake_worker = wake_worker
        self._stored = stored
        self._used: set[str] = set()
        # What the run waits for when it unwinds with SuspendRun.
        self.awaited: set[str] = set()
        self.human_waits: set[str] = set()
        self.wake_at: float | None = None

    @property
    def replayed_steps(self) -> int:
        """How many stored steps this execution found when it started."""
        return len(self._stored)

    def publish(
        self, type: str, *, step_key: str | None = None, data: dict[str, Any] | None = None
    ) -> None:
        """Publish an event of this run on the bus."""
        self.bus.publish(
            RunEvent(
                run_id=self.run.id,
                workflow_id=self.run.workflow_id,
                type=type,
                step_key=step_key,
                data=data or {},
                parent_run_id=self.run.parent_run_id,
            )
        )

    def lookup(self, step_key: str, name: str) -> StepRecord | None:
        """The stored step for ``step_key`` (None if it has not run), after checking that
        the key is used once per execution and names the same function as when recorded."""
        if not isinstance(step_key, str) or not step_key:
            raise UserError(f"a step key must be a non-empty string, not {step_key!r}")
        if step_key in self._used:
            raise UserError(
                f"step key {step_key!r} is used twice in run {self.run.id}; every step of a "
                "run needs its own key (add a counter or an id to it)"
            )
        self._used.add(step_key)
        stored = self._stored.get(step_key)
        if stored is not None and stored.function_name != name:
            raise NonDeterminismError(self.run.id, step_key, stored.function_name, name)
        return stored

    def replay(self, stored: StepRecord) -> Any:
        """The stored output of a step, or its stored error raised again."""
        if stored.error is not None:
            raise rebuild_error(
                loads(stored.error),
                missing=lambda type_, message: StepFailedError(stored.step_key, type_, message),
            )
        return loads(stored.output)

    async def run_step(
        self,
        step_key: str,
        name: str,
        thunk: Callable[[], Awaitable[Any]],
        *,
        retry: RetryPolicy | None = None,
    ) -> Any:
        """Replay a stored step, or run ``thunk`` and record its outcome."""
        stored = self.lookup(step_key, name)
        if stored is not None:
            return self.replay(stored)
        return await self.execute(step_key, name, thunk, retry=retry)

    async def execute(
        self,
        step_key: str,
        name: str,
        thunk: Callable[[], Awaitable[Any]],
        *,
        retry: RetryPolicy | None = None,
    ) -> Any:
        """Run a step that has no stored outcome (after :meth:`lookup`) and record it."""
        started = time.time()
        self.publish(STEP_STARTED, step_key=step_key, data={"function": name})
        attempts = 0
        while True:
            attempts += 1
            try:
                value = await thunk()
                break
            except Exception as exc:
                if (
                    retry is not None
                    and attempts < retry.attempts
                    and isinstance(exc, retry.retry_on)
                ):
                    await asyncio.sleep(retry.delay(attempts))
                    continue
                payload = error_payload(exc)
                winner = await self._record(
                    StepRecord(step_key, name, None, dumps(payload), started, time.time(), attempts)
                )
                if winner is not None:
                    return self.replay(winner)
                self.publish(STEP_FAILED, step_key=step_key, data={"error": payload})
                raise
        output = dumps(value, what=f"the output of step {step_key!r}")
        winner = await self._record(
            StepRecord(step_key, name, output, None, started, time.time(), attempts)
        )
        if winner is not None:
            return self.replay(winner)
        self.publish(STEP_FINISHED, step_key=step_key, data={"function": name})
        return value

    async def _record(self, step: StepRecord) -> StepRecord | None:
        """Checkpoint ``step``. Returns None when stored, or the step another executor stored
        first (whose outcome then wins). Raises :class:`LeaseLost` if the run was taken."""
        for attempt in range(_RECORD_ATTEMPTS):
            try:
                stored = await self.store.steps.record(self.run.id, self.lease_token, step)
            except sa.exc.IntegrityError:
                winner = await self.store.steps.get(self.run.id, step.step_key)
                if winner is None:
                    raise
                return winner
            except sa.exc.DBAPIError as exc:
                # A connection the server dropped (a database restart): SQLAlchemy has
                # invalidated it; try again on a fresh one. If the lost attempt did commit,
                # the primary key refuses this one and the stored step wins.
                if exc.connection_invalidated and attempt + 1 < _RECORD_ATTEMPTS:
                    continue
                raise
            if not stored:
                raise LeaseLost(self.run.id)
            return None
        raise AssertionError("unreachable")  # pragma: no cover
