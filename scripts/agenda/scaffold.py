"""Write a proposal for people who have never used Git: ask questions, or read a GitHub issue.

Two ways in, one way out. `ask` runs the questions of `questions(root)` in a terminal (the CLI
passes `input` and `print`; tests pass scripted answers); `from_issue` reads the body GitHub
writes for the issue form `.github/ISSUE_TEMPLATE/propose-session.yml`. Both build the same
fields, which `render_proposal` writes as YAML that the strict loader reads back exactly
(every text is a double-quoted JSON string, so `no`, `10:30` or `#` stay text; the
description is a `|` block when that is exact), and that `check_proposal_text` checks with the
same stages `agenda check` runs on one proposal: load, schema, text rules, proposal rules.

Nothing here writes a file except `save`, and bad input never raises anything but
`ScaffoldError(message, hint)`, whose `problems` are the checker's own `Problem` values.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import rules, schema
from . import text as text_rules
from .i18n import CATALOGUES
from .load import MAX_BYTES, load_bytes
from .problems import field_path, format_text, show
from .repository import EVENT_FILE, check_file, discover

FORM_FILE = ".github/ISSUE_TEMPLATE/propose-session.yml"
NO_RESPONSE = "_No response_"
ID_MAX = 64
FALLBACK_ID = "session"
MAX_ATTEMPTS = 10  # invalid answers in a row before `ask` gives up (a script stuck in a loop)

NEW_COMMENT = "Session proposal written by `agenda new`. Check it with `agenda check`."
ISSUE_COMMENT = "Session proposal written by `agenda from-issue` from a GitHub issue."

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Letters that Unicode does not decompose into a base letter and an accent.
_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d",
                                "ł": "l", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t"})


class ScaffoldError(Exception):
    """Bad input, said for people: what is wrong (naming the field), and what to do.

    `field` is the proposal field or form field concerned ("" for the whole input);
    `problems` holds the checker's problems when the rendered proposal failed the check."""

    def __init__(self, message: str, hint: str = "", field: str = "", problems=()):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field
        self.problems = list(problems)

    def __str__(self):
        return self.message

    def format(self) -> str:
        """The error as the CLI should print it: the checker's lines, or message and hint."""
        if self.problems:
            return format_text(self.problems)
        return f"error: {self.message}\n" + (f"  hint: {self.hint}\n" if self.hint else "")


# --- ids ------------------------------------------------------------------------------------


def slugify(title) -> str:
    """'Données ouvertes : l'été 2016 !' -> 'donnees-ouvertes-l-ete-2016'.

    Lower-case ASCII letters, digits and single hyphens, at most 64 characters (cut at a
    hyphen when one is close), never empty: a title with no Latin letter or digit gives
    'session'."""
    text = unicodedata.normalize("NFKD", str(title).lower().translate(_TRANSLITERATE))
    text = "".join(c for c in text if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return _shorten(slug, ID_MAX) or FALLBACK_ID


def _shorten(slug: str, room: int) -> str:
    """At most `room` characters, cut after a whole word when one ends in the second half."""
    if len(slug) <= room:
        return slug
    cut = slug[:room]
    if slug[room] != "-" and cut.rfind("-") >= room // 2:
        cut = cut[: cut.rfind("-")]
    return cut.strip("-")


def _taken_ids(root) -> set:
    try:
        names = os.listdir(Path(root) / "proposals")
    except OSError:
        return set()
    return {(name.rpartition(".")[0] or name).casefold() for name in names}


def unique_id(root, base: str) -> str:
    """`base`, or base-2, base-3… : the first id without a file in proposals/ (compared as
    `agenda check` compares ids, ignoring case and extension). Never longer than 64."""
    base = base if _SLUG.match(base) and len(base) <= ID_MAX else slugify(base)
    taken = _taken_ids(root)
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        candidate = _shorten(base, ID_MAX - len(suffix)) + suffix
        if candidate.casefold() not in taken:
            return candidate
        n += 1


# --- rendering ------------------------------------------------------------------------------

# Characters a double-quoted YAML scalar cannot hold raw although JSON leaves them raw:
# DEL and C1 controls (NEL is a line break in YAML), line/paragraph separators, BOM, non-characters.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# What a literal block scalar cannot hold: everything but tab, line feed and printable text.
_BLOCK_UNSAFE = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_INT_DIGITS = 15  # the loader reads at most 15 digits as a number (see load._INT)


def _quote(value: str) -> str:
    """A JSON string, which is also a YAML double-quoted scalar with the same value."""
    out = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _block_lines(value: str):
    """(indicator, lines) of a literal block scalar holding exactly `value`, or None."""
    if _BLOCK_UNSAFE.search(value):
        return None
    body = value.rstrip("\n")
    newlines = len(value) - len(body)
    lines = body.split("\n")
    first = next((line for line in lines if line), "")
    if not first or first[0] in " \t":  # nothing to write, or the indentation would be guessed wrong
        return None
    if any(line != line.rstrip(" \t") for line in lines):  # invisible, and lost by editors
        return None
    indicator = {0: "|-", 1: "|"}.get(newlines, "|+")
    return indicator, lines + [""] * max(0, newlines - 1)


def _scalar(value, where) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        if len(str(abs(value))) > _INT_DIGITS:
            raise ScaffoldError(f"{where or 'a value'}: the number {value} is too large",
                                "write a smaller number", where)
        return str(value)
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise ScaffoldError(f"{where or 'a value'}: the text contains bytes that are not valid UTF-8",
                                "type the text again, or save it with the UTF-8 encoding", where)
        return _quote(value)
    raise ScaffoldError(f"{where or 'a value'}: a {type(value).__name__} cannot be written in a proposal",
                        "use text, whole numbers, true/false, lists and fields", where)


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int))


