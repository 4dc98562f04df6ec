"""management information: the daily roll-up (mi_count) and contacts per hour (mi_hour), what it remembers per case (mi_case), and
indexes for open work by age and SLA state

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 02:10:00.000000

The roll-up starts empty: history recorded before this migration is not counted (the figures cover
what happens from the upgrade on).
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _at(name: str, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, engine.persistence.tables.UTCDateTime(timezone=True), nullable=False,
                     primary_key=primary_key)


def upgrade() -> None:
    op.create_table('mi_count',
                    sa.Column('day', sa.Date(), primary_key=True),
                    sa.Column('metric', sa.String(length=20), primary_key=True),
                    sa.Column('kind', sa.String(length=40), primary_key=True),
                    sa.Column('channel', sa.String(length=20), primary_key=True),
                    sa.Column('service_key', sa.String(length=200), primary_key=True),
                    sa.Column('team_id', sa.Integer(), primary_key=True),
                    sa.Column('n', sa.Integer(), nullable=False))
    op.create_table('mi_hour',
                    _at('at', primary_key=True),
                    sa.Column('channel', sa.String(length=20), primary_key=True),
                    sa.Column('service_key', sa.String(length=200), primary_key=True),
                    sa.Column('team_id', sa.Integer(), primary_key=True),
                    sa.Column('n', sa.Integer(), nullable=False))
    op.create_table('mi_case',
                    sa.Column('case_id', sa.Integer(), sa.ForeignKey('case.id'), primary_key=True),
                    _at('started_at'),
                    sa.Column('channel', sa.String(length=20), nullable=False),
                    sa.Column('service_key', sa.String(length=200), nullable=False),
                    sa.Column('team_id', sa.Integer(), nullable=False),
                    sa.Column('home_team_id', sa.Integer(), nullable=False),
                    sa.Column('last_team_id', sa.Integer(), nullable=False),
                    sa.Column('held_by', sa.JSON(), nullable=False),
                    sa.Column('handoffs', sa.Integer(), nullable=False),
                    sa.Column('later_contacts', sa.Integer(), nullable=False),
                    sa.Column('resolved_first', sa.Boolean(), nullable=False))
    op.create_index('ix_case_status_created', 'case', ['status', 'created_at'])
    op.create_index('ix_case_status_sla', 'case', ['status', 'sla_state'])
    op.create_index('ix_task_status_sla', 'task', ['status', 'sla_state'])


def downgrade() -> None:
    op.drop_index('ix_task_status_sla', table_name='task')
    op.drop_index('ix_case_status_sla', table_name='case')
    op.drop_index('ix_case_status_created', table_name='case')
    op.drop_table('mi_case')
    op.drop_table('mi_hour')
    op.drop_table('mi_count')
