"""conversation messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:24:04.213124
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polos_messages",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(length=500), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("run_id", "position", name="uq_polos_messages_run_position"),
    )
    with op.batch_alter_table("polos_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_polos_messages_conversation", ["conversation_id", "seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("polos_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_polos_messages_conversation")

    op.drop_table("polos_messages")
