"""``PolosClient``: the entry point. Starts, resumes, cancels and inspects runs; owns the
database connection, the event bus and (by default) an embedded worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from agents._errors import (
    RunCancelledError,
    RunFailedError,
    UserError,
    error_payload,
    rebuild_error,
)
from agents._events import RESUMED, RUN_ENDED, EventBus, RunEvent
from agents._info import RunInfo, StepInfo, SuspensionInfo
from agents._serialization import dumps
from agents._store import Store
from agents._store.database import resolve_database_url
from agents._worker import Worker, default_worker_id
from agents._workflow import Workflow

T = TypeVar("T")

_RESULT_POLL_SECONDS = 0.5


class RunHandle(Generic[T]):
    """A started run: wait for its result, look at it, or cancel it."""

    def __init__(self, client: PolosClient, run_id: str) -> None:
        self.client = client
        self.run_id = run_id

    async def result(self, *, timeout: float | None = None) -> T:
        """Wait until the run ends; return its result or raise its error.

        A failed run raises the workflow's exception, rebuilt from the store (or
        :class:`RunFailedError` when its class cannot be imported); a cancelled run raises
        :class:`RunCancelledError`; a run past its deadline :class:`RunTimeoutError`.
        ``timeout`` bounds the wait only (``TimeoutError``); the run goes on.
        """
        async with asyncio.timeout(timeout):
            return await self._wait()

    async def _wait(self) -> T:
        bus = await self.client._ensure_ready()
        with bus.subscribe(self.run_id, types=RUN_ENDED) as ended:
            while True:
                try:
                    run = await self.client.get_run(self.run_id)
                except sa.exc.DBAPIError as exc:
                    if not exc.connection_invalidated:
                        raise
                    continue  # the server dropped the connection; the pool has a new one
                if run is None:
                    raise UserError(f"no run {self.run_id} in {self.client.database}")
                if run.done:
                    return self._outcome(run)
                await ended.get(timeout=_RESULT_POLL_SECONDS)

    def _outcome(self, run: RunInfo) -> T:
        if run.status == "succeeded":
            value: T = run.output
            return value
        if run.status == "cancelled":
            raise RunCancelledError(run.id)
        raise rebuild_error(
            run.error or {}, missing=lambda type_, message: RunFailedError(run.id, type_, message)
        )

    async def info(self) -> RunInfo:
        """The run as stored now."""
        run = await self.client.get_run(self.run_id)
        if run is None:
            raise UserError(f"no run {self.run_id} in {self.client.database}")
        return run

    async def cancel(self) -> bool:
        """Cancel the run (see :meth:`PolosClient.cancel`)."""
        return await self.client.cancel(self.run_id)

    def __repr__(self) -> str:
        return f"<RunHandle {self.run_id}>"


class PolosClient:
    """Connects to the store and runs workflows.

    Args:
        database_url: SQLAlchemy URL; default ``POLOS_DATABASE_URL``, else the SQLite file
            ``.polos/polos.db`` in the working directory. The schema is created or upgraded
            on first use.
        worker: Run an embedded worker in this process (default). Turn it off in processes
            that only start or inspect runs while ``polos worker`` processes execute them.
        worker_id: See :func:`agents._worker.default_worker_id`.
        concurrency: Runs the embedded worker executes at once.
        lease_seconds: How long a silent worker keeps its runs before others take them.
        poll_interval: How often the worker looks for runs queued by other processes.

    Example::

        async with PolosClient() as client:
            print(await my_workflow.run(client, MyInput(x=1)))
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        worker: bool = True,
        worker_id: str | None = None,
        concurrency: int = 100,
        lease_seconds: float = 15.0,
        poll_interval: float = 0.5,
    ) -> None:
        self._url = resolve_database_url(database_url)
        self._worker_enabled = worker
        self._worker_id = worker_id
        self._worker_options: dict[str, Any] = {
            "concurrency": concurrency,
            "lease_seconds": lease_seconds,
            "poll_interval": poll_interval,
        }
        self._store: Store | None = None
        self._bus = EventBus()
        self._worker: Worker | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: asyncio.Task[None] | None = None
        self._ready_lock: asyncio.Lock | None = None

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def database(self) -> str:
        """The database URL, password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def events(self) -> EventBus:
        """The bus on which runs executed in this process publish their events."""
        return self._bus

    @property
    def worker(self) -> Worker | None:
        """The embedded worker, once started."""
        return self._worker

    async def _ensure_ready(self) -> EventBus:
        await self._ready()
        return self._bus

    async def _ready(self) -> Store:
        loop = asyncio.get_running_loop()
        if self._store is not None and self._loop is loop:
            return self._store
        if self._loop is not loop:
            # A new event loop (asyncio.run called again): what belonged to the old one is
            # unusable, so start afresh.
            self._store, self._worker, self._guard = None, None, None
            self._ready_lock = asyncio.Lock()
            self._loop = loop
        assert self._ready_lock is not None
        async with self._ready_lock:
            if self._store is not None:
                return self._store
            store = Store(self._url)
            try:
                await store.migrate()
            except BaseException:
                await store.close()
                raise
            if self._worker_enabled:
                worker = Worker(
                    store,
                    self._bus,
                    worker_id=self._worker_id
                    or default_worker_id(embedded_sqlite=self._url.drivername.startswith("sqlite")),
                    **self._worker_options,
                )
                await worker.start()
                self._worker = worker
            self._store = store
            # Cleans up when the loop shuts down even if close() is never called (as in a
            # script that ends with asyncio.run): the loop cancels this task on its way out.
            self._guard = asyncio.create_task(self._close_at_shutdown(), name="polos-client")
            return store

    async def _close_at_shutdown(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        worker, store = self._worker, self._store
        self._worker, self._store = None, None
        if worker is not None:
            await worker.stop()
        if store is not None:
            await store.close()

    async def close(self) -> None:
        """Stop the embedded worker and close the database connections."""
        guard, self._guard = self._guard, None
        if guard is not None and not guard.done():
            guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await guard
        await self._shutdown()

    async def __aenter__(self) -> PolosClient:
        await self._ready()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def migrate(self) -> None:
        """Create or upgrade the schema now (it also happens on first use)."""
        await self._ready()

    # -- runs -------------------------------------------------------------------------------

    async def start(
        self,
        workflow: Workflow[Any, T],
        input: Any = None,
        *,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        concurrency_key: str | None = None,
        timeout: float | None = None,
    ) -> RunHandle[T]:
        """Queue a run of ``workflow`` (see :meth:`Workflow.start`)."""
        if not isinstance(workflow, Workflow):
            raise UserError(f"start() needs a @workflow, not {type(workflow).__name__}")
        value = workflow.validate_input(input)
        store = await self._ready()
        run, created = await store.runs.insert(
            workflow_id=workflow.id,
            input_text=dumps(value, what=f"the input of workflow {workflow.id!r}"),
            idempotency_key=idempotency_key,
            concurrency_key=concurrency_key,
            metadata=metadata,
            timeout=timeout if timeout is not None else workflow.timeout,
        )
        if not created and run.workflow_id != workflow.id:
            raise UserError(
                f"idempotency key {idempotency_key!r} already started a run of workflow "
                f"{run.workflow_id!r}, not {workflow.id!r}"
            )
        if created and self._worker is not None:
            self._worker.wake()
        return RunHandle(self, run.id)

    def handle(self, run_id: str) -> RunHandle[Any]:
        """A handle on an existing run."""
        return RunHandle(self, run_id)

    async def resume(
        self,
        run_id: str,
        step_key: str,
        data: Any = None,
        *,
        by: str | None = None,
        nonce: str | None = None,
    ) -> bool:
        """Answer the suspension of ``run_id`` at ``step_key``; ``ctx.step.suspend`` then
        returns ``{"data": data, "by": by}``. Only the first answer counts: a second one (or
        one with a wrong ``nonce``) returns False and changes nothing."""
        store = await self._ready()
        answer = dumps({"data": data, "by": by}, what="the resume data")
        resolved = await store.suspensions.resolve(
            run_id, step_key, answer=answer, by=by, nonce=nonce
        )
        if resolved:
            run = await store.runs.get(run_id)
            self._bus.publish(
                RunEvent(
                    run_id=run_id,
                    workflow_id=run.workflow_id if run else "",
                    type=RESUMED,
                    step_key=step_key,
                    data={"by": by},
                )
            )
            if self._worker is not None:
                self._worker.wake()
        return resolved

    async def cancel(self, run_id: str) -> bool:
        """Cancel a run that has not ended, and its child runs. The worker executing it
        stops it within about a second. Returns whether this call cancelled it."""
        store = await self._ready()
        error = dumps(error_payload(RunCancelledError(run_id)))
        ended = await store.runs.complete(run_id, status="cancelled", lease_token=None, error=error)
        for child_id in await store.runs.active_children(run_id):
            await self.cancel(child_id)
        if ended is None:
            return False
        if self._worker is not None:
            self._worker.stop_run(run_id)
            if ended.parent_run_id is not None:
                self._worker.wake()
        self._bus.publish(
            RunEvent(
                run_id=run_id,
                workflow_id=ended.workflow_id,
                type="run_cancelled",
                parent_run_id=ended.parent_run_id,
            )
        )
        return True

    async def update_run_metadata(self, run_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        """Merge ``patch`` into a run's metadata (e.g. where its answer is shown) and return
        the result. The running workflow keeps the metadata it started with."""
        store = await self._ready()
        merged = await store.runs.update_metadata(run_id, patch)
        if merged is None:
            raise UserError(f"no run {run_id} in {self.database}")
        return merged

    async def get_run(self, run_id: str) -> RunInfo | None:
        """The run with that id, or None."""
        store = await self._ready()
        run = await store.runs.get(run_id)
        return None if run is None else RunInfo.from_record(run)

    async def list_runs(
        self,
        *,
        workflow_id: str | None = None,
        status: str | Collection[str] | None = None,
        parent_run_id: str | None = None,
        concurrency_key: str | None = None,
        limit: int = 50,
    ) -> list[RunInfo]:
        """Runs matching the filters, newest first."""
        store = await self._ready()
        statuses = [status] if isinstance(status, str) else status
        records = await store.runs.find(
            workflow_id=workflow_id,
            statuses=statuses,
            parent_run_id=parent_run_id,
            concurrency_key=concurrency_key,
            limit=limit,
        )
        return [RunInfo.from_record(run) for run in records]

    async def list_steps(self, run_id: str) -> list[StepInfo]:
        """The completed steps of a run, in the order they finished."""
        store = await self._ready()
        steps = await store.steps.load(run_id)
        return sorted(
            (StepInfo.from_record(step) for step in steps.values()),
            key=lambda step: step.finished_at,
        )

    async def list_suspensions(
        self, *, run_id: str | None = None, status: str | None = "pending", limit: int = 100
    ) -> list[SuspensionInfo]:
        """Suspensions (pending ones by default), oldest first."""
        store = await self._ready()
        records = await store.suspensions.find(run_id=run_id, status=status, limit=limit)
        return [SuspensionInfo.from_record(record) for record in records]

    async def get_suspension(self, run_id: str, step_key: str) -> SuspensionInfo | None:
        """One suspension of a run (pending or answered), if any."""
        store = await self._ready()
        record = await store.suspensions.get(run_id, step_key)
        return None if record is None else SuspensionInfo.from_record(record)
