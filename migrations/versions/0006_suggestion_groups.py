"""suggestions: group duplicates under one lead suggestion (merged_into_id)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_suggestion_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_suggestion_merged_into_id_suggestion'), 'suggestion', ['merged_into_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_suggestion_merged_into_id_suggestion'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_suggestion_merged_into_id'))
        batch_op.drop_column('merged_into_id')
