"""Writing questions back into the YAML files: only what changed, read back exactly."""

from dataclasses import replace

import pytest

from question_bank.loader import QUESTIONS_DIR, load_file, load_text
from question_bank.writer import WriteError, replace_questions, scalar
from tests.question_bank.conftest import HEALTH


def _specs(text):
    result = load_text(text, "health.yaml", topic="health")
    assert not result.errors
    return {spec.id: spec for spec in result.specs}


@pytest.mark.parametrize("path", sorted(QUESTIONS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_writing_the_shipped_questions_unchanged_changes_no_byte(path):
    text = path.read_text(encoding="utf-8")
    assert replace_questions(text, path.name, path.stem, load_file(path).specs) == text


@pytest.mark.parametrize("value", ["12345", "a: b", "# 不是注释", "[不是列表]", "true", "null",
                                   "  前后有空格 ", "“引号”与'单引号'", "- 破折号开头",
                                   "96110来电", "{x}", "@提醒", "50%"])
def test_scalars_read_back_as_the_same_string(value):
    import yaml

    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}
    assert yaml.safe_load(f"- {scalar(value)}") == [value]


def test_a_changed_type_moves_its_fields_and_the_file_reads_back():
    specs = _specs(HEALTH)
    to_choice = replace(specs["health-0002"], type="single", options=("能", "不能", "看情况"),
                        answer=(1,), version=2, stem="症状好转后能否自己停用抗生素？")
    to_true_false = replace(specs["health-0001"], type="true_false", options=(), answer=(1,),
                            stem="普通感冒大多由细菌引起。", version=2, benchmark=17)
    text = replace_questions(HEALTH, "health.yaml", "health", [to_choice, to_true_false])
    read = _specs(text)
    assert read["health-0002"] == to_choice and read["health-0001"] == to_true_false
    first = text[:text.index("  - id: health-0002")]
    assert "options" not in first and "    benchmark: 17\n    difficulty: 1\n" in first
    second = text[text.index("  - id: health-0002"):]
    assert second.index("    options:") < second.index("    answer: B")


def test_a_question_in_no_file_is_appended():
    new = replace(_specs(HEALTH)["health-0001"], id="health-0003", stem="新题目是什么？")
    text = replace_questions(HEALTH, "health.yaml", "health", [new])
    assert text.startswith(HEALTH) and _specs(text)["health-0003"] == new


def test_a_file_with_errors_is_not_rewritten():
    broken = HEALTH.replace("answer: B", "answer: Q")
    spec = _specs(HEALTH)["health-0001"]
    with pytest.raises(WriteError):
        replace_questions(broken, "health.yaml", "health", [spec])
