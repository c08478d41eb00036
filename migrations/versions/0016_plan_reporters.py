"""who reports a plan target's figures

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

New table plan_reporters: the accounts an admin assigned to enter a target's yearly figures
(one row per target and account).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_reporters',
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['plan_targets.id'], name=op.f('fk_plan_reporters_target_id_plan_targets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_reporters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('target_id', 'user_id', name=op.f('pk_plan_reporters'))
    )
    with op.batch_alter_table('plan_reporters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_reporters_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_reporters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_reporters_user_id'))
    op.drop_table('plan_reporters')
