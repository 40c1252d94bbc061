"""Review a pull request: which proposals it adds, changes or removes, whether their status
changes make sense, what else it changes, and what the base says about reviewers (the job
summary, job_summary.py, and CODEOWNERS, codeowners.py, are built from these).

What is compared: the merge base of `base` and HEAD (the commit the branch started from, as a
pull request's diff does) against the *working tree*, not against HEAD. So a contributor who
runs `agenda check --base origin/main` before committing sees the same verdict as CI, where
the working tree is the pull request's head; new files not yet added to Git count too
(ignored files do not).

Git runs only through `subprocess` with argument lists: no shell ever sees a ref, a path or
a file's content. The base ref is resolved to a commit id once, so that what the caller
typed is never passed to Git again, and a ref that starts with `-` is refused (it would be
read as an option). Old versions are read with `git cat-file --batch`, the plumbing form of
`git show <commit>:<path>` for many files in one process: exact bytes, never a textconv
filter. Problems found in files are values (`Problem`); only a Git failure raises, as
`ReviewError`, which the CLI turns into exit code 2.

What the pull request cannot choose is read from the merge base, never from its own tree:
the reviewers to ask (`base_reviewers`) and, in codeowners.py, the CODEOWNERS lines it may
leave as they were. Lines printed for CI logs are `inert` (see problems.py).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ..check.load import MAX_BYTES, load_bytes
from ..check.problems import ERROR, Msg, Problem, inert, show
from ..check.repository import is_slug

STATUSES = ("proposed", "accepted", "scheduled", "declined", "withdrawn")

# The rule `status-transition`: each status and the statuses it may become in one pull request.
TRANSITIONS = {
    "proposed": ("accepted", "declined", "withdrawn"),
    "accepted": ("scheduled", "declined", "withdrawn", "proposed"),
    "scheduled": ("accepted", "withdrawn"),
    "declined": ("proposed",),
    "withdrawn": ("proposed",),
}
FIRST_STATUS = "proposed"

GIT_TIMEOUT = 120
FOLDER = "proposals"
THEMES = "themes"
# What a contributor normally changes; anything else is for the maintainers to review.
PROGRAMME = (f"{FOLDER}/", f"{THEMES}/")
# Files that are, or configure, code that CI or the site build runs: a pull request that
# changes them is checked by the base's tooling, not by its own (see the summary's notice).
TOOLING = (".github/", ".ci/", "scripts/", "schema/", "overrides/", "requirements/", "tests/", "benchmarks/",
           "mkdocs.yml", "pyproject.toml", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml")
WORKFLOWS = ".github/workflows/"
_HANDLE = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}\Z")
_OWNER = re.compile(r"@[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?\Z")
# Hyphenated Git subcommands are named once: tests/test_docs.py reads a hyphenated literal
# followed by another literal as a rule id.
REV_PARSE = "rev-parse"
LS_FILES = "ls-files"
CAT_FILE = "cat-file"
LS_TREE = "ls-tree"


class ReviewError(Exception):
    """Git could not answer (not a repository, unknown ref, no common history): a usage
    error for the CLI (exit 2), with a next step in `hint`."""

    def __init__(self, message: str, hint: str = ""):
        message, hint = inert(message), inert(hint)  # printed in CI logs; may quote a path
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Change:
    """One proposal file that differs between the merge base and the working tree.

    Statuses and titles are None when that side is missing or cannot be read as a proposal
    (the check reports why). Themes serve the summary's "reviewers to ask"; `status_at` is
    the (line, column) of `status:` in the new file, for a proposal the check rejected."""

    id: str
    path: str
    kind: str  # "added" | "changed" | "removed"
    old_status: str | None
    new_status: str | None
    old_title: str | None
    new_title: str | None
    old_themes: tuple = ()
    new_themes: tuple = ()
    status_at: tuple = (1, 1)


@dataclass(frozen=True)
class _Facts:
    """What the review reads from one version of a proposal."""

    status: str | None = None
    title: str | None = None
    themes: tuple = ()
    status_at: tuple = (1, 1)


# --- Git -----------------------------------------------------------------------------------


def _git(root, *args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run Git on `root` with an argument list. No lock files (another `git` may run at the
    same time), no prompt, messages in English for the error text."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True,
                              timeout=GIT_TIMEOUT, check=False, env=env)
    except FileNotFoundError:
        raise ReviewError("git is not installed", "install Git, then run the command again") from None
    except subprocess.TimeoutExpired:
        raise ReviewError(f"git {args[0]} took more than {GIT_TIMEOUT} seconds",
                          "run it again; a very large repository may need a local clone") from None


def _git_said(result) -> str:
    """Git's first line of complaint, bounded: it may quote the ref the caller typed."""
    lines = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
    return show(lines[0], 200)[1:-1] if lines else f"exit code {result.returncode}"


