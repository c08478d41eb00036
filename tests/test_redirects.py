"""Every ``next`` target stays on this site: the login page and the preference switches."""

import pytest

from quizapp.urls import path_on_site, safe_next
from tests.support import csrf_token

# Targets a browser would follow to another site (after dropping tabs and newlines and
# reading backslashes as slashes), or to a script.
HOSTILE = [
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\x1b/evil.example",
    "https://evil.example/",
    "http://evil.example",
    "https:evil.example",
    "//user@evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /evil.example",
    "evil.example",
    "",
    None,
]

GOOD = [
    "/",
    "/admin/users",
    "/practice/?group=elder",
    "/admin/users?page=2#top",
    "/login?next=%2F%2Fevil.example",
    "/%09/not-a-tab-once-decoded",
    "/competitions/科普周",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", GOOD)
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("url,expected", [
    ("http://localhost/practice/?group=elder", "/practice/?group=elder"),
    ("http://localhost/", "/"),
    ("http://localhost//evil.example", None),
    ("http://localhost/\\evil.example", None),
    ("http://localhost.evil.example/", None),
    ("https://evil.example/", None),
    (None, None),
])
def test_referrer_is_used_only_when_it_is_this_site(url, expected):
    assert path_on_site(url, "http://localhost/") == expected


def _sign_in(client, query: str):
    page = client.get("/login")
    return client.post(f"/login?{query}", data={
        "username": "gina", "password": "correct horse 42", "csrf_token": csrf_token(page.text)})


# As they arrive in the query string: %09 is a tab, %5C a backslash, %0A a newline.
HOSTILE_QUERIES = [
    "next=//evil.example/",
    "next=/%09/evil.example",
    "next=/%5Cevil.example",
    "next=%5C%5Cevil.example",
    "next=/%0A/evil.example",
    "next=/%0D%0A/evil.example",
    "next=/%00/evil.example",
    "next=https://evil.example/",
    "next=javascript:alert(1)",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_login_never_sends_the_browser_to_another_site(client, make_user, query):
    make_user("gina", "resident")
    response = _sign_in(client, query)
    if "%00" in query:  # a NUL anywhere in a request is refused before any view runs
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_sends_the_browser_back_to_the_page_asked_for(client, make_user):
    make_user("gina", "resident")
    response = _sign_in(client, "next=/practice/%3Fgroup%3Delder")
    assert response.headers["Location"] == "/practice/?group=elder"


def _switch(client, path, data, **headers):
    page = client.get("/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)}, headers=headers)


@pytest.mark.parametrize("target", [t for t in HOSTILE if t])
@pytest.mark.parametrize("path,data", [
    ("/preferences/language", {"language": "en"}),
    ("/preferences/large-type", {"on": "1"}),
])
def test_preference_switches_never_send_the_browser_to_another_site(client, path, data, target):
    response = _switch(client, path, {**data, "next": target})
    if "\x00" in target:  # a NUL anywhere in a request is refused before any view runs
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_preference_switch_falls_back_to_a_referrer_on_this_site(client):
    response = _switch(client, "/preferences/large-type", {"on": "1"},
                       Referer="http://localhost/practice/")
    assert response.headers["Location"] == "/practice/"
    response = _switch(client, "/preferences/large-type", {"on": "1"},
                       Referer="http://localhost//evil.example/")
    assert response.headers["Location"] == "/"
