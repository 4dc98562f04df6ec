"""IMAP mailboxes signing in with OAuth2 (client credentials, SASL XOAUTH2)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 15:40:00.000000

mailbox.auth is "password" (the app password, as before) or "oauth2"; an OAuth2 mailbox has the sign-in
service's token URL and the scope its tokens are asked for (its client id goes in mailbox.client_id, as a
Graph mailbox's does; the client secret, as every secret, stays in the worker's environment).
"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth', sa.String(length=10), nullable=False, server_default='password'))
        batch_op.add_column(sa.Column('token_url', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('scope', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        for column in ('scope', 'token_url', 'auth'):
            batch_op.drop_column(column)
