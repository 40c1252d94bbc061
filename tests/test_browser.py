"""The built site in a real browser: navigation, filters without JavaScript, Pagefind search,
the mobile layout, and axe-core accessibility checks on every kind of page.

The site is built once with the real `mkdocs build --strict` and served over HTTP on
127.0.0.1 under the path of `site_url` (/agenda/), as on GitHub Pages, so that an absolute
link would show up as a broken one. Playwright drives Debian's chromium; it never downloads
a browser. Expected titles and lists come from the repository's YAML through the agenda
package, not from the HTML.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from agenda.i18n import Messages
from agenda.model import STATUSES, build_agenda
from agenda.pages import Site
from agenda.repository import check_repository
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium); "
                "Playwright is never allowed to download its own browser", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARABIC_PROPOSAL = "acces-information-maghreb"  # its description has a passage in Arabic
MOBILE = {"width": 375, "height": 800}


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as !!python/name: (only plain settings are used)."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
LANG = next(p["agenda"].get("language", "fr") for p in CONFIG["plugins"] if isinstance(p, dict) and "agenda" in p)
PREFIX = urlparse(CONFIG["site_url"]).path  # "/agenda/": the site is served where it is published


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def m():
    return Messages(LANG)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """Builds the site once and serves it; yields the URL of its home page."""
    root = tmp_path_factory.mktemp("browser")
    site = root / PREFIX.strip("/") if PREFIX.strip("/") else root
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        check=False, capture_output=True, text=True, timeout=600, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    assert (site / "pagefind" / "pagefind-ui.js").is_file(), "the build made no Pagefind index"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """A page in a fresh browser context, recording script errors and failed requests."""

    def __init__(self, browser, base_url, **options):
        self.base = base_url
        self.context = browser.new_context(base_url=base_url, **options)
        self.context.set_default_timeout(15_000)
        # Nothing leaves 127.0.0.1: the tests need no network. (Material's repository widget
        # asks api.github.com for the repository's stars and forks; it is left unanswered.)
        self.external = []
        self.context.route(re.compile(r"^(?!" + re.escape(base_url.split(PREFIX)[0]) + r"/)"), self._block)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("requestfailed", lambda r: r.url not in self.external
                     and self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def _block(self, route):
        self.external.append(route.request.url)
        route.abort("blockedbyclient")

    def open(self, path):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return self.page

    def close(self):
        self.context.close()

    def check(self):
        assert not self.problems, "\n".join(self.problems)


def _tab(browser, base_url, **options):
    t = Tab(browser, base_url, **options)
    yield t
    t.close()
    t.check()


@pytest.fixture
def tab(browser, base_url):
    yield from _tab(browser, base_url)


@pytest.fixture
def tab_without_js(browser, base_url):
    yield from _tab(browser, base_url, java_script_enabled=False)


@pytest.fixture
def mobile_tab(browser, base_url):
    yield from _tab(browser, base_url, viewport=MOBILE, is_mobile=True, has_touch=True)


# --- helpers --------------------------------------------------------------------------------------


def h1(page):
    return page.get_by_role("heading", level=1)


def content(page):
    """The page's own content, without Material's header, tabs and footer."""
    return page.locator("article")


def linked_proposals(page):
    """Ids of the proposals the content links to."""
    hrefs = content(page).locator("a[href*='proposals/']").evaluate_all("links => links.map(a => a.href)")
    return {re.search(r"/proposals/([^/]+)/$", h).group(1) for h in hrefs}


def distinctive_word(agenda):
    """(proposal, word): a word of a proposal's title found in as few proposals and themes as
    possible, so that searching for it must find that proposal among the first results."""
    texts = [f"{p.title} {p.summary} {p.description}".casefold() for p in agenda.proposals]
    texts += [" ".join(map(str, t.name.values())).casefold() + str(t.description).casefold() for t in agenda.themes]
    candidates = []
    for p in agenda.proposals:
        for word in re.findall(r"[^\W\d_]{5,}", p.title):
            count = sum(word.casefold() in text for text in texts)
            candidates.append((count, -len(word), p.id, word))
    count, _, pid, word = min(candidates)
    return agenda.proposal(pid), word


# --- navigation -----------------------------------------------------------------------------------


def test_navigation_home_programme_filter_proposal_theme_home(tab, agenda, m):
    """A visitor's path through the site, following links only."""
    proposal = agenda.scheduled()[0]
    theme = agenda.theme(proposal.themes[0])
    theme_name = m.name(theme.name)
    base = tab.base

    page = tab.open("./")
    expect(page).to_have_url(base)
    expect(h1(page)).to_have_text(m.name(agenda.event.name))
    expect(h1(page)).to_be_visible()

    content(page).get_by_role("link", name=m("programme"), exact=True).click()
    expect(page).to_have_url(base + "programme/")
    expect(h1(page)).to_have_text(m("programme"))
    expect(h1(page)).to_be_visible()

    page.locator(".agenda-filters").get_by_role("link", name=theme_name, exact=True).click()
    expect(page).to_have_url(f"{base}programme/theme/{theme.id}/")
    expect(h1(page)).to_have_text(m("filtered", label=m("theme") + m("colon") + theme_name))
    expect(h1(page)).to_be_visible()
    assert linked_proposals(page) == {p.id for p in agenda.with_theme(theme.id)}

    page.locator(".agenda-day-list").get_by_role("link", name=proposal.title, exact=True).click()
    expect(page).to_have_url(f"{base}proposals/{proposal.id}/")
    expect(h1(page)).to_have_text(proposal.title)
    expect(h1(page)).to_be_visible()

    page.locator(".agenda-facts").get_by_role("link", name=theme_name, exact=True).click()
    expect(page).to_have_url(f"{base}themes/{theme.id}/")
    expect(h1(page)).to_have_text(theme_name)
    expect(h1(page)).to_be_visible()
    expect(content(page).get_by_role("link", name=proposal.title, exact=True)).to_be_visible()

    page.locator("header a.md-logo").click()  # the site's name and logo lead home
    expect(page).to_have_url(base)
    expect(h1(page)).to_have_text(m.name(agenda.event.name))


