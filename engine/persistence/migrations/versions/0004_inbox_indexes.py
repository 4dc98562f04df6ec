"""inbox indexes for a million open tasks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:00:00.000000

The inbox reads each (team, status) — or, for admins, each status — in index order and merges the
first pages, and counts stop at a cap (engine.casework.queries). That needs an index in status and creation
order across all teams (ix_task_all_teams); each team's unassigned count seeks (no one, open, team)
in ix_task_assignee, which gains team_id; and ix_task_team_due gains id, so tasks without a due date
come out in id order on PostgreSQL without sorting the whole team. Only indexes change: no data moves.
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_all_teams', ['status', 'created_at', 'id'], unique=False)
        batch_op.drop_index('ix_task_assignee')
        batch_op.create_index('ix_task_assignee', ['assignee_id', 'status', 'team_id'], unique=False)
        batch_op.drop_index('ix_task_team_due')
        batch_op.create_index('ix_task_team_due', ['team_id', 'status', 'due_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_team_due')
        batch_op.create_index('ix_task_team_due', ['team_id', 'status', 'due_at'], unique=False)
        batch_op.drop_index('ix_task_assignee')
        batch_op.create_index('ix_task_assignee', ['assignee_id', 'status'], unique=False)
        batch_op.drop_index('ix_task_all_teams')
