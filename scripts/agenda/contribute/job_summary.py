"""The pull request's job summary (`agenda summary`): what it does to the programme, whom to
ask, and whether it changes more than the programme.

Everything in it that comes from the pull request (titles, ids, statuses, file names) is made
inert Markdown by `inline`: the summary is rendered by GitHub, and must carry no link, HTML,
table break or @-mention chosen by a stranger. The reviewers it mentions are the base's
(review.base_reviewers), never the pull request's own themes/. A pull request that changes
files outside proposals/ and themes/ gets a notice naming them: the checks ran the base's
tooling, and a maintainer must review it.
"""

from __future__ import annotations

import re
import unicodedata

from ..check.repository import is_slug
from .review import PROGRAMME, THEMES, WORKFLOWS, base_reviewers, changed_files, changes_since, is_tooling, merge_base, reviewers_to_ask, transition_problems

TITLE_LIMIT = 80
PATH_LIMIT = 100
PATHS_SHOWN = 50
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ZWSP = "\u200b"


def _plain(text: str, limit: int) -> str:
    """One bounded line: invisible, control and line-break characters become spaces (a
    line break would end the table row; a bidi control would reorder what people read)."""
    text = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in text)
    text = " ".join(text.split())
    return text[: limit - 1] + "…" if len(text) > limit else text


def inline(text, limit: int = TITLE_LIMIT) -> str:
    """Untrusted text -> inert Markdown for a table cell (GitHub Flavored Markdown).

    HTML specials become entities; every other ASCII punctuation is backslash-escaped, so no
    `|` ends a cell and no `[`, `*`, `_`, backtick or `#` makes a link, emphasis or code.
    GitHub also turns `@name`, `https://` and `www.` into mentions and links after
    rendering, where escapes are gone: `@` becomes the look-alike `＠` (U+FF20) and a
    zero-width space breaks `://` and `www.`."""
    if not isinstance(text, str):
        return "—"
    out = []
    for ch in _plain(text, limit):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch == "@":
            out.append("＠")
        elif ch.isascii() and not ch.isalnum() and ch.isprintable() and ch != " ":
            out.append("\\" + ch)
        else:
            out.append(ch)
    text = "".join(out).replace("\\:\\/\\/", f"\\:{_ZWSP}\\/\\/")
    return re.sub(r"(?i)(www)(\\\.)", lambda m: m.group(1) + _ZWSP + m.group(2), text)


def _code(ident: str) -> str:
    """An id as code when it is a plain id (nothing to escape), else as escaped text."""
    return f"`{ident}`" if is_slug(ident) else inline(ident, 70)


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*\Z")


def _path(path: str) -> str:
    """A file name as code when it is plain (GitHub makes no link or mention inside code),
    else as escaped text."""
    return f"`{path}`" if len(path) <= PATH_LIMIT and _PLAIN_PATH.match(path) else inline(path, PATH_LIMIT)


def _status_cell(change, forbidden: set) -> str:
    old = inline(change.old_status, 30) if change.old_status else "—"
    new = inline(change.new_status, 30) if change.new_status else "—"
    if change.kind == "added":
        cell = f"new → {new}"
    elif change.kind == "removed":
        cell = f"{old} → removed"
    elif change.old_status == change.new_status:
        cell = f"{new} (unchanged)"
    else:
        cell = f"{old} → {new}"
    return cell + (" (**not allowed**)" if change.path in forbidden else "")


def _row(change, reviewers: dict, forbidden: set) -> str:
    themes = tuple(dict.fromkeys(change.new_themes + change.old_themes))
    title = change.new_title if change.kind != "removed" else change.old_title
    if change.kind == "changed" and change.old_title not in (None, change.new_title):
        title_cell = f"{inline(title)} (was {inline(change.old_title)})"
    else:
        title_cell = inline(title)
    cells = [
        _code(change.id),
        title_cell,
        _status_cell(change, forbidden),
        ", ".join(_code(t) for t in themes) or "—",
        " ".join(f"@{h}" for h in reviewers_to_ask(themes, reviewers)) or "—",
    ]
    return "| " + " | ".join(cells) + " |"


_SECTIONS = (("added", "Added"), ("changed", "Changed"), ("removed", "Removed"))
_HEADER = ("| proposal | title | status | themes | reviewers to ask |", "|---|---|---|---|---|")
_NOTICE = ("**Maintainers must review this pull request**: it changes files outside `proposals/` and "
           "`themes/`. The checks on this page ran the base branch's tooling and site configuration, not "
           "this pull request's; what it changes in them was not run.")
_WORKFLOW_NOTICE = ("**This pull request changes `.github/workflows/`.** GitHub runs a pull request's own "
                    "version of its workflows: the result of this check and this summary prove nothing until "
                    "a maintainer has read that change.")


def _listed(paths, mark=lambda path: "") -> list:
    lines = [f"- {_path(path)}{mark(path)}" for path in paths[:PATHS_SHOWN]]
    if len(paths) > PATHS_SHOWN:
        lines.append(f"- … and {len(paths) - PATHS_SHOWN} more")
    return lines + [""]


def _outside_section(paths) -> list:
    lines = [f"### Outside the programme ({len(paths)})", ""]
    if any(p.startswith(WORKFLOWS) for p in paths):
        lines += [_WORKFLOW_NOTICE, ""]
    lines += [_NOTICE, ""]
    return lines + _listed(paths, lambda path: " (tooling)" if is_tooling(path) else "")


_THEMES_NOTE = ("The programme committee reviews these (CODEOWNERS). Reviewers a theme gains here are asked "
               "only once it is merged.")


def _themes_section(paths) -> list:
    return [f"### Themes changed ({len(paths)})", "", _THEMES_NOTE, "", *_listed(paths)]


def summary_markdown(changes, report, *, reviewers: dict, outside=(), themes=()) -> str:
    """The job summary: one table per kind of change, with the reviewers to ask (`reviewers`:
    theme id -> handles, from the base), then the theme files changed and the files outside
    the programme, if any."""
    lines = ["## Proposals in this pull request", ""]
    if not changes:
        lines += ["No proposal changed.", ""]
    forbidden = {p.file for p in transition_problems(changes, report)}
    for kind, heading in _SECTIONS:
        rows = [c for c in changes if c.kind == kind]
        if rows:
            lines += [f"### {heading} ({len(rows)})", "", *_HEADER]
            lines += [_row(c, reviewers, forbidden) for c in sorted(rows, key=lambda c: c.id)]
            lines.append("")
    if themes:
        lines += _themes_section(list(themes))
    if outside:
        lines += _outside_section(list(outside))
    return "\n".join(lines)


def pull_request_summary(root, base: str, report) -> str:
    """`agenda summary --base REF`: the summary of the working tree against the merge base of
    `base` and HEAD. `report` is the check of the working tree. Raises ReviewError."""
    commit = merge_base(root, base)
    files = changed_files(root, commit)
    return summary_markdown(changes_since(root, commit), report, reviewers=base_reviewers(root, commit),
                            themes=[p for p in files if p.startswith(f"{THEMES}/")],
                            outside=[p for p in files if not p.startswith(PROGRAMME)])
