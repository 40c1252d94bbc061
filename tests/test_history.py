"""Status history from Git: dates come from commits, never from the clock."""

from __future__ import annotations

import os
import subprocess

import datetime as dt

import pytest

from agenda.data.history import bounded_dates, build_date, complete, parse_log, status_history
from agenda.model import build_agenda
from agenda.check.repository import check_repository


def commit(repo, message, date):
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def test_history_follows_status_changes(base_repo, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
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
    log = ("\x00commit 2016-10-02T10:00:00+02:00\n+++ b/proposals/a.yaml\n+status: 'accepted'\n"
           "\x00commit 2016-10-01T10:00:00+02:00\n+++ b/proposals/a.yaml\n+status: \"proposed\"  # new\n")
    assert parse_log(log) == {"a": [("2016-10-01T10:00:00+02:00", "proposed"), ("2016-10-02T10:00:00+02:00", "accepted")]}


def test_build_date_never_reads_the_clock(base_repo, monkeypatch):
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


# --- dates a contributor cannot choose ----------------------------------------------------------

MERGED = "2016-11-05T12:00:00+01:00"


def git(repo, *args, date="2016-10-01T10:00:00+02:00"):
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


@pytest.fixture
def future_branch(base_repo, monkeypatch):
    """main, and a branch `pr` whose commits (a new proposal, then an acceptance) say 2099."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git(base_repo, "init", "-q", "-b", "main")
    commit(base_repo, "base", "2016-10-01T10:00:00+02:00")
    git(base_repo, "checkout", "-q", "-b", "pr")
    source = (base_repo / "proposals" / "second-session.yaml").read_text()
    (base_repo / "proposals" / "from-the-future.yaml").write_text(source.replace("Second fixture", "Future fixture"))
    commit(base_repo, "a proposal from 2099", "2099-01-01T00:00:00+00:00")
    second = base_repo / "proposals" / "second-session.yaml"
    second.write_text(source.replace("status: proposed", "status: accepted"))
    commit(base_repo, "accepted in 2099", "2099-02-01T00:00:00+00:00")
    git(base_repo, "checkout", "-q", "main")
    return base_repo


def test_a_merged_branch_is_dated_by_its_merge_not_by_its_own_commits(future_branch):
    git(future_branch, "merge", "-q", "--no-ff", "pr", "-m", "Merge pull request #1", date=MERGED)
    history = status_history(future_branch)
    assert history["from-the-future"] == [(MERGED, "proposed")]
    assert history["second-session"] == [("2016-10-01T10:00:00+02:00", "proposed"), (MERGED, "accepted")]


def test_a_squash_merge_is_dated_by_the_squash(future_branch):
    git(future_branch, "merge", "-q", "--squash", "pr")
    git(future_branch, "commit", "-q", "-m", "Squashed pull request #1", date=MERGED)
    assert status_history(future_branch)["from-the-future"] == [(MERGED, "proposed")]


def test_a_future_commit_on_the_branch_itself_is_bounded_by_what_came_after(future_branch):
    """A fast-forward (or a push by hand) puts 2099 on main's own line: each date is bounded
    by the next commit on that line, the last by the build date."""
    git(future_branch, "merge", "-q", "--ff-only", "pr")
    path = future_branch / "proposals" / "base-session.yaml"
    path.write_text(path.read_text().replace("status: scheduled", "status: withdrawn").split("schedule:")[0])
    commit(future_branch, "a later merge", MERGED)
    history = status_history(future_branch)
    assert history["from-the-future"] == [(MERGED, "proposed")]
    assert history["second-session"][-1] == (MERGED, "accepted")
    assert all(date <= MERGED for entries in history.values() for date, _ in entries)


def test_the_last_commit_is_bounded_by_source_date_epoch(future_branch, monkeypatch):
    git(future_branch, "merge", "-q", "--ff-only", "pr")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1481100000")  # 2016-12-07T08:40:00Z
    history = status_history(future_branch)
    assert history["from-the-future"] == [("2016-12-07T08:40:00+00:00", "proposed")]


def test_bounded_dates():
    until = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
    newest_first = ["2099-01-01T00:00:00+00:00", "2016-11-01T00:00:00+00:00", "2050-01-01T00:00:00+00:00",
                    "not a date", "2016-10-01T00:00:00+00:00"]
    assert bounded_dates(newest_first, until) == [
        "2017-01-01T00:00:00+00:00", "2016-11-01T00:00:00+00:00", "2016-11-01T00:00:00+00:00",
        "2016-11-01T00:00:00+00:00", "2016-10-01T00:00:00+00:00"]
    assert bounded_dates(["not a date", "2016-10-01T00:00:00+00:00"]) == [None, "2016-10-01T00:00:00+00:00"]


def test_a_programme_in_a_subfolder(base_repo, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    outer = tmp_path / "outer"
    outer.mkdir()
    base_repo.rename(outer / "programme")
    git(outer, "init", "-q", "-b", "main")
    commit(outer, "base", "2016-10-01T10:00:00+02:00")
    assert status_history(outer / "programme")["second-session"] == [("2016-10-01T10:00:00+02:00", "proposed")]


@pytest.mark.parametrize("epoch", ["99999999999999999999", "", "abc"])
def test_an_impossible_source_date_epoch_falls_back(base_repo, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert build_date(base_repo, "2016-12-07").isoformat() == "2016-12-07T00:00:00+00:00"
