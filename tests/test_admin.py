import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Organisation, SchoolClass, Township, User
from tests.support import csrf_token


def _submit(client, path, data, form_page=None):
    page = client.get(form_page or path)
    assert page.status_code == 200
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


def _township(**overrides):
    data = {"code": "testtown", "name": "测试镇", "kind": "town", "sort_order": "5",
            "population": "52000", "population_source": "七普（占位）", "active": "y"}
    data.update(overrides)
    return data


def test_admin_home_lists_admin_tools(admin):
    page = admin.get("/admin/")
    assert page.status_code == 200
    for label in ("用户", "乡镇（街道）", "单位"):
        assert label in page.text


def test_create_and_edit_township(admin):
    response = _submit(admin, "/admin/townships/new", _township())
    assert response.status_code == 302
    township = db.session.scalar(select(Township).where(Township.code == "testtown"))
    assert township.population == 52000 and township.kind == "town"
    response = _submit(admin, f"/admin/townships/{township.id}",
                       _township(name="测试镇二", airport_zone="y"))
    assert response.status_code == 302
    db.session.refresh(township)
    assert township.name == "测试镇二" and township.airport_zone is True
    assert "测试镇二" in admin.get("/admin/townships").text


def test_duplicate_township_shows_field_error_and_writes_nothing(admin):
    _submit(admin, "/admin/townships/new", _township())
    response = _submit(admin, "/admin/townships/new", _township(code="other"))
    assert response.status_code == 200
    assert "已存在" in response.text
    assert db.session.scalar(select(db.func.count(Township.id))) == 1


def test_township_code_is_validated(admin):
    response = _submit(admin, "/admin/townships/new", _township(code="Bad Code!"))
    assert response.status_code == 200
    assert 'class="error"' in response.text
    assert db.session.scalar(select(db.func.count(Township.id))) == 0


def test_create_organisation_and_classes(admin):
    _submit(admin, "/admin/townships/new", _township())
    township = db.session.scalar(select(Township))
    response = _submit(admin, "/admin/organisations/new",
                       {"name": "测试中学", "kind": "school", "township_id": township.id,
                        "active": "y"})
    assert response.status_code == 302
    school = db.session.scalar(select(Organisation))
    page = f"/admin/organisations/{school.id}"
    assert _submit(admin, f"{page}/classes", {"grade": "7", "name": "1班"}, page).status_code == 302
    assert _submit(admin, f"{page}/classes", {"grade": "7", "name": "1班"}, page).status_code == 302
    assert db.session.scalar(select(db.func.count(SchoolClass.id))) == 1
    assert "已存在" in admin.get(page).text
    school_class = db.session.scalar(select(SchoolClass))
    _submit(admin, f"/admin/classes/{school_class.id}/delete", {}, page)
    assert db.session.scalar(select(db.func.count(SchoolClass.id))) == 0
    listing = admin.get(f"/admin/organisations?township={township.id}")
    assert "测试中学" in listing.text


def test_create_edit_and_disable_user(admin, client, auth):
    response = _submit(admin, "/admin/users/new", {
        "username": "teacher2", "display_name": "李老师", "password": "long enough pw",
        "roles": ["teacher", "interviewer"], "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "teacher2"))
    assert user.roles == {"teacher", "interviewer"}
    assert user.check_password("long enough pw")

    response = _submit(admin, f"/admin/users/{user.id}", {
        "username": "teacher2", "display_name": "李老师", "password": "",
        "roles": ["teacher"], "active": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.roles == {"teacher"}
    assert user.check_password("long enough pw"), "an empty password field keeps the old one"

    _submit(admin, f"/admin/users/{user.id}/toggle", {}, "/admin/users")
    db.session.refresh(user)
    assert user.active is False
    auth.logout()
    assert auth.login("teacher2", "long enough pw").status_code == 401


def test_assign_teacher_to_school_and_interviewer_to_township(admin):
    _submit(admin, "/admin/townships/new", _township())
    township = db.session.scalar(select(Township))
    _submit(admin, "/admin/organisations/new",
            {"name": "测试小学", "kind": "school", "township_id": township.id, "active": "y"})
    school = db.session.scalar(select(Organisation))
    _submit(admin, "/admin/users/new", {
        "username": "staff1", "password": "long enough pw", "roles": ["teacher", "interviewer"],
        "schools": [str(school.id)], "townships": [str(township.id)], "active": "y"})
    user = db.session.scalar(select(User).where(User.username == "staff1"))
    assert [s.id for s in user.schools] == [school.id]
    assert [t.id for t in user.townships] == [township.id]


def test_new_user_needs_a_password_and_a_role(admin):
    response = _submit(admin, "/admin/users/new", {"username": "nopw", "roles": ["resident"]})
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.username == "nopw")) is None
    response = _submit(admin, "/admin/users/new", {"username": "norole", "password": "x" * 10})
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.username == "norole")) is None


