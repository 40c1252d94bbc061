"""Status history from Git: dates come from commits, never from the clock."""

from __future__ import annotations

import os
import subprocess

from agenda.history import complete, parse_log, status_history
from agenda.model import build_agenda
from agenda.repository import check_repository


def commit(repo, message, date):
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def test_history_follows_status_changes(base_repo):
    subprocess.run(["git", "init", "-q", "-b", "main", str(base_repo)], check=True)
    commit(base_repo, "base", "2016-10-01T10:00:00+02:00")
    path = base_repo / "proposals" / "second-session.yaml"
    path.write_text(path.read_text().replace("status: proposed", "status: accepted"))
    commit(base_repo, "accept", "2016-11-02T09:30:00+01:00")
    path.write_text(path.read_text().replace("Second fixture", "Second fixture, renamed"))
    commit(base_repo, "rename (no status change)", "2016-11-03T09:30:00+01:00")
    history = status_history(base_repo)
    assert history["second-session"] == [("2016-10-01T10:00:00+02:00", "proposed"),
                                         ("2016-11-02T09:30:00+01:00", "accepted")]
    assert history["base-session"] == [("2016-10-01T10:00:00+02:00", "scheduled")]


def test_without_git_the_history_is_empty_and_completed_from_content(base_repo):
    assert status_history(base_repo) == {}
    report = check_repository(base_repo, jobs=1)
    agenda = build_agenda(report.event, report.themes, report.proposals)
    filled = complete({}, agenda, "2016-12-07T00:00:00+00:00")
    assert filled == {"base-session": [("2016-12-07T00:00:00+00:00", "scheduled")],
                      "second-session": [("2016-12-07T00:00:00+00:00", "proposed")]}


def test_quoted_and_commented_status_lines():
    log = ("\x00commit 2016-10-01T10:00:00+02:00\n+++ b/proposals/a.yaml\n+status: \"proposed\"  # new\n"
           "\x00commit 2016-10-02T10:00:00+02:00\n+++ b/proposals/a.yaml\n+status: 'accepted'\n")
    assert parse_log(log) == {"a": [("2016-10-01T10:00:00+02:00", "proposed"), ("2016-10-02T10:00:00+02:00", "accepted")]}


def test_build_date_never_reads_the_clock(base_repo, monkeypatch):
    from agenda.history import build_date

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_date(base_repo, "2016-12-07").isoformat() == "2016-12-07T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1481100000")
    assert build_date(base_repo, "2016-12-07").isoformat() == "2016-12-07T08:40:00+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    subprocess.run(["git", "init", "-q", "-b", "main", str(base_repo)], check=True)
    commit(base_repo, "base", "2016-10-01T10:00:00+02:00")
    assert build_date(base_repo, "2016-12-07").isoformat() == "2016-10-01T08:00:00+00:00"


def test_an_uncommitted_change_is_never_dated_before_git(base_repo):
    report = check_repository(base_repo, jobs=1)
    agenda = build_agenda(report.event, report.themes, report.proposals)
    known = {"second-session": [("2016-11-02T09:30:00+01:00", "accepted")]}
    filled = complete(known, agenda, "2016-10-01T00:00:00+00:00")
    assert filled["second-session"] == [("2016-11-02T09:30:00+01:00", "accepted"),
                                        ("2016-11-02T09:30:00+01:00", "proposed")]