def _order(path, mapping: dict):
    """Keys in the schema's order (the order of the template), then any others as given."""
    known = list(schema.subschema("proposal", path).get("properties", {})) if path is not None else []
    return [k for k in known if k in mapping] + [k for k in mapping if k not in known]


def _key(key, where) -> str:
    if not isinstance(key, str):
        raise ScaffoldError(f"{where or 'the proposal'}: field names must be text, not {show(key)}",
                            "use names such as title or duration", where)
    return key if _PLAIN_KEY.match(key) else _scalar(key, where)


def _child(path, part):
    return None if path is None else path + (part,)


def _emit_mapping(mapping: dict, indent: int, path, out: list, first_prefix: str = ""):
    pad = " " * indent
    for n, key in enumerate(_order(path, mapping)):
        lead = first_prefix if n == 0 and first_prefix else pad
        _emit_entry(key, mapping[key], lead, indent, _child(path, key), out)


def _emit_entry(key, value, lead: str, indent: int, path, out: list):
    where = field_path(path) if path else str(key)
    name = _key(key, where)
    if path == ("description",) and isinstance(value, str):
        block = _block_lines(value)
        if block:
            indicator, lines = block
            out.append(f"{lead}{name}: {indicator}")
            out.extend(f"{' ' * (indent + 2)}{line}" if line else "" for line in lines)
            return
    if isinstance(value, dict):
        if not value:
            out.append(f"{lead}{name}: {{}}")
            return
        out.append(f"{lead}{name}:")
        _emit_mapping(value, indent + 2, path, out)
    elif isinstance(value, (list, tuple)) and all(map(_is_scalar, value)):
        out.append(f"{lead}{name}: {_flow(value, where)}")
    elif isinstance(value, (list, tuple)):
        out.append(f"{lead}{name}:")
        _emit_items(value, indent + 2, path, out)
    else:
        out.append(f"{lead}{name}: {_scalar(value, where)}")


def _flow(items, where) -> str:
    return "[" + ", ".join(_scalar(item, f"{where}[{i}]") for i, item in enumerate(items)) + "]"


def _emit_items(items, indent: int, path, out: list):
    pad = " " * indent
    for i, item in enumerate(items):
        item_path = _child(path, i)
        where = field_path(item_path) if item_path else f"[{i}]"
        if isinstance(item, dict) and item:
            _emit_mapping(item, indent + 2, item_path, out, first_prefix=pad + "- ")
        elif isinstance(item, dict):
            out.append(f"{pad}- {{}}")
        elif isinstance(item, (list, tuple)):
            if not all(map(_is_scalar, item)):
                raise ScaffoldError(f"{where}: lists inside lists are not used in proposals",
                                    "write a list of values or of fields", where)
            out.append(f"{pad}- {_flow(item, where)}")
        else:
            out.append(f"{pad}- {_scalar(item, where)}")


def _comment(text: str) -> str:
    text = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return "# " + (text or "Session proposal.")


def render_proposal(fields: dict, comment: str = NEW_COMMENT) -> str:
    """Fields -> the text of proposals/<id>.yaml, which `load.load_bytes` reads back to
    exactly `fields`. Top-level fields in the schema's order, after one comment line.

    Strings are JSON strings; the description is a literal `|` block (`|-`/`|+` for other
    final line breaks) unless only a quoted string can hold it exactly; numbers and
    true/false are plain; lists of values are flow lists; lists of fields are block lists."""
    if not isinstance(fields, dict):
        raise ScaffoldError("a proposal is a group of fields", "pass a dict of field: value")
    out = [_comment(comment)]
    _emit_mapping(fields, 0, (), out)
    return "\n".join(out) + "\n"


# --- checking -------------------------------------------------------------------------------


def load_context(root) -> rules.Context:
    """The event settings and valid themes, as `agenda check` loads them, for the rules."""
    root = Path(root)
    found, _ = discover(root)
    event = None
    themes = {}
    for kind, ident, rel, source in found:
        if kind == "event":
            event, problems = check_file(kind, rel, source)
            if event is None:
                raise ScaffoldError(f"{EVENT_FILE} has problems, so a proposal cannot be checked against it",
                                    "run `agenda check` in the repository and fix event.yaml first",
                                    problems=problems)
        elif kind == "theme":
            doc, _ = check_file(kind, rel, source)
            if doc is not None:
                themes[ident] = doc
    if event is None:
        raise ScaffoldError(f"there is no {EVENT_FILE} in {root}",
                            "run this command in the programme repository, or give its folder with --root")
    if not themes:
        raise ScaffoldError(f"there is no valid theme in {root / 'themes'}",
                            "run `agenda check` in the repository and fix the themes first")
    return rules.Context(event, themes)


def check_proposal_text(root, ident: str, text: str, ctx: rules.Context | None = None) -> list:
    """The problems `agenda check` would report on proposals/<ident>.yaml holding `text`,
    except those across proposals (room and people conflicts, near-duplicate titles)."""
    ctx = ctx if ctx is not None else load_context(root)
    rel = f"proposals/{ident}.yaml"
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ScaffoldError("the proposal contains bytes that are not valid UTF-8",
                            "type the text again, or save it with the UTF-8 encoding") from None
    doc, problems = load_bytes(rel, raw)
    if doc is None:
        return problems
    problems = schema.check("proposal", doc)
    valid = not problems
    markdown, urls = schema.field_kinds("proposal")
    problems += text_rules.check_text(doc, markdown, urls)
    if valid:
        problems += rules.check_proposal(ctx, doc)
    return sorted(problems, key=lambda p: (p.line, p.column, p.rule, p.message))