def test_duplicate_username_is_refused(admin):
    response = _submit(admin, "/admin/users/new", {
        "username": "root", "password": "long enough pw", "roles": ["resident"]})
    assert response.status_code == 200
    assert "已被使用" in response.text


def test_resident_gets_403_on_admin_pages(client, auth, make_user):
    make_user("res", "resident")
    auth.login("res")
    for path in ("/admin/", "/admin/users", "/admin/townships", "/admin/organisations"):
        assert client.get(path).status_code == 403, path


# --- guards that keep the administrators in -------------------------------------------------

def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _edit(client, user, **fields):
    data = {"username": user.username, "password": "", "roles": sorted(user.roles),
            "active": "y"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return _submit(client, f"/admin/users/{user.id}", data)


def test_admin_cannot_disable_their_own_account(admin, make_user):
    make_user("other", "admin")
    root = _user("root")
    response = _submit(admin, f"/admin/users/{root.id}/toggle", {}, "/admin/users")
    assert response.status_code == 302
    assert "不能停用自己的账号" in admin.get("/admin/users").text
    db.session.refresh(root)
    assert root.active is True

    response = _edit(admin, root, active=None)
    assert response.status_code == 200
    assert "不能停用自己的账号" in response.text
    db.session.refresh(root)
    assert root.active is True


def test_own_row_has_no_disable_button(admin, make_user):
    other = make_user("other", "admin")
    root = _user("root")
    page = admin.get("/admin/users").text
    assert f"/admin/users/{other.id}/toggle" in page
    assert f"/admin/users/{root.id}/toggle" not in page


def test_last_admin_cannot_lose_the_role(admin):
    root = _user("root")
    response = _edit(admin, root, roles=["statistician"])
    assert response.status_code == 200
    assert "最后一个有效的管理员" in response.text
    db.session.refresh(root)
    assert root.roles == {"admin"}


def test_last_active_admin_cannot_be_disabled_by_the_other_disabled_admin(app, make_user):
    """Through the service: the only active admin is protected whoever acts."""
    from quizapp.admin import services

    root = make_user("root", "admin")
    sleeping = make_user("sleeping", "admin")
    sleeping.active = False
    db.session.commit()
    with pytest.raises(services.LastAdminError):
        services.set_active(root, False, actor=sleeping)
    with pytest.raises(services.LastAdminError):
        services.save_user(root, actor=sleeping, username="root", display_name="",
                           password=None, roles=["teacher"], active=True, school_ids=[],
                           township_ids=[])
    db.session.refresh(root)
    assert root.active is True and root.roles == {"admin"}


def test_with_a_second_admin_an_admin_can_be_disabled_or_demoted(admin, make_user):
    other = make_user("other", "admin")
    assert _submit(admin, f"/admin/users/{other.id}/toggle", {}, "/admin/users").status_code == 302
    db.session.refresh(other)
    assert other.active is False
    # The disabled admin may lose the role; root is now the last active admin and may not.
    assert _edit(admin, other, roles=["teacher"], active=None).status_code == 302
    assert _edit(admin, _user("root"), roles=["teacher"]).status_code == 200
    third = make_user("third", "admin")
    assert _edit(admin, third, roles=["teacher"]).status_code == 302
    db.session.refresh(third)
    assert third.roles == {"teacher"}
    assert _edit(admin, _user("root"), roles=["teacher"]).status_code == 200
    assert _user("root").roles == {"admin"}


# --- passwords and usernames -----------------------------------------------------------------

@pytest.mark.parametrize("password,roles,message", [
    ("password", ["resident"], "最常见"),
    ("aaaaaaaa", ["resident"], "简单的规律"),
    ("woaini1314", ["teacher"], "最常见"),
    ("88888888", ["resident"], "最常见"),
    ("Password", ["resident"], "最常见"),
    ("short1!", ["resident"], "至少 8 个字符"),
    ("nine-char", ["admin"], "至少 10 个字符"),
    ("0987654321", ["statistician"], "简单的规律"),
    ("abcdefghijk", ["admin"], "简单的规律"),
    ("abcabcabcabc", ["interviewer"], "简单的规律"),
    ("newstaff-2024", ["teacher"], "用户名"),
])
def test_weak_passwords_are_refused_with_the_reason(admin, password, roles, message):
    response = _submit(admin, "/admin/users/new", {
        "username": "newstaff", "password": password, "roles": roles, "active": "y"})
    assert response.status_code == 200
    assert message in response.text
    assert _user("newstaff") is None


@pytest.mark.parametrize("password,roles", [
    ("grüne Tomaten", ["resident"]),
    ("qiche-2024", ["resident"]),
    ("长城在北方的山上", ["resident"]),
    ("bamboo river 7", ["teacher"]),
])
def test_reasonable_passwords_are_accepted(admin, password, roles):
    response = _submit(admin, "/admin/users/new", {
        "username": "newstaff", "password": password, "roles": roles, "active": "y"})
    assert response.status_code == 302, response.text
    assert _user("newstaff").check_password(password)


def test_a_weak_new_password_on_edit_is_refused_and_keeps_the_old_one(admin, make_user):
    user = make_user("wang", "teacher")
    response = _edit(admin, user, password="qwertyuiop")
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.check_password("correct horse 42")


def test_usernames_ignore_case(admin, client, auth, make_user):
    response = _submit(admin, "/admin/users/new", {
        "username": "ROOT", "password": "long enough pw", "roles": ["resident"]})
    assert response.status_code == 200
    assert "已被使用" in response.text
    response = _submit(admin, "/admin/users/new", {
        "username": "Li.Ming", "password": "long enough pw", "roles": ["resident"],
        "active": "y"})
    assert response.status_code == 302
    assert _user("li.ming") is not None
    assert db.session.scalar(select(db.func.count(User.id))) == 2
    auth.logout()
    assert auth.login("LI.MING", "long enough pw").status_code == 302
    assert "li.ming" in client.get("/").text
    auth.logout()
    assert auth.login(" Li.Ming ", "long enough pw").status_code == 302


def test_the_database_refuses_a_username_with_capitals(app):
    """A CHECK constraint keeps usernames lower case, so the unique one ignores case."""
    import sqlalchemy as sa

    insert = sa.text("INSERT INTO users (username, display_name, password_hash, active, "
                     "created_at, session_token) VALUES (:name, '', 'x', :active, "
                     "CURRENT_TIMESTAMP, 'token')")
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(insert, {"name": "Admin", "active": True})
    with db.engine.begin() as connection:
        connection.execute(insert, {"name": "admin", "active": True})
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(insert, {"name": "admin", "active": True})


def test_user_list_shows_role_names_not_codes(admin, make_user):
    make_user("wang", "teacher", "interviewer")
    page = admin.get("/admin/users").text
    assert "教师、调查员" in page
    assert "interviewer" not in page.split("<tbody>")[1]
