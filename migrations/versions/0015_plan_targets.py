"""the plan's other measurable targets and their yearly figures

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

New tables plan_targets (one per measurable target of the 2021–2025 plan, with its kind, its
2025 figure and the unit that leads it) and plan_figures (a target's figure for one year).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_value', sa.Double(), nullable=False),
    sa.Column('unit_zh', sa.String(length=32), nullable=False),
    sa.Column('unit_en', sa.String(length=32), nullable=False),
    sa.Column('denominator_zh', sa.String(length=64), nullable=False),
    sa.Column('denominator_en', sa.String(length=64), nullable=False),
    sa.Column('lead_unit', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint('target_value > 0', name=op.f('ck_plan_targets_target_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('code', name=op.f('uq_plan_targets_code'))
    )
    op.create_table('plan_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_plan_figures_value_not_negative')),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0',
                       name=op.f('ck_plan_figures_denominator_positive')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_plan_figures_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['plan_targets.id'], name=op.f('fk_plan_figures_target_id_plan_targets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_figures')),
    sa.UniqueConstraint('target_id', 'year', name=op.f('uq_plan_figures_target_id_year'))
    )
    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_figures_target_id'), ['target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_figures_target_id'))
    op.drop_table('plan_figures')
    op.drop_table('plan_targets')
