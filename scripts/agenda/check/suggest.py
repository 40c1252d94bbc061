"""What a person probably meant: the id for a name, the ISO form of a date or a time written
another way, the closest known value. Hints are for people who have never edited YAML, so
they give the value to type, not the rule it breaks.

Month names come from Babel's locale data (French and English), not from a table of ours.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from functools import cache

from .problems import Msg


def slug(text: str) -> str:
    """'Salle Seine (RDC)' -> 'salle-seine-rdc': accents folded, anything else a hyphen."""
    folded = unicodedata.normalize("NFKD", str(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:64].rstrip("-")


def closest(value, known, cutoff: float = 0.7) -> Msg:
    """'climat' -> "did you mean 'climate-sustainable-development'?": compares with whole ids
    and their words; without a close one, lists the known values."""
    value = str(value).lower()

    def score(candidate):
        parts = [candidate, *candidate.replace("/", "-").split("-")]
        return max(difflib.SequenceMatcher(None, value, part).ratio() for part in parts)

    ranked = sorted(known, key=lambda k: (-score(k), k))
    if ranked and score(ranked[0]) >= cutoff:
        return Msg("did you mean '%(value)s'?", value=ranked[0])
    return Msg("known values: %(values)s", values=listing(known))


def listing(values, limit: int = 12) -> str:
    ordered = sorted(values)
    return ", ".join(ordered[:limit]) + (" …" if len(ordered) > limit else "")


def id_for(value, known: dict) -> Msg:
    """A hint for a reference written as a name: the id whose name (in any language) or
    whose own spelling matches, else the closest id, else the list. `known` maps each id to
    the names it is shown with."""
    wanted = slug(value)
    for ident, names in sorted(known.items()):
        if wanted == ident or wanted in {slug(n) for n in names}:
            return Msg("write the id '%(id)s', not the name", id=ident)
    hint = closest(wanted or value, list(known), cutoff=0.6)
    if hint.template.startswith("known"):
        return Msg("write one of the ids: %(ids)s", ids=listing(known))
    return hint


@cache
def _month_names() -> dict:
    """'décembre' / 'dec' / 'december' -> 12, in French and English (Babel's CLDR data)."""
    from babel import Locale

    names = {}
    for code in ("fr", "en"):
        months = Locale.parse(code).months["format"]
        for width in ("wide", "abbreviated"):
            for number, name in months[width].items():
                names[slug(name).replace("-", "")] = number
    return names


_NUMERIC_DATE = re.compile(r"\s*([0-9]{1,4})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,4})\s*\Z")
_WORDS_DATE = re.compile(r"\s*(?:[^\W\d]+\.?,?\s+)?([0-9]{1,2})(?:er|st|nd|rd|th)?\s+([^\W\d]+)\.?,?\s+([0-9]{4})\s*\Z"
                         r"|\s*([^\W\d]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})\s*\Z")


def iso_date(text, within=None):
    """A date written another way -> 'YYYY-MM-DD', or None. '07/12/2016' is read day first
    (as in French), unless only the other reading falls within `within` (first, last)."""
    text = str(text)
    candidates = []
    m = _NUMERIC_DATE.match(text)
    if m:
        a, b, c = m.groups()
        if len(a) == 4:
            candidates = [(int(a), int(b), int(c))]
        elif len(c) in (2, 4):
            year = int(c) + (2000 if len(c) == 2 else 0)
            candidates = [(year, int(b), int(a)), (year, int(a), int(b))]
    m = _WORDS_DATE.match(text)
    if m:
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        number = _month_names().get(slug(month).replace("-", ""))
        if number:
            candidates = [(int(year), number, int(day))]
    dates = []
    for y, mo, d in candidates:
        try:
            dates.append(dt.date(y, mo, d))
        except ValueError:
            continue
    if not dates:
        return None
    if within and within[0] and within[1]:
        inside = [d for d in dates if within[0] <= d <= within[1]]
        dates = inside or dates
    return dates[0].isoformat()


_TIME = re.compile(r"\s*([0-9]{1,2})\s*(?:[:hH.]\s*([0-9]{2})?)?\s*(a\.?m\.?|p\.?m\.?)?\s*\Z", re.I)


def iso_time(text):
    """'10h30', '9:30', '10.30', '2 pm' -> 'HH:MM' (24-hour), or None."""
    m = _TIME.match(str(text))
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    meridiem = (m.group(3) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


@cache
def _countries() -> dict:
    """'france' / 'senegal' / 'sénégal' -> 'FR' / 'SN', from Babel's French and English names."""
    from babel import Locale

    names = {}
    for code in ("fr", "en"):
        for territory, name in Locale.parse(code).territories.items():
            if len(territory) == 2 and territory.isalpha():
                names.setdefault(slug(name), territory)
    return names


def country_code(text):
    """A country written by name or in lower case -> its ISO 3166-1 code, or None."""
    text = str(text).strip()
    if len(text) == 2 and text.isalpha() and text.isascii():
        return text.upper()
    return _countries().get(slug(text))
