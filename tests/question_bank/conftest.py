import shutil
from pathlib import Path

import pytest

from question_bank.loader import QUESTIONS_DIR

HEALTH = """\
topic: health
questions:
  - id: health-0001
    version: 1
    type: single
    stem: 普通感冒大多由什么引起？
    options: [细菌, 病毒, 真菌]
    answer: B
    explanation: 普通感冒大多由病毒引起，抗生素对病毒无效。
    authority: 国家卫生健康委员会
    groups: [youth, elder]
    dimension: K
    difficulty: 1
    status: active
    survey: false
  - id: health-0002
    version: 1
    type: true_false
    stem: 症状好转就可以自己停用抗生素。
    answer: false
    explanation: 抗生素要按医嘱的疗程服用，擅自停药容易复发并促使耐药。
    authority: 国家卫生健康委员会
    groups: all
    dimension: A
    difficulty: 1
    status: active
    survey: true
"""


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    """A small bank of two questions in a folder of its own."""
    directory = tmp_path / "questions"
    directory.mkdir()
    (directory / "health.yaml").write_text(HEALTH, encoding="utf-8")
    return directory


@pytest.fixture
def shipped_copy(tmp_path) -> Path:
    directory = tmp_path / "shipped"
    shutil.copytree(QUESTIONS_DIR, directory)
    return directory
