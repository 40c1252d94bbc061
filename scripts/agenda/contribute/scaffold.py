"""Write a proposal for people who have never used Git: ask questions, or read a GitHub issue.

Two ways in — `prompts.py` asks the questions of `agenda new`, `issue_form.py` reads the
issue form — and one way out, here: both build the same fields (`build_fields`), which
`render_proposal` writes as YAML that the strict loader reads back exactly (every text is a
double-quoted JSON string, so `no`, `10:30` or `#` stay text; the description is a `|` block
when that is exact), and that `check_proposal_text` checks with the same stages `agenda check`
runs on one proposal: load, schema, text rules, proposal rules.

Nothing here writes a file except `save`, and bad input never raises anything but
`ScaffoldError(message, hint)`, whose `problems` are the checker's own `Problem` values.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

from ..check import rules, schema
from ..i18n import N_, languages, translator
from ..check.load import load_bytes, normalise_line_breaks
from ..check.problems import field_path, format_text, show
from ..check.repository import EVENT_FILE, check_bytes, discover, is_slug, load_settings, reserved_id

FORM_FILE = ".github/ISSUE_TEMPLATE/propose-session.yml"
NO_RESPONSE = "_No response_"
ID_MAX = 64
FALLBACK_ID = "session"
MAX_ATTEMPTS = 10  # invalid answers in a row before `ask` gives up (a script stuck in a loop)

NEW_COMMENT = "Session proposal written by `agenda new`. Check it with `agenda check`."
ISSUE_COMMENT = "Session proposal written by `agenda from-issue` from a GitHub issue."

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
    `agenda check` compares ids, ignoring case and extension) and not reserved (`con`,
    `index`…: see repository.reserved_id). Never longer than 64."""
    base = base if is_slug(base) and len(base) <= ID_MAX else slugify(base)
    taken = _taken_ids(root)
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        candidate = _shorten(base, ID_MAX - len(suffix)) + suffix
        if candidate.casefold() not in taken and not reserved_id(candidate):
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
        return _quote(normalise_line_breaks(value))
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
        value = normalise_line_breaks(value)
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
    exactly `fields` (line breaks written as CR or CRLF become LF, as the loader reads them).
    Top-level fields in the schema's order, after one comment line.

    Strings are JSON strings; the description is a literal `|` block (`|-`/`|+` for other
    final line breaks) unless only a quoted string can hold it exactly; numbers and
    true/false are plain; lists of values are flow lists; lists of fields are block lists."""
    if not isinstance(fields, dict):
        raise ScaffoldError("a proposal is a group of fields", "pass a dict of field: value")
    out = [_comment(comment)]
    _emit_mapping(fields, 0, (), out)
    return "\n".join(out) + "\n"


def render_document(fields: dict, comment: str) -> str:
    """Fields -> the text of event.yaml or themes/<id>.yaml (what `agenda import` writes), read
    back exactly by `load.load_bytes`: keys in the order given, every text a JSON string."""
    if not isinstance(fields, dict):
        raise ScaffoldError("a document is a group of fields", "pass a dict of field: value")
    out = [_comment(comment)]
    _emit_mapping(fields, 0, None, out)
    return "\n".join(out) + "\n"


# --- checking -------------------------------------------------------------------------------


def load_context(root) -> rules.Context:
    """The event settings and valid themes, as `agenda check` loads them, for the rules."""
    root = Path(root)
    found, _ = discover(root)
    event, themes, problems = load_settings(found)
    if event is None and any(p.file == EVENT_FILE for p in problems):
        raise ScaffoldError(f"{EVENT_FILE} has problems, so a proposal cannot be checked against it",
                            "run `agenda check` in the repository and fix event.yaml first",
                            problems=[p for p in problems if p.file == EVENT_FILE])
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
    _, problems = check_bytes("proposal", rel, raw, ctx)
    return sorted(problems, key=lambda p: (p.line, p.column, p.rule, p.message))


def raise_problems(problems):
    errors = [p for p in problems if p.is_error]
    if errors:
        first = errors[0]
        raise ScaffoldError(first.message + (f" ({first.field})" if first.field and first.field not in first.message else ""),
                            first.hint, first.field, problems)


# --- answers -> fields ----------------------------------------------------------------------


def split_list(value):
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


def clean_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def clean_markdown(value):
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
        value = clean_line(value)
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
        return {"title": clean_line(title), "url": url} if title and url else None
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


PROPOSER_LINE = "Name | Organisation | Country code | GitHub name"


def proposers_from_text(value):
    """One person a line: 'Name | Organisation | Country code | GitHub name'. Only the name
    is required: the other places may be left empty or out ('Jean Martin | | FR')."""
    people = []
    for n, line in enumerate(value.split("\n"), 1):
        line = line.strip()
        if line.startswith(("- ", "* ")):
            line = line[2:].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        # One place holding commas is a list typed with the wrong separator, not a name.
        if len(parts) > 4 or not parts[0] or (len(parts) == 1 and line.count(",") >= 2):
            raise ScaffoldError(f"proposers, line {n}: {show(line, 80)} is not '{PROPOSER_LINE}'",
                                "write one person per line, with | between name, organisation, country code "
                                "and GitHub name (only the name is required), e.g. Awa Diop | Jokalante | SN | awadiop",
                                "proposers")
        person = {"name": parts[0]}
        for key, part in zip(("organisation", "country", "github"), parts[1:]):
            if part:
                person[key] = part
        people.append(person)
    return people


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
            value = clean_line(value)
            if key == "format" and isinstance(value, str):
                value = value.lower()
        elif key == "description":
            value = clean_markdown(value)
        elif key in ("themes", "languages", "looking_for"):
            value = split_list(value)
        elif key == "proposers" and isinstance(value, str):
            value = [_clean_proposer(p) for p in proposers_from_text(value)]
        elif key == "proposers" and isinstance(value, (list, tuple)):
            value = [_clean_proposer(p) for p in value]
        elif key == "duration":
            minutes = parse_duration(value)
            value = value if minutes is None else minutes
        elif key == "links":
            value = _clean_links(value)
        elif key == "accessibility" and isinstance(value, dict):
            value = {k: (clean_line(v) if k == "notes" else v) for k, v in value.items() if v not in (None, "", [])}
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
    raise_problems(check_proposal_text(root, ident, text, ctx))
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


# --- next steps -----------------------------------------------------------------------------
# Most contributors cannot write to the programme's repository: they propose from their own
# copy of it (a fork), or let GitHub make that copy for them in the browser. Never a push to
# `origin`, which is the programme's repository for whoever cloned it.

_NEXT_STEPS = N_("""\
Your proposal is ready: %(rel)s

