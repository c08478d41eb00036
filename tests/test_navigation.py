"""The navigation bar (首页 · 练习 · 竞赛 · 我的): on every page as plain links, the current one
marked with aria-current; not on the screens a live class game or the offline interview app
fill themselves."""

from __future__ import annotations

import re

import pytest

NAV = ["/", "/practice/", "/competitions/", "/me/"]
LABELS = ["首页", "练习", "竞赛", "我的"]


def _nav(html: str) -> list[tuple[str, str | None, str]]:
    """(href, aria-current, label) of each link in the navigation bar."""
    match = re.search(r'<nav class="tabbar" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert match, "no navigation bar"
    return [(href, current, label) for href, current, label in re.findall(
        r'<a href="([^"]+)"(?: aria-current="(\w+)")?[^>]*>.*?<span>(.*?)</span></a>',
        match.group(1), re.S)]


@pytest.mark.parametrize(("url", "current"), [
    ("/", {"/": "page"}),
    ("/practice/", {"/practice/": "page"}),
    ("/competitions/", {"/competitions/": "page"}),
    ("/me/", {"/me/": "page"}),
    ("/certificates/check", {"/competitions/": "true"}),
    ("/login", {}),
])
def test_every_page_has_the_bar_with_the_current_page_marked(client, url, current):
    response = client.get(url)
    assert response.status_code == 200
    nav = _nav(response.text)
    assert [href for href, _c, _l in nav] == NAV
    assert [label for _h, _c, label in nav] == LABELS
    assert {href: c for href, c, _l in nav if c} == current
    assert '<div class="tabbar-spacer">' in response.text


def test_the_bar_is_in_english_too(client):
    client.set_cookie("kx_lang", "en")
    labels = [label for _h, _c, label in _nav(client.get("/").text)]
    assert labels == ["Home", "Practice", "Competitions", "Mine"]


def test_the_bar_works_without_javascript(client):
    """Plain links in the page itself: no script draws or drives it."""
    html = client.get("/").text
    nav = re.search(r'<nav class="tabbar".*?</nav>', html, re.S).group(0)
    assert "<script" not in nav and "onclick" not in nav
    assert all(client.get(href).status_code == 200 for href in NAV)


def test_no_bar_on_a_phone_in_a_live_class_game(client):
    page = client.get("/join")
    assert page.status_code == 200
    assert '<nav class="tabbar"' not in page.text
    assert "tabbar-spacer" not in page.text


def test_no_bar_in_the_offline_interview_app(client, auth, make_user):
    make_user("field", "interviewer")
    auth.login("field")
    page = client.get("/fieldwork/app")
    assert page.status_code == 200
    assert '<nav class="tabbar"' not in page.text
    assert '<nav class="tabbar"' in client.get("/fieldwork/").text
