"""Weight of the residents' pages: ``.venv/bin/python benchmarks/page_weight.py``.

Builds a temporary SQLite database (migrated, then the demo accounts, townships, the shipped
question bank and the demo competition; no school or survey demo), walks a resident's path
through the Flask test client with ``Accept-Encoding: gzip, br`` and prints, for each page:

* **first visit**: the bytes transferred for the HTML and every stylesheet, script, icon and
  image it references (``/favicon.ico`` when the page names no icon: browsers ask for it),
  each counted as sent, compressed or not, headers included (as a browser's "transferred");
* **next page**: the bytes of the HTML plus what the page's assets cost once cached: nothing
  when the response allowed caching (``max-age`` > 0 without ``no-cache``), else a
  conditional request each (``If-None-Match`` / ``If-Modified-Since``: a 304, headers only).
  A missing favicon is not asked for again (browsers remember the failure);
* whether the page or its assets mention Plotly (never on a resident page).

Budgets (issue 13): first visit <= 30 kB, next page <= 8 kB (kB = 1000 bytes). Options:
``--language en`` (the English pages), ``--large-type``. Bounded: one walk, about 70 requests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_VISIT_BUDGET = 30_000
NEXT_PAGE_BUDGET = 8_000
ACCEPT = {"Accept-Encoding": "gzip, br",
          "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          "User-Agent": "Mozilla/5.0 (Linux; Android 10) page_weight benchmark"}
ASSET_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "apple-touch-icon",
              "manifest"}


@dataclass
class Fetched:
    """One response as a browser would receive it."""

    url: str
    status: int
    transferred: int  # status line, headers and body as sent
    headers: dict[str, str]
    text: str  # decoded, decompressed body (text types only)


@dataclass
class PageWeight:
    """The figures of one page."""

    name: str
    url: str
    html: Fetched
    assets: list[Fetched] = field(default_factory=list)
    next_page_assets: int = 0  # bytes the assets cost on a next page
    revalidations: int = 0  # conditional requests on a next page
    plotly: bool = False

    @property
    def first_visit(self) -> int:
        return self.html.transferred + sum(asset.transferred for asset in self.assets)

    @property
    def next_page(self) -> int:
        return self.html.transferred + self.next_page_assets


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "deflate":
        import zlib

        return zlib.decompress(body)
    if encoding == "zstd":
        from backports import zstd  # flask-compress's own dependency on Python < 3.14

        return zstd.decompress(body)
    return body


def fetch(client, url: str, method: str = "GET", **kwargs) -> Fetched:
    """Request ``url`` and measure what came over the wire."""
    headers = {**ACCEPT, **kwargs.pop("headers", {})}
    response = client.open(url, method=method, headers=headers, **kwargs)
    body = response.get_data()
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    text = ""
    mimetype = response.mimetype or ""  # none on a 304
    if mimetype.startswith("text/") or mimetype.endswith(("javascript", "json", "+xml")):
        raw = _decoded(body, response.headers.get("Content-Encoding"))
        text = raw.decode(response.mimetype_params.get("charset", "utf-8"), "replace")
    response.close()
    return Fetched(url, response.status_code, len(head.encode()) + len(body),
                   dict(response.headers.items()), text)


def asset_urls(html: str) -> list[str]:
    """Same-site URLs of the stylesheets, scripts, icons and images a page loads."""
    urls = []
    for tag in re.findall(r"<(?:link|script|img)\b[^>]*>", html, flags=re.I):
        name = tag[1:].split(None, 1)[0].lower()
        attrs = dict((key.lower(), unescape(value)) for key, value in
                     re.findall(r'([\w-]+)\s*=\s*"([^"]*)"', tag))
        if name == "link":
            rels = set(attrs.get("rel", "").lower().split())
            url = attrs.get("href") if rels & ASSET_RELS else None
        else:
            url = attrs.get("src")
        if url and url.startswith("/") and not url.startswith("//") and url not in urls:
            urls.append(url)
    return urls


def css_urls(css: str) -> list[str]:
    """Same-site ``url(...)`` references of a stylesheet (fonts, images)."""
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css)
    return [url for url in found if url.startswith("/") and not url.startswith("//")]


def _fresh(asset: Fetched) -> bool:
    """Whether a browser reuses its cached copy without asking the server."""
    control = asset.headers.get("Cache-Control", "").lower()
    if asset.status != 200 or "no-cache" in control or "no-store" in control:
        return False
    match = re.search(r"max-age=(\d+)", control)
    return bool(match and int(match.group(1)) > 0)


def measure(client, name: str, url: str, html: Fetched | None = None) -> PageWeight:
    """The page at ``url`` (or the response already fetched) with all it loads."""
    page = PageWeight(name, url, html or fetch(client, url))
    urls = asset_urls(page.html.text)
    has_icon = re.search(r"<link\b[^>]*\brel=\"[^\"]*\bicon\b", page.html.text, flags=re.I)
    if not has_icon:
        urls.append("/favicon.ico")
    seen = set()
    while urls:
        asset_url = urls.pop(0)
        if asset_url in seen:
            continue
        seen.add(asset_url)
        asset = fetch(client, asset_url)
        page.assets.append(asset)
        if asset.headers.get("Content-Type", "").startswith("text/css"):
            urls.extend(css_urls(asset.text))
    for asset in page.assets:
        if _fresh(asset) or (asset.url == "/favicon.ico" and asset.status == 404):
            continue
        conditional = {}
        if "ETag" in asset.headers:
            conditional["If-None-Match"] = asset.headers["ETag"]
        if "Last-Modified" in asset.headers:
            conditional["If-Modified-Since"] = asset.headers["Last-Modified"]
        page.next_page_assets += fetch(client, asset.url, headers=conditional).transferred
        page.revalidations += 1
    mentions = [page.html.text, *(a.url for a in page.assets)]
    page.plotly = any("plotly" in text.lower() for text in mentions)
    return page


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def build_app(directory: Path):
    """An app on a migrated temporary SQLite database holding the residents' demo data."""
    from flask_migrate import upgrade

    from quizapp import create_app

    app = create_app({
        "QUIZAPP_ENV": "testing",
        "SECRET_KEY": "page-weight-benchmark",
        "DATABASE_URL": f"sqlite:///{directory / 'weight.sqlite3'}",
        "INSTANCE_PATH": str(directory / "instance"),
    })
    with app.app_context():
        from quizapp.demo.accounts import load_demo_accounts
        from quizapp.demo.competition import load_demo_competition
        from quizapp.questions.services import sync_bank

        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's log of each revision
            upgrade()
        load_demo_accounts()
        sync_bank()
        load_demo_competition()
    return app


