"""The translation catalogues: every message of the code and templates is in every
catalogue, translated (except in the source language, English), with the same placeholders;
plural forms; dates, numbers and durations from CLDR, never from the machine's locale."""

from __future__ import annotations

import re
import subprocess
import tomllib
import sys
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import _parse_mappings_from_toml, parse_keywords
from babel.messages.pofile import read_po

from agenda import i18n
from agenda.data import opendata
from agenda.i18n import SOURCE_LANGUAGE, Messages, translator
from conftest import ROOT

LOCALE = ROOT / "scripts" / "agenda" / "locale"


def extracted() -> Catalog:
    """The messages `pybabel extract` would write, with pyproject.toml's configuration."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        method_map, options_map = _parse_mappings_from_toml(f, style="pyproject.toml")
    catalog = Catalog()
    with (ROOT / "pyproject.toml").open("rb") as f:
        settings = tomllib.load(f)["tool"]["babel"]["extract_messages"]
    keywords = dict(DEFAULT_KEYWORDS, **parse_keywords(settings["keywords"].split()))
    for path in settings["input_paths"]:
        full = ROOT / path
        if full.is_dir():
            found = extract_from_dir(str(full), method_map, options_map, keywords=keywords)
            found = ((name, line, message, comments, context) for name, line, message, comments, context in found)
        else:
            found = (("", line, message, comments, context)
                     for line, message, comments, context in extract_from_file(
                         dict(method_map)[path], str(full), keywords=keywords, options=options_map[path]))
        for name, line, message, comments, context in found:
            where = f"{path}/{name}" if name else path
            known = catalog.get(message if isinstance(message, str) else message[0], context=context)
            locations = (known.locations if known is not None else []) + [(where, line)]
            catalog.add(message, None, locations, auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module")
def code_messages():
    catalog = extracted()
    assert len(catalog) > 150  # the extraction itself works
    return catalog


def read(path):
    with path.open("rb") as f:
        return read_po(f)


CATALOGUES = sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/agenda.po"))


def test_the_languages_have_catalogues():
    assert {"fr", "en"} <= set(CATALOGUES)
    assert i18n.languages()[0] == SOURCE_LANGUAGE and set(i18n.languages()) == set(CATALOGUES)


@pytest.mark.parametrize("lang", CATALOGUES)
def test_every_catalogue_has_every_message(code_messages, lang):
    """Run `pybabel extract && pybabel update`, then translate what is new (CONTRIBUTING.md)."""
    catalog = read(LOCALE / lang / "LC_MESSAGES" / "agenda.po")
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in code_messages if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert wanted - have == set(), f"messages missing from {lang}'s catalogue: run pybabel extract && pybabel update"
    assert have - wanted == set(), f"messages no longer used, still in {lang}'s catalogue: run pybabel update"
    if lang == SOURCE_LANGUAGE:
        return
    # The site's words are translated in every language of the site. agenda check's messages,
    # the schemas' descriptions (its hints) and the issue bot's answers are required in French
    # and English, the languages they speak; another catalogue may leave them in English.
    optional = set() if lang in ("fr", "en") else {
        m.id for m in code_messages if m.id and all(_checker_source(path) for path, _ in m.locations)}
    untranslated = [m.id for m in catalog if m.id and m.id not in optional and (m.fuzzy or not all(
        [m.string] if isinstance(m.string, str) else m.string))]
    assert untranslated == [], f"{len(untranslated)} message(s) not translated into {lang}"


CHECKER_SOURCES = ("rules.py", "schema.py", "load.py", "text.py", "repository.py", "suggest.py", "problems.py",
                   "review.py", "issue_bot.py", "schema/proposal.schema.json", "schema/event.schema.json",
                   "schema/theme.schema.json")


def _checker_source(path: str) -> bool:
    return path.endswith(CHECKER_SOURCES)


@pytest.mark.parametrize("lang", CATALOGUES)
def test_translations_keep_the_placeholders(lang):
    catalog = read(LOCALE / lang / "LC_MESSAGES" / "agenda.po")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        for check in (checkers.python_format, checkers.num_plurals):
            try:
                check(catalog, message)
            except Exception as exc:  # babel's TranslationError
                problems.append(f"{message.id!r}: {exc}")
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in [*texts, *([message.id] if isinstance(message.id, str) else message.id)]:
            try:
                (text or "") % _Any()  # every message is a %-format string
            except (ValueError, TypeError) as exc:
                problems.append(f"{text!r}: {exc} (write %% for a percent sign)")
    assert problems == []


class _Any(dict):
    def __missing__(self, key):
        return "x"


def test_the_template_is_current(code_messages):
    """locale/agenda.pot is what `pybabel extract` writes today."""
    pot = read(LOCALE / "agenda.pot")
    assert {m.id for m in pot if m.id} == {m.id for m in code_messages if m.id}


def test_plural_forms():
    fr, en = translator("fr"), translator("en")
    assert fr.ngettext("%(num)s proposal", "%(num)s proposals", 1) == "1 proposition"
    assert fr.ngettext("%(num)s proposal", "%(num)s proposals", 0) == "0 proposition"  # French: 0 is singular
    assert fr.ngettext("%(num)s proposal", "%(num)s proposals", 20) == "20 propositions"
    assert en.ngettext("%(num)s proposal", "%(num)s proposals", 1) == "1 proposal"
    assert en.ngettext("%(num)s proposal", "%(num)s proposals", 0) == "0 proposals"
    # numbers are written as the language writes them (a narrow no-break space in French)
    assert fr.ngettext("%(num)s proposal", "%(num)s proposals", 1500) == "1\u202f500 propositions"
    assert en.ngettext("%(num)s proposal", "%(num)s proposals", 1500) == "1,500 proposals"


def test_dates_durations_and_countries_come_from_cldr_not_the_machine(monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    fr, en = translator("fr"), translator("en")
    assert fr.date("2016-12-07") == "mercredi 7 décembre 2016"
    assert en.date("2016-12-07") == "Wednesday, December 7, 2016"
    assert fr.short_date("2016-12-07") == "mer. 7 déc."
    assert (fr.time("09:05"), en.time("21:30")) == ("09:05", "21:30")
    assert [spaces(fr.duration(n)) for n in (5, 60, 90, 1440, 2880, 1530)] == [
        "5 min", "1 h", "1 h 30 min", "1 jour", "2 jours", "1 j 1 h 30 min"]
    assert spaces(en.duration(90)) == "1 hr 30 min"
    assert (fr.country("SN"), en.country("SN"), fr.country("AA")) == ("Sénégal", "Senegal", "AA")
    assert (fr.own_name(), en.own_name()) == ("Français", "English")


def spaces(text):
    """CLDR keeps a number and its unit together with no-break spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_a_translation_is_text_and_gettext_fills_placeholders():
    fr = translator("fr")
    assert fr.gettext("Programme of %(day)s", day="<b>") == "Programme du <b>"  # plain text; templates escape
    assert fr.status("scheduled") == "Programmée" and fr.recording(None).startswith("Pas encore")


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="no message catalogue for language 'xx'"):
        translator("xx")


