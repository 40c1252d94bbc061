"""Problems are values: every stage returns them, only the CLI or the plugin shows them.

A contributor reads the same words in the terminal, in pre-commit and as a pull-request
annotation, so the three formatters below share one message and one hint, in the language
the CLI or the plugin chooses: a message is a `Msg`, English text that keeps its gettext
template and values, translated when it is shown (agenda.i18n's catalogues).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import asdict, dataclass

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")

ERROR = "error"
WARNING = "warning"


class Msg(str):
    """A message in English (its value, so that it compares, sorts and prints as text) that
    can be shown in another language: it keeps its gettext template, a %-format string, and
    the values to fill it with. A value may itself be a Msg (a word or a schema description
    that is translated too); other values (names, ids, numbers) are shown as they are.

        Msg("theme %(theme)s is not defined in themes/", theme="'climat'")
        Msg.plural("%(num)s item", "%(num)s items", 3)
    """

    __slots__ = ("template", "plural_template", "count", "values")

    def __new__(cls, template: str, /, **values):
        return cls._make(template, None, None, values)

    @classmethod
    def plural(cls, singular: str, plural: str, count: int, /, **values):
        values.setdefault("num", count)
        return cls._make(singular, plural, count, values)

    @classmethod
    def _make(cls, template, plural_template, count, values):
        chosen = template if plural_template is None or count == 1 else plural_template
        self = super().__new__(cls, chosen % values)  # always a %-format string: %% is a percent sign
        self.template, self.plural_template, self.count, self.values = template, plural_template, count, values
        return self

    def __reduce__(self):  # problems cross process boundaries (repository._check_all_proposals)
        return (_rebuild_msg, (self.template, self.plural_template, self.count, self.values))

    def translate(self, translator) -> str:
        """This message in the translator's language (agenda.i18n.Translator)."""
        values = {k: translated(v, translator) for k, v in self.values.items()}
        if self.plural_template is not None:
            text = translator.raw_ngettext(self.template, self.plural_template, self.count)
            if "num" in values and isinstance(self.values.get("num"), int):
                values["num"] = translator.number(self.values["num"])
        else:
            text = translator.raw_gettext(self.template)
        return text % values


def _rebuild_msg(template, plural_template, count, values):
    return Msg._make(template, plural_template, count, values)


def translated(text, translator=None) -> str:
    """A message in the translator's language; plain text (a name, a file) as it is."""
    if translator is None or not isinstance(text, Msg):
        return str(text)
    return text.translate(translator)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file, at one place, with a stable rule id."""

    file: str
    line: int
    column: int
    severity: str
    rule: str
    message: str
    field: str = ""
    hint: str = ""
    related: str = ""  # the other proposal a cross-file problem names, for acknowledgements

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@functools.lru_cache(maxsize=4096)
def path_pattern(path: tuple) -> tuple:
    """`('proposers', 0, 'name')` -> `('proposers', '*', 'name')`, the schema's pattern for
    the value at a data path. Cached: the same few paths come back in every proposal."""
    return tuple(["*" if type(p) is int else p for p in path])


def field_path(path) -> str:
    """`('proposers', 0, 'name')` -> `proposers[0].name`, the way contributors read it.
    Keys come from the file too: anything but a plain name is quoted and escaped."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = str(part)
            name = part if _PLAIN_KEY.match(part) else show(part, 30)
            out += ("." if out else "") + name
    return out


def show(value, limit: int = 60) -> str:
    """Quote an untrusted value for a message: bounded, and every invisible or control
    character spelled out, so a proposal can neither flood a log nor hide text in it."""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
        if len(value) > limit:
            value = value[: limit - 1] + "…"
        return value
    cut = len(value) > limit
    text = value[:limit]
    if text.isprintable() and not _BLANKS.search(text):  # no control, format or blank: quotes only
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + ("…" if cut else "") + "'"
    out = []
    for ch in text:
        if ch == "'":
            out.append("\\'")
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or _blank(ch):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + ("…" if cut else "") + "'"


# The characters of `_blank`, for one search of a whole text.
_BLANKS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0]")


def _blank(ch: str) -> bool:
    """Invisible characters that Unicode does not class as format or control: variation
    selectors, fillers, the combining grapheme joiner, the braille blank (see text.py)."""
    return _BLANKS.match(ch) is not None


def sort_problems(problems):
    """Files in order, then top to bottom: the order in which a person fixes them."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.rule, p.message))


# --- formatters: a registry, as check-jsonschema does ------------------------------------


def inert(line: str) -> str:
    """A log line that GitHub's runner cannot read as a command. The runner still obeys the
    old `##[command]` form *anywhere* in a line (`##[add-mask]`, `##[stop-commands]`, which
    hides every later annotation), and file names and values in messages come from strangers.
    (`::command::` only counts at the start of a line, where these lines have a file name.)"""
    return line.replace("##[", "#\\#[")


_LABELS = {ERROR: Msg("error"), WARNING: Msg("warning"), "hint": Msg("hint")}


def format_text(problems, translator=None) -> str:
    label = {k: translated(v, translator) for k, v in _LABELS.items()}
    lines = []
    for p in problems:
        where = f" ({p.field})" if p.field else ""
        lines.append(f"{p.file}:{p.line}:{p.column}: {label[p.severity]} [{p.rule}] "
                     f"{translated(p.message, translator)}{where}")
        if p.hint:
            lines.append(f"  {label['hint']}: {translated(p.hint, translator)}")
    return "\n".join(map(inert, lines)) + ("\n" if lines else "")


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping: a proposal cannot end the command early.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems, translator=None) -> str:
    """Workflow commands that GitHub shows inline on the pull request's diff."""
    hint_label = translated(_LABELS["hint"], translator)
    lines = []
    for p in problems:
        kind = "error" if p.is_error else "warning"  # the runner's own words, never translated
        body = translated(p.message, translator) + (f" ({p.field})" if p.field else "")
        if p.hint:
            body += f"\n{hint_label}: {translated(p.hint, translator)}"
        props = ",".join(
            f"{k}={_escape_property(str(v))}"
            for k, v in (
                ("file", p.file),
                ("line", p.line),
                ("col", p.column),
                ("title", f"agenda [{p.rule}]"),
            )
        )
        lines.append(f"::{kind} {props}::{_escape_data(body)}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_json(problems, translator=None) -> str:
    errors = sum(p.is_error for p in problems)
    doc = {
        "problems": [{**asdict(p), "message": translated(p.message, translator), "hint": translated(p.hint, translator)}
                     for p in problems],
        "errors": errors,
        "warnings": len(problems) - errors,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}


def summary(problems, files: int, acknowledged: int = 0, translator=None) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    checked = Msg.plural("%(num)s file checked", "%(num)s files checked", files)
    hidden = Msg.plural(" (%(num)s acknowledged warning not shown)", " (%(num)s acknowledged warnings not shown)",
                        acknowledged) if acknowledged else ""
    if not problems:
        line = Msg("agenda: %(checked)s, no problems%(hidden)s.", checked=checked, hidden=hidden)
    else:
        line = Msg("agenda: %(checked)s: %(errors)s, %(warnings)s%(hidden)s.", checked=checked, hidden=hidden,
                   errors=Msg.plural("%(num)s error", "%(num)s errors", errors),
                   warnings=Msg.plural("%(num)s warning", "%(num)s warnings", warnings))
    return translated(line, translator)
