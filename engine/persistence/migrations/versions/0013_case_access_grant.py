"""emergency access to restricted cases

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 12:50:00.000000

case_access_grant holds each time a team lead or admin opened a restricted case outside their teams:
who, why and until when (engine.people.restricted); the case history records the same.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_access_grant',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('reason', sa.Text(), nullable=False),
                    sa.Column('granted_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('expires_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('case_access_grant', schema=None) as batch_op:
        batch_op.create_index('ix_case_access_grant_case_user', ['case_id', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_access_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_case_access_grant_case_user')
    op.drop_table('case_access_grant')
