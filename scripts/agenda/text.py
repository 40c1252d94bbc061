"""Rules on single text values: characters that hide content, line breaks, unsafe URLs.

Legitimate scripts keep working: accents, Arabic and Hebrew (and their direction marks
U+200E, U+200F, U+061C), the Persian zero-width non-joiner, emoji joiners and flag tags.
What is refused is what can make a reviewer read something other than what the site shows:
control characters, bidirectional embeddings, overrides and isolates ("Trojan Source"),
and invisible spaces.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .problems import ERROR, Problem, field_path, show

_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0/C1 controls except tab and line feed, DEL, invisible spaces and joiners that are
# not needed by any script, byte-order marks, line/paragraph separators, annotations.
_INVISIBLE = "\u200b\u2028\u2029\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\u180e"
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BAD_ANY = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}]")
_BAD_LINE = re.compile(f"[\t\n{_CONTROL}{_BIDI}{_INVISIBLE}]")
_BIDI_RE = re.compile(f"[{_BIDI}]")

SAFE_SCHEMES = ("https", "http")
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?([A-Za-z][A-Za-z0-9+.\-]*):|<([A-Za-z][A-Za-z0-9+.\-]*):[^\s>]*>|^\s*\[[^\]]+\]:\s*<?([A-Za-z][A-Za-z0-9+.\-]*):", re.M)
_MARKDOWN_SCHEMES = ("https", "http", "mailto")


def _pattern(path):
    return tuple("*" if isinstance(p, int) else p for p in path)


def _char_problem(doc, path, value, match, multiline):
    ch = match.group()
    line, col = doc.where(path)
    name = field_path(path)
    if _BIDI_RE.match(ch):
        return Problem(doc.path, line, col, ERROR, "bidi-control",
                       f"{name} contains the invisible direction control U+{ord(ch):04X}, "
                       f"which can make text display differently from what it is",
                       name, "remove it; right-to-left text displays correctly without it")
    if ch in "\n\t" and not multiline:
        return Problem(doc.path, line, col, ERROR, "line-break",
                       f"{name} must be on one line, but it contains a "
                       f"{'line break' if ch == chr(10) else 'tab'}",
                       name, "use `>-` instead of `|`, or write the value on one line")
    return Problem(doc.path, line, col, ERROR, "control-character",
                   f"{name} contains the invisible character U+{ord(ch):04X} "
                   f"(at character {match.start() + 1} of {show(value, 30)})",
                   name, "delete it and type the text again")


_PLAIN_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?\Z")


def _url_problem(doc, path, value):
    if _PLAIN_WEB_ADDRESS.match(value):  # the common case, without parsing
        return None
    try:
        parts = urlsplit(value)
        ok = (parts.scheme.lower() in SAFE_SCHEMES and bool(parts.hostname)
              and not any(c.isspace() for c in value) and "@" not in parts.netloc)
    except ValueError:
        ok = False
    if ok:
        return None
    name = field_path(path)
    line, col = doc.where(path)
    return Problem(doc.path, line, col, ERROR, "unsafe-url",
                   f"{name} is {show(value)}, which is not a web address starting with https://",
                   name, "only https:// and http:// addresses with a host name are accepted")


def _markdown_link_problems(doc, path, value):
    name = field_path(path)
    for m in _MARKDOWN_LINK.finditer(value):
        scheme = next(g for g in m.groups() if g)
        if scheme.lower() in _MARKDOWN_SCHEMES:
            continue
        line, col = doc.where(path)
        yield Problem(doc.path, line, col, ERROR, "unsafe-url",
                      f"{name} links to a {show(scheme + ':', 20)} address, which is not allowed",
                      name, "link only to https://, http:// or mailto: addresses")


def check_text(doc, markdown_paths, url_paths):
    """Every string of a document: hidden characters, line breaks, URL schemes.

    Most strings are short, clean, one-line text in a field that is neither Markdown nor a
    URL; they cost one regular-expression search and two set look-ups. Only the others
    have their full field pattern computed."""
    problems = []
    url_names = {p[-1] for p in url_paths if p}
    for path, value in doc.strings:
        name = path[-1] if path else None
        # isprintable() is False for line breaks, tabs, controls and every invisible format
        # character; those strings, URLs and Markdown take the precise path below.
        if value.isprintable() and name not in url_names:
            continue
        pattern = _pattern(path)
        multiline = pattern in markdown_paths
        match = (_BAD_ANY if multiline else _BAD_LINE).search(value)
        if match:
            problems.append(_char_problem(doc, path, value, match, multiline))
        if pattern in url_paths:
            p = _url_problem(doc, path, value)
            if p:
                problems.append(p)
        if multiline and ":" in value:
            problems.extend(_markdown_link_problems(doc, path, value))
    return problems
