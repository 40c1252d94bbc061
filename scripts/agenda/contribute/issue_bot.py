"""The issue bot: a "Propose a session" issue becomes a pull request, without anyone typing a
command (`.github/workflows/issue-to-pull-request.yml`).

It runs in two steps, so that the step that reads the stranger's text holds no token:

1. `agenda from-issue --event "$GITHUB_EVENT_PATH" --reply DIR` (`prepare`): reads the issue
   from the event file GitHub wrote (data, never pasted into a script), converts its body with
   the same code as `agenda from-issue FILE` (`issue_form.from_issue`), writes only
   `proposals/<id>.yaml` (a new id, never over a file), and writes DIR/reply.json: the result,
   and the comment to post when the proposal has problems (each one a plain sentence naming the
   form's section, escaped).
2. `agenda issue-to-pr --reply DIR` (`publish`), with the workflow token in `GH_TOKEN`: makes sure
   the working tree changed by exactly that one file, then, through the GitHub API (`gh api`,
   JSON on standard input, never on a command line), creates the branch from the commit that
   was checked, adds the file to it (the contents API refuses to replace a file), opens the
   pull request ("Closes #N") and answers on the issue; when the proposal has problems, it
   answers with them and removes the label, which a maintainer adds again after the fix.

No git push and no credentials on disk: the token lives only in the environment of the second
step, and GitHub makes (and signs) the commit. Every comment is in the contributor's language
(`reply_language`); its strings are below, in one place, as gettext messages (English ids,
`%(name)s` placeholders, marked `N_`), translated by agenda.i18n's catalogues (in French and English,
the languages it answers in; another catalogue may leave them in English).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .issue_form import CONTACT_LANGUAGES, read_form
from .job_summary import inline
from ..check.load import MAX_BYTES, load_bytes
from ..i18n import N_
from ..check.problems import show, translated
from .scaffold import ScaffoldError, save

TRIGGER_LABEL = "accepted-for-review"
REPLY_FILE = "reply.json"
MAX_EVENT_BYTES = 4 * 1024 * 1024  # an issue body is at most 65,536 characters, JSON-escaped
MAX_PROBLEMS = 15  # listed in a comment; the rest are counted
TEXT_LIMIT = 300  # characters of one message or hint in a comment
_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?\Z")
_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}\Z")
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}\Z")
_PROPOSAL_FILE = re.compile(r"proposals/([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml\Z")
_ZWSP = "\u200b"
IN_THE_WORKFLOW = "run this in the workflow, with --event \"$GITHUB_EVENT_PATH\""


class BotError(Exception):
    """The bot cannot go on: what happened, and what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


# --- the comments' words, in one place --------------------------------------------------------


THANKS_PR = N_("Thank you! Your proposal is now the pull request #%(number)s.")
FILE_SAID = N_("It is the file `%(path)s`. The reviewers of your themes discuss it in the pull request: "
               "answer them there. To change something, say it there: a reviewer or a maintainer updates "
               "the file (the branch is the programme's, not yours).")
ALREADY = N_("This issue already has its pull request: #%(number)s. Comment there to change the proposal.")
PROBLEMS = N_("Thank you for your proposal! Before it becomes a pull request, these answers need a change:")
PROBLEM = N_("**%(section)s**: %(message)s")
HINT = N_("What to do: %(hint)s")
MORE = N_("…and %(num)s more; fix these first, the rest will show next time.")
EDIT = N_("Edit this issue (menu “…” at the top of the issue, then “Edit”), change these answers and save. "
          "A maintainer then adds the label `%(label)s` again, and I try once more.")
WHOLE = N_("Your proposal")
CLOSED = N_("This issue is closed. Reopen it, then a maintainer adds the label `%(label)s` again.")
BRANCH_LEFT = N_("The branch `%(branch)s` already exists, but no pull request uses it. A maintainer deletes "
                 "it, then adds the label `%(label)s` again.")
FAILED = N_("Sorry: I could not open the pull request (%(reason)s). A maintainer will look at it.")

LANGUAGES = ("fr", "en")  # a comment in no known language is written in both, French first


