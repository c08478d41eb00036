"""All models, imported here so that Alembic and the app see every table."""

from quizapp.models.accounts import User, UserRole
from quizapp.models.attempts import Attempt, AttemptItem
from quizapp.models.certificates import Certificate
from quizapp.models.competitions import Competition, CompetitionItem, Participant, Round
from quizapp.models.places import Organisation, SchoolClass, Township
from quizapp.models.plan import PlanFigure, PlanTarget
from quizapp.models.questions import Question, QuestionVersion
from quizapp.models.schools import LiveGame, LivePlayer, QuestionSet, QuestionSetItem
from quizapp.models.surveys import (
    SurveyCase,
    SurveyCaseContact,
    SurveyContactAttempt,
    SurveyEstimateRun,
    SurveyForm,
    SurveyFormItem,
    SurveyFramePSU,
    SurveyHousehold,
    SurveyInterview,
    SurveyInvitation,
    SurveySampledPSU,
    SurveyWave,
    SurveyWeightingRun,
)

__all__ = ["Attempt", "AttemptItem", "Certificate", "Competition", "CompetitionItem",
           "Organisation", "LiveGame", "PlanFigure", "PlanTarget", "LivePlayer", "Participant",
           "Question", "QuestionSet",
           "QuestionSetItem",
           "QuestionVersion", "Round", "SchoolClass", "SurveyCase",
           "SurveyCaseContact", "SurveyContactAttempt", "SurveyEstimateRun", "SurveyForm",
           "SurveyFormItem", "SurveyFramePSU", "SurveyHousehold", "SurveyInterview",
           "SurveyInvitation", "SurveySampledPSU", "SurveyWave", "SurveyWeightingRun", "Township",
           "User", "UserRole"]
