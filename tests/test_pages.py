"""Rendering without MkDocs: templates, languages, links between pages, the time model on
the pages (every slot, nights, items over days, shared rooms), optional fields, determinism."""

from __future__ import annotations

import html
import posixpath
import re
import shutil

import pytest

from agenda.model import build_agenda
from agenda.site.pages import Page, render_site, url_of
from agenda.site.programme import Programme
from agenda.check.repository import check_repository
from conftest import BASE, ROOT

MODEL = ROOT / "tests" / "fixtures" / "model"


def agenda_of(repo):
    report = check_repository(repo, jobs=1)
    assert [p for p in report.problems if p.is_error] == []
    return build_agenda(report.event, report.themes, report.proposals)


@pytest.fixture(scope="module")
def agenda():
    return agenda_of(ROOT)


@pytest.fixture(scope="module")
def model_repo(tmp_path_factory):
    """tests/fixtures/base with relaxed limits and the proposals of tests/fixtures/model."""
    repo = tmp_path_factory.mktemp("model") / "repo"
    shutil.copytree(BASE, repo)
    event = (repo / "event.yaml").read_text(encoding="utf-8")
    event = re.sub(r"limits:\n(?:  .*\n)+", "limits:\n  summary: {min: 0, max: 300}\n  description: {min: 0, max: 10000}\n"
                   "  duration: {min: 5, max: 10080, step: 5}\n", event)
    (repo / "event.yaml").write_text(event, encoding="utf-8")
    for path in MODEL.glob("*.yaml"):
        shutil.copy(path, repo / "proposals" / path.name)
    return repo


@pytest.fixture(scope="module")
def model(model_repo):
    a = agenda_of(model_repo)
    assert check_repository(model_repo, jobs=1).problems == []
    return a


@pytest.fixture(scope="module")
def fr(model):
    return render_site(model, "fr")


@pytest.fixture(scope="module")
def en(model):
    return render_site(model, "en", prefix="en/")


def text_of(fragment):
    """The text a reader sees: inline tags leave nothing, block tags a space."""
    text = re.sub(r"</?(?:a|span|time|strong|em|code)\b[^>]*>", "", fragment)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


# --- links and languages ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_internal_link_points_to_a_page(agenda, lang):
    prefix = "" if lang == "fr" else "en/"
    pages = render_site(agenda, lang, prefix=prefix)
    urls = {prefix + url_of(key) for key in pages}
    shared = ("data/", "pagefind/")  # at the site's root, for every language
    for key, page in pages.items():
        base = prefix + url_of(key)
        for href in re.findall(r'(?:href|src)="([^"#]+)', page.html):
            if re.match(r"[a-z]+:", href):
                continue
            target = posixpath.normpath(posixpath.join(base, href))
            own_bundle = target.startswith(f"{prefix}pagefind/")  # each language's search bundle
            if target.startswith(shared) or own_bundle or target in ("proposal-template.yaml", f"{prefix}proposal-template.yaml",
                                                       f"{prefix}assets/search.js", f"{prefix}assets/propose.js"):
                continue  # open data (test_opendata.py), the search bundle and docs/ files (test_site.py)
            if target.startswith(f"{prefix}qr/") or target == f"{prefix}assets/attend.js":
                continue  # the QR codes and the attending script (test_attend.py)
            assert not target.startswith("..") and (target + "/").lstrip("./") in urls | {prefix}, (key, href)


def test_english_pages_use_the_english_catalogue(agenda):
    fr = render_site(agenda, "fr")
    en = render_site(agenda, "en")
    assert fr.keys() == en.keys()
    home = en["index.md"].html
    assert "Open Government Partnership Global Summit" in home and "Propose a session" in home
    assert "Proposer une session" not in home
    assert "Wednesday, December 7, 2016" in en["programme/index.md"].html
    assert "mercredi 7 décembre 2016" in fr["programme/index.md"].html


def test_rendering_is_deterministic(agenda):
    assert render_site(agenda, "fr") == render_site(agenda, "fr")


def test_url_of_follows_mkdocs_directory_urls():
    assert url_of("index.md") == ""
    assert url_of("programme/index.md") == "programme/"
    assert url_of("programme/2016-12-07.md") == "programme/2016-12-07/"
    assert url_of("proposals/x.md") == "proposals/x/"
    assert url_of("programme/theme/climate.md") == "programme/theme/climate/"


def test_headings_with_an_id_make_the_table_of_contents():
    page = Page("x.md", "X", '<h1>T</h1><h2 id="a">A &amp; <em>b</em></h2><h3 id="c" class="k">C</h3><h2>no id</h2>')
    assert page.headings() == [(2, "a", "A & b"), (3, "c", "C")]


# --- the time model ------------------------------------------------------------------------------