def _raise_problems(problems):
    errors = [p for p in problems if p.is_error]
    if errors:
        first = errors[0]
        raise ScaffoldError(first.message + (f" ({first.field})" if first.field and first.field not in first.message else ""),
                            first.hint, first.field, problems)


# --- answers -> fields ----------------------------------------------------------------------


def _split_list(value):
    """'fr, en' or ['fr', 'en'] -> ['fr', 'en'], without repeats."""
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;\s]+", value) if v]
    if not isinstance(value, (list, tuple)):
        return value
    out = []
    for item in value:
        item = item.strip() if isinstance(item, str) else item
        if item not in out:
            out.append(item)
    return out


_DURATION_FORMS = (
    (re.compile(r"(\d{1,4})\s*(?:mn|m|mins?|minutes?)?\.?\Z"), lambda m: int(m[1])),
    (re.compile(r"(\d{1,2})\s*(?:h|hr|hrs|hours?|heures?)\s*(?:(\d{1,2})\s*(?:mn|m|mins?|minutes?)?)?\Z"),
     lambda m: int(m[1]) * 60 + int(m[2] or 0)),
)


def parse_duration(value):
    """'90', '90 min', '1h30', '2 heures' -> minutes; None if it is not a length of time."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    for pattern, minutes in _DURATION_FORMS:
        m = pattern.match(text)
        if m:
            return minutes(m)
    return None


def _clean_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _clean_markdown(value):
    """Line endings made \\n, trailing spaces dropped, one final line break: a `|` block."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in value.split("\n")]
    text = "\n".join(lines).strip("\n")
    return text + "\n" if text else ""


def _clean_proposer(person):
    if not isinstance(person, dict):
        return person
    out = {}
    for key, value in person.items():
        value = _clean_line(value)
        if key == "country" and isinstance(value, str):
            value = value.upper()
        if key == "github" and isinstance(value, str):
            value = value.lstrip("@")
        if value not in (None, ""):
            out[key] = value
    return out


def parse_link(line: str):
    """'Title | https://…' or a bare address -> {'title', 'url'}; None if neither."""
    line = line.strip()
    if line.startswith(("- ", "* ")):
        line = line[2:].strip()
    if "|" in line:
        title, _, url = line.rpartition("|")
        title, url = title.strip(), url.strip()
        return {"title": _clean_line(title), "url": url} if title and url else None
    if re.match(r"https?://\S+\Z", line):
        host = re.sub(r"^https?://", "", line).split("/")[0]
        return {"title": host or line, "url": line}
    return None


def _clean_links(value):
    if isinstance(value, str):
        links = []
        for n, line in enumerate(value.replace("\r", "\n").split("\n"), 1):
            if not line.strip():
                continue
            link = parse_link(line)
            if link is None:
                raise ScaffoldError(f"links, line {n}: {show(line)} is not 'Title | https://…'",
                                    "write one link per line: a few words, a vertical bar |, then the address",
                                    "links")
            links.append(link)
        return links
    return value


_OPTIONAL_EMPTY = ("links", "accessibility", "looking_for")


def build_fields(answers: dict) -> dict:
    """Answers (from `ask`, the CLI or an issue) -> proposal fields: texts trimmed, lists
    split, duration in minutes, status proposed, no schedule. Values that cannot be made
    right are kept as given, so that the check names them."""
    if not isinstance(answers, dict):
        raise ScaffoldError("the answers must be a group of fields", "pass a dict of field: value")
    fields = {}
    for key, value in answers.items():
        if key in ("title", "summary", "format"):
            value = _clean_line(value)
            if key == "format" and isinstance(value, str):
                value = value.lower()
        elif key == "description":
            value = _clean_markdown(value)
        elif key in ("themes", "languages", "looking_for"):
            value = _split_list(value)
        elif key == "proposers" and isinstance(value, str):
            value = [_clean_proposer(p) for p in _proposers(value)]
        elif key == "proposers" and isinstance(value, (list, tuple)):
            value = [_clean_proposer(p) for p in value]
        elif key == "duration":
            minutes = parse_duration(value)
            value = value if minutes is None else minutes
        elif key == "links":
            value = _clean_links(value)
        elif key == "accessibility" and isinstance(value, dict):
            value = {k: (_clean_line(v) if k == "notes" else v) for k, v in value.items() if v not in (None, "", [])}
        elif key in ("status", "schedule"):
            continue
        if value is None or (key in _OPTIONAL_EMPTY and value in ("", [], {})):
            continue
        fields[key] = value
    fields["status"] = "proposed"
    return fields


def new_proposal(root, answers: dict, comment: str = NEW_COMMENT):
    """Answers -> (path of proposals/<id>.yaml to create, its text). Nothing is written.

    The id comes from the title and is not taken yet. Raises ScaffoldError when the
    proposal would not pass `agenda check`; its `problems` are the checker's problems."""
    root = Path(root)
    ctx = load_context(root)
    fields = build_fields(answers)
    title = fields.get("title") if isinstance(fields.get("title"), str) else ""
    ident = unique_id(root, slugify(title))
    text = render_proposal(fields, comment)
    _raise_problems(check_proposal_text(root, ident, text, ctx))
    return root / "proposals" / f"{ident}.yaml", text


def save(path, text: str) -> Path:
    """Create the file; never overwrite one (another proposal may have taken the id)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists", "run the command again: it will choose another name") from None
    except OSError as exc:
        raise ScaffoldError(f"{path} cannot be written ({exc.strerror})",
                            "check that you are in the repository folder and may write in proposals/") from None
    return path


# --- questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One interactive question. `key` is the field ("accessibility.captions" for a field
    inside another); `source` says where `questions(root)` takes the choices from."""

    key: str
    en: str
    fr: str
    help: str = ""
    kind: str = "text"  # text | markdown | choice | choices | duration | yes-no | proposers | links
    required: bool = True
    choices: tuple = ()  # ((id, label), ...)
    default: object = None
    source: str = ""  # formats | themes | languages | looking_for


