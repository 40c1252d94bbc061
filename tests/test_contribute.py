"""Taking part from the site (contribute.py, underreview.py, board.py): the three ways to propose
and the short browser link, proposals under review from a GitHub snapshot, support and the
"discuss" link, the "looking for" board. Real `mkdocs build`s: without a snapshot (the offline
site, byte for byte), with the snapshot `agenda github-snapshot` wrote from recorded answers
(tests/snapshot_site.py, hostile pull requests added), and with a broken one."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from markupsafe import escape

from agenda.site import board
from agenda.contribute import github_snapshot as gs
from agenda.site.propose import MAX_BROWSER_URL
from agenda.i18n import translator
from agenda.model import Named, build_agenda
from agenda.site.pages import Site, render_site
from agenda.check.repository import check_repository
from agenda.contribute.scaffold import check_proposal_text, load_context
from agenda.site.underreview import CHECK_STATUS, load_review
from conftest import ROOT, copy_repo
from snapshot_site import EVIL_URL, HOSTILE_LABEL, PULL_TITLE, files_of, strip_live, write_snapshot
from test_site_security import FORBIDDEN_TAGS, Inspector, all_text_files

LANGS = ("fr", "en")
PLACEHOLDERS = {"title", "summary", "description", "proposers[0].name"}


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The same repository built four ways: without a snapshot, with one that is not there,
    with the recorded (and hostile) snapshot, with a broken one."""
    tmp = tmp_path_factory.mktemp("contribute")
    repo = copy_repo(tmp / "repo")
    snapshot = write_snapshot(tmp / "snapshot.json")
    broken = tmp / "broken.json"
    broken.write_text('{"format_version": 1, "pulls": "<script>"}', encoding="utf-8")
    out, running = {}, {}
    for name, path in (("offline", None), ("absent", tmp / "missing.json"), ("snapshot", snapshot),
                       ("broken", broken)):  # the four builds side by side, on every core
        env = {gs.PATH_ENV: str(path)} if path else {}
        running[name] = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(repo / "mkdocs.yml"), "-d", str(tmp / name)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**_clean_env(), "NO_MKDOCS_2_WARNING": "1", **env})
    finished = {name: process.communicate(timeout=600)[1] for name, process in running.items()}  # all, then judge
    for name, stderr in finished.items():
        assert running[name].returncode == 0, stderr[-3000:]
        out[name] = (tmp / name, stderr)
    out["repo"], out["snapshot_file"] = repo, snapshot
    return out


def _clean_env():
    import os

    return {k: v for k, v in os.environ.items() if k != gs.PATH_ENV}


def read(site, url):
    return (site / url / "index.html").read_text(encoding="utf-8")


def article(page):
    return page.split("<article", 1)[1].split("</article>", 1)[0]


def lane(snapshot_file):
    return gs.load_snapshot(snapshot_file, load_context(ROOT))


# --- the three ways to propose and the browser link --------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_browser_link_is_short_and_its_skeleton_is_refused_only_for_its_placeholders(agenda, lang):
    site = Site(agenda, lang, template="the template", prefix="")
    url = site.contribute.browser_url()
    assert len(url) <= MAX_BROWSER_URL
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://github.com/example-org/agenda/new/main/proposals"
    query = parse_qs(parts.query)
    assert query["filename"] == [translator(lang).gettext("RENAME-ME") + ".yaml"]
    skeleton = query["value"][0]
    assert skeleton == site.contribute.skeleton()
    problems = check_proposal_text(ROOT, "session-k3x9q2ab", skeleton)
    assert {(p.rule, p.field) for p in problems} == {("placeholder-text", f) for f in PLACEHOLDERS}, problems
    assert "https://github.com/example-org/agenda/blob/main/docs/proposal-template.yaml" in skeleton
    filled = skeleton
    for placeholder, mine in (("Title of my session / Titre de ma session", "Budgets for small towns"),
                              ("One or two sentences saying what the session is about. / Une ou deux phrases qui "
                               "disent de quoi parle la session.", "How a town of two thousand people opens its budget."),
                              ("What participants will learn or make. / Ce que les participants apprendront ou "
                               "produiront.", "Participants read a real budget together and write three questions."),
                              ("Your Name / Votre nom", "Awa Example")):
        assert placeholder in filled
        filled = filled.replace(placeholder, mine)
    assert check_proposal_text(ROOT, "session-k3x9q2ab", filled) == []  # nothing else to change


