"""management information at 2,000,000 cases: indexes that let a dashboard narrowed to a team,
service or channel read only that one's part of the roll-up for its range, and open work narrowed
to a channel or service find its oldest cases in order without sorting every open case

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 16:00:00.000000

Each roll-up index leads with what a dashboard narrows to (team, service or channel), then the day
or hour, and holds every column the sums read, so a sum reads a contiguous part of one index and
never the table: before, a team's 90 days read every row of the 90 days (all teams) and kept the
team's; a per-service sum over the coarse roll-up read the table row by row. The case indexes hold
the start time right after the channel or service, so "the ten oldest open cases of this service"
is ten index entries, not a sort of every open case of it.
"""
from alembic import op


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

MI_INDEXES = {
    'mi_day': {'ix_mi_day_channel': ['channel', 'day', 'metric', 'kind', 'service_key', 'n'],
               'ix_mi_day_service': ['service_key', 'day', 'metric', 'kind', 'channel', 'n']},
    'mi_count': {'ix_mi_count_team': ['team_id', 'day', 'metric', 'kind', 'channel', 'service_key', 'n'],
                 'ix_mi_count_service': ['service_key', 'day', 'metric', 'kind', 'channel', 'team_id', 'n'],
                 'ix_mi_count_channel': ['channel', 'day', 'metric', 'kind', 'service_key', 'team_id', 'n']},
    'mi_hour': {'ix_mi_hour_team': ['team_id', 'at', 'n'],
                'ix_mi_hour_service': ['service_key', 'at', 'n'],
                'ix_mi_hour_channel': ['channel', 'at', 'n']},
}


def upgrade() -> None:
    op.drop_index('ix_mi_count_cover', table_name='mi_count')  # day first: the new ones serve its readers
    for table, indexes in MI_INDEXES.items():
        for name, columns in indexes.items():
            op.create_index(name, table, columns)
    op.drop_index('ix_case_status_channel', table_name='case')
    op.create_index('ix_case_open_channel', 'case', ['status', 'channel', 'created_at', 'id', 'sla_state',
                                                      'service_key'])
    op.create_index('ix_case_open_service', 'case', ['status', 'service_key', 'created_at', 'id', 'sla_state'])
    op.drop_index('ix_task_status_sla', table_name='task')
    op.create_index('ix_task_status_sla', 'task', ['status', 'sla_state', 'team_id', 'case_id'])


def downgrade() -> None:
    op.drop_index('ix_task_status_sla', table_name='task')
    op.create_index('ix_task_status_sla', 'task', ['status', 'sla_state'])
    op.drop_index('ix_case_open_service', table_name='case')
    op.drop_index('ix_case_open_channel', table_name='case')
    op.create_index('ix_case_status_channel', 'case', ['status', 'channel', 'service_key', 'created_at'])
    for table, indexes in MI_INDEXES.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
    op.create_index('ix_mi_count_cover', 'mi_count', ['day', 'service_key', 'team_id', 'metric', 'kind', 'channel', 'n'])
