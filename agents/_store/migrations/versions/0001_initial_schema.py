"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 05:01:51.916039
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polos_runs",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=500), nullable=True),
        sa.Column("concurrency_key", sa.String(length=500), nullable=True),
        sa.Column("parent_run_id", sa.String(length=36), nullable=True),
        sa.Column("parent_step_key", sa.String(length=500), nullable=True),
        sa.Column("run_metadata", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=True),
        sa.Column("finished_at", sa.Double(), nullable=True),
        sa.Column("available_at", sa.Double(), nullable=False),
        sa.Column("timeout_seconds", sa.Double(), nullable=True),
        sa.Column("deadline_at", sa.Double(), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_token", sa.String(length=36), nullable=True),
        sa.Column("lease_expires_at", sa.Double(), nullable=True),
        sa.Column("executions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("recovery_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("polos_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_polos_runs_concurrency",
            ["concurrency_key", "seq"],
            unique=False,
            sqlite_where=sa.text(
                "concurrency_key IS NOT NULL AND status IN ('queued','running','suspended','waiting')"
            ),
            postgresql_where=sa.text(
                "concurrency_key IS NOT NULL AND status IN ('queued','running','suspended','waiting')"
            ),
        )
        batch_op.create_index("ix_polos_runs_created", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_polos_runs_deadline",
            ["deadline_at"],
            unique=False,
            sqlite_where=sa.text(
                "deadline_at IS NOT NULL AND status IN ('queued','suspended','waiting')"
            ),
            postgresql_where=sa.text(
                "deadline_at IS NOT NULL AND status IN ('queued','suspended','waiting')"
            ),
        )
        batch_op.create_index("ix_polos_runs_parent", ["parent_run_id"], unique=False)
        batch_op.create_index(
            "ix_polos_runs_queued",
            ["available_at", "seq"],
            unique=False,
            sqlite_where=sa.text("status = 'queued'"),
            postgresql_where=sa.text("status = 'queued'"),
        )
        batch_op.create_index(
            "ix_polos_runs_running_lease",
            ["lease_expires_at"],
            unique=False,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.create_index(
            "ix_polos_runs_workflow_created", ["workflow_id", "created_at"], unique=False
        )

    op.create_table(
        "polos_steps",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_key", sa.String(length=500), nullable=False),
        sa.Column("function_name", sa.String(length=500), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("finished_at", sa.Double(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["polos_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "step_key"),
    )
    op.create_table(
        "polos_suspensions",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step_key", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=True),
        sa.Column("resolved_at", sa.Double(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["polos_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "step_key"),
    )
    with op.batch_alter_table("polos_suspensions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_polos_suspensions_pending",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("polos_suspensions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_polos_suspensions_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.drop_table("polos_suspensions")
    op.drop_table("polos_steps")
    with op.batch_alter_table("polos_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_polos_runs_workflow_created")
        batch_op.drop_index(
            "ix_polos_runs_running_lease",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index(
            "ix_polos_runs_queued",
            sqlite_where=sa.text("status = 'queued'"),
            postgresql_where=sa.text("status = 'queued'"),
        )
        batch_op.drop_index("ix_polos_runs_parent")
        batch_op.drop_index(
            "ix_polos_runs_deadline",
            sqlite_where=sa.text(
                "deadline_at IS NOT NULL AND status IN ('queued','suspended','waiting')"
            ),
            postgresql_where=sa.text(
                "deadline_at IS NOT NULL AND status IN ('queued','suspended','waiting')"
            ),
        )
        batch_op.drop_index("ix_polos_runs_created")
        batch_op.drop_index(
            "ix_polos_runs_concurrency",
            sqlite_where=sa.text(
                "concurrency_key IS NOT NULL AND status IN ('queued','running','suspended','waiting')"
            ),
            postgresql_where=sa.text(
                "concurrency_key IS NOT NULL AND status IN ('queued','running','suspended','waiting')"
            ),
        )

    op.drop_table("polos_runs")
