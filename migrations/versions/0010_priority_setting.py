"""priority setting: ranking round settings, shortlists, CHNRI criteria, questions and answers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 00:15:00

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chnri_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('weight_source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_chnri_criterion_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chnri_criterion'))
    )
    with op.batch_alter_table('chnri_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chnri_criterion_study_id'), ['study_id'], unique=False)

    op.create_table('chnri_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['chnri_criterion.id'], name=op.f('fk_chnri_question_criterion_id_chnri_criterion'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chnri_question'))
    )
    with op.batch_alter_table('chnri_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chnri_question_criterion_id'), ['criterion_id'], unique=False)

    op.create_table('shortlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('proposed_size', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_shortlist_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_shortlist_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist'))
    )
    with op.batch_alter_table('shortlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shortlist_round_id'), ['round_id'], unique=False)

    op.create_table('chnri_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('round_item_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('yes', 'no', 'undecided', 'dont_know', name='chnrianswervalue', native_enum=False, length=32), nullable=False),
    sa.Column('updated_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_chnri_answer_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['chnri_question.id'], name=op.f('fk_chnri_answer_question_id_chnri_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_item_id'], ['round_item.id'], name=op.f('fk_chnri_answer_round_item_id_round_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chnri_answer')),
    sa.UniqueConstraint('participant_id', 'round_item_id', 'question_id', name=op.f('uq_chnri_answer_participant_id_round_item_id_question_id'))
    )
    with op.batch_alter_table('chnri_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chnri_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chnri_answer_round_item_id'), ['round_item_id'], unique=False)

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranking_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ranking_exact', sa.Boolean(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('ranking_exact')
        batch_op.drop_column('ranking_size')

    with op.batch_alter_table('chnri_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chnri_answer_round_item_id'))
        batch_op.drop_index(batch_op.f('ix_chnri_answer_question_id'))

    op.drop_table('chnri_answer')
    with op.batch_alter_table('shortlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shortlist_round_id'))

    op.drop_table('shortlist')
    with op.batch_alter_table('chnri_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chnri_question_criterion_id'))

    op.drop_table('chnri_question')
    with op.batch_alter_table('chnri_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chnri_criterion_study_id'))

    op.drop_table('chnri_criterion')