def test_every_slot_of_a_proposal_is_shown(fr, model):
    page = fr["proposals/twice-held.md"].html
    plain = text_of(page)
    assert "Quand et où : 2 fois" in plain
    assert "mercredi 7 décembre 2016, 10:00–11:30 · Salle Seine" in plain
    assert "vendredi 9 décembre 2016, 14:00–15:00 (1 h) · Salle Seine" in plain  # its own duration
    assert 'datetime="2016-12-09T14:00+01:00"' in page
    # both days list it
    for day in ("2016-12-07", "2016-12-09"):
        assert 'href="../../proposals/twice-held/"' in fr[f"programme/{day}.md"].html


def test_a_night_session_belongs_to_the_evening_it_is_part_of(fr, model):
    day = fr["programme/2016-12-08.md"].html
    assert "Night owls of open data" in day
    assert "Night owls of open data" not in fr["programme/2016-12-09.md"].html
    plain = text_of(day)
    assert "23:30–ven. 9 déc. 01:30" in plain  # the end's date, as it is another calendar day
    assert "Ouvert de 08:30 à 02:00. (La soirée se prolonge après minuit.)" in plain  # that day's own hours
    assert "Ouvert de 08:30 à 19:30." in text_of(fr["programme/2016-12-07.md"].html)


def test_an_item_over_several_days_is_on_each_day_in_a_band(fr, model):
    programme = Programme(model)
    exhibition = next(s for s in model.sessions() if s.proposal.id == "exhibition")
    assert programme.days_of(exhibition) == ["2016-12-07", "2016-12-08", "2016-12-09"]
    for d in programme.days:
        assert exhibition in d.long and exhibition in d.sessions
        assert d.grid is None or all(b.session != exhibition for b in d.grid.blocks)
        band = fr[f"programme/{d.day}.md"].html.split('id="long"')[1].split("</ul>")[0]
        assert "Exhibition of open government tools" in band and "2 j 9 h" in text_of(band)


def test_grid_blocks_span_their_duration_and_shared_rooms_get_lanes(model):
    day = Programme(model).day("2016-12-07")
    grid = day.grid
    blocks = {b.session.proposal.id: b for b in grid.blocks}
    assert grid.step == 30 and grid.start.hour == 10  # the first session's hour, steps of half an hour
    assert blocks["base-session"].rows == 3 and blocks["twice-held"].rows == 3  # 90 minutes
    assert blocks["parallel-a"].rows == 2 and blocks["parallel-b"].rows == 1
    assert blocks["parallel-b"].row == blocks["parallel-a"].row + 1
    agora = next(c for c in grid.columns if c.room.id == "agora")
    assert agora.lanes == 2 and {blocks["parallel-a"].column, blocks["parallel-b"].column} == {agora.column,
                                                                                               agora.column + 1}
    assert grid.width == sum(c.lanes for c in grid.columns)
    assert [m.time.hour for m in grid.marks] == list(range(10, 10 + len(grid.marks)))
    assert all(m.rows == 2 for m in grid.marks)  # each hour mark covers its hour: a solid time column
    assert grid.marks[-1].row + grid.marks[-1].rows - 2 == grid.rows


def test_the_grid_in_html(fr):
    page = fr["programme/2016-12-07.md"].html
    assert 'style="grid-area:2/' in page  # the 10:00 sessions start on the first row
    assert re.search(r'class="agenda-grid__room" style="grid-column:\d+/span 2">Agora de la société civile '
                     r'<span class="agenda-meta">\(espace partagé\)</span>', page)
    assert page.count('class="agenda-block"') == 4  # the exhibition is in the band, not the grid
    listing = page.split('id="list"')[1]
    assert listing.count("<li data-session=") == 5  # each with its key, for the ☆ button (attend.js)


# --- fields -------------------------------------------------------------------------------------


def test_recording_consent_is_shown_in_all_three_cases(fr, en):
    assert "Enregistrée : les porteurs acceptent" in fr["proposals/twice-held.md"].html
    assert "Non enregistrée" in fr["proposals/night-owl.md"].html
    assert "Pas encore précisé" in fr["proposals/bare-minimum.md"].html
    assert "Not said yet" in en["proposals/bare-minimum.md"].html


def test_optional_fields_absent_leave_no_empty_label(fr):
    page = fr["proposals/bare-minimum.md"].html
    for label in ("Description", "Quand et où", "Accessibilité", "Les porteurs recherchent", "Liens",
                  "agenda-summary", "agenda-subtitle", "— <span"):
        assert label not in page
    assert "<dd></dd>" not in page and "()" not in text_of(page)
    assert "Sam Test" in page  # the proposer, without organisation or country


