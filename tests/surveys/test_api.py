"""The package's public API and its label tables: one export list, plain Python (no Flask, no
SQLAlchemy), documented functions, every shown code labelled in Chinese then English."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from enum import Enum

import pytest

import surveys
from surveys import labels

MODULES = ["scoring", "forms", "frame", "sampling", "respondents", "dispositions", "quality",
           "demographics", "labels", "errors", "weighting", "margins"]
MODULES += ["estimation", "provenance"]  # issue 11


def test_every_exported_name_exists_once():
    assert len(set(surveys.__all__)) == len(surveys.__all__)
    for name in surveys.__all__:
        assert hasattr(surveys, name), name


@pytest.mark.parametrize("module", MODULES)
def test_each_module_exports_what_it_defines_and_documents_its_functions(module):
    mod = importlib.import_module(f"surveys.{module}")
    assert mod.__doc__ and len(mod.__doc__) > 100
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isfunction(obj):
            assert obj.__module__ == mod.__name__, f"{module}.{name} is re-exported"
            assert obj.__doc__, f"{module}.{name} has no docstring"


def test_top_level_names_are_the_modules_objects():
    for name in surveys.__all__:
        owners = [m for m in MODULES
                  if name in importlib.import_module(f"surveys.{m}").__all__]
        assert owners, f"{name} is not in any module's __all__"
        for owner in owners:
            assert getattr(importlib.import_module(f"surveys.{owner}"), name) is getattr(
                surveys, name)


def test_plain_python_without_flask_or_sqlalchemy():
    code = ("import sys, surveys; bad = [m for m in ('flask', 'sqlalchemy', 'flask_babel') "
            "if m in sys.modules]; print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_codes_agree_with_the_question_bank():
    from question_bank.schema import DIFFICULTIES, DIMENSIONS

    assert tuple(str(d) for d in surveys.Dimension) == DIMENSIONS
    from surveys.forms import DIFFICULTIES as FORM_DIFFICULTIES

    assert FORM_DIFFICULTIES == DIFFICULTIES


SHOWN_CODES = [surveys.Dimension, surveys.Level, surveys.Boundary, surveys.FormStatus,
               surveys.IncompleteReason, surveys.NonAnswer, surveys.Disposition, surveys.GroupBy,
               surveys.FlagCode, surveys.Sex, surveys.UrbanRural, surveys.AgeBand,
               surveys.Education, surveys.EducationDetail, surveys.Occupation,
               surveys.TargetGroup, surveys.AllocationMethod, surveys.SelectionMethod]


@pytest.mark.parametrize("codes", SHOWN_CODES, ids=lambda e: e.__name__)
def test_every_shown_code_has_a_label_in_both_languages_in_order(codes: type[Enum]):
    table = labels.LABEL_TABLES[codes]
    assert list(table) == [str(member) for member in codes]
    for code, names in table.items():
        assert list(names) == ["zh", "en"], code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in names["zh"]), code
        assert names["en"] and names["en"].isascii(), code
    assert len({names["zh"] for names in table.values()}) == len(table)


def test_label_tables_are_all_listed():
    assert set(labels.LABEL_TABLES) == set(SHOWN_CODES)


def test_label_lookup():
    assert labels.label(surveys.Level.MEETS) == "具备科学素质"
    assert labels.label(surveys.Level.MEETS, "en") == "Meets the standard"
    assert labels.label(surveys.Disposition.BREAK_OFF) == "中途退出"
    with pytest.raises(KeyError):
        labels.label("meets")
