"""The search index, bundle by bundle: every page Pagefind should index (proposals and themes, in
each language) is in exactly one bundle of its own language's search, whether the language has
one bundle (this repository) or several (a programme past PAGES_PER_BUNDLE pages, made here
with a few pages a bundle); two builds write the same bytes; a page Pagefind leaves out fails
the build with a message, not a traceback. The browser side is in test_browser_search.py."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from agenda.site import search
from conftest import mkdocs_build

LANGS = ("fr", "en")


@pytest.fixture(scope="module")
def small_bundles(site, tmp_path_factory):
    """The same site, its index rebuilt with 5 pages a bundle."""
    copy = tmp_path_factory.mktemp("search-bundles") / "site"
    shutil.copytree(site, copy)
    search.build_index(str(copy), per_bundle=5)
    return copy


def language_root(site: Path, lang: str) -> Path:
    return site if lang == LANGS[0] else site / lang


def expected_urls(site: Path, lang: str) -> set:
    """URLs (from the language's root) of the pages with a data-pagefind-body element, read
    from the HTML, not from search.py."""
    root = language_root(site, lang)
    return {"/" + path.relative_to(root).parent.as_posix() + "/"
            for path in root.rglob("index.html")
            if path.relative_to(root).parts[0] not in LANGS and "data-pagefind-body" in path.read_text("utf-8")}


def bundles_of(site: Path, lang: str) -> list:
    """The bundles the search page of `lang` loads: pagefind/, then those bundles.js lists."""
    first = language_root(site, lang) / "pagefind"
    listed = json.loads(re.search(r"agendaSearchBundles = (\[.*?\])", (first / "bundles.js").read_text()).group(1))
    return [first] + [first / path for path in listed]


def indexed_urls(bundle: Path) -> list:
    urls = []
    for fragment in sorted((bundle / "fragment").iterdir()):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data[data.index(b"{"):])["url"])
    return urls


def check_bundles(site: Path, lang: str) -> list:
    bundles = bundles_of(site, lang)
    urls = [url for bundle in bundles for url in indexed_urls(bundle)]
    assert sorted(urls) == sorted(expected_urls(site, lang)), lang  # each page once
    for bundle in bundles:
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == [lang]
        assert entry["languages"][lang]["page_count"] == len(indexed_urls(bundle))
    return bundles


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_one_bundle_with_every_page(site, lang):
    assert len(check_bundles(site, lang)) == 1
    assert len(expected_urls(site, lang)) > 20


@pytest.mark.parametrize("lang", LANGS)
def test_a_large_programme_is_split_in_bundles_that_hold_every_page_once(small_bundles, lang):
    bundles = check_bundles(small_bundles, lang)
    assert len(bundles) >= 5
    assert (bundles[0] / "pagefind-ui.js").is_file() and (bundles[0] / "pagefind.js").is_file()
    for merged in bundles[1:]:  # what Pagefind's mergeIndex reads, nothing else
        assert {p.name for p in merged.iterdir() if p.suffix != ".pf_meta"} == {"pagefind-entry.json", "index", "fragment"}
        assert len(list(merged.glob("*.pf_meta"))) == 1


def test_two_index_builds_are_byte_identical(small_bundles, tmp_path):
    again = tmp_path / "site"
    shutil.copytree(small_bundles, again)
    search.build_index(str(again), per_bundle=5)
    for lang in LANGS:
        first, second = (language_root(s, lang) / "pagefind" for s in (small_bundles, again))
        files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
        for rel in files:
            assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_pages_with_glob_characters_in_their_path_are_indexed(tmp_path):
    site = tmp_path / "site"
    names = ["a,b", "c{d}", "e[f]", "g*h?", "i(j)", "k$l", "plain"]
    (site).mkdir()
    (site / "index.html").write_text('<html lang="fr"><body>accueil</body></html>')
    for name in names:
        page = site / "proposals" / name / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<html lang="fr"><body><div data-pagefind-body><h1>{name}</h1><p>mot</p></div></body></html>')
    search.build_index(str(site), per_bundle=3)
    assert sorted(u for b in bundles_of(site, "fr") for u in indexed_urls(b)) == sorted(f"/proposals/{n}/" for n in names)


def test_a_page_pagefind_leaves_out_fails_the_build(small_bundles, tmp_path, monkeypatch):
    """Pagefind skips a page it cannot find (here, one that is not on disk) without an error:
    the build counts the pages of each bundle."""
    again = tmp_path / "site"
    shutil.copytree(small_bundles, again)
    pages = search.searched_pages

    def one_more(root):
        return sorted(pages(root) + ["proposals/zz-not-built/index.html"])

    monkeypatch.setattr(search, "searched_pages", one_more)
    with pytest.raises(PluginError, match=r"Pagefind put \{'(fr|en)': \d+\} pages in .* instead of") as error:
        search.build_index(str(again), per_bundle=5)
    put, wanted = map(int, re.findall(r"': (\d+)\}", str(error.value)))
    assert wanted == put + 1


def test_a_failing_search_index_stops_the_build_without_a_traceback(tmp_path):
    """pagefind missing from the environment: MkDocs says why and how to fix it."""
    from conftest import copy_repo

    repo = copy_repo(tmp_path / "repo")
    fake = tmp_path / "fake"
    (fake / "pagefind").mkdir(parents=True)
    (fake / "pagefind" / "__init__.py").write_text("")
    (fake / "pagefind" / "__main__.py").write_text("import sys; sys.exit('pagefind: broken')\n")
    result = mkdocs_build(repo, tmp_path / "out", env={"PYTHONPATH": str(fake)})
    assert result.returncode == 1
    assert "the search index could not be built (pagefind exit 1)" in result.stderr and "Try: pip install" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_language_with_nothing_to_search_gets_no_bundle_and_no_error(site, tmp_path):
    """The pages that list a programme's problems (mkdocs serve) have no proposal to index:
    Pagefind, which refuses an empty input, is not run, and no bundle of an earlier build stays."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    for lang in LANGS:
        for section in search.SECTIONS:
            shutil.rmtree(language_root(copy, lang) / section)
    search.build_index(str(copy))
    for lang in LANGS:
        assert not (language_root(copy, lang) / "pagefind").exists()
