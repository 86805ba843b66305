"""requisition lines keep the unit as the supplier sent it beside its Rec 20 code

Revision ID: 0009_structure
Revises: 0006_hardening
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_structure"
down_revision = "0006_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows: cXML lines stored the unit as sent, OCI lines the Rec 20 code; NULL here
    # means "the same as unit", which is what those rows hold.
    with op.batch_alter_table("requisition_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_as_sent", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requisition_lines", schema=None) as batch_op:
        batch_op.drop_column("unit_as_sent")
