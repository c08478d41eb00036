"""Screenshots of every resident page at 390 px wide, in Chinese, English and large type, and
of the staff dashboards at 390 and 1280 px (:data:`STAFF_PAGES`).

    .venv/bin/python -m tests.browser.screenshots [--out docs/screenshots]

Serves the demo (as the browser tests do: a new SQLite database in a temporary folder) and
walks the pages a resident reaches, without an account and signed in, with the same crawl and
flows as the page-walk test (``tests/browser/walk.py``), so a new resident page is in the next
run without a change here. Each whole page is saved once per mode as ``<page>.<mode>.jpg``
and ``index.md`` lists them. Needs Debian's chromium, like the browser tests.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser import walk
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.server import demo_server

WIDTH, HEIGHT = 390, 844
MODES = (walk.Mode("zh_CN", False), walk.Mode("en", False), walk.Mode("zh_CN", True))
RESIDENTS = (None, "resident")
# Pages no link leads to that a resident opens from a poster, a letter or a teacher's screen.
PINNED = {None: ["/join", "/survey/"]}
QUALITY = 70
# Staff dashboards, shot at the phone's width and at a desktop's, in Chinese and English once
# their charts are drawn: (account, path) pairs, one line per page.
DESKTOP = 1280
STAFF_MODES = (walk.Mode("zh_CN", False), walk.Mode("en", False))
STAFF_PAGES = [
    ("teacher", "/schools/dashboard"),
    ("admin", "/admin/questions/health"),
    ("admin", "/admin/plan/"),
]


def file_stem(visitor: str | None, name: str) -> str:
    """A stable file name for a page: who, then its shape (ids blanked), then its variant."""
    parts = urlsplit(name)
    page = walk.shape(parts._replace(fragment="").geturl()).strip("/") or "home"
    page = re.sub(r"[^A-Za-z0-9]+", "-", page.replace("{}", "id")).strip("-")
    variant = f"-{parts.fragment}" if parts.fragment else ""
    return f"{visitor or 'anonymous'}-{page}{variant}"


def take(out: Path) -> tuple[list[tuple[str, str, str]], list[walk.Finding]]:
    """Serve the demo, walk the resident pages and save their screenshots in ``out``; the
    rows of the index (visitor, page, file) and what the walk found."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("Debian's chromium is not installed (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):
        old.unlink()
    rows: list[tuple[str, str, str]] = []
    findings: list[walk.Finding] = []
    with tempfile.TemporaryDirectory(prefix="kexue-screenshots-") as folder, \
            demo_server(Path(folder)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url,
                                      viewport={"width": WIDTH, "height": HEIGHT},
                                      is_mobile=True, has_touch=True, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        for visitor in RESIDENTS:
            def save(page, name: str, mode: walk.Mode, visitor=visitor) -> None:
                page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
                stem = file_stem(visitor, name)
                path = out / f"{stem}.{mode.name}.jpg"
                page.screenshot(path=path, type="jpeg", quality=QUALITY, full_page=True,
                                animations="disabled")
                parts = urlsplit(name)
                page_shape = walk.shape(parts._replace(fragment="").geturl())
                rows.append((visitor or "anonymous", page_shape
                             + (f" ({parts.fragment})" if parts.fragment else ""), path.name))

            the_walk = walk.Walk(page, server.url, owns=walk.owner_rule(server.app, visitor),
                                 modes=MODES, widths=(WIDTH,), on_page=save)
            walk.walk_visitor(the_walk, visitor, server.passwords, PINNED.get(visitor, ()))
            findings += the_walk.findings
        rows += take_staff(browser, server, out, findings)
        browser.close()
    return rows, findings


def take_staff(browser, server, out: Path, findings: list[walk.Finding]
               ) -> list[tuple[str, str, str]]:
    """Screenshots of :data:`STAFF_PAGES` at :data:`WIDTH` and :data:`DESKTOP` in each of
    :data:`STAFF_MODES`, each checked as the walk checks pages (overflow, raw codes)."""
    rows: list[tuple[str, str, str]] = []
    codes = walk.suspicious_codes()
    for visitor, path in STAFF_PAGES:
        context = browser.new_context(base_url=server.url, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        walk.sign_in(page, server.url, visitor, server.passwords[visitor])
        for mode in STAFF_MODES:
            walk.set_mode(context, server.url, mode)
            for width in (WIDTH, DESKTOP):
                page.set_viewport_size({"width": width, "height": HEIGHT})
                page.goto(path)
                if page.locator(".chart-plot").count():
                    page.wait_for_selector(".chart-plot .main-svg")
                findings += walk.measure(page, path, mode, width, codes)
                suffix = "" if width == WIDTH else f"-{width}"
                name = f"{file_stem(visitor, path)}{suffix}.{mode.name}.jpg"
                page.screenshot(path=out / name, type="jpeg", quality=QUALITY, full_page=True,
                                animations="disabled")
                rows.append((visitor, f"{path} ({width} px)", name))
        context.close()
    return rows


def write_index(out: Path, rows: list[tuple[str, str, str]]) -> None:
    """``index.md``: one line per page (``{}`` an id), its screenshot in each mode."""
    pages: dict[tuple[str, str], list[str]] = {}
    for who, page, name in rows:
        pages.setdefault((who, page), []).append(f"[{name.split('.')[-2]}]({name})")
    lines = ["# Resident pages at 390 px, staff dashboards at 390 and 1280 px", "",
             "Made by `make screenshots` (`.venv/bin/python -m tests.browser.screenshots`, see "
             "the README); do not edit by hand.", "",
             "| Visitor | Page | Screenshots |", "|---|---|---|"]
    lines += [f"| {who} | `{page}` | {' · '.join(shots)} |" for (who, page), shots in pages.items()]
    (out / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    rows, findings = take(args.out)
    write_index(args.out, rows)
    size = sum(p.stat().st_size for p in args.out.glob("*.jpg"))
    print(f"{len(rows)} screenshots in {args.out} ({size / 1e6:.1f} MB)")
    if findings:
        print("The page walk found faults on these pages:\n" + walk.summary(findings))


if __name__ == "__main__":
    main()