QUESTIONS = (
    Question("title", "Title of the session", "Titre de la session",
             "One line, 5 to 120 characters, as the public will read it. / Une ligne, de 5 à 120 caractères."),
    Question("format", "Format", "Format", "Type a number or an id. / Tapez un numéro ou un identifiant.",
             kind="choice", source="formats"),
    Question("themes", "Themes (1 to 3, the main one first)", "Thèmes (1 à 3, le principal d'abord)",
             "Numbers or ids separated by commas, e.g. 1, 3. / Numéros ou identifiants séparés par des virgules.",
             kind="choices", source="themes"),
    Question("languages", "Language(s) of the session", "Langue(s) de la session",
             "Numbers or codes separated by commas, e.g. fr, en. / Numéros ou codes séparés par des virgules.",
             kind="choices", source="languages"),
    Question("summary", "Summary", "Résumé",
             "One or two sentences on one line, 20 to 300 characters. / Une ou deux phrases, de 20 à 300 caractères."),
    Question("description", "Description", "Description",
             "Goals, how the session works, who should come; Markdown, at least 50 characters. "
             "Finish with a line holding only a dot (.). / Objectifs, déroulé, public ; terminez par une "
             "ligne contenant seulement un point (.).", kind="markdown"),
    Question("proposers", "Proposers: who runs the session", "Porteurs : qui anime la session",
             "Name, organisation (or independent), two-letter country code, GitHub name if any. / Nom, "
             "organisation (ou independent), code pays à deux lettres, nom GitHub s'il y en a un.",
             kind="proposers"),
    Question("duration", "Duration in minutes", "Durée en minutes",
             "15 to 480, in steps of 5; 90, 90 min or 1h30. / De 15 à 480, par pas de 5.",
             kind="duration", default=60),
    Question("looking_for", "What are you looking for?", "Que recherchez-vous ?",
             "Numbers or ids separated by commas; Enter to skip. / Entrée pour passer.",
             kind="choices", required=False, source="looking_for"),
    Question("accessibility.step_free_access", "Can the session be reached and followed without stairs?",
             "La session est-elle accessible sans marches ?", kind="yes-no", required=False),
    Question("accessibility.captions", "Will there be live captions?", "Y aura-t-il un sous-titrage en direct ?",
             kind="yes-no", required=False),
    Question("accessibility.materials_in_advance", "Will slides or documents be shared before the session?",
             "Les supports seront-ils partagés à l'avance ?", kind="yes-no", required=False),
    Question("accessibility.notes", "Anything else attendees should know (one line)",
             "Autre information utile aux participants (une ligne)",
             "Quiet room, breaks, hearing loop…; Enter to skip. / Entrée pour passer.", required=False),
    Question("links", "Web pages about the session", "Pages web sur la session",
             "One per line: Title | https://…; an empty line to finish. / Une par ligne ; une ligne vide pour finir.",
             kind="links", required=False),
)

PROPOSER_QUESTIONS = (
    Question("name", "Name, as it should be shown", "Nom, tel qu'il sera affiché"),
    Question("organisation", "Organisation (or independent)", "Organisation (ou independent)", default="independent"),
    Question("country", "Country, two-letter code (FR, SN, BR…)", "Pays, code à deux lettres (FR, SN, BR…)"),
    Question("github", "GitHub user name, without @", "Nom d'utilisateur GitHub, sans @",
             "Enter to skip. / Entrée pour passer.", required=False),
)


def _bilingual(names) -> str:
    if not isinstance(names, dict):
        return str(names)
    en, fr = names.get("en"), names.get("fr")
    if en and fr and en != fr:
        return f"{en} / {fr}"
    return en or fr or next(iter(names.values()), "")


def repository_choices(ctx: rules.Context) -> dict:
    """source -> ((id, label), ...): the event's formats and languages, the themes, and
    what proposers may look for (from the schema), with English / French labels."""
    event = ctx.event.data if ctx.event else {}
    looking = schema.subschema("proposal", ("looking_for", 0)).get("enum", [])
    return {
        "formats": tuple((f["id"], _bilingual(f["name"])) for f in event.get("formats", [])),
        "themes": tuple((tid, _bilingual(doc.data.get("name", {}))) for tid, doc in sorted(ctx.themes.items())),
        "languages": tuple((lang["code"], _bilingual(lang["name"])) for lang in event.get("languages", [])),
        "looking_for": tuple((v, f"{CATALOGUES['en']['looking.' + v]} / {CATALOGUES['fr']['looking.' + v]}")
                             for v in looking),
    }


def questions(root, ctx: rules.Context | None = None) -> list:
    """QUESTIONS with their choices taken from the repository's event.yaml and themes/."""
    ctx = ctx if ctx is not None else load_context(root)
    choices = repository_choices(ctx)
    return [dataclasses.replace(q, choices=choices[q.source]) if q.source else q for q in QUESTIONS]


# A valid proposal (for the schema only): one answer is put in it and checked in place, so
# that `ask` says exactly what `agenda check` would say about that field.
_SKELETON = {
    "title": "A session title", "format": "workshop", "themes": ["theme"], "languages": ["fr"],
    "summary": "A summary that is long enough.", "description": "A description " * 5 + "\n",
    "proposers": [{"name": "Name", "organisation": "Organisation", "country": "FR"}],
    "duration": 60, "status": "proposed",
}


