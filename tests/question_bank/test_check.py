"""The Flask-free bank tools: loader, checker, stats and the command line."""

import json
import textwrap

import pytest

from question_bank.__main__ import main
from question_bank.check import bigrams, check_bank, coverage, jaccard, similar_stems
from question_bank.loader import load_bank, load_text
from question_bank.schema import GROUPS
from question_bank.stats import bank_stats

GOOD = """\
  - id: {topic}-{n:04d}
    version: 1
    type: single
    stem: {stem}
    options: [甲选项, 乙选项, 丙选项]
    answer: B
    explanation: 因为乙是对的。
    authority: 教科书常识
    groups: [{groups}]
    dimension: K
    difficulty: 1
    status: {status}
    survey: false
"""


def _file(topic, questions):
    return f"topic: {topic}\nquestions:\n" + "".join(questions)


def _write(tmp_path, topic, questions):
    (tmp_path / f"{topic}.yaml").write_text(_file(topic, questions), encoding="utf-8")


def _q(n, stem=None, topic="health", groups="youth, farmer", status="active"):
    stem = stem or f"第{n}号题目问的是第{n}件事吗"
    return GOOD.format(topic=topic, n=n, stem=stem, groups=groups, status=status)


def test_the_shipped_bank_passes_its_own_check():
    report = check_bank()
    assert report.errors == [], "\n".join(map(str, report.errors))
    stats = bank_stats(report.specs)
    assert stats["total"] >= 600
    assert all(stats["by_group"][g] >= 100 for g in GROUPS)


def test_a_valid_question_loads_with_its_line():
    result = load_text(_file("health", [_q(1), _q(2)]), "health.yaml", "health")
    assert result.issues == []
    assert [(s.id, s.line, s.answer) for s in result.specs] == [
        ("health-0001", 3, (1,)), ("health-0002", 16, (1,))]


@pytest.mark.parametrize("change, kind, line", [
    (("stem: 第1号题目问的是第1件事吗", "stem: ''"), "empty", 6),
    (("stem: 第1号题目问的是第1件事吗", "stem: <script>alert(1)</script>"), "markup", 6),
    (("explanation: 因为乙是对的。", "explanation: 乙 > 甲"), "markup", 9),
    (("answer: B", "answer: E"), "answer_no_option", 8),
    (("answer: B", "answer: [B]"), "bad_answer", 8),
    (("type: single", "type: multiple"), "bad_answer", 8),
    (("groups: [youth, farmer]", "groups: [youth, martian]"), "unknown_group", 11),
    (("difficulty: 1", "difficulty: 4"), "bad_number", 13),
    (("    authority: 教科书常识\n", ""), "empty", 3),
    (("    explanation: 因为乙是对的。\n", ""), "empty", 3),
    (("survey: false", "survey: perhaps"), "not_bool", 15),
    (("status: active", "status: published"), "unknown_value", 14),
    (("dimension: K", "dimension: X"), "unknown_value", 12),
    (("options: [甲选项, 乙选项, 丙选项]", "options: [甲选项, 乙选项]"), "option_count", 7),
    (("version: 1", "version: 1\n    colour: red"), "unknown_field", 5),
])
def test_each_fault_names_its_line(change, kind, line):
    text = _file("health", [_q(1)]).replace(*change)
    result = load_text(text, "health.yaml", "health")
    assert result.specs == []
    found = [(i.kind, i.line) for i in result.issues]
    assert (kind, line) in found, found
    assert all(str(i).startswith("health.yaml:") for i in result.issues)


def test_multiple_choice_needs_two_right_answers_and_one_wrong():
    base = _file("health", [_q(1)]).replace("type: single", "type: multiple")
    assert load_text(base.replace("answer: B", "answer: [A, B]"), "h", "health").issues == []
    one = load_text(base.replace("answer: B", "answer: [A]"), "h", "health").issues
    assert [i.kind for i in one] == ["multiple_too_few"]
    everything = load_text(base.replace("answer: B", "answer: [A, B, C]"), "h", "health").issues
    assert [i.kind for i in everything] == ["multiple_all_right"]


def test_true_false_questions_have_no_options():
    text = _file("health", [_q(1)]).replace("type: single", "type: true_false").replace(
        "answer: B", "answer: false")
    issues = load_text(text, "h", "health").issues
    assert [i.kind for i in issues] == ["tf_options"]
    ok = load_text(text.replace("    options: [甲选项, 乙选项, 丙选项]\n", ""), "h", "health")
    assert ok.issues == [] and ok.specs[0].answer == (1,) and ok.specs[0].options == ()


def test_malformed_yaml_is_one_clear_error_with_a_line():
    result = load_text("topic: health\nquestions:\n  - id: [unclosed\n    stem: x\n", "h.yaml")
    assert len(result.issues) == 1
    issue = result.issues[0]
    assert issue.kind == "malformed_yaml" and issue.line and "malformed YAML" in str(issue)