def walk(app, language: str, large_type: bool) -> list[PageWeight]:
    """A new visitor's path: home, practice, a competition from registration to its boards,
    我的, the certificate and its public check."""
    from sqlalchemy import select

    from quizapp.extensions import LANGUAGE_COOKIE, LARGE_TYPE_COOKIE, db
    from quizapp.models import Competition

    with app.app_context():
        slug = db.session.scalar(select(Competition.slug).where(
            Competition.kind == "network", Competition.published.is_(True)).limit(1))
    assert slug, "the demo competition is missing"
    client = app.test_client()
    if language != "zh_CN":
        client.set_cookie(LANGUAGE_COOKIE, language)
    if large_type:
        client.set_cookie(LARGE_TYPE_COOKIE, "1")
    pages = [measure(client, "home", "/"), measure(client, "practice start", "/practice/")]

    started = client.post("/practice/start", headers=ACCEPT, data={
        "csrf_token": csrf(pages[-1].html.text), "group": "elder"})
    assert started.status_code == 302, f"practice did not start ({started.status_code})"
    pages.append(measure(client, "practice question", started.headers["Location"]))
    pages.append(measure(client, "competition list", "/competitions/"))
    detail_url = f"/competitions/{slug}"
    register = measure(client, "register (competition)", detail_url)
    pages.append(register)
    pages.append(measure(client, "join a class game", "/join"))

    townships = re.findall(r'<option value="(\d+)"', register.html.text)
    registered = client.post(f"{detail_url}/register", headers=ACCEPT, data={
        "csrf_token": csrf(register.html.text), "name": "王芳",
        "township_id": next(t for t in townships if t != "0"), "organisation_id": "0",
        "school_class_id": "0", "phone": ""})
    assert registered.status_code == 302, f"registration refused ({registered.status_code})"
    competition = measure(client, "competition page", detail_url)
    pages.append(competition)
    started = client.post(f"{detail_url}/start", headers=ACCEPT,
                          data={"csrf_token": csrf(competition.html.text)})
    assert started.status_code == 302, f"attempt did not start ({started.status_code})"
    attempt_url = started.headers["Location"]
    pages.append(measure(client, "competition question", attempt_url))

    answer_url = attempt_url.split("?")[0] + "/answer"
    for _ in range(200):  # bounded: the attempt has question_count questions
        page = fetch(client, attempt_url)
        if page.status != 200:
            break
        position = re.search(r'name="position" value="(\d+)"', page.text).group(1)
        choice = re.search(r'name="choice" value="(\d+)"', page.text).group(1)
        client.post(answer_url, headers=ACCEPT, data={
            "csrf_token": csrf(page.text), "position": position, "choice": choice})
    result_url = attempt_url.split("?")[0] + "/result"
    pages.append(measure(client, "result", result_url))
    pages.append(measure(client, "mine", "/me/"))
    certificate = measure(client, "certificate", result_url.rsplit("/", 1)[0] + "/certificate")
    pages.append(certificate)
    code = re.search(r'data-code="([0-9A-Z-]+)"', certificate.html.text).group(1)
    pages.append(measure(client, "certificate check", f"/c/{code}"))
    pages.append(measure(client, "board (people)", f"{detail_url}/board"))
    pages.append(measure(client, "board (townships)", f"{detail_url}/board?view=township"))
    pages.append(measure(client, "sign in", "/login"))
    return pages


