"""appointments: types, locations, desks with weekly patterns, and the appointments booked

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 02:30:00.000000

appointment is unique on (desk_id, starts_at, live): live is true while it holds its slot and NULL
once cancelled, so no slot is ever booked twice, on SQLite and PostgreSQL alike.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, engine.persistence.tables.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table('appointment_type',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=60), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('minutes', sa.Integer(), nullable=False),
                    sa.Column('what_to_bring', sa.Text(), nullable=False),
                    sa.Column('grace_minutes', sa.Integer(), nullable=False),
                    sa.Column('reminder_days_before', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('key'))
    op.create_table('appointment_location',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=60), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('address', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('key'))
    op.create_table('appointment_desk',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('location_id', sa.Integer(), nullable=False),
                    sa.Column('name', sa.String(length=100), nullable=False),
                    sa.Column('pattern', sa.JSON(), nullable=False),
                    sa.Column('types', sa.JSON(), nullable=False),
                    sa.ForeignKeyConstraint(['location_id'], ['appointment_location.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('location_id', 'name', name='uq_appointment_desk_name'))
    with op.batch_alter_table('appointment_desk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_desk_location_id'), ['location_id'], unique=False)
    op.create_table('appointment',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('reference', sa.String(length=20), nullable=True),
                    sa.Column('type_id', sa.Integer(), nullable=False),
                    sa.Column('location_id', sa.Integer(), nullable=False),
                    sa.Column('desk_id', sa.Integer(), nullable=True),
                    sa.Column('case_id', sa.Integer(), nullable=True),
                    _at('starts_at', False),
                    _at('ends_at', False),
                    sa.Column('live', sa.Boolean(), nullable=True),
                    sa.Column('status', sa.String(length=20), nullable=False),
                    sa.Column('walk_in', sa.Boolean(), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('email', sa.String(length=320), nullable=True),
                    sa.Column('phone', sa.String(length=40), nullable=True),
                    sa.Column('booked_by', sa.String(length=320), nullable=False),
                    _at('booked_at', False),
                    _at('arrived_at', True),
                    _at('called_at', True),
                    _at('finished_at', True),
                    _at('closed_at', True),
                    sa.Column('token', sa.String(length=40), nullable=False),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['desk_id'], ['appointment_desk.id'], ),
                    sa.ForeignKeyConstraint(['location_id'], ['appointment_location.id'], ),
                    sa.ForeignKeyConstraint(['type_id'], ['appointment_type.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('reference'),
                    sa.UniqueConstraint('desk_id', 'starts_at', 'live', name='uq_appointment_slot'))
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_appointment_due', ['status', 'starts_at'], unique=False)


def downgrade() -> None:
    op.drop_table('appointment')
    op.drop_table('appointment_desk')
    op.drop_table('appointment_location')
    op.drop_table('appointment_type')
