"""One `mkdocs build`, every language: French at the root, English under /en/ (and a third
interface language from a catalogue and a line of event.yaml). Every page pair links both
ways, says its language, speaks only its own interface language, and a site owner's
template override reaches both."""

from __future__ import annotations

import html
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from agenda.i18n import LOCALE_DIR, translator
from conftest import copy_repo, mkdocs_build

SITE_URL = "https://example-org.github.io/agenda/"
ARABIC_NAME = "القمة العالمية لشراكة الحكومة المنفتحة — باريس 2016"
LANGS = ("fr", "en")


def pages_of(site: Path, lang: str):
    """url (relative to the language's root) -> html of every page of a language."""
    root = site if lang == "fr" else site / lang
    out = {}
    for path in sorted(root.rglob("index.html")):
        rel = path.relative_to(root).parent.as_posix()
        rel = "" if rel == "." else rel + "/"
        if lang == "fr" and rel.split("/")[0] in ("en", "ar"):
            continue  # another language's tree
        out[rel] = path.read_text(encoding="utf-8")
    return out


class Page(HTMLParser):
    """The facts a test needs from a built page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.html_attrs, self.body_attrs, self.alternates, self.switch = {}, {}, {}, {}
        self.interface_text, self._skip, self._in_switch = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
        elif tag == "body":
            self.body_attrs = a
        elif tag == "link" and "alternate" in (a.get("rel") or "").split() and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "a" and "md-select__link" in a.get("class", ""):
            self.switch[a["hreflang"]] = a["href"]
        # contributor text (dir="auto" or its own lang) and code are not interface text
        if self._skip or "dir" in a and a["dir"] == "auto" or "lang" in a and tag != "html" or tag in (
                "code", "script", "style", "svg"):
            if tag not in ("br", "img", "input", "meta", "link", "hr"):
                self._skip.append(tag)

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip:
            self.interface_text.append(data)

    @property
    def text(self):
        return " ".join(" ".join(self.interface_text).split())


def counterpart(url: str, lang: str) -> str:
    return SITE_URL + ("" if lang == "fr" else f"{lang}/") + url


def test_every_page_exists_in_both_languages(site):
    fr, en = pages_of(site, "fr"), pages_of(site, "en")
    assert len(fr) > 50 and fr.keys() == en.keys()


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_to_its_versions_both_ways(site, lang):
    for url, text in pages_of(site, lang).items():
        page = Page(text)
        assert page.alternates == {"fr": counterpart(url, "fr"), "en": counterpart(url, "en"),
                                   "x-default": counterpart(url, "fr")}, url
        # the language switch goes to the same page in the other language, relative to this one
        here = ("" if lang == "fr" else f"{lang}/") + url
        for other in LANGS:
            target = posixpath.normpath(posixpath.join(here, page.switch[other])) + "/"
            assert target.lstrip("./") == (("" if other == "fr" else f"{other}/") + url) or (
                target == "./" and other == "fr" and url == ""), (url, other, page.switch[other])


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_says_its_language(site, lang):
    t = translator(lang)
    for url, text in pages_of(site, lang).items():
        page = Page(text)
        assert page.html_attrs.get("lang") == lang and page.html_attrs.get("dir") == "ltr", url
        assert page.body_attrs.get("dir") == "ltr"
        # Material's own interface, the navigation and the event's name in the header
        assert f'aria-label="{ {"fr": "Table des matières", "en": "Table of contents"}[lang] }"' in text, url
        assert html.escape(t.name({"fr": "Sommet mondial", "en": "Open Government Partnership"}), False) in text
        assert re.search(rf'md-tabs__link">\s*{re.escape(t.gettext("Themes"))}\s*</a>', text), url


def interface_strings(lang):
    """The interface strings of a language that the other language writes differently
    (placeholders left out: the text around them is checked through other messages)."""
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "agenda.po").open("rb") as f:
        catalog = read_po(f)
    out = set()
    for m in catalog:
        if not m.id or not isinstance(m.id, str) or "%(" in m.id or m.id.casefold() == m.string.casefold():
            continue
        text = (m.string if lang == "fr" else m.id).strip(" :")
        if len(text) >= 4:
            out.add(text)
    return out


@pytest.mark.parametrize("lang,other", [("fr", "en"), ("en", "fr")])
def test_no_interface_string_of_the_other_language(site, lang, other):
    own = interface_strings(lang)
    foreign = {s for s in interface_strings(other)
               if not any(re.search(rf"(?<!\w){re.escape(s)}(?!\w)", mine) for mine in own)}  # "participants"
    assert len(foreign) > 100
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(s)}(?!\w)" for s in sorted(foreign, key=len, reverse=True)))
    for url, text in pages_of(site, lang).items():
        found = pattern.findall(Page(text).text)
        assert found == [], (lang, url, found)


def indexes(site, langs):
    """language -> {indexed language: pages} of the search bundles beside its pages (pagefind/
    and the others its bundles.js lists, merged by the search page)."""
    out = {}
    for lang in langs:
        first = (site if lang == langs[0] else site / lang) / "pagefind"
        listed = json.loads(re.search(r"= (\[.*?\])", (first / "bundles.js").read_text(encoding="utf-8")).group(1))
        out[lang] = {}
        for bundle in [first] + [first / path for path in listed]:
            entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
            for k, v in entry["languages"].items():
                out[lang][k] = out[lang].get(k, 0) + v["page_count"]
    return out


def test_search_has_one_index_per_language(site):
    counts = {lang: {lang: sum("data-pagefind-body" in text for text in pages_of(site, lang).values())}
              for lang in LANGS}
    assert indexes(site, LANGS) == counts and all(n > 20 for c in counts.values() for n in c.values())
    assert 'src="../pagefind/pagefind-ui.js"' in pages_of(site, "en")["search/"]  # its own language's bundle


def test_shared_files_are_linked_from_every_language(site):
    en = pages_of(site, "en")
    assert 'href="../../data/agenda.ics"' in en["programme/"]
    assert 'href="../data/feed.atom"' in en[""] and not (site / "en" / "data" / "agenda.ics").exists()


# --- a third interface language, and a site owner's overrides --------------------------------------


@pytest.fixture(scope="module")
def trilingual(tmp_path_factory):
    """The repository with `site_languages: [fr, en, ar]`, an override of the proposal
    template, and a static page of docs/ in French and English."""
    tmp = tmp_path_factory.mktemp("trilingual")
    repo = copy_repo(tmp / "repo")
    event = (repo / "event.yaml").read_text(encoding="utf-8")
    english = '  en: "Open Government Partnership Global Summit — Paris 2016"\n'
    assert english in event
    event = event.replace(english, english + f'  ar: "{ARABIC_NAME}"\n', 1)
    (repo / "event.yaml").write_text(event + "\nsite_languages: [fr, en, ar]\n", encoding="utf-8")
    (repo / "overrides" / "agenda").mkdir()
    (repo / "overrides" / "agenda" / "proposal.html").write_text(
        '{% extends "original/agenda/proposal.html" %}\n'
        '{% block facts %}<p class="site-owner">{{ _("Duration") }} — {{ t.duration(p.duration) }}</p>'
        '{{ super() }}{% endblock %}\n', encoding="utf-8")
    (repo / "docs" / "about.md").write_text("# À propos\n\nUne page du site.\n", encoding="utf-8")
    (repo / "docs" / "about.en.md").write_text("# About\n\nA page of the site.\n", encoding="utf-8")
    result = mkdocs_build(repo, tmp / "site")
    assert result.returncode == 0, result.stderr
    return tmp / "site"


def test_a_third_language_is_a_catalogue_and_a_line_in_event_yaml(trilingual):
    ar = pages_of(trilingual, "ar")
    assert ar.keys() == pages_of(trilingual, "fr").keys() - {"about/"} | {"about/"}
    t = translator("ar")
    for url, text in ar.items():
        page = Page(text)
        assert page.html_attrs.get("lang") == "ar" and page.html_attrs.get("dir") == "rtl", url
        assert page.body_attrs.get("dir") == "rtl"  # Material's interface reads right to left too
        assert set(page.alternates) == {"fr", "en", "ar", "x-default"}
        assert page.alternates["ar"] == counterpart(url, "ar")
    home = ar[""]
    assert t.gettext("Propose a session") in home and t.date("2016-12-05") in home  # the week's first day
    assert f"<title>{ARABIC_NAME}</title>" in home  # the event's name in the header, from event.yaml
    assert re.search(r'md-tabs__link">\s*الرئيسية\s*</a>', home)  # the navigation, from the catalogue
    assert "البحث" in home or "بحث" in home  # Material's own interface in Arabic
    # the other languages link to the Arabic pages too
    assert Page(pages_of(trilingual, "fr")["programme/"]).alternates["ar"] == counterpart("programme/", "ar")
    assert [set(found) for found in indexes(trilingual, ("fr", "en", "ar")).values()] == [{"fr"}, {"en"}, {"ar"}]


def test_a_site_owners_template_reaches_every_language(trilingual):
    for lang, word in (("fr", "Durée"), ("en", "Duration"), ("ar", "المدة")):
        page = pages_of(trilingual, lang)["proposals/foi-request-tracker/"]
        assert f'<p class="site-owner">{word} — ' in page, lang
        assert '<dl class="agenda-facts">' in page  # the rest of the shipped template


def test_a_static_page_of_docs_in_each_language(trilingual):
    assert "À propos" in pages_of(trilingual, "fr")["about/"]
    assert "A page of the site." in pages_of(trilingual, "en")["about/"]
    assert "Une page du site." in pages_of(trilingual, "ar")["about/"]  # no Arabic version: the default one
    assert not (trilingual / "about.en").exists() and not (trilingual / "en" / "about.en").exists()
