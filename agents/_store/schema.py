"""Every table of the durable engine, in one place.

Times are seconds since the epoch (float), so the same comparisons work on SQLite and
PostgreSQL. Values produced by user code (inputs, outputs, errors, suspension data) are JSON
text written by ``agents._serialization``; the store never interprets them.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_REVISION = "0003"
"""The Alembic head revision this code expects (a test checks it matches the migrations)."""

TERMINAL_STATUSES = ("succeeded", "failed", "cancelled")
ACTIVE_STATUSES = ("queued", "running", "suspended", "waiting")

metadata = sa.MetaData()

_Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_Time: sa.Double[float] = sa.Double()

runs = sa.Table(
    "polos_runs",
    metadata,
    # ``seq`` orders runs (FIFO claims, concurrency keys); ``id`` is what users see.
    sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("workflow_id", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("input", sa.Text(), nullable=True),
    sa.Column("output", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("idempotency_key", sa.String(500), nullable=True, unique=True),
    sa.Column("concurrency_key", sa.String(500), nullable=True),
    sa.Column("parent_run_id", sa.String(36), nullable=True),
    sa.Column("parent_step_key", sa.String(500), nullable=True),
    sa.Column("run_metadata", sa.JSON(), nullable=True),
    sa.Column("created_at", _Time, nullable=False),
    sa.Column("updated_at", _Time, nullable=False),
    sa.Column("started_at", _Time, nullable=True),
    sa.Column("finished_at", _Time, nullable=True),
    sa.Column("available_at", _Time, nullable=False),
    sa.Column("timeout_seconds", _Time, nullable=True),
    sa.Column("deadline_at", _Time, nullable=True),
    sa.Column("lease_owner", sa.String(200), nullable=True),
    sa.Column("lease_token", sa.String(36), nullable=True),
    sa.Column("lease_expires_at", _Time, nullable=True),
    sa.Column("executions", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("recovery_attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Index(
        "ix_polos_runs_queued",
        "available_at",
        "seq",
        sqlite_where=sa.text("status = 'queued'"),
        postgresql_where=sa.text("status = 'queued'"),
    ),
    sa.Index(
        "ix_polos_runs_running_lease",
        "lease_expires_at",
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    ),
    sa.Index(
        "ix_polos_runs_concurrency",
        "concurrency_key",
        "seq",
        sqlite_where=sa.text(
            "concurrency_key IS NOT NULL AND status IN ('queued','running','suspended','waiting')"
        ),
        postgresql_where=sa.text(
            "concurrency_key IS NOT NULL AND status IN ('queued','running','suspended','waiting')"
        ),
    ),
    sa.Index(
        "ix_polos_runs_deadline",
        "deadline_at",
        sqlite_where=sa.text(
            "deadline_at IS NOT NULL AND status IN ('queued','suspended','waiting')"
        ),
        postgresql_where=sa.text(
            "deadline_at IS NOT NULL AND status IN ('queued','suspended','waiting')"
        ),
    ),
    sa.Index("ix_polos_runs_parent", "parent_run_id"),
    sa.Index("ix_polos_runs_workflow_created", "workflow_id", "created_at"),
    sa.Index("ix_polos_runs_created", "created_at"),
)

steps = sa.Table(
    "polos_steps",
    metadata,
    # The primary key is what refuses a second checkpoint of the same step (zombie executors).
    sa.Column(
        "run_id",
        sa.String(36),
        sa.ForeignKey("polos_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("step_key", sa.String(500), primary_key=True),
    sa.Column("function_name", sa.String(500), nullable=False),
    sa.Column("output", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("started_at", _Time, nullable=False),
    sa.Column("finished_at", _Time, nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
)

suspensions = sa.Table(
    "polos_suspensions",
    metadata,
    sa.Column(
        "run_id",
        sa.String(36),
        sa.ForeignKey("polos_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("step_key", sa.String(500), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("data", sa.Text(), nullable=True),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("created_at", _Time, nullable=False),
    sa.Column("expires_at", _Time, nullable=True),
    sa.Column("resolved_at", _Time, nullable=True),
    sa.Column("resolved_by", sa.String(200), nullable=True),
    sa.Index(
        "ix_polos_suspensions_pending",
        "created_at",
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    ),
)

messages = sa.Table(
    "polos_messages",
    metadata,
    # Conversation memory: every message is stored once, in order; runs read the history of
    # their conversation up to a recorded ``seq`` so replay sees the same history.
    sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(500), nullable=False),
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("created_at", _Time, nullable=False),
    sa.UniqueConstraint("run_id", "position", name="uq_polos_messages_run_position"),
    sa.Index("ix_polos_messages_conversation", "conversation_id", "seq"),
)

approval_grants = sa.Table(
    "polos_approval_grants",
    metadata,
    # "Always allow this in this conversation": what a person allowed once, by scope.
    sa.Column("scope", sa.String(500), primary_key=True),
    sa.Column("key", sa.String(500), primary_key=True),
    sa.Column("granted_by", sa.String(200), nullable=True),
    sa.Column("created_at", _Time, nullable=False),
)
