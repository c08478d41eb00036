"""certificates of competition attempts, with a public code

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

New table certificates (one per attempt, a random public code, what the certificate says as
issued). Competitions gain the score from which an attempt earns a certificate (0: every
finished attempt, also for existing competitions).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('max_score', sa.Double(), nullable=False),
    sa.Column('achieved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_certificates_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_certificates_attempt_id')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code'))
    )
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_min_score', sa.Double(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('competitions', schema=None) as batch_op:
        batch_op.drop_column('certificate_min_score')
    op.drop_table('certificates')