def test_default_language_comes_from_the_environment():
    assert i18n.default_language({"LANGUAGE": "fr_FR:en"}) == "fr"
    assert i18n.default_language({"LANG": "fr_CA.UTF-8"}) == "fr"
    assert i18n.default_language({"LANG": "de_DE.UTF-8"}) == "en"
    assert i18n.default_language({}) == "en"


def test_messages_api_of_the_feeds_and_exports():
    m = Messages("fr")
    assert (m("status.scheduled"), m("colon"), m.lang) == ("Programmée", " : ", "fr")
    assert m.name({"fr": "Nom", "en": "Name"}) == "Nom"


def test_labels_cover_the_schema_values():
    from agenda.check import schema

    assert set(schema.subschema("proposal", ("status",))["enum"]) == set(i18n.STATUS) == set(i18n.STATUS_NOTE)
    assert set(schema.subschema("proposal", ("looking_for", 0))["enum"]) == set(i18n.LOOKING_FOR)
    assert set(schema.subschema("proposal", ("accessibility",))["properties"]) == set(i18n.ACCESSIBILITY)
    assert set(schema.subschema("proposal", ("recording",))["enum"]) | {None} == set(i18n.RECORDING)


def test_every_open_data_file_has_a_description():
    from agenda.site.pages import DATA_DESCRIPTIONS

    assert {key for *_, key in opendata.FILES} <= set(DATA_DESCRIPTIONS)


