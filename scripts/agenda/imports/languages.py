"""Source language values ('en', 'de-DE', 'German', 'Deutsch', 'en, de') -> language codes
and their names in French and English, from Babel's CLDR data (already installed with the
site's theme; the complete ISO 639 list in both languages, which a table of our own would
not be)."""

from __future__ import annotations

import re
from functools import cache

_CODE = re.compile(r"([a-z]{2,3})(?:[-_]([a-z]{2}))?\Z", re.I)
_SPLIT = re.compile(r"\s*(?:[,;/&+|]|\s\band\b\s|\s\bund\b\s|\s\bet\b\s)\s*", re.I)


@cache
def _locales():
    from babel import Locale

    return Locale("en"), Locale("fr"), Locale("de")


@cache
def _by_name() -> dict:
    names = {}
    for locale in _locales():
        for code, name in locale.languages.items():
            if _CODE.match(code):
                names.setdefault(name.casefold(), code.replace("_", "-"))
    # The languages' own names, for the most common ones written in themselves.
    for code in ("de", "fr", "es", "it", "nl", "pt", "pl", "cs", "sv", "da", "fi", "nb", "ru", "tr", "el", "hu", "ro"):
        from babel import Locale

        own = Locale(code).languages.get(code)
        if own:
            names.setdefault(own.casefold(), code)
    return names


# ISO 639-2 (bibliographic and terminological) codes of the languages OSEM and others write
# with three letters, to the two-letter codes CLDR uses.
_THREE = {"eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
          "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "ara": "ar", "zho": "zh", "chi": "zh",
          "jpn": "ja", "kor": "ko", "pol": "pl", "ces": "cs", "cze": "cs", "swe": "sv", "dan": "da",
          "fin": "fi", "nor": "no", "nob": "nb", "tur": "tr", "ell": "el", "gre": "el", "hun": "hu",
          "ron": "ro", "rum": "ro", "ukr": "uk", "heb": "he", "hin": "hi", "ind": "id", "vie": "vi",
          "tha": "th", "fas": "fa", "per": "fa", "cat": "ca", "eus": "eu", "baq": "eu", "glg": "gl",
          "swa": "sw", "wol": "wo", "bul": "bg", "hrv": "hr", "srp": "sr", "slk": "sk", "slo": "sk",
          "slv": "sl", "est": "et", "lav": "lv", "lit": "lt", "isl": "is", "ice": "is", "gle": "ga",
          "cym": "cy", "wel": "cy", "msa": "ms", "may": "ms", "tgl": "tl", "ben": "bn", "urd": "ur"}


def code_of(value: str):
    """One language value -> a code our schema accepts ('de', 'pt-BR'), or None."""
    text = value.strip()
    en = _locales()[0].languages
    m = _CODE.match(text)
    if m:
        base = _THREE.get(m.group(1).lower(), m.group(1).lower())
        if base in en:
            return base + (f"-{m.group(2).upper()}" if m.group(2) else "")
    code = _by_name().get(text.casefold())
    if code and _CODE.match(code):
        m = _CODE.match(code)
        return m.group(1).lower() + (f"-{m.group(2).upper()}" if m.group(2) else "")
    return None


def parse(value):
    """A source language field -> (codes in order, pieces that are no known language)."""
    if value is None or not value.strip():
        return [], []
    codes, unknown = [], []
    for piece in _SPLIT.split(value.strip()):
        if not piece:
            continue
        code = code_of(piece)
        if code is None:
            unknown.append(piece)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def names(code: str) -> dict:
    """{'fr': 'allemand', 'en': 'German'}: the language's name in each interface language."""
    en, fr, _ = _locales()
    key = code.replace("-", "_")
    out = {}
    for lang, locale in (("fr", fr), ("en", en)):
        name = locale.languages.get(key) or locale.languages.get(key.split("_")[0]) or code
        out[lang] = name[:1].upper() + name[1:] if lang == "en" else name
    return out
