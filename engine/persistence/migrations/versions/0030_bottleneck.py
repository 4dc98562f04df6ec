"""bottleneck view: a process's tasks by status and creation time

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 07:20:00.000000

engine/mi/mi_bottlenecks.py reads one process's tasks of each status but cancelled created in a date range,
and the ones waiting at it now (open or handed back); without this index both scan the whole task table,
and with the process key alone the second would read the process's whole history.
"""
from alembic import op


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_process_status', ['process_key', 'status', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_process_status')
