"""Codes people see carry one label each, the same on every page, in both languages."""

from __future__ import annotations

import re

import pytest

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
