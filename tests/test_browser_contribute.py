"""Taking part, in a real browser (Debian's chromium, driven by Playwright; never a browser
download): the short "propose in your browser" link and the unique file name each click gives
it, with and without JavaScript; the "looking for" board's filters without JavaScript; axe-core
on every new kind of page, in both languages, with and without the GitHub snapshot (the
"under review" lane, support on proposal pages, the lane on the programme and the board).

The sites are built with the real `mkdocs build --strict` and served on 127.0.0.1 under the
path of site_url, as tests/test_browser.py does; nothing leaves 127.0.0.1: GitHub's editor is
answered by a stand-in page that records the address the browser asked for."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from test_browser import (LANGS, MOBILE, PREFIX, Tab, _build_and_serve, axe_report, browser,  # noqa: F401
                          in_lang)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from agenda.site import board
from agenda.contribute import github_snapshot as gs
from agenda.site.propose import MAX_BROWSER_URL
from agenda.i18n import translator
from agenda.model import build_agenda
from agenda.site.pages import Site
from agenda.check.repository import check_repository
from conftest import ROOT
from snapshot_site import write_snapshot

EDITOR = "https://github.com/example-org/agenda/new/main/proposals"
UNIQUE = re.compile(r"session-[a-z0-9]{8}\.yaml")


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


def _serve(root, snapshot=None):
    """Builds the repository's site (with `snapshot` as the GitHub snapshot, or none) and serves
    it; the environment is changed for the build only."""
    with pytest.MonkeyPatch.context() as mp:
        if snapshot is None:
            mp.delenv(gs.PATH_ENV, raising=False)
        else:
            mp.setenv(gs.PATH_ENV, str(snapshot))
        served = _build_and_serve(ROOT, root)
        url = next(served)  # built and serving
    try:
        yield url
    finally:
        served.close()


@pytest.fixture(scope="module")
def offline_url(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("offline"))


@pytest.fixture(scope="module")
def live_url(tmp_path_factory):
    """The site with the recorded GitHub snapshot (and its hostile pull requests)."""
    root = tmp_path_factory.mktemp("live")
    yield from _serve(root / "out", write_snapshot(root / "snapshot.json"))


class Editor:
    """Stands in for GitHub: every request to github.com is answered by a small page and its
    address recorded (Tab aborts requests elsewhere; this route is more specific)."""

    def __init__(self, tab):
        self.asked = []
        tab.context.route(re.compile(r"^https://github\.com/"), self._answer)

    def _answer(self, route):
        self.asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>GitHub</title><p>editor")


def _editor_link(page, t):
    return page.locator("article a[data-agenda-unique]").filter(has_text=t.gettext("Propose in your browser"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_browser_link_is_short_and_each_click_names_a_new_file(browser, offline_url, agenda, lang):
    t = translator(lang)
    tab = Tab(browser, offline_url)
    try:
        editor = Editor(tab)
        page = tab.open(in_lang(lang, "propose/"))
        link = _editor_link(page, t)
        expect(link).to_have_count(1)
        for _ in range(2):
            link.click()
            page.wait_for_url(re.compile(r"^https://github\.com/"))
            page.go_back()
            expect(link).to_be_visible()
        assert len(editor.asked) == 2
        skeleton = Site(agenda, lang, template="x").contribute.skeleton()
        names = []
        for url in editor.asked:
            assert len(url) <= MAX_BROWSER_URL, len(url)
            parts = urlsplit(url)
            assert f"{parts.scheme}://{parts.netloc}{parts.path}" == EDITOR
            query = parse_qs(parts.query)
            assert UNIQUE.fullmatch(query["filename"][0]), query["filename"]
            assert query["value"] == [skeleton]  # only the name changed
            names.append(query["filename"][0])
        assert names[0] != names[1]
    finally:
        tab.close()
    tab.check()


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_link_opens_the_editor_with_a_name_to_change(browser, offline_url, lang):
    t = translator(lang)
    placeholder = t.gettext("RENAME-ME") + ".yaml"
    tab = Tab(browser, offline_url, java_script_enabled=False)
    try:
        editor = Editor(tab)
        page = tab.open(in_lang(lang, "propose/"))
        # the <noscript> note names it (Chromium's "no JavaScript" mode does not draw <noscript>)
        assert placeholder in page.locator("article noscript").inner_html()
        _editor_link(page, t).click()
        page.wait_for_url(re.compile(r"^https://github\.com/"))
        assert len(editor.asked) == 1 and len(editor.asked[0]) <= MAX_BROWSER_URL
        assert parse_qs(urlsplit(editor.asked[0]).query)["filename"] == [placeholder]
    finally:
        tab.close()
    tab.check()


def test_the_board_filters_without_javascript(browser, offline_url, agenda):
    t = translator(LANGS[0])
    need = max(board.needs(), key=lambda n: len(board.seeking(agenda.proposals, n)))
    theme = max((th.id for th in agenda.themes), key=lambda th: len(board.seeking(agenda.proposals, need, th)))
    name = t.name(agenda.theme(theme).name)
    tab = Tab(browser, offline_url, java_script_enabled=False)
    try:
        page = tab.open("looking-for/")
        filters = page.locator(".agenda-filters")
        filters.get_by_role("link", name=re.compile("^" + re.escape(t.looking_for(need)) + r" \(")).click()
        expect(page).to_have_url(f"{tab.base}looking-for/{need}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(t.gettext("Looking for %(need)s",
                                                                            need=t.looking_for(need)))
        assert _linked(page) == {p.id for p in board.seeking(agenda.proposals, need)}
        page.locator(".agenda-filters").get_by_role("link", name=re.compile("^" + re.escape(name) + r" \(")).click()
        expect(page).to_have_url(f"{tab.base}looking-for/{need}/{theme}/")
        expect(page.locator(".agenda-filters [aria-current='page']")).to_have_count(2)
        assert _linked(page) == {p.id for p in board.seeking(agenda.proposals, need, theme)} != set()
        page.locator(".agenda-filters").get_by_role("link", name=re.compile("^" + re.escape(t.gettext("anything")))).click()
        expect(page).to_have_url(f"{tab.base}looking-for/all/{theme}/")
        assert _linked(page) == {p.id for p in board.seeking(agenda.proposals, None, theme)}
    finally:
        tab.close()
    tab.check()


def _linked(page):
    hrefs = page.locator("article a[href*='proposals/']").evaluate_all("links => links.map(a => a.href)")
    return {re.search(r"/proposals/([^/]+)/$", h).group(1) for h in hrefs}


def test_a_lane_entry_is_reached_from_the_programme(browser, live_url):
    tab = Tab(browser, live_url)
    try:
        page = tab.open("programme/theme/data-literacy/")
        page.locator("article a[href$='#pr-902-lane-seeking-help']").click()
        expect(page).to_have_url(f"{tab.base}under-review/#pr-902-lane-seeking-help")
        entry = page.locator("#pr-902-lane-seeking-help")
        expect(entry).to_be_in_viewport()
        expect(entry.locator("h3")).to_have_text("\"><svg onload=alert('seeking')> Lane seeking help")  # as text
    finally:
        tab.close()
    tab.check()


# --- accessibility ----------------------------------------------------------------------------------------

KINDS = {
    "propose": "propose/", "under-review": "under-review/", "board": "looking-for/",
    "board-need": "looking-for/interpreters/", "board-theme": "looking-for/all/data-literacy/",
    "board-need-theme": "looking-for/speakers/data-literacy/", "programme-lane": "programme/",
    "proposal-support": "proposals/foi-request-tracker/",
}


# (kind, site): every new kind of page with the snapshot, and without it those that differ
# from tests/test_browser.py's pages
AXE_CASES = [(kind, "live") for kind in [*KINDS, "under-review-mobile", "board-mobile"]] + [
    (kind, "offline") for kind in ["propose", "under-review", "board", "board-need", "board-theme",
                                   "board-need-theme", "under-review-mobile", "board-mobile"]]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind, snapshot", AXE_CASES)
def test_no_axe_violations(kind, lang, snapshot, browser, request):
    url = request.getfixturevalue(f"{snapshot}_url")
    mobile = kind.endswith("-mobile")
    tab = Tab(browser, url, **({"viewport": MOBILE, "is_mobile": True, "has_touch": True} if mobile else {}))
    try:
        page = tab.open(in_lang(lang, KINDS[kind.removesuffix("-mobile")]))
        if snapshot == "live" and kind.startswith("under-review"):
            expect(page.locator(".agenda-review-item").first).to_be_visible()
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{axe_report(violations)}"
        if mobile:
            assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    finally:
        tab.close()
    tab.check()