def _translator(lang: str):
    """agenda.i18n's translator for `lang`, when that module has one."""
    try:
        from .. import i18n
    except ImportError:  # pragma: no cover - the package always has it
        return None
    make = getattr(i18n, "translator", None)
    try:
        return make(lang) if make is not None else None
    except (ValueError, LookupError, OSError):
        return None


def say(lang: str, msgid: str, /, **values) -> str:
    """`msgid` in `lang` (agenda.i18n's catalogues), its placeholders filled with `values`
    (already inert Markdown)."""
    t = _translator(lang)
    text = t.raw_gettext(msgid) if t is not None else msgid
    return text % values


def inert(text, limit: int = TEXT_LIMIT) -> str:
    """Untrusted text as inert Markdown on one line: `job_summary.inline` (no HTML, link, emphasis,
    code, table break or @-mention), and `#` kept from making issue references."""
    return inline(str(text), limit).replace("\\#", "\\#" + _ZWSP)


def _section(label: str, lang: str | None) -> str:
    """The part of a bilingual form label ("Summary / Résumé") in the reader's language."""
    parts = [p.strip() for p in label.split(" / ")]
    if len(parts) == 2 and lang in LANGUAGES:
        return parts[0] if lang == "en" else parts[1]
    return label


# --- the contributor's language -----------------------------------------------------------------

def _answer_after(body: str, heading: str):
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for n, line in enumerate(lines):
        if line.rstrip() == heading:
            for after in lines[n + 1:]:
                if after.startswith("### "):
                    return None
                if after.strip():
                    return after.strip()
    return None


def reply_language(body, form) -> str | None:
    """The language to answer in: the form's "Language of our replies" answer; else the first
    of the session's languages when it is French or English (the contributor's own statement of
    the languages they work in, rather than a guess from their words); else None, and the bot
    answers in both. Read leniently, so that a body the converter refuses still gets an answer
    its author can read."""
    if not isinstance(body, str):
        return None
    labels = {f.id: f.label for f in form}
    answer = _answer_after(body, f"### {labels.get('contact_language', '')}")
    if answer in CONTACT_LANGUAGES:
        return CONTACT_LANGUAGES[answer]
    spoken = _answer_after(body, f"### {labels.get('languages', '')}") or ""
    first = spoken.split(",")[0].strip()
    return first if first in LANGUAGES else None


# --- the issue, from the event file ---------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    number: int
    body: str | None
    author: str
    open: bool
    label: str
    repository: str
    default_branch: str


