from sqlalchemy import func, select

from quizapp.extensions import db


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_loader_twice_leaves_the_same_rows(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = _row_counts()
    assert counts["users"] == 12 and counts["townships"] == 17  # 7 interviewers, 2 admins
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert _row_counts() == counts


def test_demo_accounts_sign_in_and_admin_sees_admin_home(app, client, auth, runner):
    from quizapp.demo import load_demo

    passwords = load_demo()
    assert auth.login("admin", passwords["admin"]).status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 200
    auth.logout()
    assert auth.login("resident", passwords["resident"]).status_code == 302
    assert client.get("/admin/").status_code == 403


def test_demo_passwords_are_printed_in_development_only(app, runner):
    from quizapp.demo import load_demo

    passwords = load_demo()
    app.config["SHOW_DEMO_PASSWORDS"] = False
    hidden = runner.invoke(args=["demo", "load"]).output
    assert [p for p in passwords.values() if p in hidden] == []
    app.config["SHOW_DEMO_PASSWORDS"] = True
    shown = runner.invoke(args=["demo", "load"]).output
    assert [p for p in passwords.values() if p in shown] == list(passwords.values())


def test_townships_are_seeded_with_airport_zone_flags(app):
    from quizapp.models import Township
    from quizapp.reference_data import seed_townships

    assert seed_townships() == 17
    assert seed_townships() == 0
    airport = set(db.session.scalars(select(Township.name).where(Township.airport_zone)))
    assert airport == {"岗李乡", "大马乡"}


def test_seeding_keeps_admin_edits(app):
    from quizapp.models import Township
    from quizapp.reference_data import seed_townships

    seed_townships()
    township = db.session.scalar(select(Township).where(Township.code == "longhu"))
    township.name = "龙湖街道（已核对）"
    db.session.commit()
    seed_townships()
    assert db.session.scalar(select(func.count(Township.id))) == 17
    db.session.refresh(township)
    assert township.name == "龙湖街道（已核对）"


def test_users_create_and_reset_password_commands(app, runner, auth):
    from quizapp.models import User

    result = runner.invoke(args=["users", "create", "--role", "admin", "--role", "statistician",
                                 "boss"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "boss"))
    assert user.roles == {"admin", "statistician"}
    assert auth.login("boss", "s3cret-pass").status_code == 302
    again = runner.invoke(args=["users", "create", "--role", "admin", "boss"],
                          input="x-pass-123\nx-pass-123\n")
    assert again.exit_code != 0 and "already exists" in again.output
    result = runner.invoke(args=["users", "reset-password", "boss"],
                           input="new-pass-456\nnew-pass-456\n")
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.check_password("new-pass-456")
    missing = runner.invoke(args=["users", "reset-password", "ghost"], input="a-pass-1\na-pass-1\n")
    assert missing.exit_code != 0


def test_teacher_and_interviewer_homes_show_their_assignments(app, client, auth):
    from quizapp.demo import load_demo

    passwords = load_demo()
    auth.login("teacher", passwords["teacher"])
    home = client.get("/").text
    assert "新郑市第一中学" in home and "7 年级 1班" in home
    auth.logout()
    auth.login("interviewer", passwords["interviewer"])
    home = client.get("/").text
    assert "薛店镇" in home and "郭店镇" in home
