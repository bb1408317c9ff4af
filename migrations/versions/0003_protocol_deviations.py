"""protocol pre-registration: when a study's protocol was fixed, and deviations from it

Adds ``study.protocol_fixed_at`` (set when round 1 opens) and the ``protocol_deviation``
table recording each later change to the rules, planned rounds or carry-forward policy
with its reason, for the report.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('protocol_deviation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.String(length=50), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_protocol_deviation_study_id_study'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_protocol_deviation_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol_deviation'))
    )
    with op.batch_alter_table('protocol_deviation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocol_deviation_study_id'), ['study_id'], unique=False)

    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protocol_fixed_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('study', schema=None) as batch_op:
        batch_op.drop_column('protocol_fixed_at')

    with op.batch_alter_table('protocol_deviation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocol_deviation_study_id'))

    op.drop_table('protocol_deviation')
