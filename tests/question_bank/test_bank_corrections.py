"""Shipped (bank) questions corrected in the UI: another person reviews, loading the files
never overwrites a correction (it reports the conflict), and the corrections export back into
the YAML files."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from question_bank.loader import load_file
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.questions import services
from quizapp.questions.services import OwnEditError, activate, review, save_edit, spec_of
from tests.support import csrf_token

UI_STEM = "普通感冒主要是由哪一类病原体引起的？"


@pytest.fixture
def people(app, make_user):
    return {name: make_user(name, "admin") for name in ("author", "editor", "reviewer")}


def _question(code) -> Question:
    db.session.expire_all()
    return db.session.scalar(select(Question).where(Question.code == code))


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionVersion))


def _correct(code, people, **changes):
    """Correct a bank question in the UI: the author edits, the reviewer reviews and activates."""
    question = _question(code)
    version = save_edit(question, replace(spec_of(question), **changes),
                        by_user_id=people["author"].id)
    review(question, version, by_user_id=people["reviewer"].id)
    activate(question, version, by_user_id=people["reviewer"].id)
    return _question(code)


# --- another person reviews --------------------------------------------------------------------

def test_the_writer_of_a_version_may_not_review_or_activate_it(people, bank_dir):
    services.sync_bank(bank_dir)
    author, editor, reviewer = people["author"], people["editor"], people["reviewer"]
    question = _question("health-0001")
    version = save_edit(question, replace(spec_of(question), stem=UI_STEM),
                        by_user_id=author.id)
    with pytest.raises(OwnEditError):
        review(question, version, by_user_id=author.id)
    assert version.status == "draft"
    again = save_edit(question, replace(spec_of(question, version), stem=UI_STEM + "（改）"),
                      by_user_id=editor.id)
    assert again.id == version.id and (version.author_id, version.editor_id) == \
        (author.id, editor.id)
    for writer in (author, editor):
        with pytest.raises(OwnEditError):
            review(question, version, by_user_id=writer.id)
    review(question, version, by_user_id=reviewer.id)
    assert version.status == "reviewed" and version.reviewed_by_id == reviewer.id
    for writer in (author, editor):
        with pytest.raises(OwnEditError):
            activate(question, version, by_user_id=writer.id)
    assert version.status == "reviewed"
    activate(question, version, by_user_id=reviewer.id)
    assert _question("health-0001").current.stem == UI_STEM + "（改）"


def test_the_bank_page_refuses_my_own_review_and_lets_another_admin(client, auth, people,
                                                                      bank_dir):
    services.sync_bank(bank_dir)
    question = _question("health-0001")
    auth.login("author")
    view, edit = f"/admin/questions/{question.id}", f"/admin/questions/{question.id}/edit"
    page = client.get(edit)
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(page.text), "topic": "health", "type": "single",
            "stem": UI_STEM, "option_a": "细菌", "option_b": "病毒", "option_c": "真菌",
            "answer_letters": ["B"], "answer_tf": "true",
            "explanation": "普通感冒大多由病毒引起，抗生素对病毒无效。",
            "authority": "国家卫生健康委员会", "groups": ["youth", "elder"], "dimension": "K",
            "benchmark": "", "difficulty": "1"}
    assert client.post(edit, data=form).status_code == 302
    draft = services.pending_version(_question("health-0001"))
    assert draft is not None and draft.author_id == people["author"].id
    page = client.get(view).text
    assert 'data-test="own-edit"' in page and f"/versions/{draft.id}/review" not in page
    refused = client.post(f"{view}/versions/{draft.id}/review",
                          data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "另一位" in refused.text or "another person" in refused.text
    assert db.session.get(QuestionVersion, draft.id).status == "draft"
    auth.logout()
    auth.login("reviewer")
    page = client.get(view).text
    assert f"/versions/{draft.id}/review" in page
    client.post(f"{view}/versions/{draft.id}/review", data={"csrf_token": csrf_token(page)})
    client.post(f"{view}/versions/{draft.id}/activate", data={"csrf_token": csrf_token(page)})
    assert _question("health-0001").current.stem == UI_STEM
    assert 'data-test="changed-here"' in client.get(view).text


# --- loading never overwrites a correction -----------------------------------------------------

def test_loading_unchanged_files_keeps_the_correction(people, bank_dir, runner):
    services.sync_bank(bank_dir)
    corrected = _correct("health-0001", people, stem=UI_STEM)
    count = _versions()
    summary = services.sync_bank(bank_dir)
    assert summary.ui_kept == ["health-0001"] and not summary.changed
    assert _question("health-0001").current.id == corrected.current.id
    assert _versions() == count
    result = runner.invoke(args=["questions", "load", "--dir", str(bank_dir)])
    assert result.exit_code == 0
    assert "health-0001: corrected in the UI and not yet in the files" in result.output


def test_a_file_change_to_a_corrected_question_is_a_reported_conflict(people, bank_dir,
                                                                      runner):
    services.sync_bank(bank_dir)
    _correct("health-0001", people, stem=UI_STEM)
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    .replace("普通感冒大多由什么引起？", "文件里改过的题干是什么？")
                    .replace("抗生素要按医嘱的疗程服用", "抗生素必须按医嘱的疗程服用"),
                    encoding="utf-8")
    result = runner.invoke(args=["questions", "load", "--dir", str(bank_dir)])
    assert result.exit_code == 1
    assert "health-0001: CONFLICT" in result.output and "health-0002" not in \
        result.output.split("CONFLICT")[0].split("\n")[-1]
    assert _question("health-0001").current.stem == UI_STEM, "the UI's version stays"
    assert "必须" in _question("health-0002").current.explanation, "the rest still loads"
    again = services.sync_bank(bank_dir)
    assert again.ui_conflicts == ["health-0001"], "reported until resolved"


def test_a_draft_waiting_for_review_is_not_jumped_over(people, bank_dir):
    services.sync_bank(bank_dir)
    question = _question("health-0001")
    draft = save_edit(question, replace(spec_of(question), stem=UI_STEM),
                      by_user_id=people["author"].id)
    assert services.sync_bank(bank_dir).unchanged == 2, "files unchanged: nothing to do"
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("普通感冒大多由什么引起？",
                                                             "文件里改过的题干是什么？"),
                    encoding="utf-8")
    assert services.sync_bank(bank_dir).ui_conflicts == ["health-0001"]
    question = _question("health-0001")
    assert question.current.version == 1 and services.pending_version(question).id == draft.id


def test_a_retirement_in_the_ui_is_kept_and_a_removal_from_the_files_does_not_override_it(
        people, bank_dir):
    services.sync_bank(bank_dir)
    services.retire(_question("health-0001"))
    assert services.sync_bank(bank_dir).ui_kept == ["health-0001"]
    assert _question("health-0001").current.status == "retired"
    _correct("health-0002", people, stem="症状好转后可以自己停用抗生素吗？")
    path = bank_dir / "health.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  - id: health-0002")], encoding="utf-8")
    summary = services.sync_bank(bank_dir)
    assert summary.retired_missing == [] and summary.ui_conflicts == ["health-0002"]
    assert _question("health-0002").current.status == "active"


# --- exporting the corrections to the files ----------------------------------------------------

def test_export_round_trips_and_the_next_load_settles(people, bank_dir, runner):
    services.sync_bank(bank_dir)
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    dimension: K\n", "    # 核对：2025 年指南\n    dimension: K\n", 1), encoding="utf-8")
    services.sync_bank(bank_dir)
    before = path.read_text(encoding="utf-8")
    corrected = _correct("health-0001", people, stem=UI_STEM, answer=(1,), benchmark=17,
                         options=("细菌", "病毒", "真菌", "寄生虫"))
    wanted = spec_of(corrected)
    dry = runner.invoke(args=["questions", "export-bank", "--dir", str(bank_dir), "--dry-run"])
    assert dry.exit_code == 0 and "would write health-0001" in dry.output
    assert path.read_text(encoding="utf-8") == before
    result = runner.invoke(args=["questions", "export-bank", "--dir", str(bank_dir)])
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    read = {spec.id: spec for spec in load_file(path).specs}
    exported = read["health-0001"]
    assert (exported.content_hash, exported.status, exported.survey, exported.version) == \
        (wanted.content_hash, "active", False, 2)
    assert exported.stem == UI_STEM and exported.options[-1] == "寄生虫"
    assert "# 核对：2025 年指南" in after, "lines the export does not own are kept"
    untouched = before[before.index("  - id: health-0002"):]
    assert after.endswith(untouched), "the other question is left exactly as it was"
    assert "    benchmark: 17\n    difficulty: 1" in after, "a new field goes in its place"
    count = _versions()
    settled = services.sync_bank(bank_dir)
    assert settled.settled == ["health-0001"] and settled.ui_kept == []
    assert not services.changed_in_ui(_question("health-0001")) and _versions() == count
    assert services.sync_bank(bank_dir).settled == []
    nothing = runner.invoke(args=["questions", "export-bank", "--dir", str(bank_dir)])
    assert "no corrections to export" in nothing.output


def test_export_leaves_drafts_out(people, bank_dir, runner):
    services.sync_bank(bank_dir)
    question = _question("health-0002")
    save_edit(question, replace(spec_of(question), stem="还没审核的改动，对吗？"),
              by_user_id=people["author"].id)
    before = (bank_dir / "health.yaml").read_text(encoding="utf-8")
    result = runner.invoke(args=["questions", "export-bank", "--dir", str(bank_dir)])
    assert "health-0002: a draft waits for review" in result.output
    assert (bank_dir / "health.yaml").read_text(encoding="utf-8") == before


def test_without_script_the_form_shows_every_types_fields_under_headings(admin):
    page = admin.get("/admin/questions/new").text
    assert 'data-test="choice-fields"' in page and 'data-test="true-false-fields"' in page
    assert "单选题和多选题填写" in page and "判断题填写" in page
    assert ' hidden' not in page.split('data-question-form')[1].split("</form>")[0]
