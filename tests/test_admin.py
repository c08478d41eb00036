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