def read_event(path) -> Issue:
    """The labelled issue of an `issues` event file (GITHUB_EVENT_PATH): its fields checked
    for type and form, the body kept as data."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_EVENT_BYTES + 1)
    except OSError as exc:
        raise BotError(f"the event file cannot be read ({exc.strerror or exc})",
                       IN_THE_WORKFLOW) from None
    if len(raw) > MAX_EVENT_BYTES:
        raise BotError(f"the event file is larger than {MAX_EVENT_BYTES:,} bytes", "this is not an issue event")
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BotError("the event file is not JSON", IN_THE_WORKFLOW) from None
    issue = event.get("issue") if isinstance(event, dict) else None
    repo = event.get("repository") if isinstance(event, dict) else None
    label = event.get("label") if isinstance(event, dict) else None
    if not (isinstance(issue, dict) and isinstance(repo, dict) and isinstance(label, dict)):
        raise BotError("the event file is not an `issues` event with a label",
                       "the workflow runs on `issues: labeled` only")
    number, body, user = issue.get("number"), issue.get("body"), issue.get("user") or {}
    login = user.get("login") if isinstance(user, dict) else None
    full_name, branch = repo.get("full_name"), repo.get("default_branch")
    if not (isinstance(number, int) and not isinstance(number, bool) and 0 < number < 10**9):
        raise BotError("the event's issue has no number", "this is not an issue event")
    if body is not None and not isinstance(body, str):
        raise BotError("the event's issue body is not text", "this is not an issue event")
    if not (isinstance(full_name, str) and _REPO.match(full_name)):
        raise BotError("the event names no repository", "this is not an issue event")
    if not (isinstance(branch, str) and _BRANCH.match(branch) and ".." not in branch):
        raise BotError("the event's repository has no usable default branch", "this is not an issue event")
    return Issue(number=number, body=body, author=login if isinstance(login, str) and _LOGIN.match(login) else "",
                 open=issue.get("state") == "open", label=str(label.get("name", ""))[:100],
                 repository=full_name, default_branch=branch)


# --- step 1: the proposal file, and the reply ----------------------------------------------------

def _form_section(field: str, labels: dict) -> str | None:
    """The form section a problem is about: a form id, or a proposal field path."""
    if field in labels:
        return field
    head = re.split(r"[.\[]", field, maxsplit=1)[0]
    if head == "accessibility":
        sub = field[len(head) + 1:].split(".")[0].split("[")[0]
        return {"notes": "accessibility_notes", "interpretation": "interpretation",
                "sign_language": "sign_language"}.get(sub, "accessibility")
    return head if head in labels else None


def _sentences(exc: ScaffoldError, labels: dict, lang: str) -> list:
    """Each problem as (section id or None, message, hint), in the reader's language where
    the catalogues have it. Locations in the generated file mean nothing to the issue's author:
    the form's section replaces them."""
    t = _translator(lang)
    found = []
    if exc.problems:
        for p in exc.problems:
            if p.is_error:
                found.append((_form_section(p.field, labels), translated(p.message, t), translated(p.hint, t)))
    else:
        section = _form_section(exc.field, labels) if exc.field else None
        message = exc.message
        if exc.field and message.startswith(exc.field + ": "):  # the section says it already
            message = message[len(exc.field) + 2:]
        found.append((section, translated(message, t), translated(exc.hint, t)))
    return found


def problems_comment(exc: ScaffoldError, labels: dict, lang: str | None) -> str:
    """The answer to an issue whose proposal has problems: in `lang`, or in French then English."""
    if lang is None:
        return "\n\n---\n\n".join(problems_comment(exc, labels, one) for one in LANGUAGES)
    items = _sentences(exc, labels, lang)
    lines = [say(lang, PROBLEMS), ""]
    for section, message, hint in items[:MAX_PROBLEMS]:
        name = _section(labels[section], lang) if section else say(lang, WHOLE)
        line = "- " + say(lang, PROBLEM, section=inert(name, 80), message=inert(message))
        if hint:
            line += "\n  " + say(lang, HINT, hint=inert(hint))
        lines.append(line)
    if len(items) > MAX_PROBLEMS:
        lines.append("- " + say(lang, MORE, num=len(items) - MAX_PROBLEMS))
    lines += ["", say(lang, EDIT, label=TRIGGER_LABEL)]
    return "\n".join(lines) + "\n"


