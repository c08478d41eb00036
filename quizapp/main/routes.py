from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp.access import public
from quizapp.device import current_owner
from quizapp.extensions import LANGUAGE_COOKIE, LARGE_TYPE_COOKIE
from quizapp.main import bp
from quizapp.main.forms import LanguageForm, LargeTypeForm
from quizapp.main.services import city_standing, home_sections, now_on
from quizapp.preferences import remember
from quizapp.shared.figures import pct
from quizapp.shared.links import personal_links
from quizapp.urls import path_on_site, safe_next


def _back() -> str:
    """The page the switch was pressed on: the form's ``next``, else the referring page."""
    return (safe_next(request.form.get("next"))
            or path_on_site(request.referrer, request.host_url)
            or url_for("main.home"))


@bp.context_processor
def figures() -> dict:
    return {"pct": pct}


@bp.route("/")
@public
def home():
    signed_in = current_user.is_authenticated
    roles = current_user.roles if signed_in else set()
    return render_template("main/home.html", sections=home_sections(roles),
                           mine=personal_links(current_user.id) if signed_in else [],
                           now=now_on(current_owner()), standing=city_standing())


@bp.route("/preferences/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    response = redirect(_back())
    if form.validate_on_submit() and form.language.data in current_app.config["LANGUAGES"]:
        remember(response, LANGUAGE_COOKIE, form.language.data)
    return response


@bp.route("/preferences/large-type", methods=["POST"])
@public
def set_large_type():
    form = LargeTypeForm()
    response = redirect(_back())
    if form.validate_on_submit():
        remember(response, LARGE_TYPE_COOKIE, "1" if form.on.data == "1" else "0")
    return response
