"""Enemy groups and review-by dates: the schema, the checker, loading and the admins' list."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from question_bank.check import check_bank, enemy_group_members
from question_bank.loader import load_bank, load_text
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.questions import services

BASE = """\
  - id: health-{n:04d}
    version: 1
    type: true_false
    stem: 第{n}号说法是对的吗
    answer: true
    explanation: 第{n}号说法是对的。
    authority: 教科书常识
    groups: all
    dimension: K
    difficulty: 1
    status: active
    survey: false
"""


def _file(*questions: str) -> str:
    return "topic: health\nquestions:\n" + "".join(questions)


def _q(n: int, extra: str = "") -> str:
    return BASE.format(n=n) + "".join(f"    {line}\n" for line in extra.splitlines())


def _load(*questions: str):
    return load_text(_file(*questions), "health.yaml", "health")


def test_enemy_groups_and_review_by_are_read_sorted_and_outside_the_content():
    result = _load(_q(1, "enemy_groups: [gamblers-fallacy, coin-2]\nreview_by: 2026-06-30"),
                   _q(2, "review_by: '2027-01-31'"), _q(3))
    assert result.issues == []
    first, second, third = result.specs
    assert first.enemy_groups == ("coin-2", "gamblers-fallacy")
    assert (first.review_by, second.review_by, third.review_by) == (
        date(2026, 6, 30), date(2027, 1, 31), None)
    assert third.enemy_groups == ()
    assert "enemy_groups" not in first.content() and "review_by" not in first.content()


@pytest.mark.parametrize("extra, kind", [
    ("enemy_groups: gamblers-fallacy", "bad_enemy_groups"),  # not a list
    ("enemy_groups: []", "bad_enemy_groups"),
    ("enemy_groups: [Gamblers]", "bad_enemy_group"),
    ("enemy_groups: [赌徒谬误]", "bad_enemy_group"),
    ("enemy_groups: [a]", "bad_enemy_group"),  # too short to mean anything
    ("enemy_groups: [coin, coin]", "bad_enemy_groups"),
    ("enemy_groups: [aa, bb, cc, dd, ee]", "bad_enemy_groups"),
    ("review_by: 2026-13-01", "malformed_yaml"),  # YAML itself cannot read it
    ("review_by: 2026-06-30 10:00:00", "bad_date"),
    ("review_by: next year", "bad_date"),
    ("review_by: 20260630", "bad_date"),
    ("review_by: 1999-12-31", "bad_date"),
])
def test_bad_metadata_is_an_error_on_its_line(extra, kind):
    result = _load(_q(1, extra))
    column = None if kind == "malformed_yaml" else extra.split(":")[0]
    assert [(i.kind, i.line, i.column) for i in result.issues] == [(kind, 15, column)]


def test_an_enemy_group_of_one_question_is_an_error(tmp_path):
    (tmp_path / "health.yaml").write_text(
        _file(_q(1, "enemy_groups: [coin]"), _q(2, "enemy_groups: [coin]"),
              _q(3, "enemy_groups: [coni]")), encoding="utf-8")
    report = check_bank(tmp_path, with_coverage=False, today=date(2026, 1, 1))
    assert [(i.kind, i.question) for i in report.errors] == [("enemy_group_alone", "health-0003")]
    assert enemy_group_members(report.specs) == {"coin": ["health-0001", "health-0002"],
                                                 "coni": ["health-0003"]}


def test_a_review_date_that_has_come_is_a_warning_for_active_questions_only(tmp_path):
    retired = _q(3, "review_by: 2025-01-01").replace("status: active", "status: retired")
    (tmp_path / "health.yaml").write_text(
        _file(_q(1, "review_by: 2026-03-01"), _q(2, "review_by: 2026-03-02"), retired),
        encoding="utf-8")
    report = check_bank(tmp_path, with_coverage=False, today=date(2026, 3, 1))
    assert report.ok
    assert [(i.kind, i.question) for i in report.warnings if i.kind != "near_duplicate"] == [
        ("review_due", "health-0001")]


def test_the_shipped_bank_keeps_the_issues_give_aways_apart():
    """The review's findings (docs/bank-review-2.md) stay in the files: the four versions of
    the gambler's fallacy are one enemy group, and every group holds at least two questions."""
    members = enemy_group_members(load_bank().specs)
    assert all(len(ids) >= 2 for ids in members.values())
    assert len(members["gamblers-fallacy"]) >= 4
    assert sum(len(ids) for ids in members.values()) >= 2 * len(members) >= 20


# --- in the database ---------------------------------------------------------------------------

def _question(code) -> Question:
    return db.session.scalar(select(Question).where(Question.code == code))


def _write(bank_dir, *questions):
    (bank_dir / "health.yaml").write_text(_file(*questions), encoding="utf-8")


