"""What Alembic's model-versus-database comparison leaves out.

``ix_attempts_counted`` exists on SQLite only (migration 0004): it covers the leaderboards'
"counted attempt" query and makes boards 2-4x faster there at 100,000 attempts, while
PostgreSQL plans them better without it (``benchmarks/leaderboard.py --candidate-index``).
"""

DATABASE_ONLY_INDEXES = frozenset({"ix_attempts_counted"})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: skip the indexes that live in migrations only."""
    return not (type_ == "index" and name in DATABASE_ONLY_INDEXES)
