"""Every string the site or the command line shows, in the reader's language: gettext
catalogues (`.po`) read with Babel, plural forms, and dates, times, numbers, durations and
country names formatted by Babel from CLDR data, never from the machine's locale.

The catalogues live in `locale/<lang>/LC_MESSAGES/agenda.po` beside this file, one per
language, for the site, the feeds and the command line alike; `locale/agenda.pot` is the
template extracted from the code and the templates (`pybabel extract`, configured in
pyproject.toml). A `.po` file is compiled the first time its language is asked for, so a
fresh clone works without a compile step, and the result is kept for the next run
(`__pycache__/` beside it). The messages are written in English
(the source language): an English catalogue may leave them untranslated.

    t = translator("fr")
    t.gettext("Programme")                                    # "Programme"
    t.ngettext("%(num)s proposal", "%(num)s proposals", 1500)  # "1 500 propositions"
    t.date("2016-12-07")                                      # "mercredi 7 décembre 2016"

Every message is a %-format string (`%(name)s`, `%%` for a percent sign), in Python and in
the templates alike; placeholders are filled after translation.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import hashlib
import io
import os
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from babel.units import format_unit

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "agenda"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


# Labels of the values the schemas allow, shown on the site and asked by `agenda new`.
STATUS = {
    "scheduled": N_("Scheduled"),
    "accepted": N_("Accepted"),
    "proposed": N_("Proposed"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
}
STATUS_NOTE = {
    "scheduled": N_("This session is scheduled."),
    "accepted": N_("This proposal is accepted; its time is not set yet."),
    "proposed": N_("This proposal awaits review by its theme's reviewers."),
    "declined": N_("This proposal was declined."),
    "withdrawn": N_("This proposal was withdrawn by its proposers."),
}
LOOKING_FOR = {
    "co-organisers": N_("co-organisers"),
    "speakers": N_("speakers"),
    "facilitators": N_("facilitators"),
    "translators": N_("translators"),
    "interpreters": N_("interpreters"),
    "note-takers": N_("note-takers"),
    "participants": N_("participants"),
    "partners": N_("partners"),
    "funding": N_("funding"),
    "venue": N_("a venue"),
}
ACCESSIBILITY = {
    "interpretation": N_("Interpretation"),
    "sign_language": N_("Sign language"),
    "captions": N_("Live captions"),
    "step_free_access": N_("Step-free access"),
    "materials_in_advance": N_("Materials shared in advance"),
    "notes": N_("Good to know"),
}
RECORDING = {
    "allowed": N_("Recorded: the proposers agree to recording and streaming."),
    "not-allowed": N_("Not recorded: the proposers do not want the session recorded."),
    None: N_("Not said yet: the session is not recorded unless its proposers agree."),
}


def languages() -> tuple:
    """The languages that have a catalogue, source language first."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return (SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE}))


LANGUAGES = languages()


def default_language(environ=None) -> str:
    """The first language of the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) that
    has a catalogue; English otherwise. For the command line; the site never asks."""
    environ = os.environ if environ is None else environ
    known = languages()
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for item in environ.get(name, "").split(":"):
            code = item.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in known:
                return code
    return SOURCE_LANGUAGE


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _translations(lang: str) -> _gettext.NullTranslations:
    path = catalogue_path(lang)
    if not path.is_file():
        if lang == SOURCE_LANGUAGE:
            return _gettext.NullTranslations()
        raise ValueError(f"no message catalogue for language {lang!r}; known: {', '.join(languages())}. "
                         f"Try: pybabel init -l {lang} (see CONTRIBUTING.md, 'Translating')")
    source = path.read_bytes()
    # The compiled catalogue is kept beside the .po, as Python keeps bytecode, under the
    # digest of the .po it came from: an edited .po is compiled again, never served stale.
    cached = path.parent / "__pycache__" / f"{DOMAIN}.{hashlib.sha256(source).hexdigest()[:16]}.mo"
    try:
        with cached.open("rb") as mo:
            return _gettext.GNUTranslations(mo)
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: compiled again below
        pass
    compiled = _compile(source, lang)
    _store(cached, compiled)
    return _gettext.GNUTranslations(io.BytesIO(compiled))