def test_unknown_topic_and_a_file_name_that_disagrees():
    assert load_text("topic: astrology\nquestions: []\n", "x.yaml").issues[0].kind == \
        "unknown_topic"
    issue = load_text("topic: health\nquestions: []\n", "sts.yaml", "sts").issues[0]
    assert issue.kind == "topic_file" and issue.line == 1


def test_duplicate_keys_are_errors():
    text = _file("health", [_q(1)]).replace("status: active", "status: active\n    status: draft")
    assert "duplicate_key" in [i.kind for i in load_text(text, "h", "health").issues]


def test_duplicate_ids_and_duplicate_questions_across_files(tmp_path):
    _write(tmp_path, "health", [_q(1), _q(2)])
    _write(tmp_path, "method", [_q(1, topic="method", stem="第1号题目问的是第1件事吗")])
    (tmp_path / "method.yaml").write_text(
        (tmp_path / "method.yaml").read_text().replace("id: method-0001", "id: health-0002"))
    report = check_bank(tmp_path, with_coverage=False)
    kinds = sorted(i.kind for i in report.errors)
    assert "bad_id" in kinds  # health-0002 does not belong in method.yaml
    _write(tmp_path, "method", [_q(1, topic="method", stem="第1号题目问的是第1件事吗")])
    report = check_bank(tmp_path, with_coverage=False)
    assert [i.kind for i in report.errors] == ["duplicate_question"]
    assert report.errors[0].file == "method.yaml"


def test_duplicate_ids_are_reported_with_both_places(tmp_path):
    _write(tmp_path, "health", [_q(1), _q(1, stem="完全不同的另一个问题内容在这里")])
    report = check_bank(tmp_path, with_coverage=False)
    assert [i.kind for i in report.errors] == ["duplicate_id"]
    assert "health.yaml:3" in report.errors[0].message


def test_near_duplicate_stems_are_warnings():
    a = "服用抗生素后症状好转了就可以自己停药"
    b = "服用抗生素后症状好转了，就可以马上自己停药。"
    assert jaccard(bigrams(a), bigrams(b)) > 0.6
    result = load_text(_file("health", [_q(1, stem=a), _q(2, stem=b), _q(3)]), "h", "health")
    issues = similar_stems(result.specs)
    assert [(i.severity, i.kind, i.question) for i in issues] == [
        ("warning", "near_duplicate", "health-0002")]


def test_coverage_floor():
    result = load_text(_file("health", [_q(n) for n in range(1, 4)]), "h", "health")
    kinds = [(i.kind, dict(i.params).get("group")) for i in coverage(result.specs)]
    assert ("coverage_total", None) in kinds
    assert {g for k, g in kinds if k == "coverage_group"} == set(GROUPS)
    assert coverage(result.specs, min_active=3, min_per_group=0) == []


def test_check_command_exit_codes(tmp_path, capsys):
    _write(tmp_path, "health", [_q(1)])
    assert main(["--dir", str(tmp_path), "check", "--no-coverage"]) == 0
    assert main(["--dir", str(tmp_path), "check"]) == 1
    _write(tmp_path, "health", [_q(1).replace("answer: B", "answer: Z")])
    assert main(["--dir", str(tmp_path), "check", "--no-coverage"]) == 1
    assert "health.yaml:8" in capsys.readouterr().err


def test_stats_json_has_the_named_keys(tmp_path, capsys):
    _write(tmp_path, "health", [_q(1, groups="youth, elder"), _q(2, status="draft"),
                                _q(3).replace("groups: [youth, farmer]", "groups: all")])
    assert main(["--dir", str(tmp_path), "stats", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {"total", "by_group", "by_topic", "by_dimension", "by_difficulty"} <= set(stats)
    assert stats["total"] == 2
    assert stats["by_group"] == {"youth": 2, "farmer": 1, "worker": 1, "elder": 2, "cadre": 1}
    assert stats["by_topic"]["health"] == 2 and stats["by_topic"]["sts"] == 0
    assert stats["by_difficulty"] == {"1": 2, "2": 0, "3": 0}
    assert main(["--dir", str(tmp_path), "stats", "--format", "table"]) == 0
    assert "total active questions: 2" in capsys.readouterr().out


def test_load_bank_reports_an_empty_folder(tmp_path):
    assert [i.kind for i in load_bank(tmp_path).issues] == ["no_files"]


def test_bank_file_example_from_format_doc_is_valid():
    example = textwrap.dedent("""\
        topic: health
        questions:
          - id: health-0001
            version: 1
            type: single
            stem: 服用抗生素时，下列做法正确的是？
            options:
              - 感冒了就服用抗生素
              - 遵医嘱按剂量、按疗程服用
              - 症状一好转就立即停药
              - 把剩下的抗生素留给家人下次用
            answer: B
            explanation: 抗生素只对细菌感染有效。
            authority: 国家卫生健康委员会合理用药宣传要点
            groups: [elder, farmer, worker]
            dimension: A
            benchmark: 18
            difficulty: 1
            status: active
            survey: false
        """)
    result = load_text(example, "health.yaml", "health")
    assert result.issues == [] and result.specs[0].groups == ("farmer", "worker", "elder")