def test_a_programme_with_many_themes_keeps_the_link_short(agenda):
    themes = tuple(Named(f"theme-number-{i:03d}-with-a-long-identifier", {"fr": "t", "en": "t"}) for i in range(300))
    site = Site(dataclasses.replace(agenda, themes=themes), "fr", template="x")
    url = site.contribute.browser_url()
    assert len(url) <= MAX_BROWSER_URL
    assert "theme-number-000" in unquote(url) and "theme-number-299" not in unquote(url)  # the choices left out


def test_the_placeholder_file_name_is_refused_and_a_random_one_is_not(agenda, tmp_path):
    repo = copy_repo(tmp_path / "repo", ("event.yaml", "themes", "proposals"))
    text = (ROOT / "proposals" / "foi-request-tracker.yaml").read_text(encoding="utf-8")
    for lang in ("fr", "en", "ar"):
        name = Site(agenda, lang, template="x").contribute.placeholder_name()
        assert name == translator(lang).gettext("RENAME-ME") + ".yaml"
        (repo / "proposals" / name).write_text(text, encoding="utf-8")
        found = [p for p in check_repository(repo, jobs=1).problems if p.file == f"proposals/{name}"]
        assert "bad-file-name" in {p.rule for p in found}
        (repo / "proposals" / name).unlink()
    (repo / "proposals" / "session-k3x9q2ab.yaml").write_text(text, encoding="utf-8")
    assert not [p for p in check_repository(repo, jobs=1).problems if p.is_error]


@pytest.mark.parametrize("lang", LANGS)
def test_the_propose_page_has_the_three_paths(builds, lang):
    site = builds["offline"][0] / ("" if lang == "fr" else lang)
    page = article(read(site, "propose"))
    t = translator(lang)
    assert 'href="https://github.com/example-org/agenda/issues/new?template=propose-session.yml"' in page
    assert (ROOT / ".github" / "ISSUE_TEMPLATE" / "propose-session.yml").is_file()
    assert re.search(r'href="https://github.com/example-org/agenda/new/main/proposals\?filename=[^"]+" rel="nofollow" '
                     r'data-agenda-unique="session-"', page)
    anchor = "avec-git-depuis-votre-fork" if lang == "fr" else "with-git-from-your-fork"
    assert f'href="https://github.com/example-org/agenda/blob/main/CONTRIBUTING.md#{anchor}"' in page
    heading = {"fr": "### Avec Git, depuis votre fork", "en": "### With Git, from your fork"}[lang]
    assert heading in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")  # GitHub's anchor of that heading
    for message in ("With the form: no Git, no file", "In your browser: you write the file on GitHub",
                    "With Git, from your fork"):
        assert f">{escape(t.gettext(message))}</h2>" in page
    assert "<noscript>" in page and t.gettext("RENAME-ME") + ".yaml" in page
    assert 'src="../assets/propose.js"' in page
    home = read(site, "")
    assert 'href="propose/"' in home and 'href="under-review/"' in home and 'href="looking-for/"' in home


def test_every_proposal_page_has_a_discuss_link(builds, agenda):
    site = builds["offline"][0]
    for p in agenda.proposals:
        page = read(site, f"proposals/{p.id}")
        href = html.unescape(re.search(r'<a href="([^"]+)" rel="nofollow">Discuter</a>', page).group(1))
        assert href == f'https://github.com/example-org/agenda/pulls?q=is%3Apr%20%22{p.id}%22'
        assert parse_qs(urlsplit(href).query)["q"] == [f'is:pr "{p.id}"']


# --- offline, unchanged; the snapshot adds exactly the lane ----------------------------------------------


def test_without_the_snapshot_file_the_site_is_byte_identical(builds):
    offline, absent = files_of(builds["offline"][0]), files_of(builds["absent"][0])
    assert offline.keys() == absent.keys()
    assert [path for path in offline if offline[path] != absent[path]] == []
    assert "agenda-live" not in "".join(v.decode("utf-8", "replace") for k, v in offline.items() if k.endswith(".html"))
    assert "under review" not in builds["offline"][1] and "snapshot" not in builds["absent"][1]


def test_a_snapshot_adds_exactly_the_lane(builds):
    offline, live = files_of(builds["offline"][0]), files_of(builds["snapshot"][0])
    assert offline.keys() == live.keys()  # no page more or less, nothing more in the search index
    changed = [path for path in offline if offline[path] != live[path]]
    assert {"under-review/index.html", "en/under-review/index.html"} <= set(changed)
    assert any(path.startswith("proposals/") for path in changed) and "programme/index.html" in changed
    for path in changed:
        if path.endswith("under-review/index.html"):
            continue  # the lane's own page
        assert path.endswith(".html"), path  # data, feeds, sitemap, search index: unchanged
        assert strip_live(live[path].decode("utf-8")) == offline[path].decode("utf-8"), path
    assert re.search(r"agenda: \d+ proposals under review and the support of 3 from ", builds["snapshot"][1])


