"""The built site in a real browser: navigation, filters without JavaScript, Pagefind search in
each language, the language switch, the day's grid (sticky headers, durations), phones (no
sideways scroll), print, right-to-left pages, and axe-core accessibility checks on every kind
of page in both languages.

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

from agenda.i18n import translator
from agenda.model import STATUSES, build_agenda
from agenda.site.programme import Programme
from agenda.check.repository import check_repository
from conftest import ROOT, copy_repo

CHROMIUM = "/usr/bin/chromium"
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium); "
                "Playwright is never allowed to download its own browser", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARABIC_PROPOSAL = "acces-information-maghreb"  # its description has a passage in Arabic
MOBILE = {"width": 390, "height": 844}


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as !!python/name: (only plain settings are used)."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
PREFIX = urlparse(CONFIG["site_url"]).path  # "/agenda/": the site is served where it is published
LANGS = tuple(yaml.safe_load((ROOT / "event.yaml").read_text(encoding="utf-8")).get("site_languages", ("fr", "en")))
LANG = LANGS[0]  # at the root of the site; the others under /<lang>/


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def m():
    return translator(LANG)


def in_lang(lang, path):
    """A page's path in a language of the site."""
    return path if lang == LANG else f"{lang}/{path}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _build_and_serve(repo, root):
    """Builds the site of `repo` under `root` + site_url's path and serves it; yields its URL."""
    site = root / PREFIX.strip("/") if PREFIX.strip("/") else root
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(repo / "mkdocs.yml"), "-d", str(site)],
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
def base_url(tmp_path_factory):
    """Builds the site once and serves it; yields the URL of its home page."""
    yield from _build_and_serve(ROOT, tmp_path_factory.mktemp("browser"))


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
        # (a request the browser cancels because the page navigates away is not a failure)
        self.page.on("requestfailed", lambda r: r.url not in self.external and "ERR_ABORTED" not in (r.failure or "")
                     and self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        # Material's script fetches a sitemap.xml beside every link[rel=alternate] it finds
        # (overrides/main.html): a page's language versions must not send it looking.
        self.page.on("request", lambda r: r.url.endswith("sitemap.xml")
                     and self.problems.append(f"sitemap requested: {r.url}"))

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


# --- navigation ---------------------------------------------------------------------------------


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

    content(page).get_by_role("link", name=m.gettext("Programme"), exact=True).click()
    expect(page).to_have_url(base + "programme/")
    expect(h1(page)).to_have_text(m.gettext("Programme"))
    expect(h1(page)).to_be_visible()

    page.locator(".agenda-filters").get_by_role("link", name=theme_name, exact=True).click()
    expect(page).to_have_url(f"{base}programme/theme/{theme.id}/")
    expect(h1(page)).to_have_text(m.gettext("Programme — %(facet)s: %(value)s", facet=m.gettext("Theme"),
                                            value=theme_name))
    expect(h1(page)).to_be_visible()
    assert linked_proposals(page) == {p.id for p in agenda.with_theme(theme.id)}

    page.locator(".agenda-day-list").get_by_role("link", name=proposal.title, exact=True).first.click()
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
    expect(h1(page)).to_have_text(m.gettext("Programme — %(facet)s: %(value)s", facet=m.gettext("Format"),
                                            value=label))
    expect(page.locator(".agenda-filters [aria-current='page']")).to_have_text(label)
    assert linked_proposals(page) == expected


# --- languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", LANGS[1:])
def test_the_language_switch_leads_to_the_same_page(tab, agenda, other):
    proposal = agenda.scheduled()[0]
    page = tab.open(f"proposals/{proposal.id}/")
    page.locator("header .md-select").hover()
    page.locator(f"header a.md-select__link[hreflang='{other}']").click()
    expect(page).to_have_url(f"{tab.base}{other}/proposals/{proposal.id}/")
    expect(page.locator("html")).to_have_attribute("lang", other)
    page.locator("header .md-select").hover()
    page.locator(f"header a.md-select__link[hreflang='{LANG}']").click()
    expect(page).to_have_url(f"{tab.base}proposals/{proposal.id}/")


# --- search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_search_finds_a_proposal_by_a_word_of_its_title(tab, agenda, lang):
    t = translator(lang)
    proposal, word = distinctive_word(agenda)
    page = tab.open(in_lang(lang, "search/"))
    box = page.get_by_role("textbox", name=t.gettext("Search the programme"))
    expect(box).to_be_visible()
    expect(page.locator("label.agenda-search-label")).to_have_text(t.gettext("Search the programme"))
    assert box.evaluate("input => [...input.labels].map(l => l.textContent)") == [t.gettext("Search the programme")]
    box.press_sequentially(word)
    result = page.locator(f".pagefind-ui__result-link[href$='/{in_lang(lang, 'proposals/' + proposal.id)}/']")
    expect(result).to_have_text(proposal.title)  # the index of the page's language
    result.click()
    expect(page).to_have_url(f"{tab.base}{in_lang(lang, 'proposals/' + proposal.id)}/")
    expect(h1(page)).to_have_text(proposal.title)


# --- the day's grid, phones, print ------------------------------------------------------------------


def busiest_day(agenda):
    return max(Programme(agenda).days, key=lambda d: len(d.grid.blocks) if d.grid else 0)


def test_the_grid_shows_durations_and_keeps_its_headers_in_view(browser, base_url, agenda):
    t = Tab(browser, base_url, viewport={"width": 900, "height": 700})
    try:
        day = busiest_day(agenda)
        page = t.open(f"programme/{day.day}/")
        grid = page.locator(".agenda-grid")
        expect(grid).to_be_visible()
        blocks = {b.session.proposal.id: b for b in day.grid.blocks}
        heights = {pid: page.locator(f".agenda-block[href$='/proposals/{pid}/']").first.bounding_box()["height"]
                   for pid in blocks}
        longest = max(blocks, key=lambda pid: blocks[pid].session.slot.duration)
        shortest = min(blocks, key=lambda pid: blocks[pid].session.slot.duration)
        assert heights[longest] > 2 * heights[shortest]  # a long session looks long
        grid.evaluate("g => { g.scrollTop = g.scrollHeight; g.scrollLeft = g.scrollWidth; }")
        page.wait_for_timeout(100)
        box = grid.bounding_box()
        room = page.locator(".agenda-grid__room").last.bounding_box()
        hour = page.locator(".agenda-grid__hour").last.bounding_box()
        assert abs(room["y"] - box["y"]) < 3  # the rooms' row stays at the top of the region
        assert abs(hour["x"] - box["x"]) < 3  # the hours' column stays at its start
        assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    finally:
        t.close()
    t.check()


def test_programme_on_a_phone_shows_the_list_not_the_grid(mobile_tab, tab, agenda):
    day = busiest_day(agenda).day
    page = mobile_tab.open(f"programme/{day}/")
    expect(page.locator(".agenda-day-list")).to_be_visible()
    expect(page.locator(".agenda-day-list").get_by_role("link").first).to_be_visible()
    expect(page.locator(".agenda-grid")).to_be_hidden()
    wide = tab.open(f"programme/{day}/")  # and on a wide screen, the grid is there too
    expect(wide.locator(".agenda-grid")).to_be_visible()
    expect(wide.locator(".agenda-day-list")).to_be_visible()


def test_print_shows_the_list_alone_without_navigation(tab, agenda):
    day = busiest_day(agenda).day
    page = tab.open(f"programme/{day}/")
    page.emulate_media(media="print")
    expect(page.locator(".agenda-day-list")).to_be_visible()
    for hidden in (".agenda-grid", ".agenda-days", ".md-header", ".md-tabs", ".md-sidebar", ".md-footer"):
        expect(page.locator(hidden).first).to_be_hidden()
    link = page.locator(".agenda-day-list a").first
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"
    filtered = tab.open(f"programme/theme/{agenda.themes[0].id}/")
    filtered.emulate_media(media="print")
    expect(filtered.locator(".agenda-filters")).to_be_hidden()
    sections = filtered.locator(".agenda-day")
    assert sections.nth(1).evaluate("s => getComputedStyle(s).breakBefore") == "page"  # a day per page
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


# --- accessibility --------------------------------------------------------------------------------


def axe_report(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} - {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {' '.join(node['html'].split())[:200]}")
            lines.append("        " + node["failureSummary"].replace("\n", "\n        "))
    return "\n".join(lines)


PAGES = ["home", "programme", "day", "filter", "themes", "theme", "formats", "organisations", "search",
         "search-results", "propose", "data", "proposal-scheduled", "proposal-twice", "proposal-arabic",
         "proposal-unscheduled", "day-mobile", "home-mobile", "proposal-mobile"]


def page_path(kind, agenda):
    scheduled = next(p for p in agenda.scheduled() if p.id != ARABIC_PROPOSAL)
    twice = next((p for p in agenda.proposals if len(p.slots) > 1), scheduled)
    unscheduled = next(p for p in agenda.proposals if not p.slots)
    theme = agenda.themes[0].id
    kind = kind.removesuffix("-mobile")
    return {
        "home": "./", "programme": "programme/", "day": f"programme/{busiest_day(agenda).day}/",
        "filter": f"programme/theme/{theme}/", "themes": "themes/", "theme": f"themes/{theme}/",
        "formats": "formats/", "organisations": "organisations/", "search": "search/", "search-results": "search/",
        "propose": "propose/", "data": "data/", "proposal-scheduled": f"proposals/{scheduled.id}/",
        "proposal-twice": f"proposals/{twice.id}/", "proposal-arabic": f"proposals/{ARABIC_PROPOSAL}/",
        "proposal-unscheduled": f"proposals/{unscheduled.id}/", "proposal": f"proposals/{scheduled.id}/",
    }[kind]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGES)
def test_no_axe_violations(kind, lang, browser, base_url, agenda):
    t = translator(lang)
    mobile = kind.endswith("mobile")
    tab = Tab(browser, base_url, **({"viewport": MOBILE, "is_mobile": True, "has_touch": True} if mobile else {}))
    try:
        page = tab.open(in_lang(lang, page_path(kind, agenda)))
        if kind.startswith("search"):
            expect(page.get_by_role("textbox", name=t.gettext("Search the programme"))).to_be_visible()
        if kind == "search-results":
            proposal, word = distinctive_word(agenda)
            page.get_by_role("textbox", name=t.gettext("Search the programme")).press_sequentially(word)
            expect(page.locator(f".pagefind-ui__result-link[href$='/proposals/{proposal.id}/']")).to_be_visible()
        if kind == "proposal-arabic":
            expect(content(page)).to_contain_text(re.compile("[\u0600-\u06ff]{3,}"))
        if kind == "proposal-scheduled":
            expect(content(page).locator("time[datetime]").first).to_be_visible()
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{axe_report(violations)}"
        if mobile or kind in ("day", "programme"):  # nothing wider than the screen
            assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"), \
                page.evaluate("document.scrollingElement.scrollWidth")
    finally:
        tab.close()
    tab.check()


@pytest.mark.parametrize("kind", ["home", "programme", "day", "themes", "organisations", "data", "propose",
                                  "proposal-twice", "proposal-unscheduled", "search"])
def test_no_sideways_scroll_on_a_phone(kind, browser, base_url, agenda):
    for lang in LANGS:
        tab = Tab(browser, base_url, viewport=MOBILE, is_mobile=True, has_touch=True)
        try:
            page = tab.open(in_lang(lang, page_path(kind, agenda)))
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= MOBILE["width"], (lang, kind, width)
        finally:
            tab.close()
        tab.check()


def test_status_badges_and_banners_have_enough_contrast(tab, agenda, m):
    """Every status colour, as a badge and as a proposal's banner, whatever statuses the
    repository uses today: the markup of the templates, checked by axe's color-contrast rule."""
    probe = "".join(
        f'<p><span class="agenda-badge agenda-badge--{s}">{html.escape(m.status(s))}</span></p>'
        f'<p class="agenda-status agenda-status--{s}"><strong>{html.escape(m.status(s))}</strong> — '
        f'{html.escape(m.status_note(s))}</p>'
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


# --- right to left ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def arabic_url(tmp_path_factory):
    """The site with an Arabic interface as a third language (event.yaml's site_languages)."""
    root = tmp_path_factory.mktemp("arabic")
    repo = copy_repo(root / "repo")
    event = (repo / "event.yaml").read_text(encoding="utf-8")
    (repo / "event.yaml").write_text(event + "\nsite_languages: [fr, en, ar]\n", encoding="utf-8")
    yield from _build_and_serve(repo, root / "out")


@pytest.mark.parametrize("kind", ["home", "day", "proposal-scheduled"])
def test_an_arabic_interface_reads_right_to_left(kind, browser, arabic_url, agenda):
    tab = Tab(browser, arabic_url)
    try:
        page = tab.open(f"ar/{page_path(kind, agenda)}")
        assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
        article = content(page).bounding_box()
        heading = h1(page).bounding_box()
        assert abs((heading["x"] + heading["width"]) - (article["x"] + article["width"])) < 30  # starts on the right
        tabs = page.locator(".md-tabs__link")
        assert tabs.first.bounding_box()["x"] > tabs.last.bounding_box()["x"]  # the first tab is the rightmost
        if kind == "day":
            corner = page.locator(".agenda-grid__corner").bounding_box()
            room = page.locator(".agenda-grid__room").first.bounding_box()
            assert corner["x"] > room["x"]  # the hours' column on the right, rooms to its left
        violations = Axe().run(page).response["violations"]
        assert not violations, axe_report(violations)
    finally:
        tab.close()
    tab.check()
