"""我的 (mine): a person's own attempts, certificates, practice and mistakes, by account or
by this device."""

from flask import Blueprint

bp = Blueprint("mine", __name__)

from quizapp.mine import routes  # noqa: E402,F401
