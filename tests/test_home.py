"""The home page's links for each role and the admin index, pinned here."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_app

PRACTICE, COMPETITIONS = "/practice/", "/competitions/"
ESTIMATE, ITEM_STATS = "/statistics/estimates/", "/admin/questions/items"
SURVEYS = "/statistics/surveys/"
FIELDWORK = "/fieldwork/"
SCHOOLS = "/schools/"
CITY, LITERACY = "/statistics/surveys/city", "/literacy/"  # the office's and the public's
ADMIN_TOOLS = ["/admin/users", "/admin/townships", "/admin/organisations", "/admin/questions/",
               "/admin/questions/import", "/admin/competitions/", CITY, ESTIMATE, SURVEYS]
# Role sections shown to each visitor, with their links in order; admins see every section.
SECTIONS = {
    None: {},
    "resident": {"resident": [PRACTICE, COMPETITIONS, LITERACY]},
    "teacher": {"teacher": [SCHOOLS]},
    "interviewer": {"interviewer": [FIELDWORK]},
    "statistician": {"statistician": [CITY, ESTIMATE, SURVEYS, ITEM_STATS]},
    "admin": {"resident": [PRACTICE, COMPETITIONS, LITERACY], "teacher": [SCHOOLS],
              "interviewer": [FIELDWORK],
              "statistician": [CITY, ESTIMATE, SURVEYS, ITEM_STATS], "admin": ADMIN_TOOLS},
}


def _sections(html: str) -> dict[str, list[str]]:
    found = {}
    for role, body in re.findall(r'<section class="card[^"]*" data-role="(\w+)">(.*?)</section>',
                                 html, re.S):
        found[role] = re.findall(r'<a href="([^"]+)"', body)
    return found


def _public_links(html: str) -> list[str]:
    hero = html.split('<section class="hero">')[1].split("</section>")[0]
    return re.findall(r'href="([^"]+)"', hero)


@pytest.mark.parametrize("role", SECTIONS)
def test_each_role_sees_its_sections_and_links(app, client, auth, role):
    from quizapp.demo import load_demo

    passwords = load_demo()
    if role is not None:
        assert auth.login(role, passwords[role]).status_code == 302
    html = client.get("/").text
    assert _public_links(html) == [PRACTICE, COMPETITIONS, LITERACY]
    assert _sections(html) == SECTIONS[role]


def test_admin_index_lists_the_admin_tools(admin):
    body = admin.get("/admin/").text.split("</header>")[1]
    assert re.findall(r'href="([^"]+)"', body) == ADMIN_TOOLS


def test_a_second_app_does_not_repeat_the_links(app, client, tmp_path, migrated_database):
    make_app(migrated_database, str(tmp_path / "second"))
    assert _public_links(client.get("/").text) == [PRACTICE, COMPETITIONS, LITERACY]
