"""The worker: claims runs with a lease, executes them, renews leases, recovers dead runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from typing import Any

from agents._context import WorkflowContext
from agents._errors import (
    LeaseLost,
    PolosError,
    RunCancelledError,
    RunTimeoutError,
    SuspendRun,
    UnknownWorkflowError,
    error_payload,
)
from agents._events import (
    RUN_CANCELLED,
    RUN_FAILED,
    RUN_STARTED,
    RUN_SUCCEEDED,
    EventBus,
    RunEvent,
)
from agents._execution import RunExecution
from agents._serialization import dumps, loads
from agents._store import RunRecord, Store
from agents._workflow import get_workflow, registered_workflow_ids

log = logging.getLogger("polos.worker")

WORKER_ID_ENV = "POLOS_WORKER_ID"
_SWEEP_EVERY = 5.0


def default_worker_id(*, embedded_sqlite: bool) -> str:
    """``POLOS_WORKER_ID``; else ``local`` for an SQLite file (one machine, so a restarted
    process takes its runs back at once); else a unique id (runs of a dead worker are taken
    over when its lease expires)."""
    configured = os.environ.get(WORKER_ID_ENV)
    if configured:
        return configured
    if embedded_sqlite:
        return "local"
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Worker:
    """Executes queued runs of the workflows registered in this process.

    Args:
        store: The database.
        bus: Where run events are published.
        worker_id: Stable across restarts to take back the runs of a previous life at start.
        concurrency: Runs executed at once.
        lease_seconds: A run whose lease is not renewed for this long is taken over.
        poll_interval: Seconds between looks at the queue when nothing wakes the worker.
    """

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        *,
        worker_id: str,
        concurrency: int = 100,
        lease_seconds: float = 15.0,
        poll_interval: float = 0.5,
    ) -> None:
        self.store = store
        self.bus = bus
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.heartbeat_interval = min(1.0, lease_seconds / 3)
        self._executing: dict[str, tuple[asyncio.Task[None], str]] = {}
        self._stopped_runs: set[str] = set()
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    @property
    def executing(self) -> list[str]:
        """Ids of the runs this worker is executing now."""
        return list(self._executing)

    async def start(self) -> None:
        """Take back this worker id's runs, then start claiming."""
        reclaimed = await self.store.runs.reclaim_own(
            worker_id=self.worker_id, limit=10_000, lease_seconds=self.lease_seconds
        )
        for run in reclaimed:
            log.info("recovering run %s (%s) after a restart", run.id, run.workflow_id)
            self._spawn(run)
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="polos-claim"),
            asyncio.create_task(self._heartbeat_loop(), name="polos-heartbeat"),
        ]

    async def stop(self) -> None:
        """Stop claiming and abandon the runs in flight; their leases stay with this worker
        id (taken back at its next start) or expire for other workers."""
        self._closing = True
        tasks = self._tasks + [task for task, _ in self._executing.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []

    def wake(self) -> None:
        """Look at the queue now (a run was queued in this process)."""
        self._wakeup.set()

    def stop_run(self, run_id: str) -> None:
        """Stop executing ``run_id`` at once (it was cancelled or taken over)."""
        entry = self._executing.get(run_id)
        if entry is not None:
            self._stopped_runs.add(run_id)
            entry[0].cancel()

    # -- loops ----------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        next_recovery = 0.0
        while not self._closing:
            self._wakeup.clear()
            try:
                free = self.concurrency - len(self._executing)
                if free > 0 and time.monotonic() >= next_recovery:
                    next_recovery = time.monotonic() + self.heartbeat_interval
                    for run in await self.store.runs.reclaim_expired(
                        worker_id=self.worker_id, limit=free, lease_seconds=self.lease_seconds
                    ):
                        log.warning("taking over run %s: its worker's lease expired", run.id)
                        self._spawn(run)
                    free = self.concurrency - len(self._executing)
                if free > 0:
                    claimed = await self.store.runs.claim_queued(
                        worker_id=self.worker_id, limit=free, lease_seconds=self.lease_seconds
                    )
                    for run in claimed:
                        self._spawn(run)
                    if claimed and len(claimed) == free:
                        continue
            except Exception:
                log.exception("worker %s could not claim runs; retrying", self.worker_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)

    async def _heartbeat_loop(self) -> None:
        next_sweep = 0.0
        while not self._closing:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                await self._renew()
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + _SWEEP_EVERY
                    await self._sweep()
            except Exception:
                log.exception("worker %s heartbeat failed; retrying", self.worker_id)

    async def _renew(self) -> None:
        held = {run_id: token for run_id, (_, token) in self._executing.items()}
        if not held:
            return
        still_held = await self.store.runs.renew_leases(
            worker_id=self.worker_id, run_ids=list(held), lease_seconds=self.lease_seconds
        )
        for run_id, token in held.items():
            if still_held.get(run_id) != token and run_id in self._executing:
                log.info("run %s was cancelled or taken over; stopping it here", run_id)
                self.stop_run(run_id)

    async def _sweep(self) -> None:
        """Fail runs past their deadline and expire overdue suspensions (any worker may)."""
        for run in await self.store.runs.past_deadline():
            await self._finish(run, None, error=RunTimeoutError(run.id, run.timeout_seconds))
        for suspension in await self.store.suspensions.expired():
            answer = dumps({"data": None, "by": None, "expired": True})
            if await self.store.suspensions.resolve(
                suspension.run_id, suspension.step_key, answer=answer, by=None, status="expired"
            ):
                self.wake()

    # -- executing one run ----------------------------------------------------------------

    def _spawn(self, run: RunRecord) -> None:
        assert run.lease_token is not None
        task = asyncio.create_task(self._execute(run), name=f"polos-run-{run.id}")
        self._executing[run.id] = (task, run.lease_token)
        task.add_done_callback(lambda _task: self._forget(run.id, task))

    def _forget(self, run_id: str, task: asyncio.Task[None]) -> None:
        entry = self._executing.get(run_id)
        if entry is not None and entry[0] is task:
            del self._executing[run_id]
        self._stopped_runs.discard(run_id)
        self._wakeup.set()

    async def _execute(self, run: RunRecord) -> None:
        assert run.lease_token is not None
        try:
            await self._execute_leased(run, run.lease_token)
        except asyncio.CancelledError:
            if run.id not in self._stopped_runs:
                raise  # the worker is shutting down: the lease keeps the run for later
        except LeaseLost:
            log.info("run %s: lease lost; another executor owns it now", run.id)
        except Exception:
            log.exception("run %s: could not record its outcome", run.id)

    async def _execute_leased(self, run: RunRecord, token: str) -> None:
        workflow = get_workflow(run.workflow_id)
        if workflow is None:
            known = ", ".join(registered_workflow_ids()) or "none"
            unknown = UnknownWorkflowError(
                f"no workflow {run.workflow_id!r} is registered in worker {self.worker_id} "
                f"(registered: {known}). Import the module that defines it in the worker "
                "(polos worker MODULE)."
            )
            await self._finish(run, token, error=unknown)
            return
        if run.recovery_attempts > workflow.max_recovery_attempts:
            error = PolosError(
                f"run {run.id} was recovered {run.recovery_attempts - 1} times after its "
                f"worker died and is not tried again (max_recovery_attempts="
                f"{workflow.max_recovery_attempts}). Look for what kills the worker."
            )
            await self._finish(run, token, error=error)
            return
        if run.deadline_at is not None and run.deadline_at <= time.time():
            await self._finish(run, token, error=RunTimeoutError(run.id, run.timeout_seconds))
            return
        stored = await self.store.steps.load(run.id)
        execution = RunExecution(
            run=run,
            lease_token=token,
            stored=stored,
            store=self.store,
            bus=self.bus,
            wake_worker=self.wake,
        )
        execution.publish(RUN_STARTED, data={"replayed_steps": len(stored)})
        ctx = WorkflowContext(execution)
        try:
            async with asyncio.timeout(_remaining(run)) as deadline:
                result = await workflow.execute(ctx, loads(run.input))
        except SuspendRun:
            await self._park(execution)
            return
        except TimeoutError as exc:
            if deadline.expired():
                await self._finish(run, token, error=RunTimeoutError(run.id, run.timeout_seconds))
                return
            await self._finish(run, token, error=exc)
            return
        except Exception as exc:
            await self._finish(run, token, error=exc)
            return
        try:
            output = dumps(result, what=f"the result of workflow {run.workflow_id!r}")
        except PolosError as exc:
            await self._finish(run, token, error=exc)
            return
        await self._finish(run, token, output=output, result=result)

    async def _park(self, execution: RunExecution) -> None:
        status = await self.store.runs.park(
            execution.run.id,
            execution.lease_token,
            awaited=execution.awaited,
            human=execution.human_waits,
            wake_at=execution.wake_at,
        )
        if status == "queued":
            delay = (execution.wake_at or 0) - time.time()
            if delay > 0:
                asyncio.get_running_loop().call_later(delay, self.wake)
            else:
                self.wake()

    async def _finish(
        self,
        run: RunRecord,
        token: str | None,
        *,
        output: str | None = None,
        result: Any = None,
        error: BaseException | None = None,
    ) -> None:
        if error is None:
            status, event, data = "succeeded", RUN_SUCCEEDED, {"result": result}
            error_text = None
        else:
            payload = error_payload(error)
            status = "cancelled" if isinstance(error, RunCancelledError) else "failed"
            event = RUN_CANCELLED if status == "cancelled" else RUN_FAILED
            data, error_text = {"error": payload}, dumps(payload)
        ended = await self.store.runs.complete(
            run.id, status=status, lease_token=token, output=output, error=error_text
        )
        if ended is None:
            return
        self.bus.publish(
            RunEvent(
                run_id=run.id,
                workflow_id=run.workflow_id,
                type=event,
                data=data,
                parent_run_id=run.parent_run_id,
            )
        )
        if ended.parent_run_id is not None:
            self.wake()


def _remaining(run: RunRecord) -> float | None:
    if run.deadline_at is None:
        return None
    return max(0.0, run.deadline_at - time.time())
