"""Shared by the review tests: a proposal template, and the base fixture as a Git repository
(main, then a branch `feature`), with the user's own Git configuration kept out."""

from __future__ import annotations

import subprocess

import pytest

COMMITTEE = "@example-org/programme-committee"
MAINTAINERS = "@example-org/maintainers"
STATUS_LINE, STATUS_COLUMN = 17, 9  # of `status:` in proposal_text()

PROPOSAL = """\
# A test proposal.
title: {title}
format: conference
themes: [{themes}]
languages: [en]
summary: A valid session used by the review tests, long enough.
description: |
  A conference on how journalists can use open data, with a short list:

  - finding data;
  - checking it.
proposers:
  - name: Dana Test
    organisation: Test fixtures (example)
    country: SN
duration: 60
status: {status}
example: true
"""
SCHEDULE = """\
schedule:
  day: "2016-12-08"
  start: "10:00"
  end: "11:00"
  room: salle-seine
"""


def proposal_text(status="proposed", title="A session about open data", themes="access-to-information"):
    text = PROPOSAL.format(title=title, themes=themes, status=status)
    return text + (SCHEDULE if status == "scheduled" else "")


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True, timeout=60)


def commit_all(repo, message):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(base_repo, tmp_path, monkeypatch):
    """The base fixture as a Git repository: one commit on main, then a branch `feature`.
    The user's own Git configuration stays out of the tests."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git(base_repo, "init", "-q", "-b", "main")
    commit_all(base_repo, "base")
    git(base_repo, "checkout", "-q", "-b", "feature")
    return base_repo


def write(repo, ident, text):
    path = repo / "proposals" / f"{ident}.yaml"
    path.write_text(text, encoding="utf-8")
    return path
