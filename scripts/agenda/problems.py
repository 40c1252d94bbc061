"""Problems are values: every stage returns them, only the CLI or the plugin shows them.

A contributor reads the same words in the terminal, in pre-commit and as a pull-request
annotation, so the three formatters below share one message and one hint.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")

ERROR = "error"
WARNING = "warning"


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


def _blank(ch: str) -> bool:
    """Invisible characters that Unicode does not class as format or control: variation
    selectors, fillers, the combining grapheme joiner, the braille blank (see text.py)."""
    return ("\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"
            or ch in "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0")


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


def format_text(problems) -> str:
    lines = []
    for p in problems:
        where = f" ({p.field})" if p.field else ""
        lines.append(f"{p.file}:{p.line}:{p.column}: {p.severity} [{p.rule}] {p.message}{where}")
        if p.hint:
            lines.append(f"  hint: {p.hint}")
    return "\n".join(map(inert, lines)) + ("\n" if lines else "")


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping: a proposal cannot end the command early.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems) -> str:
    """Workflow commands that GitHub shows inline on the pull request's diff."""
    lines = []
    for p in problems:
        kind = "error" if p.is_error else "warning"
        body = p.message + (f" ({p.field})" if p.field else "")
        if p.hint:
            body += f"\nhint: {p.hint}"
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


def format_json(problems) -> str:
    errors = sum(p.is_error for p in problems)
    doc = {
        "problems": [asdict(p) for p in problems],
        "errors": errors,
        "warnings": len(problems) - errors,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}


def summary(problems, files: int, acknowledged: int = 0) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    accepted = f" ({acknowledged} acknowledged warning(s) not shown)" if acknowledged else ""
    if not problems:
        return f"agenda: {files} files checked, no problems{accepted}."
    return f"agenda: {files} files checked: {errors} error(s), {warnings} warning(s){accepted}."