def _set_path(data, path, value):
    for n, part in enumerate(path[:-1]):
        following = path[n + 1]
        if isinstance(part, int):
            while len(data) <= part:
                data.append(copy.deepcopy(_SKELETON["proposers"][0]) if path[0] == "proposers" else {})
            data = data[part]
        else:
            if not isinstance(data.get(part), (dict, list)):
                data[part] = [] if isinstance(following, int) else {}
            data = data[part]
    last = path[-1]
    if isinstance(last, int):
        while len(data) <= last:
            data.append(None)
    data[last] = value


def answer_problems(path, value) -> list:
    """What `agenda check` would say about this one value (schema and text rules), as
    (message, hint) pairs; [] when it is fine. `path` is ('title',) or ('proposers', 0, 'name')."""
    fields = copy.deepcopy(_SKELETON)
    _set_path(fields, tuple(path), value)
    try:
        text = render_proposal(fields)
    except ScaffoldError as exc:
        return [(exc.message, exc.hint)]
    doc, problems = load_bytes("proposal.yaml", text.encode("utf-8"))
    if doc is None:  # cannot happen for rendered text; said plainly if it ever does
        return [(p.message, p.hint) for p in problems]
    markdown, urls = schema.field_kinds("proposal")
    problems = schema.check("proposal", doc) + text_rules.check_text(doc, markdown, urls)
    name = field_path(path)
    mine = [p for p in problems if p.field == name or p.field.startswith((name + ".", name + "["))]
    return [(p.message, p.hint) for p in mine]


class _Asker:
    def __init__(self, input_fn, output_fn):
        self.input_fn = input_fn
        self.say = output_fn

    def read(self, prompt="> ") -> str:
        try:
            answer = self.input_fn(prompt)
        except EOFError:
            raise ScaffoldError("the input ended before the proposal was complete",
                                "answer every question; run the command again to start over") from None
        return "" if answer is None else str(answer)

    def header(self, q: Question, default=None, show_default=True):
        self.say("")
        title = q.en if q.en == q.fr else f"{q.en} / {q.fr}"
        self.say(title + ("" if q.required else " (optional / facultatif)"))
        if q.help:
            self.say(f"  {q.help}")
        if q.kind == "yes-no":
            self.say("  y = yes / oui, n = no / non" + ("" if q.required else "; Enter to skip. / Entrée pour passer."))
        for n, (cid, label) in enumerate(q.choices, 1):
            self.say(f"  {n:>2}. {cid} — {label}" if label and label != cid else f"  {n:>2}. {cid}")
        if show_default and default not in (None, "", []):
            keep = ("A line with only a dot keeps this text. / Un point seul garde ce texte." if q.kind == "markdown"
                    else "Enter keeps this answer. / Entrée garde cette réponse.")
            self.say(f"  [{_display(default)}] {keep}")

    def complain(self, problems):
        for message, hint in problems:
            self.say(f"  ! {message}")
            if hint:
                self.say(f"    {hint}")

    def loop(self, key, attempt):
        """Ask until `attempt(answer_text)` returns (value, []) ; re-ask with the problems."""
        for _ in range(MAX_ATTEMPTS):
            value, problems = attempt(self.read())
            if not problems:
                return value
            self.complain(problems)
        raise ScaffoldError(f"{key}: {MAX_ATTEMPTS} answers in a row were not accepted",
                            "read the message above each question, then run the command again", key)


def _display(value) -> str:
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    text = str(value)
    first = text.split("\n", 1)[0]
    return first[:60] + ("…" if len(first) > 60 or "\n" in text.rstrip("\n") else "")


_SKIP = object()
_YES = {"y", "yes", "o", "oui", "true"}
_NO = {"n", "no", "non", "false"}


def _yes_no(answer: str, default):
    """(True/False/default, []) or (None, [problem])."""
    answer = answer.strip().lower()
    if not answer:
        return default, []
    if answer in _YES:
        return True, []
    if answer in _NO:
        return False, []
    return None, [("Answer y (yes, oui) or n (no, non). / Répondez o (oui) ou n (non).", "")]


def _as_text(value) -> str:
    """A default as the person would type it, so that it is checked like an answer."""
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _required(q):
    return [("This answer is required. / Cette réponse est obligatoire.", q.help)]


def _pick(q: Question, token: str):
    """A number from the list, an id, or a name -> the id; or (None, problem)."""
    token = token.strip()
    if not q.choices:  # the static QUESTIONS: `new_proposal` checks the id against the repository
        return token, None
    ids = [cid for cid, _ in q.choices]
    if token.isdigit():
        n = int(token)
        if 1 <= n <= len(ids):
            return ids[n - 1], None
        return None, (f"{token} is not a number from the list (1 to {len(ids)}). / "
                      + f"{token} n'est pas un numéro de la liste.", "")
    folded = token.casefold()
    for cid, label in q.choices:
        if folded == cid.casefold() or folded in (part.strip().casefold() for part in label.split(" / ")):
            return cid, None
    return None, (f"{show(token)} is not in the list. / {show(token)} n'est pas dans la liste.",
                  rules._suggest(token, ids) + "; type the numbers or ids shown above")


