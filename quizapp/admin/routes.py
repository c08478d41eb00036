from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from quizapp.access import roles_required
from quizapp.admin import bp, services
from quizapp.admin.forms import (
    ORGANISATION_KIND_LABELS,
    ROLE_LABELS,
    TOWNSHIP_KIND_LABELS,
    OrganisationForm,
    SchoolClassForm,
    TownshipForm,
    UserForm,
)
from quizapp.inputs import db_int
from quizapp.models import Organisation, Township, User
from quizapp.reference_data import list_organisations, list_townships
from quizapp.shared.forms import ActionForm, choices
from quizapp.shared.links import links_for

admin_only = roles_required("admin")


def _found(obj):
    if obj is None:
        abort(404)
    return obj


def _rule_message(error: Exception) -> str:
    if isinstance(error, services.SelfDisableError):
        return _("You cannot disable your own account.")
    return _("This is the last active administrator: make another account an administrator "
             "first.")


@bp.route("/")
@admin_only
def index():
    return render_template("admin/index.html", links=links_for("admin"))


# --- users ---------------------------------------------------------------------------------

@bp.route("/users")
@admin_only
def users():
    return render_template("admin/users.html", users=services.list_users(),
                           toggle_form=ActionForm(), role_labels=ROLE_LABELS)


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user) if request.method == "GET" and user else UserForm()
    form.schools.choices = choices((o.id, f"{o.township.name} · {o.name}")
                                   for o in list_organisations(kind="school"))
    form.townships.choices = choices((t.id, t.name) for t in list_townships())
    if request.method == "GET" and user:
        form.roles.data = sorted(user.roles)
        form.schools.data = [o.id for o in user.schools]
        form.townships.data = [t.id for t in user.townships]
    return form


def _edit_user(user: User, is_new: bool):
    form = _user_form(None if is_new else user)
    if form.validate_on_submit():
        if is_new and not form.password.data:
            form.password.errors.append(_("A new account needs a password."))
        else:
            actor = current_user._get_current_object()
            try:
                services.save_user(
                    user, actor=actor, username=form.username.data,
                    display_name=form.display_name.data, password=form.password.data,
                    roles=form.roles.data, active=form.active.data,
                    school_ids=form.schools.data, township_ids=form.townships.data)
            except services.DuplicateError:
                form.username.errors.append(_("This username is already taken."))
            except services.SelfDisableError as error:
                form.active.errors.append(_rule_message(error))
            except services.LastAdminError as error:
                form.roles.errors.append(_rule_message(error))
            else:
                if user.id == actor.id and form.password.data:
                    # The new password ended every session of this account; keep this one.
                    login_user(user)
                flash(_("Saved."))
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None if is_new else user)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def user_new():
    return _edit_user(User(), is_new=True)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int):
    return _edit_user(_found(services.get_user(user_id)), is_new=False)


@bp.route("/users/<int:user_id>/toggle", methods=["POST"])
@admin_only
def user_toggle(user_id: int):
    user = _found(services.get_user(user_id))
    if ActionForm().validate_on_submit():
        try:
            services.set_active(user, not user.active, actor=current_user._get_current_object())
        except (services.SelfDisableError, services.LastAdminError) as error:
            flash(_rule_message(error))
        else:
            flash(_("Account enabled.") if user.active else _("Account disabled."))
    return redirect(url_for("admin.users"))


# --- townships -----------------------------------------------------------------------------

@bp.route("/townships")
@admin_only
def townships():
    return render_template("admin/townships.html", townships=list_townships(),
                           kind_labels=TOWNSHIP_KIND_LABELS)


def _edit_township(township: Township, is_new: bool):
    form = TownshipForm(obj=None if is_new else township)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in (
            "code", "name", "kind", "airport_zone", "population", "population_source",
            "sort_order", "active")}
        fields["sort_order"] = fields["sort_order"] or 0
        try:
            services.save_township(township, **fields)
        except services.DuplicateError:
            form.name.errors.append(_("A township with this code or name already exists."))
        else:
            flash(_("Saved."))
            return redirect(url_for("admin.townships"))
    return render_template("admin/township_form.html", form=form,
                           township=None if is_new else township)


@bp.route("/townships/new", methods=["GET", "POST"])
@admin_only
def township_new():
    return _edit_township(Township(), is_new=True)


@bp.route("/townships/<int:township_id>", methods=["GET", "POST"])
@admin_only
def township_edit(township_id: int):
    return _edit_township(_found(services.get_township(township_id)), is_new=False)


# --- organisations and classes -------------------------------------------------------------

@bp.route("/organisations")
@admin_only
def organisations():
    township_id = request.args.get("township", type=db_int)
    kind = request.args.get("kind") or None
    return render_template(
        "admin/organisations.html",
        organisations=list_organisations(township_id, kind),
        townships=list_townships(), township_id=township_id, kind=kind,
        kind_labels=ORGANISATION_KIND_LABELS)


def _edit_organisation(organisation: Organisation, is_new: bool):
    form = OrganisationForm(obj=None if is_new else organisation)
    form.township_id.choices = choices((t.id, t.name) for t in list_townships())
    if form.validate_on_submit():
        try:
            services.save_organisation(organisation, name=form.name.data, kind=form.kind.data,
                                       township_id=form.township_id.data,
                                       active=form.active.data)
        except services.DuplicateError:
            form.name.errors.append(_("This township already has an organisation of this name."))
        else:
            flash(_("Saved."))
            return redirect(url_for("admin.organisation_edit", organisation_id=organisation.id))
    return render_template("admin/organisation_form.html", form=form,
                           organisation=None if is_new else organisation,
                           class_form=SchoolClassForm(), delete_form=ActionForm())


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def organisation_new():
    return _edit_organisation(Organisation(), is_new=True)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_only
def organisation_edit(organisation_id: int):
    return _edit_organisation(_found(services.get_organisation(organisation_id)), is_new=False)


@bp.route("/organisations/<int:organisation_id>/classes", methods=["POST"])
@admin_only
def class_add(organisation_id: int):
    school = _found(services.get_organisation(organisation_id))
    form = SchoolClassForm()
    if school.kind != "school":
        flash(_("Only schools have classes."))
    elif form.validate_on_submit():
        try:
            services.add_class(school, form.grade.data, form.name.data.strip())
            flash(_("Class added."))
        except services.DuplicateError:
            flash(_("This class already exists."))
    else:
        flash(_("Enter a grade from 1 to 12 and a class name."))
    return redirect(url_for("admin.organisation_edit", organisation_id=school.id))


@bp.route("/classes/<int:class_id>/delete", methods=["POST"])
@admin_only
def class_delete(class_id: int):
    school_class = _found(services.get_school_class(class_id))
    school_id = school_class.organisation_id
    if ActionForm().validate_on_submit():
        services.delete_class(school_class)
        flash(_("Class removed."))
    return redirect(url_for("admin.organisation_edit", organisation_id=school_id))
