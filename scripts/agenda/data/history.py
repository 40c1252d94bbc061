"""When each proposal appeared and changed status, read from Git history.

The feed's dates must come from the content's history, never from the build clock. And not
from a contributor's clock either: author and committer dates are whatever the person who
made the commit chose, so a pull request could date its proposal 2099 and sit on top of the
feed for ever. What this module trusts instead:

- only the *first-parent* line of the branch that is built (`main`): with the settings the
  README asks for (pull requests required, squash merges), every commit on it is one that
  GitHub made when it merged a pull request, dated by GitHub's clock; a contributor's own
  commits are never on it (a merge commit's second parent, a squash's source). Each
  first-parent commit is compared with its first parent, so a change counts when it reached
  the branch, not when it was written;
- its committer date, bounded: no commit is dated later than a newer commit on that line,
  nor than the build date (`build_date`). A wrong clock on a pushed commit cannot lift an
  entry above what came after it.

One `git log` over proposals/ (only commits that touch a `status:` line, which includes every
file's first commit) gives, per proposal, its statuses in order with those dates. Without Git
(a tarball, a generated corpus) the history is empty and the caller falls back to a date
derived from the content.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

_STATUS_LINE = re.compile(r"^\+status:\s*[\"']?([a-z]+)[\"']?\s*(?:#.*)?$")
_FILE = re.compile(r"^\+\+\+ b/proposals/([a-z0-9-]+)\.yaml$")
_COMMIT = "\x00commit "


def _git(root, *args, timeout: int) -> str | None:
    """Git's output, or None when Git is missing, fails or takes too long."""
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        result = subprocess.run(["git", "-C", str(Path(root)), *args], capture_output=True, text=True,
                                timeout=timeout, check=False, encoding="utf-8", errors="replace", env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def status_history(root, timeout: int = 120, until: dt.datetime | None = None) -> dict:
    """proposal id -> [(ISO date, status), ...], oldest first; {} without Git.

    Dates are bounded by `until` (default: `build_date`, the newest date a build may write)."""
    if until is None:
        until = build_date(root, None)
    out = _git(root, "log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--no-ext-diff",
               "--no-textconv", "--relative", "--unified=0", "--format=%x00commit %cI", "-G^status:", "-p",
               "--", "proposals/", timeout=timeout)
    return {} if out is None else parse_log(out, until)


def _when(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _commits(text: str) -> list:
    """`git log` text -> [(ISO date, [(id, status), ...]), ...] in the log's order."""
    commits: list = []
    current = None
    for line in text.splitlines():
        if line.startswith(_COMMIT):
            commits.append((line[len(_COMMIT):].strip(), []))
            current = None
            continue
        match = _FILE.match(line)
        if match:
            current = match.group(1)
            continue
        match = _STATUS_LINE.match(line)
        if match and current and commits:
            commits[-1][1].append((current, match.group(1)))
    return commits


def bounded_dates(dates, until: dt.datetime | None = None) -> list:
    """ISO dates of commits, newest first -> the same dates, each no later than any newer
    one nor than `until`. A date that cannot be read takes the bound (None without one)."""
    out, bound, bound_text = [], until, until.isoformat() if until else None
    for text in dates:
        moment = _when(text)
        if moment is None or (bound is not None and moment > bound):
            text, moment = bound_text, bound
        out.append(text)
        if moment is not None:
            bound, bound_text = moment, text
    return out


def parse_log(text: str, until: dt.datetime | None = None) -> dict:
    """`git log` output, newest commit first (Git's order) -> per proposal, its statuses
    oldest first, each dated by `bounded_dates`."""
    commits = _commits(text)
    dates = bounded_dates([date for date, _ in commits], until)
    history: dict = {}
    for date, (_, entries) in reversed(list(zip(dates, commits))):
        for ident, status in entries if date is not None else ():
            known = history.setdefault(ident, [])
            if not known or known[-1][1] != status:
                known.append((date, status))
    return history


def complete(history: dict, agenda, fallback: str) -> dict:
    """Every proposal of the model gets a history: what Git knows, and the current status
    at `fallback` (a date from the content) when Git does not know it yet."""
    out = {}
    for p in agenda.proposals:
        entries = list(history.get(p.id, []))
        if not entries or entries[-1][1] != p.status:
            # An uncommitted change: never dated before what Git already knows.
            date = fallback
            if entries and dt.datetime.fromisoformat(entries[-1][0]) > dt.datetime.fromisoformat(fallback):
                date = entries[-1][0]
            entries.append((date, p.status))
        out[p.id] = entries
    return out


def build_date(root, first_day: str | None) -> dt.datetime | None:
    """The one date a build may write: SOURCE_DATE_EPOCH when set, else the time of the last
    commit (with squash merges, GitHub's), else the event's first day (UTC). Never the clock.
    None only without the last two (the history's own bound then)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        epoch = (_git(root, "log", "-1", "--format=%ct", timeout=30) or "").strip()
    if epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except (OverflowError, ValueError, OSError):  # a number no calendar holds
            pass
    if first_day is None:
        return None
    return dt.datetime.fromisoformat(first_day).replace(tzinfo=dt.timezone.utc)
