"""questions: enemy groups and review-by date

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

Questions gain the bank's metadata: their enemy groups (space-separated names; no two
questions sharing one are drawn into the same attempt) and a review-by date for time-sensitive
facts (hotlines, regulations, guidelines), indexed for the admins' "due for review" list.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enemy_groups', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('review_by', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_questions_review_by'), ['review_by'], unique=False)


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_review_by'))
        batch_op.drop_column('review_by')
        batch_op.drop_column('enemy_groups')
