"""The questions of `agenda new`, asked one by one in a terminal.

Each answer is checked as it is typed, by dropping it into a known-valid proposal and
running the checker's schema and text rules, so the re-ask message is word for word what
`agenda check` would say. `ask` takes `input`/`print` (the CLI) or scripted functions (tests).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from ..check import rules, schema, suggest
from ..i18n import LOOKING_FOR, N_, bilingual
from ..check.problems import field_path, show
from ..check.repository import check_bytes
from .scaffold import MAX_ATTEMPTS, ScaffoldError, clean_line, clean_markdown, load_context, parse_duration, parse_link, render_proposal, split_list

# --- questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One interactive question. `key` is the field ("accessibility.captions" for a field
    inside another); `source` says where `questions(root)` takes the choices from."""

    key: str
    label: str  # a message of the catalogues, shown in English and French
    help: str = ""  # idem
    kind: str = "text"  # text | markdown | choice | choices | duration | yes-no | proposers | links
    required: bool = True
    choices: tuple = ()  # ((id, label), ...)
    default: object = None
    source: str = ""  # formats | themes | languages | looking_for


QUESTIONS = (
    Question("title", N_("Title of the session"), N_("One line, 5 to 120 characters, as the public will read it.")),
    Question("format", N_("Format"), N_("Type a number or an id."), kind="choice", source="formats"),
    Question("themes", N_("Themes (1 to 3, the main one first)"),
             N_("Numbers or ids separated by commas, e.g. 1, 3."), kind="choices", source="themes"),
    Question("languages", N_("Language(s) of the session"),
             N_("Numbers or codes separated by commas, e.g. fr, en."), kind="choices", source="languages"),
    Question("summary", N_("Summary"), N_("One or two sentences on one line, 20 to 300 characters.")),
    Question("description", N_("Description"),
             N_("Goals, how the session works, who should come; Markdown, at least 50 characters. "
                "Finish with a line holding only a dot (.)."), kind="markdown"),
    Question("proposers", N_("Proposers: who runs the session"),
             N_("Name, organisation (or independent), two-letter country code, GitHub name if any."),
             kind="proposers"),
    Question("duration", N_("Duration in minutes"), N_("15 to 480, in steps of 5; 90, 90 min or 1h30."),
             kind="duration", default=60),
    Question("looking_for", N_("What are you looking for?"), N_("Numbers or ids separated by commas; Enter to skip."),
             kind="choices", required=False, source="looking_for"),
    Question("accessibility.step_free_access", N_("Can the session be reached and followed without stairs?"),
             kind="yes-no", required=False),
    Question("accessibility.captions", N_("Will there be live captions?"), kind="yes-no", required=False),
    Question("accessibility.materials_in_advance", N_("Will slides or documents be shared before the session?"),
             kind="yes-no", required=False),
    Question("accessibility.notes", N_("Anything else attendees should know (one line)"),
             N_("Quiet room, breaks, hearing loop…; Enter to skip."), required=False),
    Question("links", N_("Web pages about the session"), N_("One per line: Title | https://…; an empty line to finish."),
             kind="links", required=False),
)

