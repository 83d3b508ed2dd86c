"""Rows as typed records. The store returns these; nothing above it sees SQLAlchemy rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of ``polos_runs``; JSON columns are left as stored text."""

    seq: int
    id: str
    workflow_id: str
    status: str
    input: str | None
    output: str | None
    error: str | None
    idempotency_key: str | None
    concurrency_key: str | None
    parent_run_id: str | None
    parent_step_key: str | None
    run_metadata: dict[str, Any] | None
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None
    available_at: float
    timeout_seconds: float | None
    deadline_at: float | None
    lease_owner: str | None
    lease_token: str | None
    lease_expires_at: float | None
    executions: int
    recovery_attempts: int


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One completed step: its output or its error (JSON text)."""

    step_key: str
    function_name: str
    output: str | None
    error: str | None
    started_at: float
    finished_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class SuspensionRecord:
    """A suspension of a run at a step, waiting for (or given) an answer."""

    run_id: str
    step_key: str
    status: str
    data: str | None
    nonce: str
    created_at: float
    expires_at: float | None
    resolved_at: float | None
    resolved_by: str | None
