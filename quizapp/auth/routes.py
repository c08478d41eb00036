from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from quizapp.access import login_required, public
from quizapp.auth import bp
from quizapp.auth.forms import LoginForm
from quizapp.auth.services import authenticate, end_sessions, remember_duration
from quizapp.extensions import limiter
from quizapp.urls import safe_next


def _login_failed(response) -> bool:
    """Only failed sign-ins count towards the rate limit (a success redirects)."""
    return request.method == "POST" and response.status_code != 302


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_login_failed)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data, duration=remember_duration(user))
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append(_("Wrong username or password."))
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    logout_user()
    # Ends this session and every copy of it (a copied cookie, a remember-me cookie).
    end_sessions(user)
    flash(_("You have signed out."))
    return redirect(url_for("main.home"))