def _ask_simple(q: Question, asker: _Asker, default, path):
    asker.header(q, default)

    def attempt(answer):
        answer = answer.strip()
        if not answer and default not in (None, "", []):
            answer = _as_text(default).strip()
        if not answer:
            return (_SKIP, []) if not q.required else (None, _required(q))
        if q.kind == "choice":
            value, problem = _pick(q, answer)
            return (value, [problem] if problem else [])
        if q.kind == "choices":
            value, problems = [], []
            for token in _split_list(answer):
                picked, problem = _pick(q, token)
                if problem:
                    problems.append(problem)
                elif picked not in value:
                    value.append(picked)
        elif q.kind == "duration":
            value = parse_duration(answer)
            if value is None:
                return None, [(f"{show(answer)} is not a number of minutes. / "
                               + f"{show(answer)} n'est pas un nombre de minutes.", "write for example 90")]
            problems = []
        elif q.kind == "yes-no":
            return _yes_no(answer, None)
        else:
            value, problems = _clean_line(answer), []
            if path[-1] == "country":
                value = value.upper()
            elif path[-1] == "github":
                value = value.lstrip("@")
        return value, problems or answer_problems(path, value)

    return asker.loop(field_path(path), attempt)


def _ask_markdown(q: Question, asker: _Asker, default, path):
    asker.header(q, default)
    for _ in range(MAX_ATTEMPTS):
        lines = []
        while True:
            line = asker.read("> " if not lines else ". ")
            if line.strip() == ".":
                break
            lines.append(line)
        text = _clean_markdown("\n".join(lines))
        if not text and isinstance(default, str):
            text = _clean_markdown(default)
        if not text:
            if not q.required:
                return _SKIP
            asker.complain(_required(q))
            continue
        problems = answer_problems(path, text)
        if not problems:
            return text
        asker.complain(problems)
        asker.say("  Type the whole text again, then a line with only a dot. / Retapez tout le texte, puis un point.")
    raise ScaffoldError(f"{path[0]}: {MAX_ATTEMPTS} answers in a row were not accepted",
                        "read the message above the question, then run the command again", path[0])


def _ask_proposers(q: Question, asker: _Asker, default, path):
    asker.header(q, show_default=False)
    known = [p for p in default if isinstance(p, dict)] if isinstance(default, list) else []
    people = []
    limit = schema.subschema("proposal", ("proposers",)).get("maxItems", 12)
    while True:
        n = len(people)
        asker.say(f"  Proposer {n + 1} / Porteur {n + 1}")
        person = {}
        for sub in PROPOSER_QUESTIONS:
            before = known[n].get(sub.key, sub.default) if n < len(known) else sub.default
            value = _ask_simple(sub, asker, before, ("proposers", n, sub.key))
            if value is not _SKIP:
                person[sub.key] = value
        people.append(person)
        if len(people) >= limit:
            break
        more = len(known) > len(people)
        asker.say(f"  Another proposer? / Un autre porteur ? ({'Y/n' if more else 'y/N'})")
        if not asker.loop("proposers", lambda answer, more=more: _yes_no(answer, more)):
            break
    return people


def _ask_links(q: Question, asker: _Asker, default, path):
    asker.header(q, default if isinstance(default, list) and default else None, show_default=False)
    if isinstance(default, list) and default:
        for link in default:
            if isinstance(link, dict):
                asker.say(f"  [{link.get('title', '')} | {link.get('url', '')}]")
        asker.say("  Enter keeps these links; type new ones to replace them. / Entrée garde ces liens.")
    links = []
    limit = schema.subschema("proposal", ("links",)).get("maxItems", 10)
    while len(links) < limit:
        index = len(links)

        def attempt(answer, i=index):
            if not answer.strip():
                return None, []
            link = parse_link(answer)
            if link is None:
                return None, [(f"{show(answer.strip())} is not 'Title | https://…'. / Écrivez « Titre | https://… ».",
                               "a few words, a vertical bar |, then the address")]
            return link, answer_problems(("links", i), link)
        link = asker.loop(f"links[{len(links)}]", attempt)
        if link is None:
            break
        links.append(link)
    if not links and isinstance(default, list) and default:
        return default
    return links or _SKIP


_ASKERS = {"markdown": _ask_markdown, "proposers": _ask_proposers, "links": _ask_links}


def _get_default(defaults: dict, key: str, fallback):
    value = defaults
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return fallback
        value = value[part]
    return value


def ask(questions, input_fn=input, output_fn=print, defaults=None) -> dict:
    """Ask each question in turn; return the answers as proposal fields (nested for
    "accessibility.captions"), ready for `new_proposal`. An invalid answer is explained
    and asked again; an empty one keeps the default, or skips an optional question.
    `defaults` (same shape as the result) pre-fills answers, for example after a failed check."""
    asker = _Asker(input_fn, output_fn)
    defaults = defaults or {}
    answers = {}
    for q in questions:
        default = _get_default(defaults, q.key, q.default)
        path = tuple(q.key.split("."))
        value = _ASKERS.get(q.kind, _ask_simple)(q, asker, default, path)
        if value is _SKIP:
            continue
        target = answers
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return answers


# --- next steps -----------------------------------------------------------------------------

_NEXT_STEPS = {
    "en": """\
Your proposal is ready: {rel}

What to do next:

1. Check it. In the repository folder, run:

       agenda check {rel}

   If it lists problems, open the file in a text editor, fix them and check again.

2. Send it for review with Git:

       git switch -c proposal-{ident}
       git add {rel}
       git commit -m "Propose {ident}"
       git push -u origin proposal-{ident}

   Then open the link that git push prints (or the repository on GitHub) and click
   "Compare & pull request". The same check runs on the pull request, and the
   reviewers of your themes answer you there.

Or, without Git, in your web browser:

   a. {upload}
   b. Drag {name} into the page.
   c. Choose "Create a new branch for this commit and start a pull request",
      then click "Propose changes".

   If GitHub says you cannot write to the repository, let it make your own
   copy (a fork) and do the same there.
""",
    "fr": """\
Votre proposition est prête : {rel}

La suite :

1. Vérifiez-la. Dans le dossier du dépôt, lancez :

       agenda check {rel}

   Si des problèmes s'affichent, ouvrez le fichier dans un éditeur de texte,
   corrigez-les et vérifiez à nouveau.

2. Envoyez-la aux relecteurs avec Git :

       git switch -c proposal-{ident}
       git add {rel}
       git commit -m "Propose {ident}"
       git push -u origin proposal-{ident}

   Ouvrez ensuite le lien affiché par git push (ou le dépôt sur GitHub) et cliquez sur
   « Compare & pull request ». La même vérification s'y exécute, et les relecteurs de
   vos thèmes vous répondent dans la pull request.

Ou, sans Git, dans votre navigateur :

   a. {upload}
   b. Glissez {name} dans la page.
   c. Choisissez « Create a new branch for this commit and start a pull request »,
      puis cliquez sur « Propose changes ».

   Si GitHub indique que vous ne pouvez pas écrire dans le dépôt, laissez-le en
   faire votre copie (un fork) et faites de même.
""",
}

