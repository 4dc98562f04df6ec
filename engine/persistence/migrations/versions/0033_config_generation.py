"""The configuration generation: a counter raised by every change to a team, a lane mapping or an SLA policy

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 02:45:00.000000

Each process keeps copies of a lane's team and a process's SLA policies between transactions; a transaction
reads the counter with its case lock and uses the copies only while it has not moved on
(engine/persistence/configuration.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('config_generation',
                            sa.Column('id', sa.Integer(), nullable=False),
                            sa.Column('n', sa.Integer(), nullable=False),
                            sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade() -> None:
    op.drop_table('config_generation')
