"""core tables

Revision ID: 0001
Revises:
Create Date: 2026-11-25 20:16:47.031393

"""
from alembic import op
import sqlalchemy as sa

import delphi.models.types


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('delphi', 'priority_setting', 'chnri', name='studykind', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('setup', 'running', 'finished', 'archived', name='studystatus', native_enum=False, length=32), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('withdrawal_policy', sa.Enum('keep', 'remove', name='withdrawalpolicy', native_enum=False, length=32), nullable=False),
    sa.Column('planned_rounds', sa.Integer(), nullable=False),
    sa.Column('carry_forward_policy', sa.Enum('no_consensus', 'all', 'none', name='carryforwardpolicy', native_enum=False, length=32), nullable=False),
    sa.Column('retention_date', sa.Date(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('second_factor_secret', sa.String(length=64), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_audit_event_study_id_study'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_event_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_study_id'), ['study_id'], unique=False)

    op.create_table('consensus_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('primary', 'secondary', name='rulerole', native_enum=False, length=32), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('fixed_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_consensus_rule_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consensus_rule'))
    )
    with op.batch_alter_table('consensus_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consensus_rule_study_id'), ['study_id'], unique=False)

    op.create_table('item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=200), nullable=False),
    sa.Column('response_type', sa.Enum('scale', 'single_choice', 'choose_up_to_k', 'open_text', name='responsetype', native_enum=False, length=32), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'merged', 'removed', name='itemstatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_item_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item'))
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_study_id'), ['study_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'sent', 'failed', name='outboxstatus', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_outbox_message_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_study_id'), ['study_id'], unique=False)

    op.create_table('rating_scale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('maximum', sa.Integer(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('offers_unable', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_rating_scale_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_scale'))
    )
    with op.batch_alter_table('rating_scale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_scale_study_id'), ['study_id'], unique=False)

    op.create_table('round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('rating', 'ranking', 'choose_n', 'open_questions', 'chnri', 'workshop', name='roundkind', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'published', name='roundstate', native_enum=False, length=32), nullable=False),
    sa.Column('opens_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopened_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=True),
    sa.Column('feedback', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_round_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round')),
    sa.UniqueConstraint('study_id', 'number', name=op.f('uq_round_study_id_number'))
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_study_id'), ['study_id'], unique=False)

    op.create_table('stakeholder_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('target_number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_stakeholder_group_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stakeholder_group')),
    sa.UniqueConstraint('study_id', 'name', name=op.f('uq_stakeholder_group_study_id_name'))
    )
    with op.batch_alter_table('stakeholder_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stakeholder_group_study_id'), ['study_id'], unique=False)

    op.create_table('study_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'facilitator', 'steering', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_study_membership_study_id_study'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_study_membership_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_membership')),
    sa.UniqueConstraint('user_id', 'study_id', name=op.f('uq_study_membership_user_id_study_id'))
    )
    with op.batch_alter_table('study_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_membership_study_id'), ['study_id'], unique=False)

    op.create_table('dimension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('scale_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scale_id'], ['rating_scale.id'], name=op.f('fk_dimension_scale_id_rating_scale')),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_dimension_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dimension')),
    sa.UniqueConstraint('study_id', 'name', name=op.f('uq_dimension_study_id_name'))
    )
    with op.batch_alter_table('dimension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dimension_study_id'), ['study_id'], unique=False)

    op.create_table('item_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('change_reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_item_version_changed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_version_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_version')),
    sa.UniqueConstraint('item_id', 'number', name=op.f('uq_item_version_item_id_number'))
    )
    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('invited', 'active', 'withdrawn', name='participantstatus', native_enum=False, length=32), nullable=False),
    sa.Column('consented_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consent_version', sa.String(length=32), nullable=True),
    sa.Column('withdrawn_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_test', sa.Boolean(), nullable=False),
    sa.Column('reminders_stopped', sa.Boolean(), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['stakeholder_group.id'], name=op.f('fk_participant_group_id_stakeholder_group'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_participant_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant')),
    sa.UniqueConstraint('study_id', 'pseudonym', name=op.f('uq_participant_study_id_pseudonym'))
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_study_id'), ['study_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_reminded_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_invitation_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_participant_id'), ['participant_id'], unique=False)

    op.create_table('participant_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_participant_contact_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_contact')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_participant_contact_participant_id'))
    )
    op.create_table('ranking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_ranking_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_ranking_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_ranking_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ranking')),
    sa.UniqueConstraint('participant_id', 'round_id', 'item_id', name=op.f('uq_ranking_participant_id_round_id_item_id')),
    sa.UniqueConstraint('participant_id', 'round_id', 'position', name=op.f('uq_ranking_participant_id_round_id_position'))
    )
    with op.batch_alter_table('ranking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ranking_round_id'), ['round_id'], unique=False)

    op.create_table('result_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.Integer(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('quantile_method', sa.String(length=40), nullable=False),
    sa.Column('engine_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dimension_id'], ['dimension.id'], name=op.f('fk_result_snapshot_dimension_id_dimension'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_result_snapshot_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_snapshot'))
    )
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_snapshot_round_id'), ['round_id'], unique=False)

    op.create_table('round_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_carried_forward', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_round_item_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_version_id'], ['item_version.id'], name=op.f('fk_round_item_item_version_id_item_version')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_item_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_item')),
    sa.UniqueConstraint('round_id', 'item_id', name=op.f('uq_round_item_round_id_item_id'))
    )
    with op.batch_alter_table('round_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_item_item_id'), ['item_id'], unique=False)

    op.create_table('round_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', delphi.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_round_participation_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_participation_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_participation')),
    sa.UniqueConstraint('round_id', 'participant_id', name=op.f('uq_round_participation_round_id_participant_id'))
    )
    with op.batch_alter_table('round_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_participation_participant_id'), ['participant_id'], unique=False)

    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('original_text', sa.Text(), nullable=False),
    sa.Column('shown_text', sa.Text(), nullable=False),
    sa.Column('moderation_state', sa.Enum('pending', 'approved', 'hidden', name='moderationstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_suggestion_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_suggestion_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_round_id'), ['round_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('round_item_id', sa.Integer(), nullable=False),
    sa.Column('item_version_id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.Integer(), nullable=False),
    sa.Column('option_key', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('is_unable', sa.Boolean(), nullable=False),
    sa.Column('change_reason', sa.Text(), nullable=True),
    sa.Column('source', sa.Enum('online', 'assisted', 'imported', name='answersource', native_enum=False, length=32), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dimension_id'], ['dimension.id'], name=op.f('fk_answer_dimension_id_dimension'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_answer_entered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_version_id'], ['item_version.id'], name=op.f('fk_answer_item_version_id_item_version')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_answer_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_item_id'], ['round_item.id'], name=op.f('fk_answer_round_item_id_round_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('participant_id', 'round_item_id', 'item_version_id', 'dimension_id', 'option_key', name=op.f('uq_answer_participant_id_round_item_id_item_version_id_dimension_id_option_key'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_results', ['round_item_id', 'dimension_id', 'value'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('round_item_id', sa.Integer(), nullable=False),
    sa.Column('original_text', sa.Text(), nullable=False),
    sa.Column('shown_text', sa.Text(), nullable=False),
    sa.Column('moderation_state', sa.Enum('pending', 'approved', 'hidden', name='moderationstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_comment_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_item_id'], ['round_item.id'], name=op.f('fk_comment_round_item_id_round_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_round_item_id'), ['round_item_id'], unique=False)

    op.create_table('item_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('merged_from', 'split_from', 'from_suggestion', name='linkkind', native_enum=False, length=32), nullable=False),
    sa.Column('source_item_id', sa.Integer(), nullable=True),
    sa.Column('suggestion_id', sa.Integer(), nullable=True),
    sa.Column('created_at', delphi.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_link_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_item_id'], ['item.id'], name=op.f('fk_item_link_source_item_id_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], name=op.f('fk_item_link_suggestion_id_suggestion'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_link'))
    )
    with op.batch_alter_table('item_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_link_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('item_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_link_item_id'))

    op.drop_table('item_link')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_round_item_id'))

    op.drop_table('comment')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_results')

    op.drop_table('answer')
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_round_id'))

    op.drop_table('suggestion')
    with op.batch_alter_table('round_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_participation_participant_id'))

    op.drop_table('round_participation')
    with op.batch_alter_table('round_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_item_item_id'))

    op.drop_table('round_item')
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_snapshot_round_id'))

    op.drop_table('result_snapshot')
    with op.batch_alter_table('ranking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ranking_round_id'))

    op.drop_table('ranking')
    op.drop_table('participant_contact')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_participant_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_study_id'))
        batch_op.drop_index(batch_op.f('ix_participant_group_id'))

    op.drop_table('participant')
    op.drop_table('item_version')
    with op.batch_alter_table('dimension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dimension_study_id'))

    op.drop_table('dimension')
    with op.batch_alter_table('study_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_membership_study_id'))

    op.drop_table('study_membership')
    with op.batch_alter_table('stakeholder_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stakeholder_group_study_id'))

    op.drop_table('stakeholder_group')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_study_id'))

    op.drop_table('round')
    with op.batch_alter_table('rating_scale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_scale_study_id'))

    op.drop_table('rating_scale')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_study_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_status'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_study_id'))

    op.drop_table('item')
    with op.batch_alter_table('consensus_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consensus_rule_study_id'))

    op.drop_table('consensus_rule')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_study_id'))

    op.drop_table('audit_event')
    op.drop_table('user')
    op.drop_table('study')
