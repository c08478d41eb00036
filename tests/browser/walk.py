"""Walk every page each role can reach, in every display mode, and measure it.

Used by the page-walk test (``test_page_walk.py``) and the screenshot command
(``python -m tests.browser.screenshots``). The pages are found, not listed: from each role's
home page the walker follows every same-origin link (GET only; no downloads, no sign-out, which
is a POST anyway), one page per *shape* (the path with its ids blanked, the query's names and
its non-numeric values), so a new page is covered as soon as something links to it. Pages that
only a form leads to (a practice question, a competition attempt, an estimate) are reached by
short scripted flows at the end of this module.

On each page the walker checks, at every width and in every mode:

- **overflow**: the page is no wider than the screen (``scrollWidth > clientWidth`` fails:
  with a phone's viewport ``innerWidth`` grows to fit a page that is too wide, so it cannot
  be the measure);
- **raw codes**: no code of the label tables shows as text (``finished``, ``cadre``, ``male``,
  ``junior_secondary`` ...); text inside ``code``, ``pre``, ``kbd``, ``samp`` or an element
  marked ``translate="no"`` (usernames, column names a statistician types) is not read;
- **squeezed labels**: no header, cell or button so narrow that its Chinese text stands one
  character per line (参/与/人/数);
- **hanging markers**: no list whose letters or numbers stand outside its box (and its card);
- **mode**: the page is in the language and type size asked for (so the walk checks what it
  says it checks), where the page offers the header's switches.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

# The widths each page is measured at. CI sets KEXUE_WALK_WIDTHS=360 (the narrowest phone the
# project supports) to keep within its time; a full local run also checks 390.
WIDTHS = tuple(int(width) for width in os.environ.get("KEXUE_WALK_WIDTHS", "360,390").split(","))


@dataclass(frozen=True)
class Mode:
    """A display mode: the language and large-type cookies (quizapp/preferences.py)."""

    language: str  # "zh_CN" or "en"
    large: bool

    @property
    def name(self) -> str:
        return ("zh" if self.language == "zh_CN" else "en") + ("-large" if self.large else "")

    @property
    def chinese(self) -> bool:
        return self.language == "zh_CN"


MODES = (Mode("zh_CN", False), Mode("en", False), Mode("zh_CN", True), Mode("en", True))
# The visitors of the walk: ``None`` is a resident without an account; the others are the
# demo's accounts (quizapp/demo/accounts.py), one per role of quizapp.access.ROLES.
VISITORS = (None, "resident", "teacher", "interviewer", "statistician", "admin")

# Not pages: files, scripts, streams, and what the browser fetches by itself.
_NOT_PAGES = re.compile(
    r"(^/static/|^/assets/|^/favicon|\.(csv|xlsx|json|js|pdf|png|svg|jpg|ico|txt)$"
    r"|/events$|/state$|/api/|/files/)")
_ID_SEGMENT = re.compile(r"\d|^[A-Za-z0-9_-]{16,}$")


def shape(url: str) -> str:
    """The kind of page ``url`` is: the path with every id-like segment blanked, plus the
    query's names and its non-numeric values (``?view=township`` is its own page, ``?page=3``
    is not)."""
    parts = urlsplit(url)
    path = "/".join("{}" if _ID_SEGMENT.search(seg) else seg for seg in parts.path.split("/"))
    query = sorted((k, "{}" if re.search(r"\d", v) else v)
                   for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def is_page_link(url: str, origin: str) -> bool:
    """Whether ``url`` is a same-origin page worth walking."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.scheme not in ("http", "https"):
        return False
    return not _NOT_PAGES.search(parts.path)


# --- the raw codes ------------------------------------------------------------------------------

