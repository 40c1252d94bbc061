"""Rules on single text values: characters that hide content, line breaks, unsafe URLs.

What must be true: a reviewer reads exactly what the site will show. So a character that is
invisible by definition is refused, whatever its name: every *format* character (Unicode
general category Cf) and every *Default_Ignorable_Code_Point* (a renderer shows nothing for
it: soft hyphen, fillers, variation selectors, tags, invisible operators, interlinear
annotations...), C0/C1 controls, line and paragraph separators, lone surrogates, and U+2800
(the braille blank, drawn as a space). The ranges are written out below (Unicode 15.1) rather
than read from `unicodedata`, so the rule does not change with the Python version.

Real scripts need a few of them; those are kept only where they do their job:

* LRM, RLM and ALM (U+200E, U+200F, U+061C): direction marks for mixed Arabic, Hebrew and
  Latin text. Unlike embeddings and overrides they cannot reorder a run, only a neutral.
* ZWNJ and ZWJ (U+200C, U+200D): spelling in Persian, Arabic and Indic scripts, and emoji
  sequences (👩‍💻). One at a time, between two non-ASCII characters: a joiner next to ASCII,
  a space or another joiner joins nothing and is the classic zero-width watermark.
* VS1–VS16 (U+FE00–U+FE0F) right after the character they select a glyph for (❤️, 1️⃣,
  ≩︀), and the Mongolian free variation selectors after a Mongolian letter. After ASCII only
  the keycap forms are real (# * 0–9 with VS15/VS16, 0 with VS1). VS17–VS256 (U+E0100–E01EF,
  ideographic variants) are refused: a name reads the same without them, and a run of them
  carries hidden data ("emoji smuggling").
* Tag characters (U+E0020–E007F) only as an emoji tag sequence in its valid form: the black
  flag U+1F3F4, a subdivision code of 3 to 6 tag letters or digits, then CANCEL TAG (the
  flags of England, Scotland, Wales). Anywhere else they are invisible text.
* The prepended concatenation marks (U+0600–0605, U+06DD...) are format characters that are
  *drawn* (Arabic number signs): they are not in the refused ranges.

Fast path: ASCII strings cost `str.isprintable()`; other strings one search of one
character class. Only strings with a suspect character take the precise, contextual path.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

from .problems import ERROR, Msg, Problem, field_path, path_pattern, show

_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
# Default_Ignorable_Code_Point and Cf (Unicode 15.1), without the bidi controls above and the
# drawn prepended concatenation marks; plus the braille blank.
_IGNORABLE_BMP = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                  "\u2060-\u2065\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb")
_IGNORABLE_ASTRAL = "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
_INVISIBLE = re.compile(f"[{_CONTROL}{_BIDI}{_IGNORABLE_BMP}{_IGNORABLE_ASTRAL}]")
# The searches: a class of BMP characters is a bitmap for the regular-expression engine, a few
# astral ranges beside it make every character cost a list of comparisons (3x slower on a
# description). So the searches take every astral character, and `first_hidden` drops the
# astral ones that are not in the ranges above (emoji, mostly).
_ASTRAL = "\U00010000-\U0010ffff"
_SUSPECT_ANY = re.compile(f"[{_CONTROL}{_BIDI}{_IGNORABLE_BMP}{_ASTRAL}]")
_SUSPECT_LINE = re.compile(f"[\t\n{_CONTROL}{_BIDI}{_IGNORABLE_BMP}{_ASTRAL}]")
# A long text without astral characters (its UTF-16 form has two bytes a character) is searched
# without the astral range, twice as fast.
_SUSPECT_ANY_BMP = re.compile(f"[{_CONTROL}{_BIDI}{_IGNORABLE_BMP}]")
_SUSPECT_LINE_BMP = re.compile(f"[\t\n{_CONTROL}{_BIDI}{_IGNORABLE_BMP}]")
_ASCII_ANY = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_LINE = re.compile("[\x00-\x1f\x7f]")
_BIDI_RE = re.compile(f"[{_BIDI}]")

_MARKS = frozenset("\u200e\u200f\u061c")
_JOINERS = frozenset("\u200c\u200d")
_EMOJI_VS = frozenset("\ufe0e\ufe0f")
_KEYCAP_BASES = frozenset("#*0123456789")
_MONGOLIAN_FVS = frozenset("\u180b\u180c\u180d\u180f")
_FLAG_TAGS = re.compile("\U0001f3f4([\U000e0061-\U000e007a]{2}[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,4}\U000e007f)")

SAFE_SCHEMES = ("https", "http")
MAX_LINK_PROBLEMS = 10  # per text: each address once, and a flood of them stays readable


@functools.cache
def _last_names(*pattern_sets):
    return frozenset(p[-1] for patterns in pattern_sets for p in patterns if p)


def _pattern(path):
    if len(path) == 1:  # a top-level field: its name is its pattern
        return path
    return path_pattern(path)


def _visible_base(ch: str) -> bool:
    return not ch.isspace() and not _INVISIBLE.match(ch)


def _allowed_here(value: str, i: int, flag_spans) -> bool:
    """Is the suspect character value[i] one that a real script needs, where it stands?"""
    ch = value[i]
    if ch in _MARKS:
        return True
    prev = value[i - 1] if i else ""
    if ch in _JOINERS:
        nxt = value[i + 1] if i + 1 < len(value) else ""
        return (bool(prev) and bool(nxt) and not prev.isascii() and not nxt.isascii()
                and (_visible_base(prev) or prev in _EMOJI_VS) and _visible_base(nxt))
    if "\ufe00" <= ch <= "\ufe0f":
        if not prev or not _visible_base(prev):
            return False
        if prev.isascii():
            return (prev in _KEYCAP_BASES and ch in _EMOJI_VS) or (prev == "0" and ch == "\ufe00")
        return True
    if ch in _MONGOLIAN_FVS:
        return "\u1820" <= prev <= "\u18aa"
    if "\U000e0020" <= ch <= "\U000e007f":
        return any(start <= i < end for start, end in flag_spans)
    return False


def first_hidden(value: str, multiline: bool):
    """The first character of `value` that the rules refuse, as a regex match, or None."""
    if value.isascii():
        return (_ASCII_ANY if multiline else _ASCII_LINE).search(value)
    flag_spans = None
    if len(value) > 200 and len(value.encode("utf-16-le", "surrogatepass")) == 2 * len(value):
        search = _SUSPECT_ANY_BMP if multiline else _SUSPECT_LINE_BMP  # no astral character to look at
    else:
        search = _SUSPECT_ANY if multiline else _SUSPECT_LINE
    for match in search.finditer(value):
        ch = match.group()
        if ch > "\uffff" and not _INVISIBLE.match(ch):
            continue  # an emoji or another visible astral character
        if ch in "\t\n" or _BIDI_RE.match(ch):
            return match
        if flag_spans is None:
            flag_spans = [m.span(1) for m in _FLAG_TAGS.finditer(value)] if "\U000e007f" in value else []
        if not _allowed_here(value, match.start(), flag_spans):
            return match
    return None


def _char_name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def _char_problem(doc, path, value, match, multiline):
    ch = match.group()
    line, col = doc.where(path)
    name = field_path(path)
    if _BIDI_RE.match(ch):
        return Problem(doc.path, line, col, ERROR, "bidi-control",
                       Msg("%(name)s contains the invisible direction control U+%(code)s, which can make text display "
                           "differently from what it is", name=name, code=format(ord(ch), "04X")),
                       name, Msg("remove it; right-to-left text displays correctly without it"))
    if ch in "\n\t" and not multiline:
        return Problem(doc.path, line, col, ERROR, "line-break",
                       Msg("%(name)s must be on one line, but it contains a line break", name=name) if ch == "\n" else
                       Msg("%(name)s must be on one line, but it contains a tab", name=name),
                       name, Msg("use `>-` instead of `|`, or write the value on one line"))
    return Problem(doc.path, line, col, ERROR, "control-character",
                   Msg("%(name)s contains the invisible character %(char)s (at character %(position)s of %(text)s)",
                       name=name, char=_char_name(ch), position=match.start() + 1, text=show(value, 30)),
                   name, Msg("delete it and type the text again; joiners, variation selectors and tags are kept only inside the words and emoji that need them"))


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
                   Msg("%(name)s is %(value)s, which is not a web address starting with https://", name=name, value=show(value)),
                   name, Msg("only https:// and http:// addresses with a host name are accepted"))


# Where Markdown could hold a link whose address does not plainly start with https://, http://
# or mailto: an inline link or image `](`, a reference definition `]:`, an autolink `<x:`.
# Every link has one of these just before its address, so text without a match has no link
# to refuse and is not parsed (most descriptions). Text with one is parsed by markdown-it,
# and only what it reads as a link counts: `javascript:` in a code span is not a link.
_SAFE_START = r"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Mm][Aa][Ii][Ll][Tt][Oo]:)"
_LINK_CANDIDATE = re.compile(rf"\][(:]\s*<?(?!{_SAFE_START})|<(?!{_SAFE_START})[A-Za-z][A-Za-z0-9+.\-]*:")


def _may_hold_unsafe_link(value: str) -> bool:
    """Cheap and sound: False means markdown-it would find no link to refuse in `value`.
    (One character is found faster than two: `]` and `<` are looked for first.)"""
    if "]" not in value:
        return "<" in value and _LINK_CANDIDATE.search(value) is not None
    if "](" in value:  # counting first: most links are written `](https://`
        plain = value.count("](https://") + value.count("](http://") + value.count("](mailto:")
        if value.count("](") != plain:
            return _LINK_CANDIDATE.search(value) is not None
    if "]:" in value or "<" in value:
        return _LINK_CANDIDATE.search(value) is not None
    return False


def _markdown_link_problems(doc, path, value):
    from ..site import markdown  # only for the few texts that need it: markdown-it costs an import

    name = field_path(path)
    seen = set()
    for url, text_line in markdown.links(value):
        if markdown.link_allowed(url) or url in seen:
            continue
        seen.add(url)
        if len(seen) > MAX_LINK_PROBLEMS:  # one reference used a thousand times is one problem
            break
        line, col = doc.where(path)
        yield Problem(doc.path, line, col, ERROR, "unsafe-url",
                      Msg("%(name)s links to %(url)s (line %(text_line)s of the text), which is not an https://, http:// or mailto: address", name=name, url=show(url, 40), text_line=text_line),
                      name, Msg("link only to https://, http:// or mailto: addresses; to show such an address as code, put it between backticks"))


# --- Markdown that renders far larger than it is --------------------------------------------
# `markdown.render_markdown` is exact but costs about 0.5 ms a description, as much as the rest
# of the check of a proposal; these counts bound its output without importing it.

MAX_HTML_BYTES = 256 * 1024
# Without tables and reference definitions, the HTML of any text is at most MAX_RATIO times its
# UTF-8 size plus a constant: the worst measured is 34x, for blockquotes nested 20 deep
# (`>>>>>`, markdown-it's nesting limit), against 1-3x for prose. tests/test_text.py checks
# every bound below on hostile and random texts.
MAX_RATIO = 48
_RATIO_SLACK = 64
# A table row, however short, gets every column of its table: at most this many bytes per
# cell (`<td dir="auto"></td>` and a line break) and per row (`<tr>`, `</tr>`).
_CELL_BYTES, _ROW_BYTES, _TABLE_BYTES = 21, 12, 64
# A table's delimiter row (`|---|:-:|`), also inside blockquotes and lists; a superset is fine:
# a line holding a hyphen, made of `|`, `:`, `-`, spaces and tabs after any `>`. Written so that
# no two repeats can trade characters (a line of 20,000 hyphens and one letter cost 1.6 s).
_TABLE_DELIMITER = re.compile(r"^(?=[^\n]*-)[ \t>]*[|:-][|: \t-]*$", re.M)


def html_bound(text: str) -> int | None:
    """An upper bound of the size of `markdown.render_markdown(text)` in bytes, from counts
    only (no parsing), or None when there is no cheap one (the text defines a link reference)."""
    if "]" in text and "]:" in text:  # a reference definition (`[r]: address`) is copied into
        return None                   # every link that uses it: no bound from the text's length
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    bound = size * MAX_RATIO + _RATIO_SLACK
    if "|" in text and "-" in text:
        rows = text.count("\n") + 1
        for delimiter in _TABLE_DELIMITER.finditer(text):
            columns = delimiter.group().count("|") + 1
            bound += _TABLE_BYTES + (columns * _CELL_BYTES + _ROW_BYTES) * rows
    return bound


def may_amplify(text: str) -> bool:
    """Could `text` render to more than MAX_HTML_BYTES? False is a guarantee (the check then
    skips rendering it); True means: render it and measure. Under about 5 KB, only a text
    with a reference definition or a table of very many cells is rendered."""
    bound = html_bound(text)
    return bound is None or bound > MAX_HTML_BYTES


def _amplification_problem(doc, path, value):
    if not may_amplify(value):
        return None
    from ..site import markdown  # only for the few texts that need it: markdown-it costs an import

    size = markdown.rendered_size(value)
    if size <= MAX_HTML_BYTES:
        return None
    name = field_path(path)
    line, col = doc.where(path)
    return Problem(doc.path, line, col, ERROR, "too-long",
                   Msg("%(name)s becomes %(size)s bytes of HTML on the site, more than the %(max_html_bytes)s allowed for one text", name=name, size=format(size, ','), max_html_bytes=format(MAX_HTML_BYTES, ',')),
                   name, Msg("each use of a reference link repeats its address, each row of a table all its columns: write addresses inline, and use fewer columns or links"))


def check_text(doc, markdown_paths, url_paths):
    """Every string of a document: hidden characters, line breaks, URL schemes, and the size
    of Markdown once rendered.

    Most strings are short, clean, one-line text in a field that is neither Markdown nor a
    URL; they cost one `isprintable()` (ASCII) or one regular-expression search and a set
    look-up. Only the others have their full field pattern computed."""
    problems = []
    precise_names = _last_names(markdown_paths, url_paths)  # URLs and Markdown: always looked at
    for path, value in doc.strings:  # every path has a name: the file holds a mapping
        if path[-1] not in precise_names:
            # isprintable() is False for line breaks, tabs and controls, the only suspects in ASCII.
            if value.isprintable() if value.isascii() else not _SUSPECT_LINE.search(value):
                continue
        pattern = _pattern(path)
        multiline = pattern in markdown_paths
        match = first_hidden(value, multiline)
        if match:
            problems.append(_char_problem(doc, path, value, match, multiline))
        if pattern in url_paths:
            p = _url_problem(doc, path, value)
            if p:
                problems.append(p)
        if multiline:
            if _may_hold_unsafe_link(value):
                problems.extend(_markdown_link_problems(doc, path, value))
            p = _amplification_problem(doc, path, value)
            if p:
                problems.append(p)
    return problems


def _comment_start(line: str):
    """Where a YAML comment starts on a line (a # at the start or after a space, outside
    quotes), or None. A # inside a block scalar is text, checked with its value."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t:-[{,"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return None