def test_filters_are_plain_links_without_javascript(tab_without_js, agenda, m):
    fmt = max(agenda.event.formats, key=lambda f: len(agenda.with_format(f.id)))  # first of the largest
    label = m.name(fmt.name)
    expected = {p.id for p in agenda.with_format(fmt.id)}
    assert expected, "the repository has no proposal to filter"

    page = tab_without_js.open("programme/")
    assert linked_proposals(page) == {p.id for p in agenda.proposals}
    page.locator(".agenda-filters").get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(f"{tab_without_js.base}programme/format/{fmt.id}/")
    expect(h1(page)).to_have_text(m("filtered", label=m("format") + m("colon") + label))
    expect(page.locator(".agenda-filters [aria-current='page']")).to_have_text(label)
    assert linked_proposals(page) == expected


# --- search ---------------------------------------------------------------------------------------


def test_search_finds_a_proposal_by_a_word_of_its_title(tab, agenda, m):
    proposal, word = distinctive_word(agenda)
    page = tab.open("search/")
    box = page.get_by_role("textbox", name=m("search_label"))
    expect(box).to_be_visible()
    expect(page.locator("label.agenda-search-label")).to_have_text(m("search_label"))
    assert box.evaluate("input => [...input.labels].map(l => l.textContent)") == [m("search_label")]
    box.press_sequentially(word)
    result = page.locator(f".pagefind-ui__result-link[href$='/proposals/{proposal.id}/']")
    expect(result).to_have_text(proposal.title)
    result.click()
    expect(page).to_have_url(f"{tab.base}proposals/{proposal.id}/")
    expect(h1(page)).to_have_text(proposal.title)


# --- mobile ---------------------------------------------------------------------------------------