def _write_reply(reply_dir: Path, reply: dict) -> None:
    reply_dir.mkdir(parents=True, exist_ok=True)
    (reply_dir / REPLY_FILE).write_text(json.dumps(reply, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def prepare(event_path, root, reply_dir) -> dict:
    """Step 1 (no token): the issue of the event -> proposals/<id>.yaml and DIR/reply.json.
    Returns the reply: {"ok": True, "id", "file", "title"…} or {"ok": False, "comment"…}.
    Raises BotError when the event itself is unusable (nothing is written then)."""
    from .issue_form import from_issue

    root, reply_dir = Path(root), Path(reply_dir)
    issue = read_event(event_path)
    if issue.label != TRIGGER_LABEL:
        raise BotError(f"the label added is {show(issue.label, 60)}, not {TRIGGER_LABEL}",
                       f"the workflow runs only for the label {TRIGGER_LABEL}")
    try:
        form = read_form(root)
    except ScaffoldError as exc:
        raise BotError(exc.message, exc.hint) from None
    labels = {f.id: f.label for f in form}
    lang = reply_language(issue.body, form)
    reply = {"version": 1, "issue": issue.number, "author": issue.author, "lang": lang,
             "repository": issue.repository, "default_branch": issue.default_branch}
    if not issue.open:
        reply.update(ok=False, comment=_say_all(reply, CLOSED, label=TRIGGER_LABEL))
        _write_reply(reply_dir, reply)
        return reply
    try:
        ident, text = from_issue(issue.body, root)
        path = save(root / "proposals" / f"{ident}.yaml", text)
    except ScaffoldError as exc:
        reply.update(ok=False, comment=problems_comment(exc, labels, lang))
        _write_reply(reply_dir, reply)
        return reply
    doc, _ = load_bytes(path.name, text.encode("utf-8"))
    reply.update(ok=True, id=ident, file=f"proposals/{ident}.yaml", title=doc.data["title"])
    _write_reply(reply_dir, reply)
    return reply


# --- step 2: the branch, the file, the pull request, the answer -------------------------------------

def read_reply(reply_dir) -> dict:
    """reply.json as step 1 wrote it, every field checked again (it crossed a step)."""
    path = Path(reply_dir) / REPLY_FILE
    try:
        reply = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise BotError(f"{path} cannot be read", "run `agenda from-issue --event … --reply DIR` first") from None
    ok = isinstance(reply, dict) and isinstance(reply.get("issue"), int) and reply.get("lang") in (None, *LANGUAGES)
    ok = ok and isinstance(reply.get("repository"), str) and _REPO.match(reply["repository"])
    ok = ok and isinstance(reply.get("default_branch"), str) and _BRANCH.match(reply["default_branch"])
    ok = ok and isinstance(reply.get("author"), str) and (reply["author"] == "" or _LOGIN.match(reply["author"]))
    if ok and reply.get("ok") is True:
        ok = (isinstance(reply.get("file"), str) and _PROPOSAL_FILE.match(reply["file"])
              and reply.get("id") == _PROPOSAL_FILE.match(reply["file"])[1] and isinstance(reply.get("title"), str))
    elif ok:
        ok = reply.get("ok") is False and isinstance(reply.get("comment"), str)
    if not ok:
        raise BotError(f"{path} is not a reply of `agenda from-issue --event`", "run step 1 again")
    return reply


class GitHub:
    """The GitHub API through `gh api` (authenticated by GH_TOKEN, which this code never reads):
    bodies as JSON on standard input, answers as JSON on standard output."""

    def __init__(self, repository: str, command: str = "gh"):
        self.repository, self.command = repository, command

    def call(self, method: str, path: str, body=None):
        """(HTTP success, decoded JSON answer or None)."""
        args = [self.command, "api", "--method", method, f"repos/{self.repository}/{path}"]
        if body is not None:
            args += ["--input", "-"]
        try:
            done = subprocess.run(args, input=json.dumps(body) if body is not None else None, capture_output=True,
                                  text=True, encoding="utf-8", errors="replace", timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BotError(f"`gh api` could not run ({type(exc).__name__})",
                           "the runner needs the GitHub CLI (gh) on its PATH") from None
        try:
            answer = json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            answer = None
        return done.returncode == 0, answer


def _git(root: Path, *args) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise BotError(f"git {args[0]} failed in {root}", "run this in the checkout of the default branch")
    return done.stdout


def changed_files(root: Path) -> list:
    """Every path the working tree adds, changes or removes (untracked files one by one)."""
    out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=no")
    return [entry[3:] for entry in out.split("\0") if entry]


def _pull_request_body(reply: dict) -> str:
    author = f"@{reply['author']}" if reply["author"] else "its author"
    number = reply["issue"]
    return (f"Closes #{number}\n\n"
            f"Opened by the issue bot from #{number} (by {author}) when a maintainer added the label "
            f"`{TRIGGER_LABEL}`: `{reply['file']}`, written by `agenda from-issue` from the issue form.\n\n"
            f"Ouverte par le robot à partir de l'issue #{number} : `{reply['file']}`.\n\n"
            "**Maintainers / Mainteneurs:** GitHub starts no workflow for a pull request opened with the "
            "workflow token. Close and reopen this pull request to run the check “Check the programme and "
            "build a preview”. / Fermez puis rouvrez cette pull request pour lancer la vérification.\n")


def _comment(github: GitHub, reply: dict, text: str) -> None:
    done, _ = github.call("POST", f"issues/{reply['issue']}/comments", {"body": text})
    if not done:
        raise BotError(f"the comment on issue #{reply['issue']} could not be posted",
                       "check the workflow's `issues: write` permission")


def _say_all(reply: dict, msgid: str, /, **values) -> str:
    """`msgid` in the contributor's language, or in every language (French first)."""
    languages = [reply["lang"]] if reply["lang"] else list(LANGUAGES)
    return "\n\n---\n\n".join(say(lang, msgid, **values) for lang in languages)


def publish(reply_dir, root, github: GitHub | None = None) -> str:
    """Step 2 (with the token): what step 1 prepared, sent to GitHub. Returns what was done,
    in one line. Raises BotError when it cannot (the workflow then fails, visibly)."""
    root = Path(root)
    reply = read_reply(reply_dir)
    github = github or GitHub(reply["repository"])
    number = reply["issue"]
    if not reply["ok"]:
        _comment(github, reply, reply["comment"])
        github.call("DELETE", f"issues/{number}/labels/{TRIGGER_LABEL}")  # gone already: fine
        return f"answered issue #{number} with the problems to fix"
    changed = changed_files(root)
    if changed != [reply["file"]]:
        shown = ", ".join(show(p, 80) for p in changed[:5]) or "nothing"
        raise BotError(f"the working tree must hold exactly {reply['file']}, and it holds {shown}",
                       "only `agenda from-issue --event` may run before this step")
    raw = (root / reply["file"]).read_bytes()
    if len(raw) > MAX_BYTES:
        raise BotError(f"{reply['file']} is larger than {MAX_BYTES:,} bytes", "this is not a file step 1 wrote")
    base = _git(root, "rev-parse", "--verify", "HEAD^{commit}").strip()
    branch = f"proposal-from-issue-{number}"
    created, _ = github.call("POST", "git/refs", {"ref": f"refs/heads/{branch}", "sha": base})
    if not created:
        owner = reply["repository"].split("/")[0]
        _, pulls = github.call("GET", f"pulls?head={owner}:{branch}&state=all&per_page=1")
        if isinstance(pulls, list) and pulls and isinstance(pulls[0], dict) and isinstance(pulls[0].get("number"), int):
            _comment(github, reply, _say_all(reply, ALREADY, number=pulls[0]["number"]))
            return f"issue #{number} already has pull request #{pulls[0]['number']}"
        _comment(github, reply, _say_all(reply, BRANCH_LEFT, branch=branch, label=TRIGGER_LABEL))
        raise BotError(f"the branch {branch} exists without a pull request",
                       f"delete it, then add {TRIGGER_LABEL} again")
    added, _ = github.call("PUT", f"contents/{reply['file']}", {
        "message": f"Propose {reply['id']} (from issue #{number})",
        "content": base64.b64encode(raw).decode("ascii"),
        "branch": branch,
    })  # no "sha": GitHub refuses to replace an existing file
    if not added:
        _comment(github, reply, _say_all(reply, FAILED, reason=f"{reply['file']} could not be added"))
        raise BotError(f"{reply['file']} could not be added to {branch}", "look at the workflow's log")
    title = " ".join(reply["title"].split())[:200]
    opened, pull = github.call("POST", "pulls", {"title": f"Proposal: {title}", "head": branch,
                                                  "base": reply["default_branch"], "body": _pull_request_body(reply)})
    if not (opened and isinstance(pull, dict) and isinstance(pull.get("number"), int)):
        _comment(github, reply, _say_all(reply, FAILED, reason="GitHub refused the pull request"))
        raise BotError("the pull request could not be opened",
                       "allow GitHub Actions to create pull requests (Settings → Actions → General)")
    pr = pull["number"]
    languages = [reply["lang"]] if reply["lang"] else list(LANGUAGES)
    text = "\n\n---\n\n".join(say(lang, THANKS_PR, number=pr) + "\n\n" + say(lang, FILE_SAID, path=reply["file"])
                               for lang in languages)
    _comment(github, reply, text + "\n")
    return f"opened pull request #{pr} for issue #{number}"
