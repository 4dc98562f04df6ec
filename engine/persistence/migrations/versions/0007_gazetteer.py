"""the gazetteer: addresses with their UPRN, postcode and coordinates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 12:30:00.000000

gazetteer_address holds the council's Local Land and Property Gazetteer as loaded by
``councilflow gazetteer import`` (engine.places.gazetteer): one row per UPRN, its address text, postcode,
WGS84 latitude/longitude and, when the file gave them, British National Grid eastings/northings.
postcode_key ("AN1 2BC") is indexed, in the "C" collation on PostgreSQL, for the address look-up.
customer gains uprn, the gazetteer address an advisor picked for them (no foreign key: a newer
extract may lack it, and the customer keeps the address text).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gazetteer_address',
    sa.Column('uprn', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('postcode', sa.String(length=12), nullable=False),
    sa.Column('postcode_key', sa.String(length=12).with_variant(sa.String(length=12, collation='C'), 'postgresql'),
              nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('easting', sa.Float(), nullable=True),
    sa.Column('northing', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('uprn')
    )
    with op.batch_alter_table('gazetteer_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gazetteer_address_postcode_key'), ['postcode_key'], unique=False)
    # add_column is an ALTER TABLE on SQLite too (no rebuild), so batch mode is not asked for.
    op.add_column('customer', sa.Column('uprn', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild would drop customer under case's foreign key.
    op.drop_column('customer', 'uprn')
    with op.batch_alter_table('gazetteer_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gazetteer_address_postcode_key'))
    op.drop_table('gazetteer_address')