def test_programme_on_a_phone_shows_the_list_not_the_grid(mobile_tab, tab):
    page = mobile_tab.open("programme/")
    lists, grids = page.locator(".agenda-day-list"), page.locator(".agenda-grid")
    assert lists.count() > 0 and lists.count() == grids.count()
    for i in range(lists.count()):
        expect(lists.nth(i)).to_be_visible()
        expect(lists.nth(i).get_by_role("link").first).to_be_visible()
        expect(grids.nth(i)).to_be_hidden()
    # and on a wide screen, the grid is there too
    wide = tab.open("programme/")
    expect(wide.locator(".agenda-grid").first).to_be_visible()
    expect(wide.locator(".agenda-day-list").first).to_be_visible()


# --- accessibility --------------------------------------------------------------------------------


def axe_report(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} - {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {' '.join(node['html'].split())[:200]}")
            lines.append("        " + node["failureSummary"].replace("\n", "\n        "))
    return "\n".join(lines)


PAGES = ["home", "programme", "filter", "themes", "theme", "formats", "organisations", "search", "search-results",
         "propose", "data", "proposal-scheduled", "proposal-arabic", "programme-mobile"]


def page_path(kind, agenda):
    scheduled = next(p for p in agenda.scheduled() if p.id != ARABIC_PROPOSAL)
    theme = agenda.themes[0].id
    return {
        "home": "./", "programme": "programme/", "programme-mobile": "programme/",
        "filter": f"programme/theme/{theme}/", "themes": "themes/", "theme": f"themes/{theme}/",
        "formats": "formats/", "organisations": "organisations/", "search": "search/", "search-results": "search/",
        "propose": "propose/", "data": "data/", "proposal-scheduled": f"proposals/{scheduled.id}/",
        "proposal-arabic": f"proposals/{ARABIC_PROPOSAL}/",
    }[kind]


@pytest.mark.parametrize("kind", PAGES)
def test_no_axe_violations(kind, browser, base_url, agenda, m):
    t = Tab(browser, base_url, **({"viewport": MOBILE, "is_mobile": True} if kind.endswith("mobile") else {}))
    try:
        page = t.open(page_path(kind, agenda))
        if kind.startswith("search"):
            expect(page.get_by_role("textbox", name=m("search_label"))).to_be_visible()
        if kind == "search-results":
            proposal, word = distinctive_word(agenda)
            page.get_by_role("textbox", name=m("search_label")).press_sequentially(word)
            expect(page.locator(f".pagefind-ui__result-link[href$='/proposals/{proposal.id}/']")).to_be_visible()
        if kind == "proposal-arabic":
            expect(content(page)).to_contain_text(re.compile("[\u0600-\u06ff]{3,}"))
        if kind == "proposal-scheduled":
            expect(content(page).locator("time[datetime]")).to_be_visible()
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{axe_report(violations)}"
    finally:
        t.close()
    t.check()


def test_status_badges_and_banners_have_enough_contrast(tab, agenda, m):
    """Every status colour, as a badge and as a proposal's banner, whatever statuses the
    repository uses today: the markup of pages.py, checked by axe's color-contrast rule."""
    site = Site(agenda, LANG)
    probe = "".join(
        f"<p>{site.status_badge(s)}</p>"
        f'<p class="agenda-status agenda-status--{s}"><strong>{html.escape(m("status." + s))}</strong> — '
        f'{html.escape(m("status_note." + s))}</p>'
        for s in STATUSES)
    page = tab.open("organisations/")
    content(page).evaluate("(article, html) => { const d = document.createElement('div');"
                           " d.id = 'status-probe'; d.innerHTML = html; article.append(d); }", probe)
    expect(page.locator("#status-probe .agenda-badge")).to_have_count(len(STATUSES))
    results = Axe().run(page, context="#status-probe",
                        options={"runOnly": {"type": "rule", "values": ["color-contrast"]}})
    violations = results.response["violations"]
    checked = sum(len(rule["nodes"]) for rule in results.response["passes"] + violations)
    assert checked >= 3 * len(STATUSES), "axe did not look at every badge and banner"  # badge, banner, its <strong>
    assert not violations, axe_report(violations)