def test_the_catalogues_compile_with_pybabel(tmp_path):
    """What a translator runs: `pybabel compile` accepts every catalogue (to .mo files
    elsewhere; the package compiles them in memory)."""
    for lang in CATALOGUES:
        out = tmp_path / f"{lang}.mo"
        result = subprocess.run([str(Path(sys.executable).parent / "pybabel"), "compile", "--statistics",
                                 "-i", str(LOCALE / lang / "LC_MESSAGES" / "agenda.po"), "-o", str(out), "-l", lang],
                                capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 100


TEMPLATES = ROOT / "scripts" / "agenda" / "site" / "templates" / "agenda"
# Attributes whose values people read (or hear): translated, never written in a template.
READ_ATTRIBUTES = re.compile(r'\b(aria-label|title|alt|placeholder|data-placeholder)="([^"]*)"')


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_no_words_outside_gettext(name):
    """Every word a reader sees comes from the catalogues: a template's own text is markup,
    punctuation and Jinja, nothing to translate by hand."""
    from jinja2 import Environment

    source = (TEMPLATES / name).read_text(encoding="utf-8")
    env = Environment(extensions=["jinja2.ext.i18n"])
    words, in_tag = [], False
    for _, kind, value in env.lex(source):
        if kind != "data":
            continue
        for _, attribute_value in READ_ATTRIBUTES.findall(value):
            if attribute_value.strip():
                words.append(attribute_value)
        text = []
        for ch in value:  # text outside tags; a tag may be cut by Jinja expressions
            if in_tag:
                in_tag = ch != ">"
            elif ch == "<":
                in_tag = True
            else:
                text.append(ch)
        words += re.findall(r"[^\W\d_]{2,}", "".join(text))
    assert words == [], f"{name}: write these with _() so that they are translated: {words}"


def _catalogue_copy(tmp_path, monkeypatch, lang="fr"):
    """A copy of one catalogue in a locale folder of its own, for the compiled-catalogue cache."""
    folder = tmp_path / "locale" / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "agenda.po"
    po.write_bytes((LOCALE / lang / "LC_MESSAGES" / "agenda.po").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    return po


def test_a_compiled_catalogue_is_kept_and_used_the_next_time(tmp_path, monkeypatch):
    po = _catalogue_copy(tmp_path, monkeypatch)
    first = i18n._translations("fr")
    kept = list((po.parent / "__pycache__").glob("agenda.*.mo"))
    assert len(kept) == 1
    assert first.gettext("Programme") == "Programme" and first.gettext("Themes") == "Thèmes"

    def no_compiling(*args):
        raise AssertionError("compiled again although the .po did not change")

    monkeypatch.setattr(i18n, "_compile", no_compiling)
    assert i18n._translations("fr").gettext("Themes") == "Thèmes"


def test_an_edited_catalogue_is_compiled_again_never_served_stale(tmp_path, monkeypatch):
    po = _catalogue_copy(tmp_path, monkeypatch)
    i18n._translations("fr")
    old = list((po.parent / "__pycache__").glob("agenda.*.mo"))
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Thèmes"', 'msgstr "Les thèmes"', 1), encoding="utf-8")
    assert i18n._translations("fr").gettext("Themes") == "Les thèmes"
    new = list((po.parent / "__pycache__").glob("agenda.*.mo"))
    assert len(new) == 1 and new != old  # the older compiled file is removed


def test_a_damaged_or_unwritable_cache_only_means_compiling_again(tmp_path, monkeypatch):
    po = _catalogue_copy(tmp_path, monkeypatch)
    i18n._translations("fr")
    (kept,) = (po.parent / "__pycache__").glob("agenda.*.mo")
    kept.write_bytes(b"\x00 not a catalogue")
    assert i18n._translations("fr").gettext("Themes") == "Thèmes"
    assert kept.read_bytes()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # a real .mo again
    kept.unlink()
    (po.parent / "__pycache__").rmdir()
    (po.parent / "__pycache__").write_text("a file where the folder would be")  # cannot be written, even by root
    assert i18n._translations("fr").gettext("Themes") == "Thèmes"
