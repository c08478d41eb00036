"""Features append a callable here to add their own demo rows (each must be idempotent)."""

from collections.abc import Callable

HOOKS: list[Callable[[], None]] = []