def _kb(size: int) -> str:
    return f"{size / 1000:.1f}"


def report(pages: list[PageWeight]) -> bool:
    """Print the table; whether every page is within both budgets and free of Plotly."""
    header = (f"{'page':<24} {'status':>6} {'HTML kB':>8} {'assets':>7} {'first kB':>9} "
              f"{'next kB':>8} {'re-checks':>9} {'plotly':>6}  ok")
    print(header)
    print("-" * len(header))
    all_ok = True
    for page in pages:
        ok = (page.first_visit <= FIRST_VISIT_BUDGET and page.next_page <= NEXT_PAGE_BUDGET
              and not page.plotly and page.html.status == 200)
        all_ok &= ok
        print(f"{page.name:<24} {page.html.status:>6} {_kb(page.html.transferred):>8} "
              f"{len(page.assets):>7} {_kb(page.first_visit):>9} {_kb(page.next_page):>8} "
              f"{page.revalidations:>9} {'yes' if page.plotly else 'no':>6}  "
              f"{'yes' if ok else 'NO'}")
    print(f"\nBudgets: first visit <= {_kb(FIRST_VISIT_BUDGET)} kB, next page <= "
          f"{_kb(NEXT_PAGE_BUDGET)} kB (1 kB = 1000 bytes, headers included).")
    assets = {asset.url: asset for page in pages for asset in page.assets}
    print("\nAssets (first request):")
    for url, asset in sorted(assets.items()):
        print(f"  {asset.status} {_kb(asset.transferred):>6} kB  "
              f"{asset.headers.get('Content-Encoding', '-'):<5} "
              f"{asset.headers.get('Cache-Control', '(no Cache-Control)'):<40} {url}")
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", choices=("zh_CN", "en"), default="zh_CN")
    parser.add_argument("--large-type", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kexue-weight-") as directory:
        app = build_app(Path(directory))
        pages = walk(app, args.language, args.large_type)
        with app.app_context():
            from quizapp.extensions import db

            db.engine.dispose()
    ok = report(pages)
    print(f"\n{'All pages within budget.' if ok else 'Some pages are over budget.'} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