def _commit(root, ref: str) -> str | None:
    """The commit id `ref` names, or None. Ids are what the later commands receive."""
    result = _git(root, REV_PARSE, "--verify", "--quiet", f"{ref}^{{commit}}")
    return result.stdout.decode("ascii", errors="replace").strip() if result.returncode == 0 else None


def merge_base(root, base: str) -> str:
    """The commit the branch started from: a pull request is judged by what it adds to its
    base, not by what the base gained since (those changes were reviewed there)."""
    if not base or base.startswith("-") or not base.isprintable():
        raise ReviewError(f"{show(base)} is not a Git ref", "give a branch or commit, for example origin/main")
    top = _git(root, REV_PARSE, "--show-toplevel")
    if top.returncode != 0:
        raise ReviewError(f"{show(str(root))} is not inside a Git repository ({_git_said(top)})",
                          "run the command in a clone of the programme repository, or pass --root")
    head = _commit(root, "HEAD")
    if head is None:
        raise ReviewError("the repository has no commit yet", "commit something first")
    other = _commit(root, base)
    if other is None:
        raise ReviewError(f"unknown Git ref {show(base)}",
                          "fetch it first (git fetch origin main); in GitHub Actions, use actions/checkout "
                          "with fetch-depth: 0")
    result = _git(root, "merge-base", other, head)
    if result.returncode != 0:
        raise ReviewError(f"{show(base)} and HEAD have no common history",
                          "fetch the whole history (fetch-depth: 0 in actions/checkout)")
    return result.stdout.decode("ascii", errors="replace").strip()


def _paths(output: bytes) -> list:
    """NUL-separated output (`-z`) -> paths as text; a name that is not UTF-8 is skipped
    (the check reports it as a bad file name)."""
    out = []
    for raw in output.split(b"\0"):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append("")
    return out


def _changed_paths(root, base_commit: str, *pathspec: str) -> list:
    """(letter, path) of every file (under `pathspec`, default everywhere) that differs from
    `base_commit` in the working tree, untracked new files included (as `A`)."""
    diff = _git(root, "diff", "--name-status", "--no-renames", "--relative", "--no-ext-diff",
                "--no-textconv", "-z", base_commit, "--", *pathspec)
    if diff.returncode != 0:
        raise ReviewError(f"git diff failed ({_git_said(diff)})", "check that the repository is not damaged")
    fields = _paths(diff.stdout)
    pairs = [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]
    others = _git(root, LS_FILES, "--others", "--exclude-standard", "-z", "--", *pathspec)
    if others.returncode != 0:
        raise ReviewError(f"git ls-files failed ({_git_said(others)})", "check that the repository is not damaged")
    pairs += [("A", path) for path in _paths(others.stdout) if path]
    return pairs


def proposal_id(path: str) -> str | None:
    """`proposals/<id>.yaml` -> id; anything else (folders, .yml, odd names) is not a
    proposal the review can speak about, and the check reports it already."""
    folder, _, name = path.partition("/")
    stem, dot, ext = name.rpartition(".")
    if folder != FOLDER or "/" in name or not dot or ext != "yaml" or not stem:
        return None
    return stem if stem.isprintable() else None


# --- reading both versions -------------------------------------------------------------------


def _old_versions(root, base_commit: str, paths) -> dict:
    """path -> bytes at the merge base (None if absent), all through one `git cat-file
    --batch`: one process instead of one per file when a pull request schedules hundreds of
    sessions. Paths are printable (see `proposal_id`), so one per line is safe; `./` makes
    them relative to --root."""
    paths = list(paths)
    if not paths:
        return {}
    request = "".join(f"{base_commit}:./{path}\n" for path in paths).encode("utf-8")
    result = _git(root, CAT_FILE, "--batch", stdin=request)
    if result.returncode != 0:
        raise ReviewError(f"git cat-file failed ({_git_said(result)})", "check that the repository is not damaged")
    return dict(zip(paths, _batch_contents(result.stdout, len(paths))))


def _batch_contents(out: bytes, count: int) -> list:
    """`<oid> <type> <size>\\n<content>\\n` or `<name> missing\\n`, `count` times -> contents;
    anything but a blob (a submodule, a missing file) is None."""
    contents, pos = [], 0
    while len(contents) < count:
        end = out.find(b"\n", pos)
        if end < 0:  # cut short: what is left cannot be read
            return contents + [None] * (count - len(contents))
        header, pos = out[pos:end].split(b" "), end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            contents.append(out[pos:pos + size] if header[1] == b"blob" else None)
            pos += size + 1
        else:
            contents.append(None)
    return contents