What to do next:

1. Check it. In the repository folder, run:

       agenda check %(rel)s

   If it lists problems, open the file in a text editor, fix them and check again.

2. Send it for review from your own copy of the repository (a fork):

   a. On GitHub, open %(repo)s and click "Fork" (once).
   b. In this folder, push the proposal to your fork (replace YOUR-NAME with your
      GitHub name):

       git remote add fork https://github.com/YOUR-NAME/%(repo_name)s.git
       git switch -c proposal-%(ident)s
       git add %(rel)s
       git commit -m "Propose %(ident)s"
       git push fork proposal-%(ident)s

      (`git remote add` only the first time. With the GitHub command line,
      `gh repo fork --remote --remote-name fork` makes the fork and the remote.)
   c. Open the link that git push prints and click "Create pull request". The same
      check runs on the pull request, and the reviewers of your themes answer you there.

Or, without Git, in your web browser:

   a. %(upload)s
   b. Drag %(name)s into the page.
   c. Click "Propose changes", then "Create pull request". If you cannot write to
      the repository, GitHub makes your fork by itself: that is expected.

Or open an issue with the form "Propose a session" and paste your answers: a
maintainer's label turns it into a pull request for you.
""")

_UPLOAD = (N_("Open %(url)s"),
           N_("On GitHub, open the repository's proposals/ folder, click \"Add file\", then \"Upload files\"."))
_THE_REPOSITORY = N_("the programme's repository")
_GITHUB_REPO = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+?)/?\Z")


def _repository(root: Path):
    """(repository address, branch) from event.yaml when it names a GitHub repository."""
    try:
        raw = (root / EVENT_FILE).read_bytes()
    except OSError:
        return None, None
    doc, _ = load_bytes(EVENT_FILE, raw)
    data = doc.data if doc is not None else {}
    repo, branch = data.get("repository"), data.get("branch") or "main"
    if isinstance(repo, str) and isinstance(branch, str) and _GITHUB_REPO.match(repo):
        return repo.rstrip("/"), branch
    return None, None


def next_steps(path, lang: str = "en") -> str:
    """What to do with the new file, in plain words: check it, push it to your fork and open
    a pull request; or, without Git, upload it on GitHub (the repository's upload page when
    event.yaml names a GitHub repository), which forks for you; or use the issue form.
    `lang`: a language with a catalogue (scripts/agenda/locale/), English otherwise."""
    t = translator(lang if lang in languages() else "en")
    path = Path(path)
    root = path.parent.parent
    rel = f"proposals/{path.name}" if path.parent.name == "proposals" else path.as_posix()
    repo, branch = _repository(root)
    with_url, without_url = _UPLOAD
    address = f"{repo}/upload/{branch}/proposals"
    upload = t.gettext(with_url, url=address) if repo else t.gettext(without_url)
    repo_name = _GITHUB_REPO.match(repo)[2] if repo else "agenda"
    return t.gettext(_NEXT_STEPS, rel=rel, ident=path.stem, upload=upload, name=path.name,
                     repo=repo or t.gettext(_THE_REPOSITORY), repo_name=repo_name)
