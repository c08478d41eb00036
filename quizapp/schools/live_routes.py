"""(filled in by the live work of issue 12)"""

from quizapp.schools import bp, play_bp  # noqa: F401
