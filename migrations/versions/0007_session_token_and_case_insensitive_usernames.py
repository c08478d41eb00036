"""session token on users; usernames stored in lower case

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Usernames become case-insensitive: they are lower-cased (the upgrade stops, naming them, if two
would collide) and a CHECK constraint keeps them so, which makes the existing unique constraint
case-insensitive. (A unique index on lower(username) would do the same on PostgreSQL, but
SQLite cannot reflect an expression index, so batch mode would silently drop it.)

Every account gets its own random session token, so sessions and remember-me cookies made
before the upgrade (which carry the bare user id) no longer sign anyone in.
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String),
                 sa.column('session_token', sa.String))


def upgrade():
    bind = op.get_bind()
    lowered = sa.func.lower(users.c.username)
    clashes = bind.execute(
        sa.select(lowered).group_by(lowered).having(sa.func.count() > 1)).scalars().all()
    if clashes:
        raise RuntimeError(
            "usernames that differ only in case must be renamed before this upgrade: "
            + ", ".join(sorted(clashes)))
    bind.execute(users.update().where(users.c.username != lowered).values(username=lowered))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32),
                              nullable=False)
        batch_op.create_check_constraint('username_lower_case', 'username = lower(username)')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('username_lower_case', type_='check')
        batch_op.drop_column('session_token')
