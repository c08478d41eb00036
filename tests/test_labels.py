"""Codes people see carry one label each, the same on every page, in both languages."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

# The plan's five key groups, in the plan's order (全民科学素质行动规划纲要 2021–2035).
GROUPS = {
    "zh_CN": [("youth", "青少年"), ("farmer", "农民"), ("worker", "产业工人"),
              ("elder", "老年人"), ("cadre", "领导干部和公务员")],
    "en": [("youth", "Young people"), ("farmer", "Farmers"), ("worker", "Industrial workers"),
           ("elder", "Older people"), ("cadre", "Officials and civil servants")],
}


def _checkboxes(html: str, name: str) -> list[tuple[str, str]]:
    return re.findall(rf'name="{name}" type="checkbox" value="(\w+)">\s*<label[^>]*>([^<]+)<',
                      html)


PAGES = {
    "practice": ("/practice/", lambda html: re.findall(
        r'<button name="group" value="(\w+)"[^>]*>([^<]+)</button>', html)),
    "question filter": ("/admin/questions/", lambda html: re.findall(
        r'<option value="(\w+)"[^>]*>([^<]+)</option>',
        html.split('<select name="group">')[1].split("</select>")[0])),
    "question form": ("/admin/questions/new", lambda html: _checkboxes(html, "groups")),
    "competition audience": ("/admin/competitions/new",
                             lambda html: _checkboxes(html, "audience")),
}


@pytest.mark.parametrize("language", GROUPS)
def test_group_labels_are_the_same_on_every_page(admin, language):
    admin.set_cookie("kx_lang", language)
    for name, (path, read) in PAGES.items():
        page = admin.get(path)
        assert page.status_code == 200, name
        assert read(page.text) == GROUPS[language], name


def _code_tables():
    from quizapp.access import ROLES
    from quizapp.admin.forms import ORGANISATION_KIND_LABELS, TOWNSHIP_KIND_LABELS
    from quizapp.models.attempts import ATTEMPT_STATUSES
    from quizapp.models.places import ORGANISATION_KINDS, TOWNSHIP_KINDS
    from quizapp.models.questions import GROUPS, QUESTION_TYPES, TOPICS
    from quizapp.shared import labels

    return {"roles": (ROLES, labels.ROLE_LABELS),
            "attempt statuses": (ATTEMPT_STATUSES, labels.ATTEMPT_STATUS_LABELS),
            "organisation kinds": (ORGANISATION_KINDS, ORGANISATION_KIND_LABELS),
            "township kinds": (TOWNSHIP_KINDS, TOWNSHIP_KIND_LABELS),
            "groups": (GROUPS, labels.GROUP_LABELS), "topics": (TOPICS, labels.TOPIC_LABELS),
            "question types": (QUESTION_TYPES, labels.TYPE_LABELS)}


def test_every_code_of_the_models_has_a_label_in_its_order_in_both_languages(app):
    for name, (codes, table) in _code_tables().items():
        assert list(table) == list(codes), name
        with app.test_request_context(), force_locale("zh_CN"):
            chinese = [str(label) for label in table.values()]
        with app.test_request_context(), force_locale("en"):
            english = [str(label) for label in table.values()]
        assert all(re.search(r"[\u4e00-\u9fff]", label) for label in chinese), (name, chinese)
        assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in english), name
        assert len(set(chinese)) == len(chinese), f"two {name} share a Chinese label"


def test_attempt_statuses_read_as_words(app):
    from quizapp.shared.labels import ATTEMPT_STATUS_LABELS

    with app.test_request_context(), force_locale("zh_CN"):
        assert [str(v) for v in ATTEMPT_STATUS_LABELS.values()] == [
            "进行中", "已完成", "超时结束", "已作废"]
    assert ATTEMPT_STATUS_LABELS["finished"] != "Finished", "完成时间 is the column, not this"


@pytest.mark.parametrize(("variable", "codes", "zh", "en"), [
    ("education", ["junior_college", "bachelor_plus", "primary_or_less", "senior_secondary",
                   "junior_secondary"],
     ["小学及以下", "初中", "高中（含中专）", "大学专科", "大学本科及以上"],
     ["Primary school or less", "Junior secondary", "Senior secondary (incl. vocational)",
      "Junior college", "Bachelor's degree or higher"]),
    ("urban_rural", ["rural", "urban"], ["城镇", "乡村"], ["Urban", "Rural"]),
    ("sex", ["female", "male"], ["男", "女"], ["Male", "Female"]),
    ("group", ["cadre", "elder", "youth"], ["青少年", "老年人", "领导干部和公务员"],
     ["Youth", "Older people", "Officials and civil servants"]),
    ("sex:urban_rural", ["male:rural", "female:urban", "male:urban"],
     ["男 · 城镇", "男 · 乡村", "女 · 城镇"], ["Male · Urban", "Male · Rural", "Female · Urban"]),
    ("stratum", ["xuedian", "longhu"], ["xuedian", "longhu"], ["xuedian", "longhu"]),
])
def test_survey_groups_are_named_and_sorted_by_their_table(app, variable, codes, zh, en):
    """Education by level (not alphabetically), a crossing part by part; a column without a
    table keeps its values and their order."""
    from quizapp.shared.labels import in_label_order, survey_level_label

    for language, expected in (("zh_CN", zh), ("en", en)):
        with app.test_request_context(), force_locale(language):
            assert [survey_level_label(variable, code)
                    for code in in_label_order(variable, codes)] == expected