def test_a_broken_snapshot_is_said_once_and_the_site_is_built_without_it(builds):
    offline, broken = files_of(builds["offline"][0]), files_of(builds["broken"][0])
    assert [path for path in offline if offline[path] != broken.get(path)] == []
    log = builds["broken"][1]
    assert log.count("the site is built without the proposals under review") == 1
    assert re.search(r"INFO +- +agenda: the site is built without the proposals under review: .*schema", log)


# --- the lane, support, in both languages ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_lane_in_each_language(builds, agenda, lang):
    t = translator(lang)
    site = builds["snapshot"][0] / ("" if lang == "fr" else lang)
    page = article(read(site, "under-review"))
    entries = lane(builds["snapshot_file"])
    assert {e.pull for e in entries} == {101, 102, 106, 107, 901, 902}  # 103 (unknown theme), 108 (not UTF-8) out
    anchors = re.findall(r'<section class="agenda-review-item" id="pr-(\d+)-([a-z0-9-]+)">', page)
    assert anchors == [(str(e.pull), e.id) for e in sorted(entries, key=lambda e: (-e.pull, e.id))]
    for e in entries:
        section = page.split(f'id="pr-{e.pull}-{e.id}"')[1].split("</section>")[0]
        assert f'<a href="https://github.com/example-org/agenda/pull/{e.pull}" rel="nofollow">' in section
        assert escape(t.gettext(CHECK_STATUS[e.check_status])) in section
        assert t.ngettext("%(num)s supporter (👍)", "%(num)s supporters (👍)", e.thumbs_up) in section
        assert escape(e.data["title"]) in section  # escaped once
        for tid in e.data["themes"]:
            assert f'href="../themes/{tid}/"' in section
        assert (f'href="../proposals/{e.id}/"' in section) == (e.id in {p.id for p in agenda.proposals})
    assert escape(t.gettext("Under review")) in page
    assert t.gettext("Most supported") in page
    assert "Support is a signal" in page if lang == "en" else "pas un vote qui décide" in page
    # most supported first: #902's 9, the merged foi-request-tracker's 7, #101's 5…
    ranking = page.split('class="agenda-list agenda-ranking">')[1].split("</ol>")[0]
    order = re.findall(r'href="(?:\./#pr-\d+-|\.\./proposals/)([a-z0-9-]+)/?"', ranking)
    assert order[:3] == ["lane-seeking-help", "foi-request-tracker", "budgets-ouverts-petites-communes"]


@pytest.mark.parametrize("lang", LANGS)
def test_support_and_changes_under_review_on_proposal_pages(builds, agenda, lang):
    t = translator(lang)
    site = builds["snapshot"][0] / ("" if lang == "fr" else lang)
    support = gs.load_support(builds["snapshot_file"])
    for p in agenda.proposals:
        page = read(site, f"proposals/{p.id}")
        expected = t.ngettext("%(num)s supporter (👍)", "%(num)s supporters (👍)", support.get(p.id, 0))
        assert f'<p class="agenda-live" data-pagefind-ignore><span class="agenda-support">{expected}</span>' in page
    changed = read(site, "proposals/foi-request-tracker")  # pull request #107 changes it
    assert 'href="https://github.com/example-org/agenda/pull/107"' in changed
    assert escape(t.gettext("A change to this proposal is under review:")) in changed


def test_programme_filters_show_their_proposals_under_review(builds):
    site = builds["snapshot"][0]
    whole = read(site, "programme")
    assert whole.count('href="../under-review/#pr-') == 6
    theme = read(site, "programme/theme/data-literacy")
    assert re.findall(r'href="\.\./\.\./\.\./under-review/#pr-(\d+)-', theme) == ["902"]


# --- hostile text from the snapshot ------------------------------------------------------------------------


