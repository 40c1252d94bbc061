"""When each proposal appeared and changed status, read from Git history.

The feed's dates must come from the content's history, never from the build clock. One
`git log` over proposals/ (only commits that touch a `status:` line, which includes every
file's first commit) gives, per proposal, its statuses in order with the commit dates.
Without Git (a tarball, a generated corpus) the history is empty and the caller falls back
to a date derived from the content.
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


def status_history(root, timeout: int = 120) -> dict:
    """proposal id -> [(ISO date, status), ...], oldest first; {} without Git."""
    command = ["git", "-C", str(Path(root)), "log", "--reverse", "--no-renames", "--unified=0",
               "--format=%x00commit %cI", "-G^status:", "-p", "--", "proposals/"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                                encoding="utf-8", errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    return parse_log(result.stdout)


def parse_log(text: str) -> dict:
    history: dict = {}
    date = current = None
    for line in text.splitlines():
        if line.startswith(_COMMIT):
            date, current = line[len(_COMMIT):].strip(), None
            continue
        match = _FILE.match(line)
        if match:
            current = match.group(1)
            continue
        match = _STATUS_LINE.match(line)
        if match and current and date:
            entries = history.setdefault(current, [])
            if not entries or entries[-1][1] != match.group(1):
                entries.append((date, match.group(1)))
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


def build_date(root, first_day: str) -> dt.datetime:
    """The one date a build may write: SOURCE_DATE_EPOCH when set, else the last commit's
    time, else the event's first day (UTC). Never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        try:
            out = subprocess.run(["git", "-C", str(Path(root)), "log", "-1", "--format=%ct"],
                                 capture_output=True, text=True, timeout=30, check=False)
            epoch = out.stdout.strip() if out.returncode == 0 else ""
        except (OSError, subprocess.TimeoutExpired):
            epoch = ""
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.fromisoformat(first_day).replace(tzinfo=dt.timezone.utc)
