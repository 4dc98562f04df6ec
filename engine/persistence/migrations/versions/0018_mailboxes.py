"""the email channel: mailboxes, the emails taken from them, their attachments and the replies sent

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 16:30:00.000000

mailbox holds what admins configure (IMAP host, user, the NAME of the environment variable with the
password, never the password) and the intake cursor (uidvalidity, last_uid) with a lease so one worker
reads a mailbox at a time. email_message is unique on (mailbox_id, uidvalidity, uid): the row is written
in the same transaction that advances the cursor, so each message is taken exactly once.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.tables


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, engine.persistence.tables.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table('mailbox',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('name', sa.String(length=100), nullable=False),
                    sa.Column('address', sa.String(length=320), nullable=False),
                    sa.Column('channel', sa.String(length=20), nullable=False),
                    sa.Column('team_id', sa.Integer(), nullable=False),
                    sa.Column('host', sa.String(length=255), nullable=False),
                    sa.Column('port', sa.Integer(), nullable=False),
                    sa.Column('username', sa.String(length=320), nullable=False),
                    sa.Column('secret_env', sa.String(length=100), nullable=False),
                    sa.Column('folder', sa.String(length=200), nullable=False),
                    sa.Column('active', sa.Boolean(), nullable=False),
                    sa.Column('uidvalidity', sa.Integer(), nullable=True),
                    sa.Column('last_uid', sa.Integer(), nullable=False),
                    _at('leased_until', True),
                    sa.Column('lease_holder', sa.String(length=64), nullable=True),
                    _at('last_polled_at', True),
                    sa.Column('last_error', sa.Text(), nullable=True),
                    _at('created_at', False),
                    sa.Column('smtp_host', sa.String(length=255), nullable=True),
                    sa.Column('smtp_port', sa.Integer(), nullable=True),
                    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('name'))
    op.create_table('email_message',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('mailbox_id', sa.Integer(), nullable=False),
                    sa.Column('uidvalidity', sa.Integer(), nullable=False),
                    sa.Column('uid', sa.Integer(), nullable=False),
                    sa.Column('team_id', sa.Integer(), nullable=False),
                    sa.Column('message_id', sa.String(length=998), nullable=True),
                    sa.Column('in_reply_to', sa.String(length=998), nullable=True),
                    sa.Column('sender', sa.String(length=320), nullable=False),
                    sa.Column('sender_name', sa.String(length=200), nullable=False),
                    sa.Column('subject', sa.String(length=998), nullable=False),
                    sa.Column('text', sa.Text(), nullable=False),
                    sa.Column('html', sa.Text(), nullable=True),
                    _at('sent_at', True),
                    _at('received_at', False),
                    sa.Column('status', sa.String(length=20), nullable=False),
                    sa.Column('ignored_reason', sa.String(length=200), nullable=True),
                    sa.Column('customer_id', sa.Integer(), nullable=True),
                    sa.Column('case_id', sa.Integer(), nullable=True),
                    sa.Column('handled_by', sa.String(length=320), nullable=True),
                    _at('handled_at', True),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
                    sa.ForeignKeyConstraint(['mailbox_id'], ['mailbox.id'], ),
                    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('mailbox_id', 'uidvalidity', 'uid', name='uq_email_message_uid'))
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.create_index('ix_email_message_triage', ['team_id', 'status', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_message_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_message_sender'), ['sender'], unique=False)
    op.create_table('email_attachment',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('email_id', sa.Integer(), nullable=False),
                    sa.Column('filename', sa.String(length=255), nullable=False),
                    sa.Column('content_type', sa.String(length=100), nullable=False),
                    sa.Column('size', sa.Integer(), nullable=False),
                    sa.Column('sha256', sa.String(length=64), nullable=False),
                    sa.Column('content', sa.LargeBinary(), nullable=True),
                    sa.Column('refused', sa.String(length=200), nullable=True),
                    sa.ForeignKeyConstraint(['email_id'], ['email_message.id'], ),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('email_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_attachment_email_id'), ['email_id'], unique=False)
    op.create_table('email_reply',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('email_id', sa.Integer(), nullable=False),
                    sa.Column('case_id', sa.Integer(), nullable=False),
                    sa.Column('message_id', sa.String(length=998), nullable=False),
                    sa.Column('to_address', sa.String(length=320), nullable=False),
                    sa.Column('subject', sa.String(length=998), nullable=False),
                    sa.Column('text', sa.Text(), nullable=False),
                    sa.Column('status', sa.String(length=20), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    _at('next_attempt_at', False),
                    _at('leased_until', True),
                    sa.Column('last_error', sa.Text(), nullable=True),
                    sa.Column('written_by', sa.String(length=320), nullable=False),
                    _at('written_at', False),
                    _at('sent_at', True),
                    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
                    sa.ForeignKeyConstraint(['email_id'], ['email_message.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('message_id'))
    with op.batch_alter_table('email_reply', schema=None) as batch_op:
        batch_op.create_index('ix_email_reply_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_reply_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_reply_email_id'), ['email_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('email_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_reply_email_id'))
        batch_op.drop_index(batch_op.f('ix_email_reply_case_id'))
        batch_op.drop_index('ix_email_reply_due')
    op.drop_table('email_reply')
    with op.batch_alter_table('email_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_attachment_email_id'))
    op.drop_table('email_attachment')
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_message_sender'))
        batch_op.drop_index(batch_op.f('ix_email_message_message_id'))
        batch_op.drop_index('ix_email_message_triage')
    op.drop_table('email_message')
    op.drop_table('mailbox')
