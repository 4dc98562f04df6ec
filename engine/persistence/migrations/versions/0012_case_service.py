"""each case's directory service and sensitivity

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:40:00.000000

case.service_key names the directory entry the contact was about (a mapped process's own key when
it has no entry), so contacts are counted by service whether or not the service has a map;
case.sensitivity keeps the service's sensitivity as it was when the case started, so a restricted
case stays need-to-know even if the entry changes. Existing cases get their process key and "normal".
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite cannot drop "case" while other tables refer to it.
    op.add_column('case', sa.Column('service_key', sa.String(length=200), nullable=True))
    op.add_column('case', sa.Column('sensitivity', sa.String(length=20), server_default='normal', nullable=False))
    op.create_index('ix_case_service_key', 'case', ['service_key'], unique=False)
    op.execute('UPDATE "case" SET service_key = process_key')


def downgrade() -> None:
    op.drop_index('ix_case_service_key', table_name='case')
    op.drop_column('case', 'sensitivity')
    op.drop_column('case', 'service_key')