def label_codes() -> dict[str, set[str]]:
    """Every code a label table names, by table: what must never show as text.

    Read from the tables themselves (every module-level dict of the app named ``*_LABELS``
    or ``*_NAMES``, the survey's ``LABEL_TABLES``) and from the models' lists of codes, so a
    code added to a table or a model is checked from then on."""
    import importlib
    import pkgutil

    import quizapp
    import surveys.labels as survey_labels
    from quizapp.access import ROLES
    from quizapp.models.attempts import ATTEMPT_KINDS, ATTEMPT_STATUSES
    from quizapp.models.places import ORGANISATION_KINDS, TOWNSHIP_KINDS

    tables: dict[str, Iterable[object]] = {
        "roles": ROLES, "attempt statuses": ATTEMPT_STATUSES, "attempt kinds": ATTEMPT_KINDS,
        "township kinds": TOWNSHIP_KINDS, "organisation kinds": ORGANISATION_KINDS,
    }
    seen: set[int] = set()
    for info in pkgutil.walk_packages(quizapp.__path__, "quizapp."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (re.fullmatch(r"[A-Z_]+_(LABELS|NAMES)", name) and isinstance(value, dict)
                    and id(value) not in seen):
                seen.add(id(value))
                tables[f"{info.name}.{name}"] = value
    for enum, table in survey_labels.LABEL_TABLES.items():
        tables[f"surveys {enum.__name__}"] = table
    return {name: {str(code) for code in codes} for name, codes in tables.items()}


def suspicious_codes() -> tuple[frozenset[str], frozenset[str]]:
    """The codes to look for on Chinese pages (any code of three or more letters: no English
    word belongs there) and on English pages (codes with an underscore only: ``finished`` or
    ``urban`` are also plain English)."""
    codes = {code for table in label_codes().values() for code in table
             if re.fullmatch(r"[a-z][a-z0-9_]{2,}", code)}
    return frozenset(codes), frozenset(c for c in codes if "_" in c)


# --- measuring one page ------------------------------------------------------------------------

# Run in the page: its language and type size, the visible words outside code-like elements,
# the elements sticking out on the right, the labels squeezed to one Chinese character per
# line, and lists whose markers hang outside their box (no room on the left for "A." or "1.").
_MEASURE = """
() => {
  // the layout viewport: on a phone innerWidth grows to fit a page that is too wide
  const width = document.documentElement.clientWidth;
  const skip = 'code, pre, kbd, samp, script, style, noscript, template, [translate="no"]';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.data.trim() || !parent || parent.closest(skip)) continue;
    if (parent.checkVisibility && !parent.checkVisibility({visibilityProperty: true})) continue;
    texts.push(node.data);
  }
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.classList.length) name += '.' + Array.from(el.classList).join('.');
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
    return text ? `${name} "${text}"` : name;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) {
      // report the outermost culprit only
      if (!wide.some((w) => w.el.contains(el))) wide.push({el, right: Math.round(box.right)});
    }
  }
  const cjk = /[\\u3400-\\u9fff]/g;
  const squeezed = [];
  // inside a screen reader's 1 px box (.sr-only, the header of a stacked table)
  const clipped = (el) => {
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      const rect = box.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) return true;
    }
    return false;
  };
  // the text a sighted reader sees
  const seen = (el) => {
    let text = '';
    const nodes = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = nodes.nextNode(); node; node = nodes.nextNode()) {
      if (!clipped(node.parentElement)) text += node.data;
    }
    return text;
  };
  for (const el of document.body.querySelectorAll('th, td, button, a.button, label, dt, dd')) {
    if (clipped(el)) continue;
    const chars = (seen(el).match(cjk) || []).length;
    if (chars < 2 || !el.checkVisibility()) continue;
    const style = getComputedStyle(el);
    const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner > 0 && inner < 1.9 * parseFloat(style.fontSize)) squeezed.push(describe(el));
  }
  const hanging = [];
  for (const list of document.body.querySelectorAll('ol, ul')) {
    const item = list.querySelector(':scope > li');
    if (!item || !list.checkVisibility()) continue;
    const itemStyle = getComputedStyle(item);
    if (itemStyle.display !== 'list-item' || itemStyle.listStyleType === 'none'
        || itemStyle.listStylePosition !== 'outside') continue;
    const style = getComputedStyle(list);
    const room = parseFloat(style.paddingLeft) + parseFloat(style.marginLeft)
      + parseFloat(itemStyle.marginLeft) + parseFloat(itemStyle.paddingLeft);
    if (room < 0.9 * parseFloat(itemStyle.fontSize)) hanging.push(describe(list));
  }
  return {
    lang: document.documentElement.lang,
    large: document.body.classList.contains('large-type'),
    offers: {lang: !!document.querySelector('[data-test=lang-switch]'),
             large: !!document.querySelector('[data-test=large-type]')},
    hanging: hanging.slice(0, 5),
    scrollWidth: document.documentElement.scrollWidth, width,
    text: texts.join(' '),
    wide: wide.slice(0, 5).map((w) => `${describe(w.el)} reaches ${w.right}px`),
    squeezed: squeezed.slice(0, 5),
  };
}
"""
# A word as the page shows it: ``agriculture-0001`` (a question's id) is one word, not a topic.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_HREF = re.compile(r"<a\s(?![^>]*\bdownload\b)[^>]*\bhref=\"([^\"]+)\"", re.IGNORECASE)


@dataclass
class Finding:
    """One fault on one page, in one mode, at one width."""

    url: str
    mode: str
    width: int
    kind: str  # "overflow" | "raw code" | "squeezed" | "hanging markers" | "mode"
    detail: str

    def __str__(self) -> str:
        return f"{self.url} [{self.mode} {self.width}px] {self.kind}: {self.detail}"


def measure(page, url: str, mode: Mode, width: int,
            codes: tuple[frozenset[str], frozenset[str]]) -> list[Finding]:
    """The faults of the page open in ``page`` (already at ``width``, in ``mode``)."""
    result = page.evaluate(_MEASURE)
    found = []

    def add(kind: str, detail: str) -> None:
        found.append(Finding(urlsplit(url)._replace(scheme="", netloc="").geturl(), mode.name,
                             width, kind, detail))

    # A page without the header's switches (the projector, printed letters) has one mode.
    offers = result["offers"]
    if ((offers["lang"] and (result["lang"] == "zh-CN") != mode.chinese)
            or (offers["large"] and result["large"] != mode.large)):
        add("mode", f"the page is in lang={result['lang']}, large type={result['large']}")
    if result["scrollWidth"] > result["width"]:
        add("overflow", f"{result['scrollWidth']}px wide; " + "; ".join(result["wide"]))
    watched = codes[0] if mode.chinese else codes[1]
    raw = sorted({w for w in _WORD.findall(result["text"]) if w in watched})
    if raw:
        add("raw code", ", ".join(raw))
    if result["squeezed"]:
        add("squeezed", "; ".join(result["squeezed"]))
    if result["hanging"]:
        add("hanging markers", "; ".join(result["hanging"]))
    return found


def summary(findings: list[Finding], limit: int = 60) -> str:
    """The findings grouped by page and fault, with the modes and widths where they occur."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.url, finding.kind), []).append(finding)
    lines = []
    for (url, kind), group in groups.items():
        where = ", ".join(dict.fromkeys(f"{f.mode} {f.width}" for f in group))
        lines.append(f"{url} {kind} [{where}]: {group[-1].detail}")
    more = len(lines) - limit
    return "\n".join(lines[:limit] + ([f"... and {more} more"] if more > 0 else []))


def set_mode(context, base_url: str, mode: Mode) -> None:
    """Choose the language and type size the way the header's buttons do: by cookie."""
    context.add_cookies([
        {"name": "kx_lang", "value": mode.language, "url": base_url},
        {"name": "kx_large", "value": "1" if mode.large else "0", "url": base_url},
    ])


@dataclass
class Walk:
    """One visitor's walk: the shapes seen, the pages checked, what was found.

    ``owns(url)`` says whether this walk checks the page or only passes through it for its
    links (a public page is checked by the visitor without an account, not again by each
    account)."""

    page: object
    base_url: str
    owns: Callable[[str], bool] = lambda url: True
    modes: tuple[Mode, ...] = MODES
    widths: tuple[int, ...] = WIDTHS
    codes: tuple[frozenset[str], frozenset[str]] = field(default_factory=suspicious_codes)
    on_page: Callable[[object, str, Mode], None] | None = None  # e.g. take a screenshot
    seen: set[str] = field(default_factory=set)
    checked: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def check_current(self, variant: str = "") -> None:
        """Check the page open now in every mode and width (it is reloaded for each mode, so
        it must be a GET that is safe to repeat); the next page opens in the first mode.
        ``variant`` names one state of a page checked in several (``#registered``)."""
        name = self.page.url + (f"#{variant}" if variant else "")
        self.checked.append(name)
        context = self.page.context
        for index, mode in enumerate(self.modes):
            if index:
                set_mode(context, self.base_url, mode)
                self.page.reload(wait_until="load")
            self._measure(name, mode)
        set_mode(context, self.base_url, self.modes[0])

    def check_posted(self, variant: str) -> None:
        """Check a page that answers a POST: it cannot be reloaded, so only in the mode it is
        shown in (the first)."""
        name = f"{self.page.url}#{variant}"
        self.checked.append(name)
        self._measure(name, self.modes[0])

    def _measure(self, name: str, mode: Mode) -> None:
        for width in self.widths:
            self.page.set_viewport_size({"width": width, "height": 800})
            self.findings += measure(self.page, name, mode, width, self.codes)
        if self.on_page is not None:
            self.on_page(self.page, name, mode)
        self.page.set_viewport_size({"width": self.widths[0], "height": 800})

    def crawl(self, start: str | None = "/", limit: int = 150) -> None:
        """Check every page of a new shape reachable by links from ``start`` (``None``: from
        the page open now) that this walk owns."""
        queue = [urljoin(self.base_url, start)] if start else self._links(self.page.content(),
                                                                          self.page.url)
        while queue and limit > 0:
            url = queue.pop(0)
            key = shape(url)
            if key in self.seen:
                continue
            self.seen.add(key)
            response = self.page.context.request.get(url, max_redirects=0)
            if (response.status != 200
                    or not response.headers.get("content-type", "").startswith("text/html")):
                continue
            queue += [link for link in self._links(response.text(), url)
                      if shape(link) not in self.seen]
            if self.owns(url):
                limit -= 1
                self.page.goto(url, wait_until="load")
                self.check_current()

    def _links(self, html: str, url: str) -> list[str]:
        links = (urljoin(url, unescape(href)).split("#")[0] for href in _HREF.findall(html))
        return [link for link in links if is_page_link(link, self.base_url)]

    def visit(self, path: str) -> None:
        """Check one page by its address (pinned pages: whatever pages of its shape were
        checked already)."""
        url = urljoin(self.base_url, path)
        self.seen.add(shape(url))
        self.page.goto(url, wait_until="load")
        self.check_current()

    def here(self, variant: str = "") -> None:
        """Check the page a flow has just reached, if no page of its shape (and ``variant``)
        was checked yet."""
        key = shape(self.page.url) + (f"#{variant}" if variant else "")
        if key not in self.seen:
            self.seen.add(key)
            self.check_current(variant)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real login form (then the page is on the home page)."""
    page.goto(urljoin(base_url, "/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


# --- who checks which page ---------------------------------------------------------------------

def roles_of(visitor: str | None) -> set[str] | None:
    """The roles of a visitor of the walk (the demo accounts are named after their role)."""
    return None if visitor is None else {visitor}


def first_visitor(app, url: str) -> str | None | bool:
    """The first visitor of :data:`VISITORS` whom the view of ``url`` admits (``False`` when
    the URL is no view's or admits none of them)."""
    from werkzeug.exceptions import HTTPException

    from quizapp.access import access_of

    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
    except HTTPException:
        return False
    rule = access_of(app.view_functions[endpoint])
    for visitor in VISITORS:
        if rule is not None and rule.allows(roles_of(visitor)):
            return visitor
    return False


# Pages whose content is each visitor's own: every visitor checks them.
EVERY_VISITOR = ("/",)


def owner_rule(app, visitor: str | None) -> Callable[[str], bool]:
    """``owns(url)`` for ``visitor``'s walk: the pages no earlier visitor may see, and the
    pages of :data:`EVERY_VISITOR`."""
    def owns(url: str) -> bool:
        return urlsplit(url).path in EVERY_VISITOR or first_visitor(app, url) == visitor
    return owns


# --- pages only a form leads to ----------------------------------------------------------------

def practice_flow(walk: Walk) -> None:
    """Start a practice round and answer it through, checking its question, feedback and
    summary pages."""
    page = walk.page
    page.goto(urljoin(walk.base_url, "/practice/"))
    page.locator("form[action$='/practice/start'] button").first.click()
    page.wait_for_load_state()
    for _ in range(30):
        if "/summary" in page.url:
            break
        walk.here()
        if page.locator("input[name=choice]").count():
            page.locator("label.option").first.click()
            page.click("[data-test=submit-answer]")
        else:
            page.click("[data-test=next]")
        page.wait_for_load_state()
    walk.here()


def competition_flow(walk: Walk, township: str = "薛店镇") -> None:
    """Register for the first competition listed and take it, checking the competition page
    before and after registering, a question, the result, and what the result links to
    (certificate, boards)."""
    from tests.browser.answering import submit_answer

    page = walk.page
    page.goto(urljoin(walk.base_url, "/competitions/"))
    page.locator("h2 a").first.click()
    page.wait_for_load_state()
    walk.here()
    if page.locator("[data-test=register]").count():
        page.fill("input[name=name]", "李四")
        page.select_option("select[name=township_id]", label=township)
        page.click("[data-test=register]")
        page.wait_for_load_state()
        walk.here("registered")
    if not page.locator("[data-test=start]").count():
        return
    page.click("[data-test=start]")
    page.wait_for_load_state()
    for _ in range(60):
        if "/attempt/" not in page.url or "/result" in page.url:
            break
        walk.here()
        page.locator("label.option").first.click()
        if page.locator("input[type=checkbox][name=choice]").count():
            page.locator("label.option").nth(1).click()
        submit_answer(page)
    walk.here()
    walk.crawl(None, limit=25)


def estimate_flow(walk: Walk) -> None:
    """Run the estimate on the simulated demo survey with the shipped (placeholder) margins:
    first without allowing placeholders (the refusal), then allowing them (the results)."""
    page = walk.page
    for allow in (False, True):
        page.goto(urljoin(walk.base_url, "/statistics/estimates/"))
        page.check("input[name=use_demo]")
        page.select_option("select[name=margins]", "shipped")
        if allow:
            page.check("input[name=allow_placeholder_margins]")
        page.click("[data-test=run-estimate]")
        page.wait_for_load_state()
        if allow:
            page.wait_for_selector("[data-test=share]")
            page.wait_for_timeout(500)  # the charts draw after the load event
        walk.check_posted("results" if allow else "refusal")


FLOWS: dict[str | None, tuple[Callable[[Walk], None], ...]] = {
    None: (practice_flow, competition_flow),
    "statistician": (estimate_flow,),
}


def walk_visitor(walk: Walk, visitor: str | None, passwords: dict[str, str],
                 pinned: Iterable[str] = ()) -> None:
    """Check everything ``visitor`` can reach: the flows, the crawl from the home page, the
    pinned pages."""
    context = walk.page.context
    context.clear_cookies()
    set_mode(context, walk.base_url, walk.modes[0])
    if visitor is not None:
        sign_in(walk.page, walk.base_url, visitor, passwords[visitor])
    for flow in FLOWS.get(visitor, ()):
        flow(walk)
    walk.crawl("/")
    for path in pinned:
        walk.visit(path)
