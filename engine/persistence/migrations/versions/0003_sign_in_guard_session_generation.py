"""sign-in guard (password guesses per account, address and known device) and session generations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:50:00.000000

Guesses move from app_user.failed_sign_ins/locked_until (read, incremented in Python and written back,
which lost updates under a parallel burst on PostgreSQL) to sign_in_guard, claimed atomically. The old
columns stay (unused): dropping them would rebuild app_user on SQLite under its foreign keys. Existing
sessions end once after the upgrade (they carry no generation), so everyone signs in again.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_guard',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('lock_outs', sa.Integer(), nullable=False),
    sa.Column('locked_until', engine.persistence.tables.UTCDateTime(timezone=True), nullable=True),
    sa.Column('forget_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('sign_in_guard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_guard_forget_at'), ['forget_at'], unique=False)

    # add_column is an ALTER TABLE on SQLite too (no rebuild), so batch mode is not asked for.
    op.add_column('app_user', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

    with op.batch_alter_table('sign_in_guard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_guard_forget_at'))

    op.drop_table('sign_in_guard')