def test_every_field_of_a_full_proposal_is_on_its_page(fr, model):
    p = model.proposal("twice-held")
    page = fr["proposals/twice-held.md"].html
    plain = text_of(page)
    for value in (p.title, p.subtitle, p.summary, "Déroulé", "Atelier", "Climat", "Accès à l'information",
                  "Français", "Anglais", "1 h 30 min", "Camille Budget", "Test fixtures (example)", "France",
                  "Interprétation", "LSF", "Sous-titrage en direct", "oui", "non", "A quiet room is next door.",
                  "des intervenants", "un lieu", "The toolkit"):
        assert value in plain, value
    assert 'href="https://example.org/toolkit"' in page


def test_a_translation_is_shown_on_the_other_languages_pages_with_the_original(fr, en):
    english = en["proposals/twice-held.md"]
    assert english.title == "Open budgets for towns"
    assert '<h1 dir="auto">Open budgets for towns</h1>' in english.html  # the page's language: no lang
    assert '<span dir="auto" lang="fr">Budgets ouverts pour les communes</span>' in english.html
    assert '<p class="agenda-summary" dir="auto">A workshop to publish' in english.html
    assert 'lang="fr">Un atelier pratique, deux fois' in english.html  # the subtitle is not translated
    assert ">Open budgets for towns</a>" in en["programme/2016-12-07.md"].html
    french = fr["proposals/twice-held.md"]
    assert french.title == "Budgets ouverts pour les communes" and "Open budgets for towns" not in french.html


def test_contributor_text_in_another_language_is_marked(fr, en):
    night = fr["proposals/night-owl.md"].html
    assert '<h1 dir="auto" lang="en">Night owls of open data</h1>' in night
    assert '<p class="agenda-summary" dir="auto" lang="en">' in night
    assert '<h1 dir="auto">Night owls of open data</h1>' in en["proposals/night-owl.md"].html
    assert 'lang="es">A proposal with only what is required</a>' in fr["programme/index.md"].html


def test_people_without_an_organisation_are_listed(fr):
    page = fr["organisations.md"].html
    none = page.split('id="org-none"')[1]
    assert "Sans organisation" in page.split('id="org-none"')[1][:40]
    for name in ("Alex Test", "Sam Test", "Ana Test", "Bo Test"):  # no organisation
        assert name in none
    assert "Night fixtures" in page and "Nour Test" in page.split("Night fixtures")[1]


def test_a_session_held_elsewhere_shows_its_place_and_stays_out_of_the_grid(fr, model):
    day = fr["programme/2016-12-08.md"].html
    elsewhere = day.split('id="elsewhere"')[1].split("</ul>")[0]
    assert "Open government week in Lyon" in elsewhere
    assert "Hôtel de ville, Lyon, France" in text_of(elsewhere)
    assert "Open government week in Lyon" not in day.split('class="agenda-grid"')[1].split('id="list"')[0]
    assert 'href="https://example.org/lyon"' in fr["proposals/open-week.md"].html


def test_shared_rooms_are_marked(fr):
    assert "Agora de la société civile <span class=\"agenda-meta\">(espace partagé)</span>" in \
        fr["proposals/night-owl.md"].html


def test_counts_use_plural_forms_and_the_languages_numbers(fr, en, model):
    counts = re.findall(r"\((\d+) propositions?\)", text_of(fr["themes/index.md"].html))
    assert counts and all(int(n) >= 1 for n in counts)
    assert re.search(r"\b\d+ proposals\b", text_of(en["index.md"].html))


def test_hostile_text_is_escaped_by_the_templates(model):
    import dataclasses

    p = dataclasses.replace(model.proposal("bare-minimum"), title="<script>alert(1)</script>",
                            subtitle='"><img src=x onerror=alert(1)>')
    hostile = dataclasses.replace(model, proposals=(p,))
    page = render_site(hostile, "fr")["proposals/bare-minimum.md"].html
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_template_from_the_custom_dir_replaces_the_shipped_one(model, tmp_path):
    (tmp_path / "agenda").mkdir()
    (tmp_path / "agenda" / "proposal.html").write_text(
        '{% extends "original/agenda/proposal.html" %}\n'
        '{% block facts %}<p class="owner">{{ _("Duration") }}: {{ t.duration(p.duration) }}</p>{{ super() }}'
        '{% endblock %}\n', encoding="utf-8")
    page = render_site(model, "fr", custom_dir=tmp_path)["proposals/night-owl.md"].html
    assert '<p class="owner">Durée: 2 h</p>' in page.replace("\xa0", " ").replace("\u202f", " ")
    assert '<dl class="agenda-facts">' in page  # the rest of the shipped template
    assert '<p class="owner">' not in render_site(model, "fr")["proposals/night-owl.md"].html