def test_loading_stores_the_metadata_and_changes_it_in_place(app, tmp_path):
    _write(tmp_path, _q(1, "enemy_groups: [coin]\nreview_by: 2026-06-30"),
           _q(2, "enemy_groups: [coin]"), _q(3))
    services.sync_bank(tmp_path)
    first = _question("health-0001")
    assert (first.enemy_groups, first.enemy_group_names, first.review_by) == (
        "coin", ("coin",), date(2026, 6, 30))
    assert _question("health-0003").enemy_groups is None
    _write(tmp_path, _q(1, "enemy_groups: [dice]\nreview_by: 2027-06-30"),
           _q(2, "enemy_groups: [dice, coin]"), _q(3, "enemy_groups: [coin]"))
    summary = services.sync_bank(tmp_path)
    assert summary.metadata_changed == ["health-0001", "health-0002", "health-0003"]
    assert summary.new_versions == [] and summary.as_dict()["metadata_changed"] == 3
    assert db.session.scalar(select(func.count()).select_from(QuestionVersion)) == 3
    db.session.expire_all()
    assert (_question("health-0001").enemy_groups, _question("health-0001").review_by) == (
        "dice", date(2027, 6, 30))
    assert _question("health-0002").enemy_groups == "coin dice"
    assert services.spec_of(_question("health-0002")).enemy_groups == ("coin", "dice")
    assert not services.sync_bank(tmp_path).changed
    _write(tmp_path, _q(1, "enemy_groups: [dice]\nreview_by: 2027-06-30"),
           _q(2, "enemy_groups: [dice, coin]"),
           _q(3, "enemy_groups: [coin]\nreview_by: 2028-01-01"))
    assert services.sync_bank(tmp_path).metadata_changed == ["health-0003"]
    db.session.expire_all()
    assert _question("health-0003").review_by == date(2028, 1, 1)


def test_an_enemy_group_of_one_question_stops_the_load(app, tmp_path):
    _write(tmp_path, _q(1, "enemy_groups: [coin]"), _q(2))
    with pytest.raises(services.BankError) as error:
        services.sync_bank(tmp_path)
    assert [i.kind for i in error.value.issues] == ["enemy_group_alone"]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_reviews_due_lists_what_has_come_oldest_first(app, tmp_path):
    retired = _q(4, "review_by: 2025-01-01").replace("status: active", "status: retired")
    _write(tmp_path, _q(1, "review_by: 2026-03-01"), _q(2, "review_by: 2026-02-01"),
           _q(3, "review_by: 2026-03-02"), retired, _q(5))
    services.sync_bank(tmp_path)
    due = services.reviews_due(date(2026, 3, 1))
    assert due.total == 2
    assert [q.code for q, _v in due.rows] == ["health-0002", "health-0001"]
    assert services.reviews_due(date(2026, 3, 1), limit=1).total == 2
    assert services.reviews_due(date(2026, 1, 31)).total == 0


def test_the_admin_question_page_lists_the_questions_due(app, admin, tmp_path, monkeypatch):
    from quizapp.engine import clock

    _write(tmp_path, _q(1, "review_by: 2026-03-01"), _q(2, "review_by: 2026-03-02"), _q(3))
    services.sync_bank(tmp_path)
    # 2026-03-01 17:00 UTC is already 2 March in the city (UTC+8): both are due there.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    page = admin.get("/admin/questions/").text
    box = page[page.index('data-test="reviews-due"'):page.index("</section>")]
    assert "待复核" in box and "(2)" in box
    assert box.index("health-0001") < box.index("health-0002") and "health-0003" not in box
    assert "应于 2026-03-01 前复核" in box
    listed = admin.get("/admin/questions/?review=due").text
    assert "health-0002" in listed.split("</section>")[-1]
    assert "health-0003" not in listed
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 2, 28, 15, 0, tzinfo=UTC))
    assert 'data-test="reviews-due"' not in admin.get("/admin/questions/").text


def test_residents_never_see_the_list(client, app):
    assert client.get("/admin/questions/").status_code in (302, 403)


def test_a_spreadsheet_import_stores_and_changes_the_metadata_of_ui_questions(app):
    from question_bank.tabular import TEMPLATE_EXAMPLES, read_table
    from quizapp.questions import transfer

    first, second = TEMPLATE_EXAMPLES
    grouped = [replace(first, enemy_groups=("coin",), review_by=date(2027, 6, 30)),
               replace(second, enemy_groups=("coin",))]
    table = read_table(transfer.questions_csv(grouped), "q.csv")
    transfer.apply_import(transfer.plan_import(table.specs))
    question = _question(first.id)
    assert (question.enemy_groups, question.review_by) == ("coin", date(2027, 6, 30))
    moved = [replace(grouped[0], review_by=date(2028, 6, 30)), grouped[1]]
    plan = transfer.plan_import(read_table(transfer.questions_csv(moved), "q.csv").specs)
    assert [(s.id, d) for s, d in plan.changed] == [(first.id, ["metadata"])]
    assert transfer.apply_import(plan).changed == 1
    db.session.expire_all()
    assert _question(first.id).review_by == date(2028, 6, 30)
    assert len(_question(first.id).versions) == 1, "no new version for metadata"