def _new_bytes(root, path: str) -> bytes | None:
    """The file in the working tree: a regular file only, never through a link (a link
    could show a file from outside the repository in a public summary), bounded."""
    try:
        fd = os.open(Path(root) / path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, MAX_BYTES + 1)
    finally:
        os.close(fd)


def _facts(path: str, raw: bytes | None) -> _Facts:
    """Status, title, themes and the status line of one version; empty when it is not a
    readable proposal (a malformed old file has no status to compare with)."""
    if raw is None:
        return _Facts()
    doc, _ = load_bytes(path, raw)
    if doc is None:
        return _Facts()
    data = doc.data
    status, title, themes = data.get("status"), data.get("title"), data.get("themes")
    themes = tuple(t for t in themes if isinstance(t, str))[:5] if isinstance(themes, list) else ()
    return _Facts(status if isinstance(status, str) else None, title if isinstance(title, str) else None,
                  themes, doc.where(("status",)) if "status" in data else (1, 1))


_KINDS = {"A": "added", "D": "removed"}


def changes(root, base: str) -> list:
    """Every proposal added, changed or removed since the merge base of `base` and HEAD,
    working-tree edits included; sorted by id. Raises ReviewError when Git cannot answer."""
    return changes_since(root, merge_base(root, base))


def changes_since(root, base_commit: str) -> list:
    """`changes`, from a commit id already resolved (see `merge_base`)."""
    listed = {}
    for letter, path in _changed_paths(root, base_commit, f"{FOLDER}/"):
        if proposal_id(path) is not None:
            listed.setdefault(path, _KINDS.get(letter[:1], "changed"))
    old_versions = _old_versions(root, base_commit, (p for p, kind in listed.items() if kind != "added"))
    found = []
    for path, kind in listed.items():
        old_raw = old_versions.get(path)
        new_raw = None if kind == "removed" else _new_bytes(root, path)
        if kind == "changed" and old_raw == new_raw:
            continue  # only the file's timestamp changed
        old, new = _facts(path, old_raw), _facts(path, new_raw)
        found.append(Change(proposal_id(path), path, kind, old.status, new.status, old.title, new.title,
                            old.themes, new.themes, new.status_at))
    return sorted(found, key=lambda c: (c.id, c.path))


# --- the status-transition rule -----------------------------------------------------------


def allowed(old: str, new: str) -> bool:
    """Whether one pull request may change status `old` to `new` (see TRANSITIONS)."""
    return old == new or new in TRANSITIONS.get(old, ())


def detour(old: str, new: str) -> list:
    """The statuses to go through between `old` and `new`, shortest way first: the hint
    tells people the next step instead of just saying no."""
    previous = {old: None}
    queue = deque([old])
    while queue:
        current = queue.popleft()
        for step in TRANSITIONS.get(current, ()):
            if step not in previous:
                previous[step] = current
                queue.append(step)
    path, current = [], previous.get(new)
    while current is not None and current != old:
        path.append(current)
        current = previous[current]
    return path[::-1]


def _detour_hint(old: str, new: str) -> str:
    steps = detour(old, new)
    if not steps:  # only if TRANSITIONS is edited into a dead end
        return Msg("ask the theme's reviewers to change the status")
    if len(steps) == 1:
        return Msg("go through %(status)s first", status=steps[0])
    return Msg("go through %(statuses)s, first", statuses=" → ".join(steps))


def _status_position(change: Change, report) -> tuple:
    """Where `status:` is written: from the checked Document when the proposal is valid,
    else from the position `changes` read in the new file."""
    doc = report.proposals.get(change.id) if report is not None else None
    if doc is not None and doc.path == change.path:
        return doc.where(("status",))
    return change.status_at


def _transition_problem(change: Change, line: int, column: int) -> Problem | None:
    """The problem with one change's status, or None. Unknown statuses are left to the
    schema check (`not-allowed`), unreadable old versions give nothing to compare."""
    old, new = change.old_status, change.new_status
    if new not in STATUSES:
        return None
    if change.kind == "added" and new != FIRST_STATUS:
        message = Msg("a new proposal must start with status %(first)s, not %(status)s", first=show(FIRST_STATUS),
                      status=show(new))
        hint = Msg("write `status: %(first)s`; the theme's reviewers change it after the review", first=FIRST_STATUS)
    elif change.kind == "changed" and old in STATUSES and not allowed(old, new):
        message = Msg("the status cannot change from %(old)s to %(new)s in one pull request", old=show(old), new=show(new))
        hint = _detour_hint(old, new)
    else:
        return None
    return Problem(file=change.path, line=line, column=column, severity=ERROR, rule="status-transition",
                   message=message, field="status", hint=hint)