_UPLOAD = {
    "en": ("Open {url}", "On GitHub, open the repository's proposals/ folder, click \"Add file\", then \"Upload files\"."),
    "fr": ("Ouvrez {url}", "Sur GitHub, ouvrez le dossier proposals/ du dépôt, cliquez sur « Add file » puis « Upload files »."),
}


def _upload_url(root: Path):
    try:
        raw = (root / EVENT_FILE).read_bytes()
    except OSError:
        return None
    doc, _ = load_bytes(EVENT_FILE, raw)
    data = doc.data if doc is not None else {}
    repo, branch = data.get("repository"), data.get("branch") or "main"
    if isinstance(repo, str) and isinstance(branch, str) and re.match(r"https://github\.com/[\w.-]+/[\w.-]+/?\Z", repo):
        return f"{repo.rstrip('/')}/upload/{branch}/proposals"
    return None


def next_steps(path, lang: str = "en") -> str:
    """What to do with the new file, in plain words: check it, commit it and open a pull
    request; or, without Git, upload it on GitHub (the repository's upload page when
    event.yaml names a GitHub repository). `lang` is "en" or "fr"."""
    lang = lang if lang in _NEXT_STEPS else "en"
    path = Path(path)
    root = path.parent.parent
    rel = f"proposals/{path.name}" if path.parent.name == "proposals" else path.as_posix()
    url = _upload_url(root)
    with_url, without_url = _UPLOAD[lang]
    upload = with_url.format(url=url) if url else without_url
    return _NEXT_STEPS[lang].format(rel=rel, ident=path.stem, upload=upload, name=path.name)


# --- GitHub issue form ----------------------------------------------------------------------

# The accessibility checkboxes of the form: field -> option label (the site's own words).
ACCESSIBILITY_OPTIONS = {key: f"{CATALOGUES['en']['access.' + key]} / {CATALOGUES['fr']['access.' + key]}"
                         for key in ("captions", "step_free_access", "materials_in_advance")}
FORM_IDS = ("title", "format", "themes", "languages", "summary", "description", "proposers", "duration",
            "looking_for", "accessibility", "accessibility_notes", "links", "consent")
PROPOSER_LINE = "Name | Organisation | Country code | GitHub handle (optional)"
_CHECKBOX = re.compile(r"- \[([ xX])\] (.*)\Z")


@dataclass(frozen=True)
class FormField:
    id: str
    type: str
    label: str
    required: bool
    options: tuple = ()


def read_form(root) -> list:
    """The fields of our issue form, in order (markdown blocks left out)."""
    path = Path(root) / FORM_FILE
    try:
        form = yaml.safe_load(path.read_text(encoding="utf-8"))  # our own file, not a stranger's
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScaffoldError(f"the issue form {FORM_FILE} cannot be read ({type(exc).__name__})",
                            "restore it from the agenda repository") from None
    fields = []
    for item in (form or {}).get("body", []) if isinstance(form, dict) else []:
        if not isinstance(item, dict) or item.get("type") == "markdown":
            continue
        attrs = item.get("attributes") or {}
        options = tuple(o["label"] if isinstance(o, dict) else o for o in attrs.get("options", []))
        required = bool((item.get("validations") or {}).get("required")) or any(
            isinstance(o, dict) and o.get("required") for o in attrs.get("options", []))
        fields.append(FormField(str(item.get("id", "")), str(item.get("type")), str(attrs.get("label", "")),
                                required, options))
    missing = [i for i in FORM_IDS if i not in {f.id for f in fields}]
    if missing:
        raise ScaffoldError(f"the issue form {FORM_FILE} has no field with id {', '.join(missing)}",
                            "restore the form from the agenda repository")
    return fields


