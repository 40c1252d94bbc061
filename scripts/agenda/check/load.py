"""Bytes from a stranger's pull request -> plain data, with the line and column of every node.

The policy is strict because PyYAML's defaults change what people wrote: `no` becomes False,
`10:30` becomes 630, `060` becomes 48, dates become objects, duplicate keys silently keep the
last value, and aliases can blow up memory later. So the loader walks libyaml's event stream
(the C parser, about ten times faster than the pure-Python one) and builds the data itself:

* only plain true/false (also True, TRUE…) are booleans, plain null (Null, NULL), ~ and
  empty are null, and plain decimal integers without a leading zero are integers (the YAML
  1.2 core schema, without floats); every other scalar is kept as the text written;
* anchors, aliases, merge keys (`<<`), explicit tags, duplicate keys, non-text keys,
  nesting deeper than MAX_DEPTH and several documents are refused;
* files over MAX_BYTES, not UTF-8 (UTF-16 included) or holding a NUL byte are refused.
* a carriage return escaped in a quoted value (backslash r, alone or before backslash n) becomes
  a line feed, as the file's own CRLF line endings do: a one-line field then reports a line
  break, not an invisible character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml import events as ev

from .problems import ERROR, Msg, Problem, field_path, show

try:  # libyaml; the pure-Python parser is the fallback, with the same events
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - every wheel of PyYAML ships libyaml
    from yaml import SafeLoader as _Parser

_SCALAR, _ALIAS = ev.ScalarEvent, ev.AliasEvent
_SEQ_START, _SEQ_END, _MAP_START, _MAP_END = (ev.SequenceStartEvent, ev.SequenceEndEvent,
                                              ev.MappingStartEvent, ev.MappingEndEvent)
_DOC_START, _STREAM_END = ev.DocumentStartEvent, ev.StreamEndEvent

MAX_BYTES = 64 * 1024
MAX_DEPTH = 12

_ONCE = frozenset(("yaml-anchor", "yaml-alias", "yaml-tag", "too-deep"))
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})\Z")
_NUMBER_START = frozenset("-0123456789")
# The only plain scalars that are not text (YAML 1.2 core schema, without floats).
_TYPED = {"": None, "~": None, "null": None, "Null": None, "NULL": None,
          "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass(slots=True)
class Document:
    """A loaded file: its data and where each value and key was written (1-based)."""

    path: str
    data: object
    values: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    source: str | None = None  # file to parse again when positions were dropped
    strings: list = field(default_factory=list)  # (path, text) of every string, for text rules

    def drop_positions(self):
        """Valid files travel between processes without their positions (the fast path);
        the few that a cross-file rule reports on are parsed again by `where`."""
        if self.source:
            self.values, self.keys, self.strings = {}, {}, []
        return self

    def _positions(self):
        if not self.values and self.source:
            with open(self.source, "rb") as fh:
                again, _ = load_bytes(self.path, fh.read())
            if again is not None:
                self.values, self.keys = again.values, again.keys

    def where(self, path=()):
        """Line and column of the value at `path`, or of its nearest written ancestor."""
        self._positions()
        path = tuple(path)
        while path and path not in self.values:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def where_key(self, path):
        """Line and column of the key that introduces `path` (for unknown keys)."""
        self._positions()
        return self.keys.get(tuple(path)) or self.where(path)


def _problem(path, line, col, rule, message, hint="", field_=""):
    return Problem(path, line, col, ERROR, rule, message, field_, hint)


def decode(path: str, raw: bytes):
    """Bytes -> text, or a problem. Git shows UTF-16 as binary, so it is refused too."""
    if len(raw) > MAX_BYTES:
        return None, _problem(
            path, 1, 1, "file-too-large",
            Msg("the file is %(size)s bytes; the limit is %(limit)s", size=format(len(raw), ","), limit=format(MAX_BYTES, ",")),
            Msg("shorten the description, or link to a longer document"),
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and b"\x00" in raw[:4]):
        return None, _problem(
            path, 1, 1, "not-utf8", Msg("the file is UTF-16 or UTF-32, not UTF-8"),
            Msg("save the file again with the UTF-8 encoding"),
        )
    raw = without_bom(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, _problem(
            path, line, col, "not-utf8", Msg("byte 0x%(byte)s is not valid UTF-8", byte=format(raw[exc.start], "02x")),
            Msg("save the file again with the UTF-8 encoding"),
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, _problem(path, line, 1, "not-utf8", Msg("the file contains a NUL byte"),
                              Msg("this looks like a binary file; proposals are text"))
    return text, None


_SYNTAX_HINTS = (
    ("cannot start any token", Msg("use spaces, not tabs, and put text that starts with @, ` or %% in quotes")),
    ("mapping values are not allowed", Msg("a value that contains ': ' must be put in quotes")),
    ("could not find expected ':'", Msg("check the indentation, or put the value in quotes")),
    ("did not find expected key", Msg("check the indentation of this line and the line above")),
    ("did not find expected '-'", Msg("check the indentation of the list items")),
    ("found unexpected end of stream", Msg("a quote or bracket is not closed")),
    ("special characters are not allowed", Msg("remove the invisible control character")),
    ("found undefined", Msg("a quote or bracket is not closed")),
)


def _syntax_problem(path: str, exc: yaml.YAMLError, text: str = "") -> Problem:
    """The parser notices a mistake where it can no longer go on, which is often lines after
    the mistake itself (an unclosed quote swallows the lines that follow). Report it where
    a person must edit: the opening of an unclosed quote or bracket."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    opened = getattr(exc, "context_mark", None)
    if "nesting depth" in what:  # libyaml's own limit, met before ours when reading ahead
        return _problem(path, line, col, "too-deep", Msg("the data is nested more than %(max_depth)s levels deep", max_depth=MAX_DEPTH),
                        Msg("proposals only need a few levels; check the indentation"))
    if opened is not None and context in _OPENERS:
        thing, hint = _OPENERS[context]
        return _problem(path, opened.line + 1, opened.column + 1, "yaml-syntax",
                        Msg("this is not valid YAML: the %(thing)s that starts here is not closed (the parser stopped at line %(line)s: %(what)s)", thing=thing, line=line, what=what), hint)
    quote = _unclosed_quote(text, line)
    if quote is not None:
        return _problem(path, quote[0], quote[1], "yaml-syntax",
                        Msg("this is not valid YAML: the quote that starts here is not closed on its line (the parser stopped at line %(line)s: %(what)s)", line=line, what=what),
                        Msg("close the quote at the end of the value; inside \"…\", write \\\" for a quote mark"))
    hint = next((h for key, h in _SYNTAX_HINTS if key in what), Msg("check the YAML syntax near this line"))
    return _problem(path, line, col, "yaml-syntax", Msg("this is not valid YAML: %(what)s", what=what), hint)


