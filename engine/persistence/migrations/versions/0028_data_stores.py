"""data stores maps share between cases: SpiffArena's JSON, key-value and typeahead data stores, one set
per process group (engine.bpmn.data_stores)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'data_store',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('store_group', sa.String(length=200), nullable=False),
        sa.Column('identifier', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.Column('updated_by', sa.String(length=320), nullable=False),
        sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('store_group', 'identifier'),
    )
    op.create_table(
        'data_store_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('subkey', sa.String(length=200), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['store_id'], ['data_store.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('store_id', 'key', 'subkey'),
    )
    with op.batch_alter_table('data_store_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_store_entry_store_id'), ['store_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_store_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_store_entry_store_id'))
    op.drop_table('data_store_entry')
    op.drop_table('data_store')
