"""covering index for the leaderboards, on SQLite only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INDEX = ("CREATE INDEX ix_attempts_counted ON attempts (competition_id, participant_id, "
         "score DESC, duration_ms, finished_at, id, status, round_id)")


def upgrade():
    # PostgreSQL plans the boards better without it (benchmarks/leaderboard.py).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(INDEX)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_attempts_counted")
