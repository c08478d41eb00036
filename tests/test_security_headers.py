"""Security headers on every response; the app's cookies carry the same flags everywhere."""

import re
from pathlib import Path

import pytest

from tests.competitions.conftest import TOPICS, add_question
from tests.support import csrf_token

ROOT = Path(__file__).resolve().parent.parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
       "form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PRODUCTION = {"QUIZAPP_ENV": "production", "RATELIMIT_ALLOW_MEMORY": "1"}


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("path", ["/", "/login", "/practice/", "/no-such-page",
                                  "/static/css/app.css", "/admin/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    assert "Strict-Transport-Security" not in response.headers


def test_headers_on_a_signed_in_page_and_a_post(client, auth, make_user):
    make_user("root", "admin")
    response = auth.login("root")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert client.get("/admin/users").headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("app_config", [PRODUCTION], indirect=True)
def test_production_sends_hsts(client):
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["Content-Security-Policy"] == CSP


def _cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _start_practice(client):
    """The practice page and the started round (the device and group cookies come here)."""
    for index in range(40):
        add_question(("true_false", "single", "multiple")[index % 3], TOPICS[index % 4],
                     1 + index % 3)
    page = client.get("/practice/")
    return page, client.post("/practice/start",
                             data={"csrf_token": csrf_token(page.text), "group": "elder"})


@pytest.mark.parametrize("app_config", [PRODUCTION], indirect=True)
def test_production_cookies_are_all_secure(client, make_user):
    """Session, remember-me, language, large type, device and practice group cookies."""
    make_user("root", "admin")
    page = client.get("/login")
    cookies = _cookie_headers(page)
    response = client.post("/login", data={
        "username": "root", "password": "correct horse 42", "remember": "y",
        "csrf_token": csrf_token(page.text)})
    cookies.update(_cookie_headers(response))
    for path, data in (("/preferences/language", {"language": "en"}),
                       ("/preferences/large-type", {"on": "1"})):
        page = client.get("/")
        cookies.update(_cookie_headers(client.post(
            path, data={**data, "csrf_token": csrf_token(page.text)})))
    page, practice = _start_practice(client)
    assert practice.status_code == 302
    cookies.update(_cookie_headers(page))
    cookies.update(_cookie_headers(practice))
    assert {"session", "remember_token", "kx_lang", "kx_large", "kx_device",
            "kx_group"} <= set(cookies)
    for name, header in cookies.items():
        flags = [part.strip().lower() for part in header.split(";")]
        assert "secure" in flags, name
        assert "httponly" in flags, name
        assert "samesite=lax" in flags, name


def test_outside_production_the_practice_cookie_is_not_secure(client):
    cookie = _cookie_headers(_start_practice(client)[1])["kx_group"]
    assert "Secure" not in cookie and "HttpOnly" in cookie


def test_every_cookie_is_set_through_the_one_helper():
    for path in (ROOT / "quizapp").rglob("*.py"):
        if path.name != "security.py":
            assert ".set_cookie(" not in path.read_text(), path


# --- templates compatible with script-src 'self' ----------------------------------------------

def _templates():
    return sorted((ROOT / "quizapp" / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", _templates(), ids=lambda p: p.name)
def test_templates_have_no_inline_scripts_or_handlers(template):
    html = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
    inline = re.findall(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>\s*\S", html)
    assert inline == [], template.name
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), template.name
    assert "javascript:" not in html.lower(), template.name


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/questions", "/no-such-page"])
def test_errors_are_pages_even_for_clients_asking_for_json(client, path):
    """The app has no API: no JSON error branch for one."""
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "页面不存在" in response.text
