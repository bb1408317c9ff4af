"""participant journey: open links, registration attempts, participant source, one comment per item

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 22:45:00

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_attempt'))
    )
    with op.batch_alter_table('registration_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_attempt_address_hash'), ['address_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_attempt_created_at'), ['created_at'], unique=False)

    op.create_table('open_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('cap', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_open_link_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_open_link_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_link')),
    sa.UniqueConstraint('slug', name=op.f('uq_open_link_slug'))
    )
    with op.batch_alter_table('open_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_link_study_id'), ['study_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_comment_participant_id_round_item_id'), ['participant_id', 'round_item_id'])

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('invited', 'self_registered', name='participantsource', native_enum=False, length=32), server_default='invited', nullable=False))
        batch_op.add_column(sa.Column('open_link_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('guidance_seen_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_participant_open_link_id'), ['open_link_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_participant_open_link_id_open_link'), 'open_link', ['open_link_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participant_open_link_id_open_link'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_participant_open_link_id'))
        batch_op.drop_column('guidance_seen_at')
        batch_op.drop_column('open_link_id')
        batch_op.drop_column('source')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comment_participant_id_round_item_id'), type_='unique')

    with op.batch_alter_table('open_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_link_study_id'))

    op.drop_table('open_link')
    with op.batch_alter_table('registration_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_attempt_created_at'))
        batch_op.drop_index(batch_op.f('ix_registration_attempt_address_hash'))

    op.drop_table('registration_attempt')
