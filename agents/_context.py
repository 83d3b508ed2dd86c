"""``WorkflowContext`` and ``ctx.step``: what a workflow function uses to be durable."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from agents._errors import LeaseLost, SuspendRun
from agents._events import SUSPENDED
from agents._execution import RetryPolicy, RunExecution, call, function_name
from agents._serialization import dumps
from agents._workflow import Invocation

T = TypeVar("T")

INLINE_SLEEP_SECONDS = 1.0
"""Sleeps up to this long keep the run on its worker; longer ones release it until due."""


class Step:
    """Durable operations of a run (``ctx.step``). Each takes a key that names the step
    within the run; a key may be used once per run."""

    def __init__(self, execution: RunExecution, *, prefix: str = "") -> None:
        self._x = execution
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}{key}" if self._prefix else key

    async def run(
        self,
        key: str,
        fn: Callable[..., Any],
        *args: Any,
        retry: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``fn(*args, **kwargs)`` once per run: on replay the stored output is
        returned (or the stored error raised) without calling it.

        Sync functions run in a thread. ``retry`` retries the call before its error is
        recorded (so the keyword ``retry`` is not passed on to ``fn``).

        Example::

            charge = await ctx.step.run("charge", payments.charge, order.id,
                                        retry=RetryPolicy(attempts=5))
        """
        return await self._x.run_step(
            self._key(key), function_name(fn), lambda: call(fn, args, kwargs), retry=retry
        )

    async def _run_named(self, key: str, name: str, thunk: Callable[[], Awaitable[Any]]) -> Any:
        """A step recorded under an explicit function name (the agent loop's tool calls)."""
        return await self._x.run_step(self._key(key), name, thunk)

    async def uuid(self, key: str) -> str:
        """A random UUID (as a string) that stays the same on replay."""
        return str(
            await self._x.run_step(self._key(key), "uuid", lambda: _value(str(uuid.uuid4())))
        )

    async def now(self, key: str) -> datetime:
        """The current UTC time, recorded so replay sees the same instant."""
        value = await self._x.run_step(self._key(key), "now", lambda: _value(datetime.now(UTC)))
        assert isinstance(value, datetime)
        return value

    async def sleep(self, key: str, seconds: float) -> None:
        """Wait ``seconds`` durably: the wake-up time is stored, a crash does not restart
        the wait, and a long wait releases the run from its worker until it is due."""
        x, key = self._x, self._key(key)
        stored = x.lookup(key, "sleep")
        if stored is not None:
            wake_at = float(x.replay(stored))
        else:
            wake_at = time.time() + max(0.0, float(seconds))
            await x.execute(key, "sleep", lambda: _value(wake_at))
        remaining = wake_at - time.time()
        if remaining <= 0:
            return
        if remaining <= INLINE_SLEEP_SECONDS:
            await asyncio.sleep(remaining)
            return
        x.wake_at = wake_at if x.wake_at is None else min(x.wake_at, wake_at)
        raise SuspendRun("sleeping", key)

    async def suspend(
        self, key: str, data: Any = None, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Stop the run until someone answers with ``client.resume(run_id, key, data)``.

        Returns ``{"data": <the answer>, "by": <who answered>}`` when the run continues.
        With ``timeout`` (seconds) an unanswered suspension expires and returns
        ``{"data": None, "by": None, "expired": True}``.
        """
        x, key = self._x, self._key(key)
        stored = x.lookup(key, "suspend")
        if stored is not None:
            answer = x.replay(stored)
            assert isinstance(answer, dict)
            return answer
        suspension = await x.store.suspensions.create(
            x.run.id,
            key,
            lease_token=x.lease_token,
            data=dumps(data, what=f"the data of suspension {key!r}"),
            expires_at=time.time() + timeout if timeout is not None else None,
        )
        if suspension is None:
            raise LeaseLost(x.run.id)
        x.publish(SUSPENDED, step_key=key, data={"data": data, "nonce": suspension.nonce})
        x.awaited.add(key)
        x.human_waits.add(key)
        raise SuspendRun("waiting for a resume", key)

    async def invoke(self, key: str, invocation: Invocation[Any]) -> str:
        """Start a child run without waiting for it; returns its run id (same on replay)."""
        x, key = self._x, self._key(key)
        run_id = await x.run_step(
            key, f"start:{invocation.workflow.id}", lambda: self._start_child(key, invocation)
        )
        return str(run_id)

    async def invoke_and_wait(self, key: str, invocation: Invocation[T]) -> T:
        """Run a child workflow and return its result (or raise its error).

        The parent is released while the child runs, so a waiting parent holds no worker.
        """
        x, key = self._x, self._key(key)
        stored = x.lookup(key, f"workflow:{invocation.workflow.id}")
        if stored is not None:
            result: T = invocation.workflow.decode_result(x.replay(stored))
            return result
        await self._start_child(key, invocation)
        x.awaited.add(key)
        raise SuspendRun("waiting for a child run", key)

    async def agent_invoke_and_wait(self, key: str, invocation: Invocation[T]) -> T:
        """Run an agent (``agent.with_input(...)``) as a child run and return its result."""
        return await self.invoke_and_wait(key, invocation)

    async def _start_child(self, key: str, invocation: Invocation[Any]) -> str:
        x = self._x
        workflow = invocation.workflow
        child_input = workflow.validate_input(invocation.input)
        child, created = await x.store.runs.insert(
            workflow_id=workflow.id,
            input_text=dumps(child_input, what=f"the input of child run {key!r}"),
            idempotency_key=f"{x.run.id}:{key}",
            concurrency_key=invocation.concurrency_key,
            parent_run_id=x.run.id,
            parent_step_key=key,
            metadata=invocation.metadata if invocation.metadata is not None else x.run.run_metadata,
            timeout=invocation.timeout if invocation.timeout is not None else workflow.timeout,
        )
        if created:
            x.wake_worker()
        return child.id


async def _value(value: T) -> T:
    return value


class WorkflowContext:
    """What a workflow function receives as ``ctx``: the run's identity and ``ctx.step``."""

    def __init__(self, execution: RunExecution, *, prefix: str = "") -> None:
        self._x = execution
        self._prefix = prefix
        self.step = Step(execution, prefix=prefix)

    def scoped(self, prefix: str) -> WorkflowContext:
        """A context whose step keys all start with ``prefix`` (tools get one per call,
        so the steps they run cannot collide with other calls' steps)."""
        return WorkflowContext(self._x, prefix=f"{self._prefix}{prefix}")

    @property
    def run_id(self) -> str:
        """The id of the run being executed."""
        return self._x.run.id

    @property
    def workflow_id(self) -> str:
        """The id of the workflow being executed."""
        return self._x.run.workflow_id

    @property
    def parent_run_id(self) -> str | None:
        """The run that started this one as a child, if any."""
        return self._x.run.parent_run_id

    @property
    def metadata(self) -> dict[str, Any]:
        """The metadata given when the run was started."""
        return dict(self._x.run.run_metadata or {})

    def idempotency_key(self, step_key: str) -> str:
        """A key for outside APIs that is the same every time step ``step_key`` of this run
        is attempted (``run_id:step_key``), so a retried call can be deduplicated there."""
        return f"{self._x.run.id}:{self._prefix}{step_key}"

    def emit(self, type: str, data: dict[str, Any] | None = None) -> None:
        """Publish a custom event of this run to in-process subscribers (not stored)."""
        self._x.publish(type, data=data)
