"""external task workers: a worker's lock on an outbox call, the retries it left, and worker-scoped tokens

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 02:10:00.000000

An external task is an ``outbox_call`` row of kind ``external_task`` (its ``operation`` is the topic):
``worker_id`` names the worker holding it until ``leased_until``; ``retries`` is what the worker said
is left after a failure. ``api_token.scope`` = ``worker`` limits a token to the external-task endpoints.
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column is an ALTER TABLE on SQLite too: no rebuild of outbox_call, which incidents refer to.
    op.add_column('outbox_call', sa.Column('worker_id', sa.String(length=200), nullable=True))
    op.add_column('outbox_call', sa.Column('retries', sa.Integer(), nullable=True))
    op.add_column('api_token', sa.Column('scope', sa.String(length=20), nullable=True))


def downgrade() -> None:
    # DROP COLUMN, not a batch rebuild (SQLite 3.35+): the columns hold no key nor index.
    op.drop_column('api_token', 'scope')
    op.drop_column('outbox_call', 'retries')
    op.drop_column('outbox_call', 'worker_id')