def test_nothing_from_the_snapshot_is_active_in_any_built_file(builds):
    site = builds["snapshot"][0]
    checked = 0
    for path, text in all_text_files(site):
        assert EVIL_URL not in text, path  # pull request links are made from the repository, not the file
        assert PULL_TITLE not in html.unescape(text) and "pull-title" not in text, path  # never shown
        assert HOSTILE_LABEL not in html.unescape(text) and "alert('label')" not in text, path
        if path.suffix != ".html":
            continue
        checked += 1
        page = Inspector()
        page.feed(text)
        assert not any("alert" in s for s in page.scripts), path
        assert page.handlers == [] and page.bad_urls == [], (path, page.handlers, page.bad_urls)
        content = Inspector()
        content.feed(text.split("<article", 1)[-1].split("</article>", 1)[0])
        assert not FORBIDDEN_TAGS & set(content.tags), (path, FORBIDDEN_TAGS & set(content.tags))
        for raw in ("<script>alert", "<svg onload", "<img src=x", "</li></ul><script>", "<b onmouseover"):
            assert raw not in text, (path, raw)
    assert checked > 100
    lane_page = read(site, "en/under-review")
    visible = html.unescape(re.sub(r"<[^>]+>", "", lane_page))
    for shown in ("<script>alert('title')</script></title><script>alert(1)</script>",
                  "\"><svg onload=alert('seeking')> Lane seeking help", "<img src=x onerror=alert('name')>"):
        assert shown in visible  # shown faithfully, as text
    assert "&amp;lt;" not in lane_page


# --- the "looking for" board -------------------------------------------------------------------------------


def test_the_board_has_a_page_per_need_and_theme_listing_exactly_its_proposals(builds, agenda):
    site = builds["offline"][0]
    for need, theme in board.choices(agenda):
        key = board.board_key(need, theme)
        url = key[: -len("index.md")] if key.endswith("index.md") else key[: -len(".md")] + "/"
        page = article(read(site, url))
        depth = url.count("/")
        linked = set(re.findall(r'href="' + re.escape("../" * depth) + r'proposals/([a-z0-9-]+)/"', page))
        expected = {p.id for p in agenda.proposals if p.status in ("proposed", "accepted", "scheduled")
                    and (need or p.looking_for) and (need is None or need in p.looking_for)
                    and (theme is None or theme in p.themes)}
        assert linked == expected, (need, theme)
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', page)
        assert len(current) == 2  # the need and the theme chosen, each marked
    index = read(site, "looking-for")
    for need in board.needs():
        assert f'href="{need}/"' in index
    assert {p.id for p in agenda.proposals if p.looking_for and p.status in ("declined", "withdrawn")}, \
        "the repository should hold a declined or withdrawn proposal looking for help"


def test_the_board_shows_the_new_proposals_under_review_that_look_for_help(builds):
    offline, live = builds["offline"][0], builds["snapshot"][0]
    page = read(live, "en/looking-for/interpreters")
    assert 'href="../../under-review/#pr-902-lane-seeking-help"' in page
    assert "#pr-902-" not in read(live, "en/looking-for/funding")
    assert strip_live(page) == read(offline, "en/looking-for/interpreters")


def test_render_site_without_mkdocs_takes_the_review(agenda, tmp_path):
    """The pages are the same from render_site as from the plugin (agenda export-like use)."""
    snapshot = write_snapshot(tmp_path / "s.json", hostile=False)
    report = check_repository(ROOT, jobs=1)
    review = load_review(ROOT, report, agenda, environ={gs.PATH_ENV: str(snapshot)})
    pages = render_site(agenda, "en", prefix="en/", review=review)
    assert 'id="pr-101-budgets-ouverts-petites-communes"' in pages["under-review.md"].html
    assert load_review(ROOT, report, agenda, environ={gs.PATH_ENV: str(tmp_path / "none.json")}) is None
    offline = render_site(agenda, "en", prefix="en/")
    assert offline.keys() == pages.keys()


# --- the Nu HTML Checker ----------------------------------------------------------------------------------

NEW_PAGES = ["propose", "under-review", "looking-for", "looking-for/interpreters", "looking-for/all/data-literacy",
             "looking-for/speakers/data-literacy", "programme", "programme/theme/data-literacy",
             "proposals/foi-request-tracker"]


def test_the_nu_html_checker_finds_no_error_in_the_new_pages(builds):
    """vnu.jar (tests/test_html_validity.py) on every new kind of page, with and without the
    snapshot, in both languages: no error but Material's own."""
    from test_html_validity import VNU, from_material  # skips this test when vnu.jar or java is missing

    pages = [str(builds[name][0] / prefix / url / "index.html") for name in ("snapshot", "offline")
             for prefix in ("", "en") for url in NEW_PAGES]
    run = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--errors-only", *pages],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    assert len({m["url"] for m in messages if from_material(m)}) == len(pages)  # it read every page
    ours = [f"{m['url']}:{m.get('lastLine')}: {m['message']}\n    {m.get('extract', '')}" for m in messages
            if not from_material(m)]
    assert ours == [], "\n".join(ours[:30])
