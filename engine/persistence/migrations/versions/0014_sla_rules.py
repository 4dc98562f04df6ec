"""SLA targets that depend on the case's data

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:40:00.000000

sla_policy.rules holds a policy's conditional targets in order, each ``{"when": condition,
"amount": n}`` (engine.deadlines.sla_targets); ``amount`` stays the default. A JSON list on the policy row rather
than a table of its own: the rules are read and written only with their policy, whole, and never
queried. Added NOT NULL with '[]' as its server default in one ALTER TABLE, so existing policies get
no rules and SQLite needs no table rebuild (as 0005 did for outbox_call.kind).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sla_policy', sa.Column('rules', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    op.drop_column('sla_policy', 'rules')