PROPOSER_QUESTIONS = (
    Question("name", N_("Name, as it should be shown")),
    Question("organisation", N_("Organisation (or independent)"), default="independent"),
    Question("country", N_("Country, two-letter code (FR, SN, BR…)")),
    Question("github", N_("GitHub user name, without @"), N_("Enter to skip."), required=False),
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
        "looking_for": tuple((v, bilingual(LOOKING_FOR[v])) for v in looking),
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


def answer_problems(path, value, ctx=None) -> list:
    """What `agenda check` would say about this one value (schema, text rules and, with the
    repository's settings `ctx`, the event's limits), as (message, hint) pairs; [] when it
    is fine. `path` is ('title',) or ('proposers', 0, 'name')."""
    fields = copy.deepcopy(_SKELETON)
    _set_path(fields, tuple(path), value)
    try:
        text = render_proposal(fields)
    except ScaffoldError as exc:
        return [(exc.message, exc.hint)]
    _, problems = check_bytes("proposal", "proposal.yaml", text.encode("utf-8"), ctx)
    name = field_path(path)
    mine = [p for p in problems if p.field == name or p.field.startswith((name + ".", name + "["))]
    return [(p.message, p.hint) for p in mine]


class _Asker:
    def __init__(self, input_fn, output_fn, ctx=None):
        self.input_fn = input_fn
        self.say = output_fn
        self.ctx = ctx

    def check(self, path, value) -> list:
        return answer_problems(path, value, self.ctx)

    def read(self, prompt="> ") -> str:
        try:
            answer = self.input_fn(prompt)
        except EOFError:
            raise ScaffoldError("the input ended before the proposal was complete",
                                "answer every question; run the command again to start over") from None
        return "" if answer is None else str(answer)

    def header(self, q: Question, default=None, show_default=True):
        self.say("")
        optional = bilingual(N_("optional"))
        self.say(bilingual(q.label) + ("" if q.required else f" ({optional})"))
        if q.help:
            self.say(f"  {bilingual(q.help)}")
        if q.kind == "yes-no":
            yes_no, skip = bilingual(N_("y = yes, n = no")), bilingual(N_("Enter to skip."))
            self.say(f"  {yes_no}" + ("" if q.required else f"; {skip}"))
        for n, (cid, label) in enumerate(q.choices, 1):
            self.say(f"  {n:>2}. {cid} — {label}" if label and label != cid else f"  {n:>2}. {cid}")
        if show_default and default not in (None, "", []):
            keep = bilingual(N_("A line with only a dot keeps this text.") if q.kind == "markdown"
                             else N_("Enter keeps this answer."))
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
    return None, [(bilingual(N_("Answer y (yes, oui) or n (no, non).")), "")]


def _as_text(value) -> str:
    """A default as the person would type it, so that it is checked like an answer."""
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _required(q):
    return [(bilingual(N_("This answer is required.")), bilingual(q.help) if q.help else "")]


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
        return None, (bilingual(N_("%(value)s is not a number from the list (1 to %(count)s)."), value=token,
                                count=len(ids)), "")
    folded = token.casefold()
    for cid, label in q.choices:
        if folded == cid.casefold() or folded in (part.strip().casefold() for part in label.split(" / ")):
            return cid, None
    return None, (bilingual(N_("%(value)s is not in the list."), value=show(token)),
                  suggest.closest(token, ids) + "; type the numbers or ids shown above")


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
            for token in split_list(answer):
                picked, problem = _pick(q, token)
                if problem:
                    problems.append(problem)
                elif picked not in value:
                    value.append(picked)
        elif q.kind == "duration":
            value = parse_duration(answer)
            if value is None:
                return None, [(bilingual(N_("%(value)s is not a number of minutes."), value=show(answer)),
                               bilingual(N_("write for example 90")))]
            problems = []
        elif q.kind == "yes-no":
            return _yes_no(answer, None)
        else:
            value, problems = clean_line(answer), []
            if path[-1] == "country":
                value = value.upper()
            elif path[-1] == "github":
                value = value.lstrip("@")
        return value, problems or asker.check(path, value)

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
        text = clean_markdown("\n".join(lines))
        if not text and isinstance(default, str):
            text = clean_markdown(default)
        if not text:
            if not q.required:
                return _SKIP
            asker.complain(_required(q))
            continue
        problems = asker.check(path, text)
        if not problems:
            return text
        asker.complain(problems)
        asker.say("  " + bilingual(N_("Type the whole text again, then a line with only a dot.")))
    raise ScaffoldError(f"{path[0]}: {MAX_ATTEMPTS} answers in a row were not accepted",
                        "read the message above the question, then run the command again", path[0])


def _ask_proposers(q: Question, asker: _Asker, default, path):
    asker.header(q, show_default=False)
    known = [p for p in default if isinstance(p, dict)] if isinstance(default, list) else []
    people = []
    limit = schema.subschema("proposal", ("proposers",)).get("maxItems", 12)
    while True:
        n = len(people)
        asker.say("  " + bilingual(N_("Proposer %(number)s"), number=n + 1))
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
        another = bilingual(N_("Another proposer?"))
        asker.say(f"  {another} ({'Y/n' if more else 'y/N'})")
        if not asker.loop("proposers", lambda answer, more=more: _yes_no(answer, more)):
            break
    return people


def _ask_links(q: Question, asker: _Asker, default, path):
    asker.header(q, default if isinstance(default, list) and default else None, show_default=False)
    if isinstance(default, list) and default:
        for link in default:
            if isinstance(link, dict):
                asker.say(f"  [{link.get('title', '')} | {link.get('url', '')}]")
        asker.say("  " + bilingual(N_("Enter keeps these links; type new ones to replace them.")))
    links = []
    limit = schema.subschema("proposal", ("links",)).get("maxItems", 10)
    while len(links) < limit:
        index = len(links)

        def attempt(answer, i=index):
            if not answer.strip():
                return None, []
            link = parse_link(answer)
            if link is None:
                return None, [(bilingual(N_("%(value)s is not 'Title | https://…'."), value=show(answer.strip())),
                               bilingual(N_("a few words, a vertical bar |, then the address")))]
            return link, asker.check(("links", i), link)
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


def ask(questions, input_fn=input, output_fn=print, defaults=None, ctx=None) -> dict:
    """Ask each question in turn; return the answers as proposal fields (nested for
    "accessibility.captions"), ready for `new_proposal`. An invalid answer is explained
    and asked again; an empty one keeps the default, or skips an optional question.
    `defaults` (same shape as the result) pre-fills answers, for example after a failed check;
    `ctx` (the repository's settings) checks answers against the event's limits too."""
    asker = _Asker(input_fn, output_fn, ctx)
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
