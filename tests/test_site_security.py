"""Hostile proposals reach the built site only as inert text: no script, no event handler,
no javascript: or data: URL, no included file, in any file of the site."""

from __future__ import annotations

import gzip
import html
import os
import re
import shutil
from html.parser import HTMLParser

import pytest

from agenda.check.repository import check_repository
from conftest import ROOT, mkdocs_build
from conftest import copy_repo

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
FORBIDDEN_TAGS = {"iframe", "svg", "style", "marquee", "object", "embed", "img"}
SECRETS = ("[core]", "root:x:0:0", "repositoryformatversion", "site_name: Agenda")


class Inspector(HTMLParser):
    """Collects what a browser would treat as active content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.bad_urls, self.tags, self.title = [], [], [], [], ""
        self.qr_codes = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and a.get("class") == "agenda-qr__code" and re.fullmatch(r"(\.\./)+qr/[a-z0-9-]+\.svg",
                                                                                  a.get("src") or ""):
            self.qr_codes.append(a["src"])  # our own QR code of a session's page (attend.py), never a proposal's
        else:
            self.tags.append(tag)
        self._in = tag
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
            if name in ("href", "src", "action", "formaction") and value:
                if re.match(r"\s*(javascript|data|vbscript|file):", value, re.I):
                    self.bad_urls.append((tag, value))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        if self._in == "title":
            self.title += data


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    repo = copy_repo(tmp / "repo")
    for case in HOSTILE.glob("*.yaml"):
        shutil.copy(case, repo / "proposals" / case.name)
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text("[core]\n\trepositoryformatversion = 0\n")
    report = check_repository(repo, jobs=1)
    assert report.problems == [], "the hostile fixture must pass the check, so that it reaches the site"
    result = mkdocs_build(repo, tmp / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "site"


def all_text_files(site):
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".pf_fragment" or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        try:
            yield path, raw.decode("utf-8")
        except UnicodeDecodeError:
            continue  # wasm and images


def test_no_active_content_in_any_page(hostile_site):
    checked = 0
    for path, text in all_text_files(hostile_site):
        if path.suffix != ".html":
            continue
        checked += 1
        page = Inspector()
        page.feed(text)
        assert not any("alert" in s for s in page.scripts), path
        assert page.handlers == [], (path, page.handlers)
        assert page.bad_urls == [], (path, page.bad_urls)
        content = Inspector()  # the theme draws its icons with inline <svg>; the content must not
        content.feed(text.split("<article", 1)[-1].split("</article>", 1)[0])
        assert not FORBIDDEN_TAGS & set(content.tags), (path, FORBIDDEN_TAGS & set(content.tags))
        assert "<script>alert" not in text
    assert checked > 20


def test_no_image_from_a_proposal_and_no_included_file(hostile_site):
    page = (hostile_site / "proposals" / "script-in-title" / "index.html").read_text(encoding="utf-8")
    inspector = Inspector()
    inspector.feed(page.split("<article", 1)[1].split("</article>", 1)[0])
    assert not FORBIDDEN_TAGS & set(inspector.tags)
    for path, text in all_text_files(hostile_site):
        for secret in SECRETS:
            assert secret not in text, (path, secret)


def test_hostile_text_is_shown_faithfully(hostile_site):
    page = (hostile_site / "proposals" / "script-in-title" / "index.html").read_text(encoding="utf-8")
    inspector = Inspector()
    inspector.feed(page)
    title = "<script>alert('title')</script></title><script>alert(1)</script>"
    assert inspector.title.startswith(title + " - ")  # <title> shows the text, escaped once
    visible = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert title in visible
    assert "{{ config.site_name }}" in visible and "--8<-- \".git/config\"" in visible
    assert "&amp;lt;" not in page  # escaped once, not twice


def test_search_index_holds_text_not_markup(hostile_site):
    """The index stores the page's text (hostile characters included, as text); the
    interface escapes it, as the browser test below shows."""
    fragments = [text for path, text in all_text_files(hostile_site) if path.suffix == ".pf_fragment"]
    assert any("alert('title')" in f for f in fragments)  # indexed ...
    for fragment in fragments:
        assert "agenda-status--" not in fragment and 'dir="auto"' not in fragment  # text, not our markup


@pytest.mark.skipif(not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"),
                    reason="Debian's chromium is not installed (.ci/run installs it)")
def test_search_results_show_hostile_titles_as_text(hostile_site):
    """Pagefind's interface inserts excerpts as HTML: the escaped text must stay text."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(hostile_site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/")
            page.fill("#agenda-search input", "alert")
            page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
            page.wait_for_timeout(500)
            links = page.locator(".pagefind-ui__result-link")
            titles = [links.nth(i).inner_text() for i in range(links.count())]
            assert "<script>alert('title')</script></title><script>alert(1)</script>" in titles
            assert page.locator("#agenda-search script, #agenda-search img").count() == 0
            browser.close()
        assert dialogs == []
    finally:
        server.shutdown()
        server.server_close()