def check_comments(path: str, text: str, values_reported=frozenset()):
    """Comments are not data, but a reviewer reads them in the diff: a direction control or
    an invisible character there can make the file say something else than it seems (Trojan
    Source). Lines whose values were already reported are left to those messages.

    `text` is a file libyaml has read, so its only control characters are tabs and line
    breaks, and an ASCII line hides nothing. A carriage return ends a line, as for libyaml
    (CRLF from Windows, or alone): it is not a character in a comment."""
    problems = []
    if text.isascii():
        return problems
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # the parser's lines, numbered alike
    # A comment holds a #: only the lines that do are read (found by str.find, in C).
    end = 0
    while (found := text.find("#", end)) != -1:
        begin = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end == -1 else end
        line = text[begin:end]
        if line.isascii() or not _SUSPECT_LINE.search(line.replace("\t", " ")):
            continue
        number = text.count("\n", 0, begin) + 1
        if number in values_reported:
            continue
        start = _comment_start(line)
        if start is None:
            continue
        match = first_hidden(line[start:].replace("\t", " "), multiline=False)
        if match is None:
            continue
        ch, column = match.group(), start + match.start() + 1
        if _BIDI_RE.match(ch):
            problems.append(Problem(path, number, column, ERROR, "bidi-control",
                                    Msg("a comment contains the invisible direction control U+%(code)s, which can make "
                                        "the file read differently from what it is", code=format(ord(ch), "04X")),
                                    "", Msg("remove it; right-to-left text displays correctly without it")))
        else:
            problems.append(Problem(path, number, column, ERROR, "control-character",
                                    Msg("a comment contains the invisible character %(char)s", char=_char_name(ch)),
                                    "", Msg("delete it, or the whole comment")))
    return problems