def parse_issue_body(body: str, form) -> dict:
    """The issue body GitHub writes (`### <label>`, a blank line, the answer) -> form id ->
    answer text, or None for "_No response_". Every heading must appear once, in the form's
    order; a value that holds one of the form's headings is refused."""
    if not isinstance(body, str):
        raise ScaffoldError("the issue has no text", "open the issue with the form “Propose a session”")
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BYTES:
        raise ScaffoldError(f"the issue is {size:,} bytes long; the limit is {MAX_BYTES:,}",
                            "shorten the description, or link to a longer document")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    headings = {f"### {f.label}": f for f in form}
    lines = body.split("\n")
    present = {headings[line.rstrip()].id for line in lines if line.rstrip() in headings}
    for f in form:
        if f.id not in present:
            raise ScaffoldError(f"{f.id}: the section '### {f.label}' is missing from the issue",
                                "open a new issue with the form “Propose a session”, or put the section back", f.id)
    starts, seen = [], set()
    for n, line in enumerate(lines):
        field = headings.get(line.rstrip())
        if field is None:
            continue
        expected = form[len(starts)] if len(starts) < len(form) else None
        if field is expected and field.id not in seen:
            starts.append((field, n))
            seen.add(field.id)
            continue
        current = starts[-1][0] if starts else None
        if current is None:
            raise ScaffoldError(f"the issue must start with the section '### {form[0].label}'",
                                "open a new issue with the form “Propose a session”", form[0].id)
        if field is current and len(starts) >= 2:  # its own heading again: typed here or just before
            before = starts[-2][0]
            raise ScaffoldError(f"{before.id}: the answer to '{before.label}' or '{current.label}' contains the line "
                                f"{show(line.rstrip(), 80)}, which is a heading of the form itself",
                                "remove that line or change its words, for example with a ## heading", before.id)
        raise ScaffoldError(f"{current.id}: the answer to '{current.label}' contains the line "
                            f"{show(line.rstrip(), 80)}, which is a heading of the form itself",
                            "remove that line or change its words, for example with a ## heading", current.id)
    values = {}
    for i, (field, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(lines)
        text = "\n".join(lines[start + 1:end]).strip("\n").rstrip()
        values[field.id] = None if text.strip() in ("", NO_RESPONSE) else text
    return values


def _one_line(fid, value):
    if "\n" in value:
        raise ScaffoldError(f"{fid}: the answer must be on one line", "write it on a single line", fid)
    return value.strip()


def _choice_list(fid, value, known, what):
    items = [v.strip() for v in value.split(",") if v.strip()] if value else []
    for item in items:
        if item not in known:
            raise ScaffoldError(f"{fid}: {show(item)} is not one of the {what}",
                                rules._suggest(item, known), fid)  # the same hint as `agenda check`
    return items


def _proposers(value):
    people = []
    for n, line in enumerate(value.split("\n"), 1):
        line = line.strip()
        if line.startswith(("- ", "* ")):
            line = line[2:].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 4 and not parts[3]:
            parts = parts[:3]
        if len(parts) not in (3, 4) or not all(parts):
            raise ScaffoldError(f"proposers, line {n}: {show(line, 80)} is not '{PROPOSER_LINE}'",
                                "write one person per line, with | between name, organisation, country code "
                                "and (optionally) GitHub name, e.g. Awa Diop | Jokalante | SN | awadiop",
                                "proposers")
        person = {"name": parts[0], "organisation": parts[1], "country": parts[2]}
        if len(parts) == 4:
            person["github"] = parts[3]
        people.append(person)
    return people


def issue_answers(values: dict, ctx: rules.Context) -> dict:
    """Form answers (from `parse_issue_body`) -> answers for `build_fields`."""
    form_required = ("title", "format", "themes", "languages", "summary", "description", "proposers", "duration")
    for fid in form_required:
        if values.get(fid) is None:
            raise ScaffoldError(f"{fid}: this answer is required but the issue has none",
                                "edit the issue and fill it in", fid)
    answers = {
        "title": _one_line("title", values["title"]),
        "format": _choice_list("format", _one_line("format", values["format"]), ctx.formats, "event's formats"),
        "themes": _choice_list("themes", _one_line("themes", values["themes"]), ctx.themes, "programme's themes"),
        "languages": _choice_list("languages", _one_line("languages", values["languages"]), ctx.languages,
                                  "event's languages"),
        "summary": _one_line("summary", values["summary"]),
        "description": values["description"],
        "proposers": _proposers(values["proposers"]),
    }
    if len(answers["format"]) != 1:
        raise ScaffoldError("format: choose exactly one format", "for example workshop", "format")
    answers["format"] = answers["format"][0]
    duration = _one_line("duration", values["duration"])
    minutes = parse_duration(duration)
    if minutes is None:
        raise ScaffoldError(f"duration: {show(duration)} is not a number of minutes",
                            "write the length in minutes, for example 90", "duration")
    answers["duration"] = minutes
    if values.get("looking_for"):
        answers["looking_for"] = [v.strip() for v in _one_line("looking_for", values["looking_for"]).split(",")]
    access = {}
    for line in (values.get("accessibility") or "").split("\n"):
        if not line.strip():
            continue
        m = _CHECKBOX.match(line.strip())
        key = next((k for k, label in ACCESSIBILITY_OPTIONS.items() if m and m[2].strip() == label), None)
        if key is None:
            raise ScaffoldError(f"accessibility: {show(line.strip(), 80)} is not one of the form's boxes",
                                "tick or untick the boxes of the form; do not type in this section", "accessibility")
        if m[1] != " ":
            access[key] = True
    if values.get("accessibility_notes"):
        access["notes"] = " ".join(values["accessibility_notes"].split())
    if access:
        answers["accessibility"] = access
    if values.get("links"):
        answers["links"] = values["links"]
    consent = values.get("consent") or ""
    if not any((m := _CHECKBOX.match(line.strip())) and m[1] != " " for line in consent.split("\n")):
        raise ScaffoldError("consent: the box accepting publication under CC BY 4.0 is not ticked",
                            "tick it once the people named have agreed to appear in the programme", "consent")
    return answers


def from_issue(body: str, root, comment: str = ISSUE_COMMENT):
    """The body of an issue opened with the form -> (id, text of proposals/<id>.yaml).

    Raises ScaffoldError naming the field for a malformed body, and with the checker's
    `problems` when the proposal would not pass `agenda check`. Nothing is written."""
    root = Path(root)
    form = read_form(root)
    values = parse_issue_body(body, form)
    ctx = load_context(root)
    fields = build_fields(issue_answers(values, ctx))
    ident = unique_id(root, slugify(fields["title"]))
    text = render_proposal(fields, comment)
    _raise_problems(check_proposal_text(root, ident, text, ctx))
    return ident, text
