"""workshop sessions, groups, ranks and decisions; uncertainty intake fields on suggestions and items

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 01:41:05.786526

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='sessionstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_workshop_session_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_session')),
    sa.UniqueConstraint('round_id', 'number', name=op.f('uq_workshop_session_round_id_number'))
    )
    with op.batch_alter_table('workshop_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_session_round_id'), ['round_id'], unique=False)

    op.create_table('workshop_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('item_order', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_workshop_decision_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_session.id'], name=op.f('fk_workshop_decision_session_id_workshop_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_decision'))
    )
    with op.batch_alter_table('workshop_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_decision_session_id'), ['session_id'], unique=False)

    op.create_table('workshop_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('composition', sa.String(length=300), nullable=False),
    sa.Column('lead_token_hash', sa.String(length=64), nullable=True),
    sa.Column('lead_link_expires_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_session.id'], name=op.f('fk_workshop_group_session_id_workshop_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_workshop_group_submitted_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_group')),
    sa.UniqueConstraint('lead_token_hash', name=op.f('uq_workshop_group_lead_token_hash')),
    sa.UniqueConstraint('session_id', 'name', name=op.f('uq_workshop_group_session_id_name'))
    )
    with op.batch_alter_table('workshop_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_group_session_id'), ['session_id'], unique=False)

    op.create_table('workshop_rank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['workshop_group.id'], name=op.f('fk_workshop_rank_group_id_workshop_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_workshop_rank_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_rank')),
    sa.UniqueConstraint('group_id', 'item_id', name=op.f('uq_workshop_rank_group_id_item_id')),
    sa.UniqueConstraint('group_id', 'position', name=op.f('uq_workshop_rank_group_id_position'))
    )
    with op.batch_alter_table('workshop_rank', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_rank_group_id'), ['group_id'], unique=False)

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_status', sa.Enum('answered', 'partly_answered', 'unanswered', name='evidencestatus', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('evidence_note', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('out_of_scope_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('respondent_type', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('organisation', sa.String(length=200), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_column('organisation')
        batch_op.drop_column('respondent_type')
        batch_op.drop_column('out_of_scope_reason')

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_column('evidence_note')
        batch_op.drop_column('evidence_status')

    with op.batch_alter_table('workshop_rank', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_rank_group_id'))

    op.drop_table('workshop_rank')
    with op.batch_alter_table('workshop_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_group_session_id'))

    op.drop_table('workshop_group')
    with op.batch_alter_table('workshop_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_decision_session_id'))

    op.drop_table('workshop_decision')
    with op.batch_alter_table('workshop_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_session_round_id'))

    op.drop_table('workshop_session')
