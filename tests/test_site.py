"""The real `mkdocs build` of the repository's programme: pages, links, safety of the
templates, offline and reproducible output."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys

import pytest

from agenda.i18n import translator
from agenda.model import build_agenda
from agenda.check.repository import check_repository
from conftest import ROOT, copy_repo, mkdocs_build



@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


def read(site, url):
    return (site / url / "index.html").read_text(encoding="utf-8")


def text_of(page_html):
    return html.unescape(re.sub(r"<[^>]+>", " ", page_html))


def test_home_has_counts_and_call_to_action(site, agenda):
    page = read(site, "")
    assert "Sommet mondial du Partenariat pour un gouvernement ouvert" in html.unescape(page)
    assert 'href="propose/"' in page and "Proposer une session" in page
    for theme in agenda.themes:
        n = len(agenda.with_theme(theme.id))
        assert re.search(rf'href="themes/{theme.id}/">[^<]+</a></th><td>{n}</td>', page)
    scheduled = len(agenda.scheduled())
    assert f"Programmée</th><td>{scheduled}</td>" in page


def test_programme_links_to_a_page_per_day_with_a_grid_and_an_ordered_list(site, agenda):
    from agenda.site.programme import Programme

    page = read(site, "programme")
    for day in Programme(agenda).days:
        section = page.split(f'id="day-{day.day}"')[1].split("</section>")[0]
        assert f'href="{day.day}/"' in section
        day_page = read(site, f"programme/{day.day}")
        if not day.venue_open:  # a day of the week's external events: no grid of the venue's rooms
            assert day.grid is None and "agenda-grid" not in day_page
            if not day.sessions:
                continue
        else:
            assert 'class="agenda-grid" role="region" tabindex="0" aria-label=' in day_page
        listing = day_page.split('<ol class="agenda-list agenda-day-list">')[1].split("</ol>")[0]
        items = re.findall(r"<li[^>]*>(.*?)</li>", listing, re.S)
        assert len(items) == len(day.sessions) > 0
        for item, s in zip(items, day.sessions):  # in time order, each with its time
            assert f'datetime="{s.slot.starts_at.isoformat(timespec="minutes")}"' in item
            assert f'href="../../proposals/{s.proposal.id}/"' in item
        blocks = re.findall(r'class="agenda-block" href="../../proposals/([a-z0-9-]+)/"', day_page)
        assert blocks == [s.proposal.id for s in day.sessions if s not in day.long and s.slot.room]
    for status in ("accepted", "proposed", "declined", "withdrawn"):
        assert f'id="status-{status}"' in page


@pytest.mark.parametrize("facet", ["theme", "format", "language"])
def test_filters_are_plain_links_to_filtered_pages(site, agenda, facet):
    page = read(site, "programme")
    values = {"theme": [t.id for t in agenda.themes], "format": [f.id for f in agenda.event.formats],
              "language": [lang.id for lang in agenda.event.languages]}[facet]
    for value in values:
        assert f'href="{facet}/{value}/"' in page
        filtered = read(site, f"programme/{facet}/{value}")
        expected = {p.id for p in {"theme": agenda.with_theme, "format": agenda.with_format,
                                   "language": agenda.with_language}[facet](value)}
        linked = set(re.findall(r'href="\.\./\.\./\.\./proposals/([a-z0-9-]+)/"', filtered))
        assert linked == expected
        assert 'aria-current="page"' in filtered


def test_theme_pages(site, agenda):
    index = read(site, "themes")
    for theme in agenda.themes:
        assert f'href="{theme.id}/"' in index
        page = read(site, f"themes/{theme.id}")
        for reviewer in theme.get("reviewers"):
            assert f"https://github.com/{reviewer}" in page
        linked = set(re.findall(r'href="\.\./\.\./proposals/([a-z0-9-]+)/"', page))
        assert linked == {p.id for p in agenda.with_theme(theme.id)}


def test_proposal_pages_show_every_field(site, agenda):
    for p in agenda.proposals:
        page = read(site, f"proposals/{p.id}")
        plain = text_of(page)
        shown = dict((lang, (title, summary)) for lang, title, summary in p.translations).get("fr")
        assert p.title in plain and (shown[1] if shown else p.summary) in plain  # the French page's summary
        for person in p.proposers:
            assert person.name in plain and (person.organisation or "") in plain
        assert re.sub(r"\s", " ", translator("fr").duration(p.duration)) in re.sub(r"\s", " ", plain)
        assert f"agenda-status--{p.status}" in page
        assert f"https://github.com/example-org/agenda/blob/main/proposals/{p.id}.yaml" in page
        assert f"https://github.com/example-org/agenda/commits/main/proposals/{p.id}.yaml" in page
        assert f"https://github.com/example-org/agenda/edit/main/proposals/{p.id}.yaml" in page
        for _, url in p.links:
            assert f'href="{html.escape(url)}" rel="nofollow noopener ugc"' in page
        for slot in p.slots:
            assert f'datetime="{slot.starts_at.isoformat(timespec="minutes")}"' in page
        assert f"<title>{html.escape(shown[0] if shown else p.title)} - " in page
        assert "data-pagefind-body" in page


def test_description_markdown_is_rendered(site):
    page = read(site, "proposals/following-the-money-open-contracts")
    assert "<table>" in page and "<pre><code" in page and "<h3" in page


def test_formats_and_organisations_indexes(site, agenda):
    formats = read(site, "formats")
    for f in agenda.event.formats:
        assert f'href="../programme/format/{f.id}/"' in formats
    orgs = text_of(read(site, "organisations"))
    for org in agenda.organisations():
        assert org in orgs


def test_navigation_stays_short(site, agenda):
    page = read(site, f"proposals/{agenda.proposals[0].id}")
    nav = page.split('<nav class="md-nav md-nav--primary')[1].split("</nav>")[0]
    assert len(re.findall(r'class="md-nav__link', nav)) <= 10
    assert agenda.proposals[1].title not in html.unescape(nav)


def test_offline_nothing_fetched_from_elsewhere(site):
    for path in site.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page):
            src = re.search(r'(?:src|href)="([^"]+)"', tag)
            fetched = not tag.startswith(('<link rel="canonical"', '<link rel="alternate " hreflang='))
            if src and fetched:
                assert not re.match(r"(https?:)?//", src.group(1)), (path, tag)
        assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
        assert 'data-md-component="source"' not in page  # would call api.github.com from every page


def test_search_index_is_built_and_chunked(site):
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert list((site / "pagefind" / "fragment").iterdir())
    search = read(site, "search")
    assert 'src="../pagefind/pagefind-ui.js"' in search and "<noscript>" in search


def test_invalid_programme_stops_the_build_with_the_check_messages(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    bad = (repo / "proposals" / "foi-request-tracker.yaml").read_text().replace("access-to-information", "acces")
    (repo / "proposals" / "foi-request-tracker.yaml").write_text(bad)
    result = mkdocs_build(repo, tmp_path / "site")
    assert result.returncode != 0
    check = subprocess.run([sys.executable, "-m", "agenda", "check"], cwd=repo, capture_output=True, text=True)
    assert check.returncode == 1
    for line in check.stdout.splitlines():
        assert line in result.stderr + result.stdout
    assert not (tmp_path / "site" / "index.html").exists()


def test_two_builds_are_byte_identical(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    env = {"SOURCE_DATE_EPOCH": ""}
    env.pop("SOURCE_DATE_EPOCH")
    first, second = tmp_path / "one", tmp_path / "two"
    clean = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    for out in (first, second):
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
                                cwd=repo, capture_output=True, text=True, timeout=600,
                                env={**clean, "NO_MKDOCS_2_WARNING": "1"})
        assert result.returncode == 0, result.stderr
    files_one = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_one == files_two
    for rel in files_one:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    # not a git checkout: the date is the event's first day, not the clock
    assert "<lastmod>2016-12-05</lastmod>" in (first / "sitemap.xml").read_text()


def test_generated_programme_builds(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / "proposals")
    generate.generate(300, repo, seed=5, overwrite=True)
    result = mkdocs_build(repo, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    pages = list((tmp_path / "site" / "proposals").iterdir())
    assert len(pages) == 300
    report = check_repository(repo, jobs=1)
    some = sorted(report.proposals)[123]
    page = (tmp_path / "site" / "proposals" / some / "index.html").read_text()
    assert html.escape(report.proposals[some].data["title"]) in page


def test_propose_in_your_browser_opens_githubs_editor_with_a_short_skeleton(site):
    """The Propose page's browser path: a short address (GitHub refuses about 8 KB) with a
    skeleton rather than the whole template, and a file name to change (tests/test_contribute.py
    checks the skeleton and the browser tests the unique name given at click time)."""
    from urllib.parse import parse_qs, urlsplit

    page = read(site, "propose")
    href = html.unescape(re.search(r'href="(https://github.com/example-org/agenda/new/main/proposals\?[^"]+)"',
                                   page).group(1))
    assert len(href) < 2000
    query = parse_qs(urlsplit(href).query)
    assert query["filename"] == ["A-RENOMMER.yaml"] and 'data-agenda-unique="session-"' in page
    assert 'title: "Title of my session / Titre de ma session"' in query["value"][0]
    home = read(site, "")
    assert 'href="propose/"' in home and "/new/main/proposals" not in home  # the home page leads to the three paths
