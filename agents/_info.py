"""What the client returns about runs, steps and suspensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agents._serialization import loads
from agents._store import RunRecord, StepRecord, SuspensionRecord


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A run as stored: status, input, output or error, and its timings."""

    id: str
    workflow_id: str
    status: str
    input: Any
    output: Any
    error: dict[str, Any] | None
    metadata: dict[str, Any]
    idempotency_key: str | None
    concurrency_key: str | None
    parent_run_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    executions: int
    recovery_attempts: int
    worker_id: str | None
    """The worker holding the run's lease while it executes (None otherwise)."""

    @property
    def done(self) -> bool:
        """Whether the run has ended (succeeded, failed or cancelled)."""
        return self.status in ("succeeded", "failed", "cancelled")

    @classmethod
    def from_record(cls, run: RunRecord) -> RunInfo:
        """Decode a stored run."""
        return cls(
            id=run.id,
            workflow_id=run.workflow_id,
            status=run.status,
            input=loads(run.input),
            output=loads(run.output),
            error=loads(run.error),
            metadata=dict(run.run_metadata or {}),
            idempotency_key=run.idempotency_key,
            concurrency_key=run.concurrency_key,
            parent_run_id=run.parent_run_id,
            created_at=datetime.fromtimestamp(run.created_at, UTC),
            started_at=_time(run.started_at),
            finished_at=_time(run.finished_at),
            executions=run.executions,
            recovery_attempts=run.recovery_attempts,
            worker_id=run.lease_owner,
        )


@dataclass(frozen=True, slots=True)
class StepInfo:
    """A completed step of a run."""

    key: str
    function_name: str
    output: Any
    error: dict[str, Any] | None
    started_at: datetime
    finished_at: datetime
    attempts: int

    @property
    def duration_ms(self) -> float:
        """How long the step took, in milliseconds."""
        return (self.finished_at - self.started_at).total_seconds() * 1000

    @classmethod
    def from_record(cls, step: StepRecord) -> StepInfo:
        """Decode a stored step."""
        return cls(
            key=step.step_key,
            function_name=step.function_name,
            output=loads(step.output),
            error=loads(step.error),
            started_at=datetime.fromtimestamp(step.started_at, UTC),
            finished_at=datetime.fromtimestamp(step.finished_at, UTC),
            attempts=step.attempts,
        )


@dataclass(frozen=True, slots=True)
class SuspensionInfo:
    """A run waiting at a step for an answer (or the answer it got)."""

    run_id: str
    step_key: str
    status: str
    data: Any
    nonce: str
    created_at: datetime
    expires_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def from_record(cls, suspension: SuspensionRecord) -> SuspensionInfo:
        """Decode a stored suspension."""
        return cls(
            run_id=suspension.run_id,
            step_key=suspension.step_key,
            status=suspension.status,
            data=loads(suspension.data),
            nonce=suspension.nonce,
            created_at=datetime.fromtimestamp(suspension.created_at, UTC),
            expires_at=_time(suspension.expires_at),
            resolved_at=_time(suspension.resolved_at),
            resolved_by=suspension.resolved_by,
        )
