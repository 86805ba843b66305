"""certification runs and the capture endpoint's baskets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certification_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("protocol", sa.String(length=10), nullable=False),
        sa.Column("target_url", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.Column("report_html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_certification_runs_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_certification_runs_supplier_id_suppliers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_certification_runs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_runs")),
    )
    with op.batch_alter_table("certification_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certification_runs_organisation_id"),
                              ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certification_runs_supplier_id"), ["supplier_id"],
                              unique=False)
    op.create_table(
        "captured_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captured_posts")),
    )
    with op.batch_alter_table("captured_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_captured_posts_token"), ["token"], unique=False)


def downgrade() -> None:
    op.drop_table("captured_posts")
    op.drop_table("certification_runs")
