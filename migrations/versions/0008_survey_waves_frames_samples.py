"""survey waves, parallel forms, sampling frames, samples, households, cases

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

New tables only (nothing existing changes).  Personal data of sampled people lives in
survey_case_contacts alone, so a wave's close can delete it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reference_date', sa.Date(), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=False),
    sa.Column('age_max', sa.Integer(), nullable=False),
    sa.Column('instrument_version', sa.String(length=32), nullable=False),
    sa.Column('boundary', sa.String(length=10), nullable=False),
    sa.Column('target_sample_size', sa.Integer(), nullable=False),
    sa.Column('selection_method', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('design', sa.JSON(), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('frame_filename', sa.String(length=200), nullable=True),
    sa.Column('frame_imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_survey_waves_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_waves')),
    sa.UniqueConstraint('name', name=op.f('uq_survey_waves_name'))
    )
    op.create_table('survey_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_forms_wave_id_survey_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_forms')),
    sa.UniqueConstraint('wave_id', 'code', name=op.f('uq_survey_forms_wave_id_code'))
    )
    op.create_table('survey_frame_psus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('urban_rural', sa.String(length=5), nullable=False),
    sa.Column('size', sa.Double(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('pi1', sa.Double(), nullable=True),
    sa.Column('certainty', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_survey_frame_psus_township_id_townships')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_frame_psus_wave_id_survey_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_frame_psus')),
    sa.UniqueConstraint('wave_id', 'code', name=op.f('uq_survey_frame_psus_wave_id_code'))
    )
    with op.batch_alter_table('survey_frame_psus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_frame_psus_township_id'), ['township_id'], unique=False)

    op.create_table('survey_form_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('anchor', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['survey_forms.id'], name=op.f('fk_survey_form_items_form_id_survey_forms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_versions.id'], name=op.f('fk_survey_form_items_question_version_id_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_form_items')),
    sa.UniqueConstraint('form_id', 'position', name=op.f('uq_survey_form_items_form_id_position')),
    sa.UniqueConstraint('form_id', 'question_version_id', name=op.f('uq_survey_form_items_form_id_question_version_id'))
    )
    with op.batch_alter_table('survey_form_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_form_items_question_version_id'), ['question_version_id'], unique=False)

    op.create_table('survey_sampled_psus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('frame_psu_id', sa.Integer(), nullable=False),
    sa.Column('pi1', sa.Double(), nullable=False),
    sa.Column('certainty', sa.Boolean(), nullable=False),
    sa.Column('take', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=True),
    sa.Column('listed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['frame_psu_id'], ['survey_frame_psus.id'], name=op.f('fk_survey_sampled_psus_frame_psu_id_survey_frame_psus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interviewer_id'], ['users.id'], name=op.f('fk_survey_sampled_psus_interviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_sampled_psus_wave_id_survey_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_sampled_psus')),
    sa.UniqueConstraint('frame_psu_id', name=op.f('uq_survey_sampled_psus_frame_psu_id'))
    )
    with op.batch_alter_table('survey_sampled_psus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_sampled_psus_interviewer_id'), ['interviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_sampled_psus_wave_id'), ['wave_id'], unique=False)

    op.create_table('survey_households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sampled_psu_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('pi2', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['sampled_psu_id'], ['survey_sampled_psus.id'], name=op.f('fk_survey_households_sampled_psu_id_survey_sampled_psus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_households')),
    sa.UniqueConstraint('sampled_psu_id', 'line', name=op.f('uq_survey_households_sampled_psu_id_line'))
    )
    op.create_table('survey_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('sampled_psu_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('kish_table', sa.String(length=2), nullable=True),
    sa.Column('eligible_adults', sa.Integer(), nullable=True),
    sa.Column('selected_adult', sa.Integer(), nullable=True),
    sa.Column('within_probability', sa.Double(), nullable=True),
    sa.Column('base_weight', sa.Double(), nullable=True),
    sa.Column('disposition', sa.String(length=24), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_survey_cases_attempt_id_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['form_id'], ['survey_forms.id'], name=op.f('fk_survey_cases_form_id_survey_forms')),
    sa.ForeignKeyConstraint(['household_id'], ['survey_households.id'], name=op.f('fk_survey_cases_household_id_survey_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sampled_psu_id'], ['survey_sampled_psus.id'], name=op.f('fk_survey_cases_sampled_psu_id_survey_sampled_psus'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_cases_wave_id_survey_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_cases')),
    sa.UniqueConstraint('household_id', name=op.f('uq_survey_cases_household_id'))
    )
    with op.batch_alter_table('survey_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_cases_sampled_psu_id'), ['sampled_psu_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_cases_wave_id'), ['wave_id'], unique=False)

    op.create_table('survey_case_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['survey_cases.id'], name=op.f('fk_survey_case_contacts_case_id_survey_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_case_contacts')),
    sa.UniqueConstraint('case_id', name=op.f('uq_survey_case_contacts_case_id'))
    )


def downgrade():
    op.drop_table('survey_case_contacts')
    with op.batch_alter_table('survey_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_cases_wave_id'))
        batch_op.drop_index(batch_op.f('ix_survey_cases_sampled_psu_id'))

    op.drop_table('survey_cases')
    op.drop_table('survey_households')
    with op.batch_alter_table('survey_sampled_psus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_sampled_psus_wave_id'))
        batch_op.drop_index(batch_op.f('ix_survey_sampled_psus_interviewer_id'))

    op.drop_table('survey_sampled_psus')
    with op.batch_alter_table('survey_form_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_form_items_question_version_id'))

    op.drop_table('survey_form_items')
    with op.batch_alter_table('survey_frame_psus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_frame_psus_township_id'))

    op.drop_table('survey_frame_psus')
    op.drop_table('survey_forms')
    op.drop_table('survey_waves')
