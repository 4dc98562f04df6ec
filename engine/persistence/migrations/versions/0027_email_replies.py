"""email replies from the case page: sent through SMTP or GOV.UK Notify, from a template in English or
Welsh, and bounces matched back to the reply they bounce

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 06:30:00.000000

mailbox.notify_adapter names the configured Notify adapter replies go through (NULL: the mailbox's SMTP
server). email_reply.via says which way a reply went, template/language what it was written from, and
bounced_at when a bounce for it came back. email_message.bounce_of is the Message-ID a bounce names.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_adapter', sa.String(length=100), nullable=True))
    with op.batch_alter_table('email_reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=10), nullable=False, server_default='smtp'))
        batch_op.add_column(sa.Column('template', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('bounced_at', engine.persistence.tables.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bounce_of', sa.String(length=998), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.drop_column('bounce_of')
    with op.batch_alter_table('email_reply', schema=None) as batch_op:
        batch_op.drop_column('bounced_at')
        batch_op.drop_column('language')
        batch_op.drop_column('template')
        batch_op.drop_column('via')
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.drop_column('notify_adapter')