_OPENERS = {
    "while scanning a quoted scalar": (Msg("quoted text"), Msg("close the quote at the end of the value")),
    "while parsing a flow sequence": (Msg("list in [ ]"), Msg("close the list with ], separating items with commas")),
    "while parsing a flow mapping": (Msg("group in { }"), Msg("close the group with }, separating fields with commas")),
}
_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^:#]*:\s+)?(["'])""")


def _unclosed_quote(text: str, stop_line: int):
    """(line, column) of the last value before `stop_line` that opens a quote it does not
    close on its own line: where a quoted value swallowed the lines after it."""
    found = None
    for number, line in enumerate(text.splitlines()[:stop_line], 1):
        m = _QUOTED_VALUE.match(line)
        if m is None:
            continue
        quote, rest = m.group(1), line[m.end():]
        closed = (re.search(r'(?<!\\)(?:\\\\)*"', rest) if quote == '"'
                  else re.search(r"'(?!')", rest.replace("''", "")))
        if closed is None:
            found = (number, m.end())
    return found


def normalise_line_breaks(text: str) -> str:
    """CRLF and lone CR -> LF: a line break is a line break, however it was written."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _NeedsPositions(Exception):
    """Raised on the fast path (no positions) at the first thing the rules refuse."""


class _Walker:
    """Builds data from parser events; records positions and policy problems."""

    def __init__(self, path: str, stream, positions: bool = True):
        self.path = path
        self.parser = _Parser(stream)
        self.problems: list[Problem] = []
        self.values: dict | None = {} if positions else None
        self.keys: dict = {}
        self.strings: list = []
        self.next = self.parser.get_event  # the hot loop: one bound method, looked up once

    def refuse(self, event, rule, message, hint, path=()):
        if self.values is None:  # the fast path has no positions: read again with them
            raise _NeedsPositions
        if rule in _ONCE and any(p.rule == rule for p in self.problems):
            return  # one alias bomb is one problem, not thousands of lines
        mark = event.start_mark
        self.problems.append(_problem(self.path, mark.line + 1, mark.column + 1, rule,
                                      message, hint, field_path(path)))

    def check_node(self, event, path):
        if event.anchor is not None:
            self.refuse(event, "yaml-anchor", Msg("anchors (&%(anchor)s) are not allowed", anchor=show(event.anchor, 30)[1:-1]),
                        Msg("write the value out in full instead of reusing it"), path)
        if event.tag is not None:
            self.refuse(event, "yaml-tag", Msg("explicit tags (%(tag)s) are not allowed", tag=show(event.tag, 30)),
                        Msg("remove the tag; put the value in quotes if it is text"), path)

    def node(self, event, path, depth):
        cls = type(event)
        if self.values is not None:
            mark = event.start_mark
            self.values[path] = (mark.line + 1, mark.column + 1)
        if cls is _ALIAS:
            self.refuse(event, "yaml-alias", Msg("aliases (*name) are not allowed"),
                        Msg("write the value out in full instead of referring to an anchor"), path)
            return None
        if event.anchor is not None or event.tag is not None:
            self.check_node(event, path)
        if cls is _SCALAR:
            value = self.scalar(event)
            if type(value) is str:
                self.strings.append((path, value))
            return value
        if depth >= MAX_DEPTH:
            self.refuse(event, "too-deep", Msg("the data is nested more than %(max_depth)s levels deep", max_depth=MAX_DEPTH),
                        Msg("proposals only need a few levels; check the indentation"), path)
            self.skip(event)
            return None
        if cls is _SEQ_START:
            items = []
            while True:
                child = self.next()
                if type(child) is _SEQ_END:
                    return items
                items.append(self.node(child, path + (len(items),), depth + 1))
        if cls is _MAP_START:
            return self.mapping(path, depth)
        raise yaml.YAMLError(f"unexpected {cls.__name__}")  # pragma: no cover - libyaml forbids it

    def mapping(self, path, depth):
        if self.values is None:
            return self.mapping_fast(path, depth)
        result = {}
        next_event = self.next
        while True:
            key_event = next_event()
            if type(key_event) is _MAP_END:
                return result
            if type(key_event) is not _SCALAR:
                self.refuse(key_event, "yaml-complex-key", Msg("keys must be plain names, not lists or mappings"),
                            Msg("write `name: value` pairs"), path)
                self.skip(key_event)
                self.skip(self.next())
                continue
            if key_event.anchor is not None or key_event.tag is not None:
                self.check_node(key_event, path)
            key = key_event.value
            value_event = next_event()
            if key == "<<" and key_event.style == "":
                self.refuse(key_event, "yaml-merge-key", Msg("merge keys (<<) are not allowed"),
                            Msg("write every field out in full"), path)
                self.skip(value_event)
                continue
            child = path + (key,)
            if key in result:
                first = self.keys.get(child, ("?",))
                self.refuse(key_event, "duplicate-key", Msg("the key %(key)s appears twice", key=show(key, 40)),
                            Msg("it was first written at line %(first)s; keep one of them", first=first[0]), child)
                self.skip(value_event)
                continue
            mark = key_event.start_mark
            self.keys[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.node(value_event, child, depth + 1)

    def mapping_fast(self, path, depth):
        """`mapping` without positions, for the valid majority: the hot loop of `agenda
        check`. Anything the rules refuse raises _NeedsPositions (through `refuse`), and the
        file is read again by `mapping`, which says where."""
        result = {}
        next_event = self.next
        while True:
            key_event = next_event()
            cls = type(key_event)
            if cls is _MAP_END:
                return result
            if cls is not _SCALAR or key_event.anchor is not None or key_event.tag is not None:
                raise _NeedsPositions
            key = key_event.value
            value_event = next_event()
            if key in result or (key == "<<" and key_event.style == ""):
                raise _NeedsPositions
            result[key] = self.value_fast(value_event, path + (key,), depth + 1)

    def value_fast(self, event, path, depth):
        """`node` without positions: scalars inlined (most values are plain text), and
        lists and mappings read by the fast loops."""
        if event.anchor is not None or event.tag is not None:
            raise _NeedsPositions
        cls = type(event)
        if cls is _SCALAR:
            value = event.value
            if event.style != "":
                if "\r" in value:
                    value = normalise_line_breaks(value)
            else:
                value = _TYPED.get(value, value)
                if type(value) is not str:
                    return value
                if value[0] in _NUMBER_START and _INT.match(value):
                    return int(value)
            self.strings.append((path, value))
            return value
        if depth >= MAX_DEPTH or cls is _ALIAS:
            raise _NeedsPositions
        if cls is _MAP_START:
            return self.mapping_fast(path, depth)
        items = []
        next_event, value_fast = self.next, self.value_fast
        while True:
            child = next_event()
            if type(child) is _SEQ_END:
                return items
            items.append(value_fast(child, path + (len(items),), depth + 1))

    @staticmethod
    def scalar(event):
        value = event.value
        if event.style != "" or event.tag is not None:
            return normalise_line_breaks(value) if "\r" in value else value
        value = _TYPED.get(value, value)
        if type(value) is str and value[0] in _NUMBER_START and _INT.match(value):
            return int(value)
        return value

    def skip(self, event):
        """Consume the rest of a node without building it (refused or too deep)."""
        depth = 0 if type(event) in (_SCALAR, _ALIAS) else 1
        while depth:
            cls = type(self.next())
            if cls in (_SEQ_START, _MAP_START):
                depth += 1
            elif cls in (_SEQ_END, _MAP_END):
                depth -= 1

    def document(self):
        self.next()  # StreamStart
        first = self.next()
        if type(first) is _STREAM_END:
            return None
        data = self.node(self.next(), (), 0)
        self.next()  # DocumentEnd
        extra = self.next()
        if type(extra) is _DOC_START:
            self.refuse(extra, "multiple-documents", Msg("the file holds more than one YAML document"),
                        Msg("remove the `---` line and everything after it, or split the file"))
        return data


def load_text(path: str, text: str, positions: bool = True, utf8: bytes | None = None):
    """Text -> (Document or None, problems). None when the file cannot be trusted.

    Without `positions` (the fast path for the valid majority) no line numbers are kept;
    a file with a problem is read again with them, so every problem still has its place.
    `utf8` is the same text as UTF-8 bytes, when the caller has them: the fast path gives
    them to libyaml, which would otherwise encode the text again (a few percent of its time).
    Line and column need the text itself (libyaml counts bytes of bytes)."""
    walker = _Walker(path, utf8 if utf8 is not None and not positions else text, positions)
    try:
        data = walker.document()
    except _NeedsPositions:
        return load_text(path, text, positions=True)
    except yaml.YAMLError as exc:
        return None, walker.problems + [_syntax_problem(path, exc, text)]
    if walker.problems:
        if not positions:
            return load_text(path, text, positions=True)
        return None, walker.problems
    if data is None:
        return None, [_problem(path, 1, 1, "empty-file", Msg("the file is empty"),
                               Msg("copy docs/proposal-template.yaml and fill it in"))]
    if not isinstance(data, dict):
        if not positions:
            return load_text(path, text, positions=True)
        line, col = (walker.values or {}).get((), (1, 1))
        kind = Msg("a list") if isinstance(data, list) else Msg("a single value")
        return None, [_problem(path, line, col, "not-a-mapping",
                               Msg("the file must hold `field: value` pairs, not %(kind)s", kind=kind),
                               Msg("start each line with a field name such as `title:`"))]
    return Document(path, data, walker.values or {}, walker.keys, strings=walker.strings), []


def load_bytes(path: str, raw: bytes, positions: bool = True):
    """Bytes -> (Document or None, problems)."""
    text, problem = decode(path, raw)
    if problem:
        return None, [problem]
    return load_text(path, text, positions, utf8=without_bom(raw))


def without_bom(raw: bytes) -> bytes:
    """The bytes after a UTF-8 byte-order mark, which `decode` accepts and drops."""
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
