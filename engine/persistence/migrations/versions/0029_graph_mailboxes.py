"""Microsoft Graph mailboxes (Exchange Online, client credentials)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 07:20:00.000000

mailbox.kind is "imap" or "graph"; a Graph mailbox has its tenant and client (app) ids, the sign-in
(authority) and Graph base URLs, and delta_link, Graph's delta or next link, as its cursor.
email_message.remote_id is Graph's message id, unique per mailbox: the last guard of exactly-once intake.
"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='imap'))
        batch_op.add_column(sa.Column('tenant_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('client_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('authority_url', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('graph_url', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('delta_link', sa.Text(), nullable=True))
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remote_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint('uq_email_message_remote', ['mailbox_id', 'remote_id'])


def downgrade() -> None:
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.drop_constraint('uq_email_message_remote', type_='unique')
        batch_op.drop_column('remote_id')
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        for column in ('delta_link', 'graph_url', 'authority_url', 'client_id', 'tenant_id', 'kind'):
            batch_op.drop_column(column)
