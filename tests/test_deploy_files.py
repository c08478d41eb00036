"""deploy/'s nginx site and systemd unit agree with the app they front (docs/deploy.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NGINX = (ROOT / "deploy" / "nginx-kexue.conf").read_text()
PROXY = (ROOT / "deploy" / "kexue-proxy.conf").read_text()
UNIT = (ROOT / "deploy" / "kexue.service").read_text()


def test_the_event_stream_location_matches_the_apps_stream_url(app):
    from flask import url_for

    with app.test_request_context():
        url = url_for("play.events", game_token="Ab3_x-9")
        state = url_for("play.state", game_token="Ab3_x-9")
    (pattern,) = re.findall(r"location ~ (\^/play/\S+\$) \{", NGINX)
    assert re.match(pattern, url)
    assert not re.match(pattern, state)
    block = NGINX.split(f"location ~ {pattern}", 1)[1].split("}", 1)[0]
    assert "proxy_buffering off;" in block
    assert "gzip off;" in block and "brotli off;" in block


def test_static_cache_lifetimes_are_the_apps(app):
    from quizapp.config import STATIC_HASHED_MAX_AGE, STATIC_UNHASHED_MAX_AGE

    assert f'default "public, max-age={STATIC_HASHED_MAX_AGE}, immutable";' in NGINX
    assert f'""      "public, max-age={STATIC_UNHASHED_MAX_AGE}";' in NGINX
    assert STATIC_HASHED_MAX_AGE == 31536000
    (alias,) = re.findall(r"alias (\S+);", NGINX)
    assert alias.endswith("/site-packages/quizapp/static/")
    assert Path(app.static_folder).name == "static"
    assert Path(app.static_folder).parent.name == "quizapp"


def test_uploads_fit_through_nginx(app):
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", NGINX)
    assert int(limit) * 1024 * 1024 > app.config["MAX_CONTENT_LENGTH"]


def test_the_proxy_passes_what_the_app_reads():
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-Id"):
        assert f"proxy_set_header {header} " in PROXY
    assert "non_idempotent" not in PROXY  # a POST is never sent to a second server


def test_the_unit_runs_gunicorn_with_the_config_and_the_factory():
    (start,) = re.findall(r"^ExecStart=(.+)$", UNIT, flags=re.MULTILINE)
    assert "gunicorn -c /etc/kexue/gunicorn.conf.py" in start
    assert start.endswith('"quizapp:create_app()"')
    assert "EnvironmentFile=/etc/kexue/kexue.env" in UNIT
    assert "Type=notify" in UNIT


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    """``nginx -t`` on the site with a throw-away certificate and local paths."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    brotli = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
    site = (NGINX
            .replace("/etc/letsencrypt/live/kexue.example.org/fullchain.pem",
                     str(tmp_path / "cert.pem"))
            .replace("/etc/letsencrypt/live/kexue.example.org/privkey.pem",
                     str(tmp_path / "key.pem"))
            .replace("/etc/nginx/kexue-proxy.conf", str(ROOT / "deploy" / "kexue-proxy.conf"))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    if not brotli.exists():
        site = "\n".join(line for line in site.splitlines() if "brotli" not in line)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        (f"load_module {brotli};\n" if brotli.exists() else "")
        + f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        + "events {}\nhttp {\n  include /etc/nginx/mime.types;\n"
        + f"  include {tmp_path}/site.conf;\n}}\n")
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
