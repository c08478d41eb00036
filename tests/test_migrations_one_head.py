"""The migrations form one line: two revisions on the same parent (two branches each adding
"0006" or "0007" on top of 0005) would make ``flask db upgrade`` stop with "multiple heads"."""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_the_migrations_have_one_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, script.get_heads()
