"""operations: worker heartbeats, for /readyz and the worker-lag metric

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 02:15:00.000000

One row per worker process (host:pid), rewritten after each round of due timers; readiness and
/metrics read the newest beat_at (indexed).
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_heartbeat',
                    sa.Column('worker', sa.String(length=200), nullable=False),
                    sa.Column('started_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('beat_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('worker'))
    op.create_index(op.f('ix_worker_heartbeat_beat_at'), 'worker_heartbeat', ['beat_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_worker_heartbeat_beat_at'), table_name='worker_heartbeat')
    op.drop_table('worker_heartbeat')
