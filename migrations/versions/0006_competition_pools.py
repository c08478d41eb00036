"""competition question pools, reveal after each question, unmixed registrations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Each competition gets its own question pool (competition_items), drawn once with a stored
seed; practice never draws from the pool of a competition that has not closed. Existing
competitions get their pool the next time an admin saves them or someone starts an attempt
(pool_seed stays NULL until then). Registrations that an account had adopted from a device
lose the device, so they no longer show to the next anonymous visitor on that device.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('competition_items',
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_competition_items_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_competition_items_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('competition_id', 'question_id', name=op.f('pk_competition_items'))
    )
    with op.batch_alter_table('competition_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_items_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_size', sa.Integer(), nullable=False,
                                      server_default=sa.text('100')))
        batch_op.add_column(sa.Column('pool_seed', sa.BigInteger(), nullable=True))

    # An account's registration is the account's alone (it used to keep the device it was
    # adopted from, and the next anonymous visitor on that device saw it).
    op.execute("UPDATE participants SET device_id = NULL WHERE user_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('pool_seed')
        batch_op.drop_column('pool_size')

    op.execute("UPDATE competitions SET reveal = 'after_attempt' WHERE reveal = 'after_item'")
    with op.batch_alter_table('competition_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competition_items_question_id'))

    op.drop_table('competition_items')
