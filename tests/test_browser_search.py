"""Search in a real browser when a language's index is in several bundles (a programme past
search.PAGES_PER_BUNDLE pages, made here by rebuilding this repository's index with 5 pages a
bundle): the search page merges them, in each language, and a proposal of a merged bundle is
found by a word of its title, first among the results. The site is built, served and driven
as in test_browser.py (its fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_browser import LANGS, PREFIX, _build_and_serve, browser, in_lang, tab  # noqa: F401
from agenda.i18n import translator
from agenda.model import build_agenda
from agenda.site import search
from agenda.check.repository import check_repository
from conftest import ROOT

from playwright.sync_api import expect

PER_BUNDLE = 5


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The site, its index rebuilt in bundles of PER_BUNDLE pages: (URL, site folder)."""
    root = tmp_path_factory.mktemp("browser-search")
    site = root / PREFIX.strip("/") if PREFIX.strip("/") else root
    server = _build_and_serve(ROOT, root)
    url = next(server)
    search.build_index(str(site), per_bundle=PER_BUNDLE)
    yield url, site
    server.close()


@pytest.fixture(scope="module")
def base_url(served):
    return served[0]


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


def last_bundle_proposal(site: Path, agenda):
    """(proposal, word): a proposal of the last bundle that has proposals (after them come the
    themes) and the word of its title found in the fewest proposals and themes."""
    ids = next(ids for part in reversed(search.groups(search.searched_pages(site), PER_BUNDLE)[1:])
               if (ids := [m.group(1) for page in part if (m := re.fullmatch(r"proposals/([^/]+)/index\.html", page))]))
    texts = [f"{p.title} {p.summary} {p.description}".casefold() for p in agenda.proposals]
    texts += [" ".join(map(str, t.name.values())).casefold() + str(t.description).casefold() for t in agenda.themes]
    candidates = [(sum(word.casefold() in text for text in texts), -len(word), pid, word)
                  for pid in ids for word in re.findall(r"[^\W\d_]{5,}", agenda.proposal(pid).title)]
    _count, _length, pid, word = min(candidates)
    return agenda.proposal(pid), word


@pytest.mark.parametrize("lang", LANGS)
def test_search_merges_the_bundles_of_its_language(tab, served, agenda, lang):
    _url, site = served
    proposal, word = last_bundle_proposal(site, agenda)
    bundles = len(search.groups(search.searched_pages(site), PER_BUNDLE))
    assert bundles >= 5
    fetched = []
    tab.page.on("request", lambda request: fetched.append(request.url))
    page = tab.open(in_lang(lang, "search/"))
    box = page.get_by_role("textbox", name=translator(lang).gettext("Search the programme"))
    box.press_sequentially(word)
    first = page.locator(".pagefind-ui__result-link").first
    expect(first).to_have_attribute("href", re.compile(rf"/{re.escape(in_lang(lang, 'proposals/' + proposal.id))}/$"))
    expect(first).to_have_text(proposal.title)
    bundle = PREFIX + in_lang(lang, "pagefind/")
    entries = {re.sub(r"\?.*", "", u.split(bundle, 1)[1]) for u in fetched if bundle in u and "pagefind-entry.json" in u}
    assert entries == {"pagefind-entry.json"} | {f"{n}/pagefind-entry.json" for n in range(1, bundles)}
    first.click()
    expect(page).to_have_url(re.compile(rf"/{re.escape(in_lang(lang, 'proposals/' + proposal.id))}/$"))
