"""result snapshots: one per round and dimension

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_result_snapshot_round_id_dimension_id'), ['round_id', 'dimension_id'])


def downgrade():
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_result_snapshot_round_id_dimension_id'), type_='unique')
