"""management information, faster: the coarse daily roll-up (mi_day: per day and channel, and per
day and service, without team), filled from mi_count; covering indexes on mi_count and mi_hour;
and indexes for open work narrowed to a channel or service

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 06:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# engine.mi.mi_rollup.coarse_kind: a contact's kind only when it is avoidable (NI 14)
AVOIDABLE_KIND = "CASE WHEN metric = 'contact' AND kind IN ('chasing', 'not_understood') THEN kind ELSE '' END"

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mi_day',
                    sa.Column('day', sa.Date(), primary_key=True),
                    sa.Column('metric', sa.String(length=20), primary_key=True),
                    sa.Column('kind', sa.String(length=40), primary_key=True),
                    sa.Column('channel', sa.String(length=20), primary_key=True),
                    sa.Column('service_key', sa.String(length=200), primary_key=True),
                    sa.Column('n', sa.Integer(), nullable=False))
    op.execute("INSERT INTO mi_day (day, metric, kind, channel, service_key, n) "
               "SELECT day, metric, kind, channel, '*', SUM(n) FROM mi_count GROUP BY day, metric, kind, channel")
    op.execute("INSERT INTO mi_day (day, metric, kind, channel, service_key, n) "
               f"SELECT day, metric, {AVOIDABLE_KIND}, '*', service_key, SUM(n) FROM mi_count "
               f"GROUP BY day, metric, {AVOIDABLE_KIND}, service_key")
    op.create_index('ix_mi_count_cover', 'mi_count', ['day', 'service_key', 'team_id', 'metric', 'kind', 'channel', 'n'])
    op.create_index('ix_mi_count_metric', 'mi_count', ['metric', 'day', 'team_id', 'service_key', 'channel', 'kind', 'n'])
    op.create_index('ix_mi_hour_cover', 'mi_hour', ['at', 'channel', 'service_key', 'team_id', 'n'])
    op.drop_index('ix_case_status_sla', table_name='case')
    op.create_index('ix_case_status_sla', 'case', ['status', 'sla_state', 'channel', 'service_key'])
    op.create_index('ix_case_status_channel', 'case', ['status', 'channel', 'service_key', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_case_status_channel', table_name='case')
    op.drop_index('ix_case_status_sla', table_name='case')
    op.create_index('ix_case_status_sla', 'case', ['status', 'sla_state'])
    op.drop_index('ix_mi_hour_cover', table_name='mi_hour')
    op.drop_index('ix_mi_count_metric', table_name='mi_count')
    op.drop_index('ix_mi_count_cover', table_name='mi_count')
    op.drop_table('mi_day')
