"""What a page weighs on the wire (issue 13): compressed responses, static files cached for a
year under content-hashed URLs, a favicon, a title without the platform's name twice, CSV
downloads with one charset. The whole residents' walk is measured by
``benchmarks/page_weight.py`` (smoke-tested in tests/benchmarks/test_page_weight.py)."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import Response

from tests.support import without_csrf

STATIC = Path(__file__).resolve().parent.parent / "quizapp" / "static"
YEAR = 365 * 24 * 3600


def _get(client, url: str, **headers: str):
    """GET ``url``, its body read and its file closed (static files are sent from open files)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1).strip()


def _static_url(html: str, filename: str) -> str:
    match = re.search(rf'"(/static/{re.escape(filename)}\?v=[0-9a-f]+)"', html)
    assert match, f"no hashed URL of {filename} in the page"
    return match.group(1)


# --- compression ------------------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("gzip", "gzip", gzip.decompress),
    ("gzip, deflate, br", "br", brotli.decompress),
])
def test_pages_are_compressed_once_for_browsers_that_accept_it(client, accept, encoding,
                                                               decode):
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding  # one encoding, not two
    html = decode(packed.data).decode()
    assert without_csrf(html) == without_csrf(plain.text), "one decompression gives the page"
    assert len(packed.data) < len(plain.data) * 0.6
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]


def test_small_responses_are_sent_as_they_are(client):
    response = _get(client, "/favicon.ico", **{"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and len(response.data) < 500
    assert "Content-Encoding" not in response.headers


def test_compression_settings_spare_the_cpu_and_event_streams(app):
    assert app.config["COMPRESS_BR_LEVEL"] <= 4 and app.config["COMPRESS_LEVEL"] <= 6
    assert "text/event-stream" not in app.config["COMPRESS_MIMETYPES"]
    assert "zstd" not in app.config["COMPRESS_ALGORITHM"]


def test_a_compressed_static_file_keeps_a_working_etag(client):
    url = _static_url(client.get("/").text, "css/app.css")
    first = _get(client, url, **{"Accept-Encoding": "br"})
    etag, weak = first.get_etag()
    assert first.headers["Content-Encoding"] == "br" and etag.endswith(":br") and not weak
    assert brotli.decompress(first.data) == (STATIC / "css" / "app.css").read_bytes()
    again = _get(client, url, **{"Accept-Encoding": "br", "If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.data == b""


# --- static files -----------------------------------------------------------------------------

def test_static_urls_carry_the_files_content_hash(client):
    html = client.get("/").text
    url = _static_url(html, "css/app.css")
    digest = hashlib.sha256((STATIC / "css" / "app.css").read_bytes()).hexdigest()
    assert url == f"/static/css/app.css?v={digest[:12]}"


def test_only_a_hashed_url_is_cached_for_a_year(client):
    hashed = _get(client, _static_url(client.get("/").text, "css/app.css"))
    assert hashed.status_code == 200
    assert hashed.cache_control.max_age == YEAR and hashed.cache_control.immutable
    assert hashed.cache_control.public and not hashed.cache_control.no_cache
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = _get(client, url)
        assert response.status_code == 200
        assert 0 < response.cache_control.max_age <= 600, url
        assert not response.cache_control.immutable, url


def test_static_files_do_not_vary_by_cookie(client):
    page = client.get("/")  # the session cookie (its CSRF token) is set here
    assert "Cookie" in page.headers["Vary"]
    response = _get(client, _static_url(page.text, "css/app.css"))
    assert "cookie" not in response.headers.get("Vary", "").lower()


# --- favicon and title ------------------------------------------------------------------------

def test_the_favicon_is_the_platforms_icon(client):
    html = client.get("/").text
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg\?v=[0-9a-f]+"', html)
    for url in (_static_url(html, "favicon.svg"), "/favicon.ico"):
        response = _get(client, url)
        assert response.status_code == 200, url
        assert response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data and b"#0b6bcb" in response.data  # app.css's --accent


@pytest.mark.parametrize(("language", "path", "title"), [
    ("zh_CN", "/", "科学素质平台"),
    ("zh_CN", "/login", "登录 · 科学素质平台"),
    ("en", "/", "Science Literacy Platform"),
    ("en", "/login", "Sign in · Science Literacy Platform"),
])
def test_the_platforms_name_is_in_the_title_once(client, language, path, title):
    client.set_cookie("kx_lang", language)
    assert _title(client.get(path).text) == title


# --- CSV downloads ----------------------------------------------------------------------------

def test_csv_downloads_name_their_charset_once(admin):
    for path in ("/admin/questions/export.csv", "/admin/questions/template.csv"):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", path


def test_survey_downloads_name_their_charset_once():
    from quizapp.surveys.export_service import DOWNLOADS

    for name, mimetype in DOWNLOADS.items():
        content_type = Response(b"", mimetype=mimetype).headers["Content-Type"]
        assert content_type.count("charset") <= 1, (name, content_type)
        if name.endswith((".csv", ".html")):
            assert content_type.endswith("; charset=utf-8"), name
