"""round outcomes: each item's classification and what happened to it next; rounds that show no comments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:23:24

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shows_no_comments', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('round_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('decision', sa.Enum('carried_by_rule', 'retired_by_rule', 'kept_for_confirmation', 'carried_by_facilitator', 'retired_by_facilitator', name='itemdecision', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('round_item', schema=None) as batch_op:
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('decision')
        batch_op.drop_column('status')

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('shows_no_comments')

