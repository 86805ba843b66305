"""peppol and fidelity: every classification and the description's xml:lang of a requisition
line, kept as received so that an edit re-punch-out sends them back exactly

Revision ID: 0007_peppol
Revises: 0008_ui
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_peppol"
down_revision = "0008_ui"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requisition_lines") as batch:
        batch.add_column(sa.Column("classifications_json", sa.Text(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("description_lang", sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requisition_lines") as batch:
        batch.drop_column("description_lang")
        batch.drop_column("classifications_json")
