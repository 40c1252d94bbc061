"""Rendering without MkDocs: languages, links between pages, determinism."""

from __future__ import annotations

import posixpath
import re

import pytest

from agenda.i18n import CATALOGUES, Messages
from agenda.model import build_agenda
from agenda.pages import render_site, url_of
from agenda.repository import check_repository
from conftest import ROOT


@pytest.fixture(scope="module")
def agenda():
    report = check_repository(ROOT, jobs=1)
    return build_agenda(report.event, report.themes, report.proposals)


def test_every_catalogue_has_the_same_keys():
    keys = [set(c) for c in CATALOGUES.values()]
    assert all(k == keys[0] for k in keys)


def test_dates_are_formatted_from_the_catalogue_not_the_locale():
    assert Messages("fr").date("2016-12-07") == "mercredi 7 décembre 2016"
    assert Messages("en").date("2016-12-07") == "Wednesday 7 December 2016"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="no message catalogue"):
        Messages("xx")


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_internal_link_points_to_a_page(agenda, lang):
    pages = render_site(agenda, lang)
    urls = {url_of(key) for key in pages}
    static = {"propose/"}
    for key, page in pages.items():
        base = url_of(key)
        for href in re.findall(r'href="([^"#]+)', page.html):
            if re.match(r"[a-z]+:", href) or href.endswith((".css", ".js")):
                continue
            if "/data/" in "/" + posixpath.normpath(posixpath.join(base, href)):
                continue  # open-data files, checked in test_opendata.py
            target = posixpath.normpath(posixpath.join(base, href)) + "/"
            target = "" if target in ("./", "/") else target.lstrip("/")
            assert target in urls | static, (key, href)


def test_english_pages_use_the_english_catalogue(agenda):
    fr = render_site(agenda, "fr")
    en = render_site(agenda, "en")
    assert fr.keys() == en.keys()
    home = en["index.md"].html
    assert "Open Government Partnership Global Summit" in home and "Propose a session" in home
    assert "Proposer une session" not in home
    assert "Wednesday 7 December 2016" in en["programme/index.md"].html


def test_rendering_is_deterministic(agenda):
    assert render_site(agenda, "fr") == render_site(agenda, "fr")


def test_url_of_follows_mkdocs_directory_urls():
    assert url_of("index.md") == ""
    assert url_of("programme/index.md") == "programme/"
    assert url_of("proposals/x.md") == "proposals/x/"
    assert url_of("programme/theme/climate.md") == "programme/theme/climate/"
