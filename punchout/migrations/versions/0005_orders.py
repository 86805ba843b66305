"""orders out: decisions per line, organisation details, delivery, supplier order channel,
the order outbox and its attempts

Revision ID: 0005_orders
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_orders"
down_revision = "0004"
branch_labels = None
depends_on = None

ORG_COLUMNS = [
    ("code", sa.String(length=20)), ("legal_name", sa.Text()), ("org_number", sa.String(length=20)),
    ("peppol_id", sa.String(length=60)), ("buyer_reference", sa.Text()),
    ("invoice_street", sa.Text()), ("invoice_postcode", sa.String(length=20)),
    ("invoice_city", sa.Text()), ("invoice_country", sa.String(length=2)),
    ("delivery_street", sa.Text()), ("delivery_postcode", sa.String(length=20)),
    ("delivery_city", sa.Text()), ("delivery_country", sa.String(length=2)),
]
REQUISITION_COLUMNS = [
    ("delivery_street", sa.Text()), ("delivery_postcode", sa.String(length=20)),
    ("delivery_city", sa.Text()), ("delivery_country", sa.String(length=2)),
    ("delivery_marking", sa.Text()), ("cost_centre", sa.String(length=100)),
]


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name, type_ in ORG_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_channel", sa.String(length=10), nullable=False,
                                      server_default="none"))
        batch_op.add_column(sa.Column("order_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("order_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("peppol_id", sa.String(length=60), nullable=True))
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        for name, type_ in REQUISITION_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("requisition_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_requisition_lines_decided_by_id_users"),
                                    "users", ["decided_by_id"], ["id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("order_number", sa.String(length=60), nullable=False),
        sa.Column("payload_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warnings_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_orders_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["requisition_id"], ["requisitions.id"],
                                name=op.f("fk_orders_requisition_id_requisitions")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_orders_supplier_id_suppliers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("organisation_id", "order_number",
                            name=op.f("uq_orders_organisation_id")),
        sa.UniqueConstraint("requisition_id", name=op.f("uq_orders_requisition_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_next_attempt_at"), ["next_attempt_at"],
                              unique=False)
    op.create_table(
        "order_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("request_message_id", sa.Integer(), nullable=True),
        sa.Column("answer_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_order_attempts_order_id_orders")),
        sa.ForeignKeyConstraint(["request_message_id"], ["messages.id"],
                                name=op.f("fk_order_attempts_request_message_id_messages")),
        sa.ForeignKeyConstraint(["answer_message_id"], ["messages.id"],
                                name=op.f("fk_order_attempts_answer_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_attempts")),
    )
    with op.batch_alter_table("order_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_attempts_order_id"), ["order_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("order_attempts")
    op.drop_table("orders")
    with op.batch_alter_table("requisition_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_requisition_lines_decided_by_id_users"),
                                 type_="foreignkey")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        for name, _type in reversed(REQUISITION_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        for name in ("peppol_id", "order_email", "order_url", "order_channel"):
            batch_op.drop_column(name)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name, _type in reversed(ORG_COLUMNS):
            batch_op.drop_column(name)
