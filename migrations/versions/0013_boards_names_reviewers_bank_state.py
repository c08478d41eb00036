"""boards: masked names on boards, who wrote and reviewed a version, bank questions' loaded state

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10

Competitions gain ``board_names`` (masked | full; existing competitions publish masked
names). Question versions gain their author, last editor and reviewer (users; none for
versions already stored). Questions gain the state the bank files were last loaded with
(content hash, status, survey flag), filled for bank questions from their current version:
until now the UI could not change bank questions, so that is what the files last loaded.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_names', sa.String(length=8),
                                      server_default='masked', nullable=False))

    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('editor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_question_versions_author_id_users'),
                                    'users', ['author_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_question_versions_editor_id_users'),
                                    'users', ['editor_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_question_versions_reviewed_by_id_users'),
                                    'users', ['reviewed_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_content_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('bank_status', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('bank_survey', sa.Boolean(), nullable=True))

    current = ("(SELECT question_versions.{column} FROM question_versions "
               "WHERE question_versions.id = questions.current_version_id)")
    op.execute(
        "UPDATE questions SET "
        f"bank_content_hash = {current.format(column='content_hash')}, "
        f"bank_status = {current.format(column='status')}, "
        "bank_survey = survey_reserved "
        "WHERE source = 'bank' AND current_version_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('bank_survey')
        batch_op.drop_column('bank_status')
        batch_op.drop_column('bank_content_hash')

    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_versions_reviewed_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_question_versions_editor_id_users'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_question_versions_author_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('editor_id')
        batch_op.drop_column('author_id')

    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('board_names')
