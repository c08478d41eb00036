"""Screenshots of every resident page at 390 px wide, in Chinese, English and large type; and
of the dashboards (:data:`DASHBOARDS`) at phone (390 px) and desktop (1280 px) width.

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
DESKTOP_WIDTH = 1280
# Dashboards (issue 14), each at phone and desktop width, in Chinese and English: (the demo
# account that opens it, None for a visitor without one; its address).  Add a line per page.
DASHBOARDS = (
    ("statistician", "/statistics/surveys/city"),
    (None, "/literacy/"),
    ("statistician", "/statistics/surveys/townships"),
    ("admin", "/admin/competitions/dashboard"),
    (None, "/boards/competitions"),
    ("teacher", "/schools/dashboard"),
    ("admin", "/admin/questions/health"),
    ("admin", "/admin/plan/"),
)
DASHBOARD_MODES = (walk.Mode("zh_CN", False), walk.Mode("en", False))
# The dashboards are taken on the demo as ``make run`` loads it (240 simulated competitors, the
# earlier wave with its published estimate), not the tests' lighter one.
DASHBOARD_DEMO = {"DEMO_SIMULATED_PEOPLE": 240, "DEMO_EARLIER_LISTED_PSUS": None}


def file_stem(visitor: str | None, name: str) -> str:
    """A stable file name for a page: who, then its shape (ids blanked), then its variant."""
    parts = urlsplit(name)
    page = walk.shape(parts._replace(fragment="").geturl()).strip("/") or "home"
    page = re.sub(r"[^A-Za-z0-9]+", "-", page.replace("{}", "id")).strip("-")
    variant = f"-{parts.fragment}" if parts.fragment else ""
    return f"{visitor or 'anonymous'}-{page}{variant}"


def take(out: Path, dashboards_only: bool = False
         ) -> tuple[list[tuple[str, str, str]], list[walk.Finding]]:
    """Serve the demo, walk the resident pages and save their screenshots in ``out`` (with
    ``dashboards_only``, only the dashboards'); the rows of the index (visitor, page, file)
    and what the walk found."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("Debian's chromium is not installed (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):
        if not dashboards_only or old.name.count(".") == 3:
            old.unlink()
    rows: list[tuple[str, str, str]] = []
    findings: list[walk.Finding] = []
    if dashboards_only:
        return dashboards_taken(out, executable, findings), findings
    with tempfile.TemporaryDirectory(prefix="kexue-screenshots-") as folder, \
            demo_server(Path(folder)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url,
                                      viewport={"width": WIDTH, "height": HEIGHT},
                                      is_mobile=True, has_touch=True, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        for visitor in () if dashboards_only else RESIDENTS:
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
        browser.close()
    rows += dashboards_taken(out, executable, findings)
    return rows, findings


def dashboards_taken(out: Path, executable: str, findings: list[walk.Finding]
                     ) -> list[tuple[str, str, str]]:
    """Serve the demo as ``make run`` loads it and take :func:`dashboards` (what the walk's
    checks find on them is added to ``findings``)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="kexue-screenshots-") as folder, \
            demo_server(Path(folder), **DASHBOARD_DEMO) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url,
                                      viewport={"width": WIDTH, "height": HEIGHT},
                                      locale="zh-CN")
        context.set_default_timeout(15_000)
        rows = dashboards(context, context.new_page(), server, out, findings)
        browser.close()
    return rows


def dashboards(context, page, server, out: Path, findings: list[walk.Finding]
               ) -> list[tuple[str, str, str]]:
    """Each of :data:`DASHBOARDS` at both widths and in each of :data:`DASHBOARD_MODES`,
    charts drawn (``<stem>.<mode>.<width>.jpg``), each checked as the walk checks pages
    (overflow, raw codes)."""
    rows = []
    codes = walk.suspicious_codes()
    for visitor, path in DASHBOARDS:
        context.clear_cookies()
        if visitor is not None:
            walk.sign_in(page, server.url, visitor, server.passwords[visitor])
        for mode in DASHBOARD_MODES:
            walk.set_mode(context, server.url, mode)
            for width in (WIDTH, DESKTOP_WIDTH):
                page.set_viewport_size({"width": width, "height": HEIGHT})
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                if page.locator(".chart-plot").count():
                    page.wait_for_selector(".chart-plot .main-svg")
                findings += walk.measure(page, path, mode, width, codes)
                stem = file_stem(visitor, path)
                name = f"{stem}.{mode.name}.{width}.jpg"
                page.screenshot(path=out / name, type="jpeg", quality=QUALITY, full_page=True,
                                animations="disabled")
                rows.append((visitor or "anonymous", f"{path} ({width} px)", name))
    context.clear_cookies()
    return rows


def write_index(out: Path, rows: list[tuple[str, str, str]], dashboards_only: bool = False
                ) -> None:
    """``index.md`` (resident pages) and ``dashboards.md`` (the dashboards): one line per page
    (``{}`` an id), its screenshot in each mode."""
    def table(title: str, chosen: list[tuple[str, str, str]]) -> str:
        pages: dict[tuple[str, str], list[str]] = {}
        for who, page, name in chosen:
            pages.setdefault((who, page), []).append(f"[{name.split('.')[1]}]({name})")
        lines = [f"# {title}", "",
                 "Made by `make screenshots` (`.venv/bin/python -m tests.browser.screenshots`, "
                 "see the README); do not edit by hand.", "",
                 "| Visitor | Page | Screenshots |", "|---|---|---|"]
        lines += [f"| {who} | `{page}` | {' · '.join(shots)} |"
                  for (who, page), shots in pages.items()]
        return "\n".join(lines) + "\n"

    dashboards = [row for row in rows if row[2].count(".") == 3]
    if not dashboards_only:
        residents = [row for row in rows if row[2].count(".") != 3]
        (out / "index.md").write_text(table("Resident pages at 390 px", residents),
                                      encoding="utf-8")
    (out / "dashboards.md").write_text(
        table(f"Dashboards at {WIDTH} and {DESKTOP_WIDTH} px", dashboards), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--dashboards-only", action="store_true",
                        help="only the dashboards' screenshots (the others are kept)")
    args = parser.parse_args(argv)
    rows, findings = take(args.out, args.dashboards_only)
    write_index(args.out, rows, args.dashboards_only)
    size = sum(p.stat().st_size for p in args.out.glob("*.jpg"))
    print(f"{len(rows)} screenshots in {args.out} ({size / 1e6:.1f} MB)")
    if findings:
        print("The page walk found faults on these pages:\n" + walk.summary(findings))


if __name__ == "__main__":
    main()
