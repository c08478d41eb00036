"""All models, imported here so that Alembic and the app see every table."""

from quizapp.models.accounts import User, UserRole
from quizapp.models.places import Organisation, SchoolClass, Township
from quizapp.models.questions import Question, QuestionVersion

__all__ = ["Organisation", "Question", "QuestionVersion", "SchoolClass", "Township", "User",
           "UserRole"]