def transition_problems(changes, report) -> list:
    """`status-transition` problems, at the `status:` line of the new file.

    The rule (TRANSITIONS), for one pull request, base -> head:

    | from      | may become                                   |
    |-----------|----------------------------------------------|
    | proposed  | accepted, declined, withdrawn                |
    | accepted  | scheduled, declined, withdrawn, proposed     |
    | scheduled | accepted (unscheduled), withdrawn            |
    | declined  | proposed (reopened)                          |
    | withdrawn | proposed (reopened)                          |

    Keeping the same status is always fine. A new proposal starts as `proposed`: a
    contributor cannot add a session already accepted or scheduled. Removing a file is not
    a transition (the reviewers see it in the summary)."""
    problems = []
    for change in changes:
        line, column = _status_position(change, report)
        problem = _transition_problem(change, line, column)
        if problem is not None:
            problems.append(problem)
    return problems


# --- what people read ---------------------------------------------------------------------


def _status_word(status) -> str:
    """A status for a terminal line: known words as they are, anything else quoted."""
    if status is None:
        return "no valid status"
    return status if status in STATUSES else show(status, 30)


def _id_word(ident: str) -> str:
    return ident if is_slug(ident) else show(ident, 70)


def status_report(changes) -> list:
    """One line per changed proposal for the terminal (`open-budgets: proposed → accepted`),
    so a reviewer sees at a glance what the branch does to the programme. The lines go to
    CI logs, so they are `inert`: an id or a status cannot spell a runner command."""
    lines = []
    for c in changes:
        name, old, new = _id_word(c.id), _status_word(c.old_status), _status_word(c.new_status)
        if c.kind == "added":
            lines.append(f"{name}: new proposal, {new}")
        elif c.kind == "removed":
            lines.append(f"{name}: removed (was {old})")
        elif c.old_status != c.new_status:
            lines.append(f"{name}: {old} → {new}")
        else:
            lines.append(f"{name}: edited, still {new}")
    return [inert(line) for line in lines]


# --- what the pull request cannot choose: read from the merge base --------------------------


def _tree_files(root, commit: str, folder: str) -> list:
    """Paths of the files directly in `folder` at `commit` (relative to root)."""
    result = _git(root, LS_TREE, "-z", "--name-only", commit, "--", f"{folder}/")
    if result.returncode != 0:
        raise ReviewError(f"git ls-tree failed ({_git_said(result)})", "check that the repository is not damaged")
    return [path for path in _paths(result.stdout) if path]


def read_at(root, commit: str, paths) -> dict:
    """path -> bytes of each file at `commit` (None when absent or not a file)."""
    return _old_versions(root, commit, [p for p in paths if p.isprintable()])


def base_reviewers(root, base_commit: str) -> dict:
    """theme id -> GitHub handles of its reviewers, as the merge base names them.

    The summary's "reviewers to ask" are real @-mentions: read from the pull request's own
    themes/, a pull request could name and notify whoever it likes. A theme the pull request
    adds has no reviewers yet (the programme committee owns it until it is merged)."""
    paths = [p for p in _tree_files(root, base_commit, THEMES) if p.endswith(".yaml")]
    found = {}
    for path, raw in read_at(root, base_commit, paths).items():
        ident = path[len(THEMES) + 1:-len(".yaml")]
        doc, _ = load_bytes(path, raw) if raw is not None and len(raw) <= MAX_BYTES else (None, [])
        handles = doc.data.get("reviewers") if doc is not None and isinstance(doc.data, dict) else None
        if is_slug(ident) and isinstance(handles, list):
            found[ident] = tuple(h for h in handles if isinstance(h, str) and _HANDLE.match(h))
    return found


def reviewers_to_ask(themes, by_theme: dict) -> list:
    """The reviewers of `themes`, in theme order, without repeats (handles ignore case)."""
    seen, out = set(), []
    for theme in themes:
        for handle in by_theme.get(theme, ()):
            if handle.casefold() not in seen:
                seen.add(handle.casefold())
                out.append(handle)
    return out


def changed_files(root, base_commit: str) -> list:
    """Every changed path (working tree against `base_commit`), sorted."""
    return sorted({path for _, path in _changed_paths(root, base_commit) if path})


def outside_programme(root, base_commit: str) -> list:
    """Every changed path that is not under proposals/ or themes/, sorted: what the
    maintainers must review (CODEOWNERS gives them everything else)."""
    return [p for p in changed_files(root, base_commit) if not p.startswith(PROGRAMME)]


def is_tooling(path: str) -> bool:
    """Whether `path` is, or configures, code that CI or the site build runs."""
    return any(path == t or (t.endswith("/") and path.startswith(t)) for t in TOOLING)
