"""councillors: member profiles (ward, ward visibility) and each member enquiry's councillor and ward

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 16:35:00.000000

councillor_profile holds an elected member's ward and whether an admin let them follow their ward's
enquiries; member_enquiry links a member-enquiry case to the councillor it is for and the ward it is
about, so the councillors' area lists them by index (engine/members/member_enquiries.py).
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('councillor_profile',
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('ward', sa.String(length=60), nullable=True),
                    sa.Column('ward_visible', sa.Boolean(), nullable=False),
                    sa.Column('updated_at', engine.persistence.tables.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
                    sa.PrimaryKeyConstraint('user_id'))
    op.create_table('member_enquiry',
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('councillor_id', sa.Integer(), nullable=False),
                    sa.Column('ward', sa.String(length=60), nullable=True),
                    sa.Column('raised_by', sa.String(length=320), nullable=False),
                    sa.Column('answered_notified_at', engine.persistence.tables.UTCDateTime(timezone=True),
                              nullable=True),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['councillor_id'], ['app_user.id'], ),
                    sa.PrimaryKeyConstraint('case_id'))
    with op.batch_alter_table('member_enquiry', schema=None) as batch_op:
        batch_op.create_index('ix_member_enquiry_councillor_id', ['councillor_id'], unique=False)
        batch_op.create_index('ix_member_enquiry_ward', ['ward'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('member_enquiry', schema=None) as batch_op:
        batch_op.drop_index('ix_member_enquiry_ward')
        batch_op.drop_index('ix_member_enquiry_councillor_id')
    op.drop_table('member_enquiry')
    op.drop_table('councillor_profile')