def _compile(source: bytes, lang: str) -> bytes:
    """The .po's bytes -> .mo bytes, as `pybabel compile` makes them (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo  # Babel's catalogue reader: only when compiling
    from babel.messages.pofile import read_po

    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.BytesIO(source), locale=lang, domain=DOMAIN))
    return compiled.getvalue()


def _store(cached: Path, compiled: bytes) -> None:
    """Keep the compiled catalogue for the next run, in place of older ones; a folder that
    cannot be written (a read-only install) only means compiling again next time."""
    try:
        cached.parent.mkdir(exist_ok=True)
        temporary = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        temporary.write_bytes(compiled)
        os.replace(temporary, cached)
        for old in cached.parent.glob(f"{DOMAIN}.*.mo"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:
        pass


class Translator:
    """The messages and formats of one language. `gettext` and `ngettext` fill the
    message's placeholders from keyword arguments; `ngettext` gives `num`, the count
    formatted for the language, unless told otherwise."""

    def __init__(self, lang: str):
        try:
            self.locale = Locale.parse(lang)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"no message catalogue for language {lang!r}; known: {', '.join(languages())}") from exc
        self.lang = lang
        self.translations = _translations(lang)
        self.direction = "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    # --- messages -------------------------------------------------------------------------

    def raw_gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def raw_ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def gettext(self, message: str, **values) -> str:
        return self.raw_gettext(message) % values

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        values.setdefault("num", self.number(n))
        return self.raw_ngettext(singular, plural, n) % values

    _ = gettext

    # --- data in this language ------------------------------------------------------------

    def name(self, names) -> str:
        """A name from the data (a mapping language -> text) in this language, or in the
        first language it has."""
        if not isinstance(names, dict):
            return str(names)
        return names.get(self.lang) or next(iter(names.values()), "")

    def has_name(self, names) -> bool:
        return isinstance(names, dict) and bool(names.get(self.lang))

    # --- formats (CLDR, through Babel) ----------------------------------------------------

    def number(self, n) -> str:
        return format_decimal(n, locale=self.locale)

    def date(self, day) -> str:
        """'2016-12-07' or a date -> 'mercredi 7 décembre 2016'."""
        return format_date(_as_date(day), format="full", locale=self.locale)

    def short_date(self, day) -> str:
        """'2016-12-07' -> 'mer. 7 déc.'."""
        return format_skeleton("MMMEd", _as_date(day), locale=self.locale)

    def time(self, hhmm) -> str:
        """'10:30' or a time -> the 24-hour clock as the language writes it."""
        value = dt.time.fromisoformat(hhmm) if isinstance(hhmm, str) else hhmm
        return format_skeleton("Hm", value, locale=self.locale)

    def duration(self, minutes: int) -> str:
        """90 -> '1 h 30 min'; 2880 -> '2 jours'; whole days, hours and minutes, each unit
        named and pluralised by CLDR."""
        days, rest = divmod(int(minutes), 24 * 60)
        hours, mins = divmod(rest, 60)
        if days and not rest:
            return format_unit(days, "duration-day", length="long", locale=self.locale)
        parts = []
        if days:
            parts.append(format_unit(days, "duration-day", length="short", locale=self.locale))
        if hours:
            parts.append(format_unit(hours, "duration-hour", length="short", locale=self.locale))
        if mins or not parts:
            parts.append(format_unit(mins, "duration-minute", length="short", locale=self.locale))
        return " ".join(parts)

    def country(self, code: str) -> str:
        """'SN' -> 'Sénégal'; an unknown code stays as written."""
        return self.locale.territories.get(code, code) if code else ""

    def language_name(self, code: str) -> str | None:
        """'ar' -> 'arabe' (CLDR), or None when CLDR does not know the code."""
        return self.locale.languages.get(code.replace("-", "_")) or self.locale.languages.get(code.split("-")[0])

    def own_name(self) -> str:
        """The language's name in itself ('Français', 'English', 'العربية')."""
        name = self.locale.get_display_name(self.locale) or self.lang
        return name[:1].upper() + name[1:]

    # --- labels of schema values ----------------------------------------------------------

    def status(self, status: str) -> str:
        return self.gettext(STATUS[status])

    def status_note(self, status: str) -> str:
        return self.gettext(STATUS_NOTE[status])

    def looking_for(self, value: str) -> str:
        return self.gettext(LOOKING_FOR[value])

    def accessibility(self, key: str) -> str:
        return self.gettext(ACCESSIBILITY[key])

    def recording(self, value) -> str:
        return self.gettext(RECORDING[value])


def _as_date(day):
    return dt.date.fromisoformat(day) if isinstance(day, str) else day


@lru_cache(maxsize=None)
def translator(lang: str) -> Translator:
    """The translator of a language (ValueError when there is no catalogue for it)."""
    return Translator(lang)


def bilingual(message: str, langs=("en", "fr"), sep: str = " / ", **values) -> str:
    """One message in several languages, for places read by people of either language
    before they choose one (the issue form, the questions of `agenda new`)."""
    texts = []
    for lang in langs:
        text = translator(lang).gettext(message, **values)
        if text not in texts:
            texts.append(text)
    return sep.join(texts)


class Messages:
    """The API the feeds and exports call: `m.name(names)`, `m.lang`, `m.date(day)`, and
    `m("status.scheduled")` / `m("colon")`. New code uses `translator(lang)` directly."""

    def __init__(self, lang: str):
        self.t = translator(lang)
        self.lang = lang

    def __call__(self, key: str, **values) -> str:
        if key == "colon":
            return self.t.gettext(": ")
        group, _, value = key.partition(".")
        labels = {"status": STATUS, "status_note": STATUS_NOTE, "looking": LOOKING_FOR, "access": ACCESSIBILITY}
        return self.t.gettext(labels[group][value], **values)

    def name(self, names) -> str:
        return self.t.name(names)

    def date(self, day) -> str:
        return self.t.date(day)


def extract_data_descriptions(fileobj, keywords, comment_tags, options):
    """Babel extractor (pyproject.toml): the descriptions the Data page shows, from the
    export schema (`fileobj`) and from exports.CSV_COLUMNS."""
    import json

    from .data.exports import CSV_COLUMNS

    schema = json.load(fileobj)
    fields = schema.get("$defs", {}).get("proposal", {}).get("properties", {})
    for spec in fields.values():
        if spec.get("description"):
            yield 1, "gettext", spec["description"], ["Translators: a field of proposals.json, on the Data page."]
    for _, about in CSV_COLUMNS:
        yield 1, "gettext", about, ["Translators: a column of proposals.csv, on the Data page."]


def extract_schema_descriptions(fileobj, keywords, comment_tags, options):
    """Babel extractor (pyproject.toml): every description of a data schema (proposal,
    event, theme), which `agenda check` shows as the hint of a field's problem."""
    import json

    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                found.append(node["description"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.load(fileobj))
    for description in dict.fromkeys(found):
        yield 1, "gettext", description, ["Translators: a field's description in the schema, the hint agenda check gives."]
