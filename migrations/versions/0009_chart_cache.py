"""chart cache: drawn charts stored under a hash of their input and the chart style version

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 23:10:00

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chart_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('svg', sa.LargeBinary(), nullable=False),
    sa.Column('alt_text', sa.Text(), nullable=False),
    sa.Column('table_rows', sa.JSON(), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_cache')),
    sa.UniqueConstraint('key', name=op.f('uq_chart_cache_key'))
    )


def downgrade():
    op.drop_table('chart_cache')
