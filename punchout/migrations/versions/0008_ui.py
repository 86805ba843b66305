"""ui: assortment versions numbered per agreement (1, 2, 3 … for each agreement)

Revision ID: 0008_ui
Revises: 0009_structure
Create Date: 2026-11-29

A first import was shown as "version 3" because pages showed the global row id. Existing
versions are numbered in the order they were imported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ui"
down_revision = "0009_structure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assortment_versions") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    versions = sa.table("assortment_versions", sa.column("id", sa.Integer),
                        sa.column("agreement_id", sa.Integer), sa.column("number", sa.Integer))
    conn = op.get_bind()
    seen: dict[int, int] = {}
    rows = conn.execute(sa.select(versions.c.id, versions.c.agreement_id)
                        .order_by(versions.c.agreement_id, versions.c.id)).all()
    for version_id, agreement_id in rows:
        seen[agreement_id] = seen.get(agreement_id, 0) + 1
        conn.execute(versions.update().where(versions.c.id == version_id)
                     .values(number=seen[agreement_id]))
    with op.batch_alter_table("assortment_versions") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_assortment_versions_agreement_id",
                                       ["agreement_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("assortment_versions") as batch:
        batch.drop_constraint("uq_assortment_versions_agreement_id", type_="unique")
        batch.drop_column("number")
